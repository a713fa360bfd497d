//! The one rule for a backend address, used by Settings and by both transports: parsed with a
//! URL parser (never by prefix), no credentials anywhere in it (the password or key lives in the
//! keychain), and TLS to anything that is not this machine: plain `http://` and PostgreSQL
//! without TLS (`sslmode=disable|allow|prefer`) only to a loopback address (`localhost`,
//! `127.0.0.0/8`, `::1`). A `postgres://` URL without `sslmode` requires TLS.

use url::{Host, Url};

use crate::SyncError;

/// Query parameters that carry a secret (libpq's and the usual API ones).
const SECRET_PARAMS: &[&str] =
    &["password", "passwd", "pass", "sslpassword", "passfile", "apikey", "api_key", "key", "token", "access_token"];

/// What kind of backend an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// Supabase's REST API (`https://<ref>.supabase.co`, or `http://` on this machine).
    Rest,
    /// Direct PostgreSQL (`postgres://role@host:port/db`).
    Postgres,
}

/// Whether `url`'s host is this machine. A `postgres://` URL's host is not parsed as an IP
/// address by the URL parser (not a special scheme), so a domain is read as one too.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(a)) => a.is_loopback(),
        Some(Host::Ipv6(a)) => a.is_loopback(),
        Some(Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost")
                || d.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|a| a.is_loopback())
        }
        None => false,
    }
}

/// Checks a backend address; the message names what is wrong and what to write instead.
pub fn check_backend_url(raw: &str) -> Result<BackendKind, SyncError> {
    let bad = |why: String| Err(SyncError::Config(why));
    let url = match Url::parse(raw.trim()) {
        Ok(u) => u,
        Err(e) => {
            // Not repeated back: an unparsable URL may still hold a password.
            return bad(format!(
                "The backend URL is not a URL ({e}): use https://<project>.supabase.co or postgres://agent_role@db.example.com:5432/postgres."
            ));
        }
    };
    if url.password().is_some() {
        return bad(
            "Leave the password out of the backend URL: enter it as the backend key, which is kept in the keychain."
                .into(),
        );
    }
    if let Some((name, _)) = url.query_pairs().find(|(k, _)| SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str())) {
        return bad(format!(
            "Leave the {name} out of the backend URL: enter it as the backend key, which is kept in the keychain."
        ));
    }
    let local = is_loopback(&url);
    let host_ok = url.host_str().is_some_and(|h| !h.is_empty());
    match url.scheme() {
        "https" | "http" => {
            if !url.username().is_empty() {
                return bad("A Supabase project address has no user name: sign in with your email instead.".into());
            }
            if !host_ok {
                return bad(format!("The backend URL {raw:?} has no host."));
            }
            if url.scheme() == "http" && !local {
                return bad(format!(
                    "The backend URL {raw:?} would send your sign-in unencrypted: use https:// (http:// only for this machine)."
                ));
            }
            Ok(BackendKind::Rest)
        }
        "postgres" | "postgresql" => {
            if url.username().is_empty() || !host_ok || url.path().trim_matches('/').is_empty() {
                return bad(format!(
                    "The backend URL {raw:?} must look like postgres://agent_role@db.example.com:5432/postgres?sslmode=require."
                ));
            }
            let sslmode = url.query_pairs().find(|(k, _)| k == "sslmode").map(|(_, v)| v.into_owned());
            match sslmode.as_deref() {
                None | Some("require" | "verify-ca" | "verify-full") => Ok(BackendKind::Postgres),
                Some("disable" | "allow" | "prefer") if local => Ok(BackendKind::Postgres),
                Some(weak @ ("disable" | "allow" | "prefer")) => bad(format!(
                    "sslmode={weak} would let the connection to {} go unencrypted: use sslmode=require (TLS is required except to this machine).",
                    url.host_str().unwrap_or("the server")
                )),
                Some(other) => {
                    bad(format!("sslmode={other} is not one Ringdesk knows: use require, verify-ca or verify-full."))
                }
            }
        }
        other => bad(format!(
            "The backend URL {raw:?} starts with {other}://: use https://<project>.supabase.co or postgres://."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_anywhere_and_clear_text_to_other_machines_are_refused() {
        for (url, says) in [
            ("postgres://agent:secret@db.example.com/crm", "password out"),
            ("postgres://agent@db.example.com/crm?password=secret", "password out"),
            ("postgres://agent@db.example.com/crm?sslmode=require&PASSWORD=x", "PASSWORD out"),
            ("https://abcd.supabase.co/?apikey=eyJ", "apikey out"),
            ("http://localhost.evil.tld", "unencrypted"),
            ("http://127.0.0.1.evil.tld:54321", "unencrypted"),
            ("http://abcd.supabase.co", "unencrypted"),
            ("postgres://agent@db.example.com/crm?sslmode=prefer", "sslmode=prefer"),
            ("postgres://agent@db.example.com/crm?sslmode=disable", "sslmode=disable"),
            ("postgres://agent@db.example.com/crm?sslmode=sometimes", "not one Ringdesk knows"),
            ("postgres://db.example.com/crm", "must look like"),
            ("ftp://example.com", "starts with ftp"),
            ("https://user@abcd.supabase.co", "no user name"),
            ("not a url", "not a URL"),
        ] {
            let err = check_backend_url(url).expect_err(url).to_string();
            assert!(err.contains(says), "{url}: {err}");
        }
    }

    #[test]
    fn tls_addresses_and_this_machine_in_clear_text_are_accepted() {
        for (url, kind) in [
            ("https://abcd.supabase.co", BackendKind::Rest),
            ("http://localhost:54321", BackendKind::Rest),
            ("http://127.0.0.1:54321", BackendKind::Rest),
            ("http://[::1]:54321", BackendKind::Rest),
            ("postgres://agent@db.example.com:5432/crm", BackendKind::Postgres),
            ("postgresql://agent@db.example.com/crm?sslmode=verify-full", BackendKind::Postgres),
            ("postgres://agent@127.0.0.1:5432/crm?sslmode=disable", BackendKind::Postgres),
            ("postgres://agent@localhost/crm?sslmode=prefer", BackendKind::Postgres),
        ] {
            assert_eq!(check_backend_url(url).unwrap_or_else(|e| panic!("{url}: {e}")), kind, "{url}");
        }
    }
}
