//! SignalWire's own REST APIs (JSON bodies): under `/api/relay/rest/` the SIP endpoints the
//! softphone registers with, the project's SIP profile (its SIP domain) and its numbers with their
//! call handlers (signalwire.md §3); under `/api/fabric/` the AI agents and the phone routes that
//! send a number's calls to one (§5).

use reqwest::Method;
use serde::Deserialize;

use crate::client::{Client, Kind};
use crate::error::Error;

/// The `send_as` value that lets SignalWire pick any of the project's numbers.
pub const SEND_AS_RANDOM: &str = "random";

/// A SIP endpoint ("SIP credentials"). The password is never read back.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SipEndpoint {
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub caller_id: Option<String>,
    /// A number, or [`SEND_AS_RANDOM`].
    #[serde(default)]
    pub send_as: Option<String>,
    #[serde(default)]
    pub codecs: Vec<String>,
    #[serde(default)]
    pub ciphers: Vec<String>,
    /// `default`, `required` or `optional` (SRTP).
    #[serde(default)]
    pub encryption: Option<String>,
}

impl SipEndpoint {
    /// The number its calls to the PSTN show, or `None` when SignalWire picks one (`random`).
    pub fn send_as_number(&self) -> Option<&str> {
        self.send_as.as_deref().filter(|s| !s.is_empty() && *s != SEND_AS_RANDOM)
    }
}

/// A SIP endpoint to create.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSipEndpoint {
    pub username: String,
    pub password: String,
    pub caller_id: Option<String>,
    /// The E.164 number calls to the PSTN show.
    pub send_as: Option<String>,
}

impl std::fmt::Debug for NewSipEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSipEndpoint").field("username", &self.username).field("password", &"<redacted>").finish()
    }
}

/// The project's SIP profile. Every field is optional in SignalWire's `SipProfileResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SipProfile {
    /// The project's SIP domain as a full host name (`example.sip.signalwire.com`).
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub domain_identifier: Option<String>,
    #[serde(default)]
    pub default_codecs: Vec<String>,
    #[serde(default)]
    pub default_ciphers: Vec<String>,
    #[serde(default)]
    pub default_encryption: Option<String>,
    #[serde(default)]
    pub default_send_as: Option<String>,
}

impl SipProfile {
    /// The registrar host: the domain, else `{domain_identifier}.sip.signalwire.com`; `None` when
    /// the profile names neither.
    pub fn registrar(&self) -> Option<String> {
        let full = |d: &str| if d.contains('.') { d.to_owned() } else { format!("{d}.sip.signalwire.com") };
        self.domain.as_deref().or(self.domain_identifier.as_deref()).filter(|d| !d.trim().is_empty()).map(full)
    }
}

/// A SIP username SignalWire accepts: no spaces, no `@`.
fn check_username(u: &str) -> Result<(), Error> {
    if u.is_empty() || u.len() > 64 || u.chars().any(|c| c.is_whitespace() || c == '@' || c == ':') {
        return Err(Error::Invalid(format!(
            "SIP username {u:?} must be 1 to 64 characters without spaces, '@' or ':'."
        )));
    }
    Ok(())
}

impl Client {
    fn native(&self, path: &str) -> Result<url::Url, Error> {
        self.origin_url(&format!("/api/relay/rest/{path}"))
    }

    /// The project's SIP endpoints, following `links.next`.
    pub async fn list_sip_endpoints(&self) -> Result<Vec<SipEndpoint>, Error> {
        self.native_list(self.native("endpoints/sip")?).await
    }

    /// Creates a SIP endpoint (a create: an ambiguous failure is reconciled by listing).
    pub async fn create_sip_endpoint(&self, e: &NewSipEndpoint) -> Result<SipEndpoint, Error> {
        check_username(&e.username)?;
        if e.password.len() < 8 {
            return Err(Error::Invalid("The SIP password must have at least 8 characters.".into()));
        }
        let mut body = serde_json::json!({
            "username": e.username, "password": e.password,
            "codecs": ["OPUS", "G722", "PCMU", "PCMA"],
            "ciphers": ["AES_CM_128_HMAC_SHA1_80"],
            "encryption": "optional",
        });
        if let Some(c) = &e.caller_id {
            body["caller_id"] = serde_json::json!(c);
        }
        if let Some(s) = &e.send_as {
            body["send_as"] = serde_json::json!(s);
        }
        match self.json_body(Method::POST, self.native("endpoints/sip")?, &body, Kind::Create).await {
            Err(Error::Ambiguous(why)) => match self.list_sip_endpoints().await {
                Ok(all) => all.into_iter().find(|x| x.username == e.username).ok_or(Error::Ambiguous(why)),
                Err(_) => Err(Error::Ambiguous(why)),
            },
            other => other,
        }
    }

    /// Sets the number a SIP endpoint's calls to the PSTN show (`send_as`); `None` is
    /// "Automatic": SignalWire's documented value `random`, any of the project's purchased or
    /// verified numbers (`send_as` is a string, never null, in `UpdateSipEndpointRequest`).
    pub async fn set_sip_endpoint_send_as(&self, id: &str, send_as: Option<&str>) -> Result<SipEndpoint, Error> {
        if id.is_empty() || id.contains(['/', '?', '#']) {
            return Err(Error::Invalid(format!("{id:?} is not a SIP endpoint id.")));
        }
        let body = serde_json::json!({ "send_as": send_as.unwrap_or(SEND_AS_RANDOM) });
        self.json_body(Method::PUT, self.native(&format!("endpoints/sip/{id}"))?, &body, Kind::Repeatable).await
    }

    /// The project's SIP profile (its SIP domain).
    pub async fn sip_profile(&self) -> Result<SipProfile, Error> {
        self.json(Method::GET, self.native("sip_profile")?, None, Kind::Repeatable).await
    }
}

/// An AI agent (a Call Fabric resource, signalwire.md §5).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AiAgent {
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    /// The agent's own settings (`prompt` among them).
    #[serde(default)]
    pub ai_agent: Option<serde_json::Value>,
}

impl AiAgent {
    /// The agent's prompt text, where the resource carries one.
    pub fn prompt(&self) -> Option<String> {
        let p = self.ai_agent.as_ref()?.get("prompt")?;
        match p {
            serde_json::Value::String(s) => Some(s.clone()),
            other => other.get("text").and_then(|t| t.as_str()).map(str::to_owned),
        }
    }
}

/// A phone number as the native API shows it, with what handles its calls.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NativeNumber {
    pub id: String,
    pub number: String,
    #[serde(default)]
    pub call_handler: Option<String>,
    #[serde(default)]
    pub calling_handler_resource_id: Option<String>,
    #[serde(default)]
    pub call_sip_endpoint_id: Option<String>,
    /// `relay_context`, `relay_topic`, `relay_application`, `laml_webhooks` or
    /// `laml_application`.
    #[serde(default)]
    pub message_handler: Option<String>,
    #[serde(default)]
    pub message_relay_topic: Option<String>,
    #[serde(default)]
    pub message_relay_context: Option<String>,
}

impl NativeNumber {
    /// Whether the number's inbound texts go to the RELAY topic (context) `topic`. SignalWire's
    /// answer names the topic for the `relay_topic` handler (and the deprecated `relay_context`);
    /// a `relay_application` handler's target is not in the answer, so it cannot be confirmed.
    pub fn texts_to(&self, topic: &str) -> bool {
        match self.message_handler.as_deref() {
            Some("relay_topic") => self.message_relay_topic.as_deref() == Some(topic),
            Some("relay_context") => self.message_relay_context.as_deref() == Some(topic),
            _ => false,
        }
    }
}

impl Client {
    /// Follows a native `{data, links.next}` listing.
    async fn native_list<T: serde::de::DeserializeOwned>(&self, first: url::Url) -> Result<Vec<T>, Error> {
        #[derive(Deserialize)]
        #[serde(bound = "T: serde::de::DeserializeOwned")]
        struct Page<T> {
            data: Vec<T>,
            #[serde(default)]
            links: Option<serde_json::Value>,
        }
        let mut out = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next.take() {
            let page: Page<T> = self.json(Method::GET, url, None, Kind::Repeatable).await?;
            let empty = page.data.is_empty();
            out.extend(page.data);
            let link = page.links.as_ref().and_then(|l| l.get("next")).and_then(|n| n.as_str()).map(str::to_owned);
            if let Some(link) = link.filter(|l| !l.is_empty() && !empty && out.len() < self.list_cap) {
                next = Some(self.same_origin(&link)?);
            }
        }
        Ok(out)
    }

    /// The project's AI agents.
    pub async fn list_ai_agents(&self) -> Result<Vec<AiAgent>, Error> {
        self.native_list(self.origin_url("/api/fabric/resources/ai_agents")?).await
    }

    /// The project's numbers with their call handlers (native API).
    pub async fn list_native_numbers(&self) -> Result<Vec<NativeNumber>, Error> {
        self.native_list(self.native("phone_numbers")?).await
    }

    /// Routes a number's calls to a resource (an AI agent): `phone_route_id` is the number's id.
    pub async fn assign_phone_route(&self, resource_id: &str, phone_number_id: &str) -> Result<(), Error> {
        for id in [resource_id, phone_number_id] {
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(Error::Invalid(format!("{id:?} is not a SignalWire id.")));
            }
        }
        let body = serde_json::json!({"phone_route_id": phone_number_id, "handler": "calling"});
        let url = self.origin_url(&format!("/api/fabric/resources/{resource_id}/phone_routes"))?;
        let _: serde_json::Value = self.json_body(Method::POST, url, &body, Kind::Repeatable).await?;
        Ok(())
    }
}

/// Where a number's calls go (native API handlers, signalwire.md §3.3–§3.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallRoute {
    /// Straight to a SIP endpoint (the softphone): no webhook, no RELAY.
    SipEndpoint { endpoint_id: String },
    /// To a RELAY context (topic) the app listens on.
    Relay { context: String },
}

impl Client {
    /// Sets a number's handlers: calls per `calls`, texts to the RELAY `message_context`.
    pub async fn route_native_number(
        &self,
        number_id: &str,
        calls: Option<&CallRoute>,
        message_context: Option<&str>,
    ) -> Result<NativeNumber, Error> {
        if number_id.is_empty() || !number_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(Error::Invalid(format!("{number_id:?} is not a SignalWire id.")));
        }
        let mut body = serde_json::Map::new();
        match calls {
            Some(CallRoute::SipEndpoint { endpoint_id }) => {
                body.insert("call_handler".into(), "relay_sip_endpoint".into());
                body.insert("call_sip_endpoint_id".into(), endpoint_id.clone().into());
            }
            Some(CallRoute::Relay { context }) => {
                body.insert("call_handler".into(), "relay_application".into());
                body.insert("call_relay_application".into(), context.clone().into());
            }
            None => {}
        }
        if let Some(ctx) = message_context {
            // A topic (the deprecated `relay_context`'s successor): unlike `relay_application`,
            // SignalWire's answer shows it, so Ringdesk can tell the number is routed to it.
            body.insert("message_handler".into(), "relay_topic".into());
            body.insert("message_relay_topic".into(), ctx.into());
        }
        if body.is_empty() {
            return Err(Error::Invalid("Nothing to change.".into()));
        }
        let url = self.native(&format!("phone_numbers/{number_id}"))?;
        self.json_body(Method::PUT, url, &serde_json::Value::Object(body), Kind::Repeatable).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sip_profile_without_a_domain_is_read_and_says_it_has_no_registrar() {
        // SignalWire's SipProfileResponse has no required field.
        let empty: SipProfile = serde_json::from_str("{}").expect("an empty profile is valid");
        assert_eq!(empty.registrar(), None, "no registrar to guess");
        let id_only: SipProfile = serde_json::from_str(r#"{"domain_identifier":"example-1"}"#).expect("valid");
        assert_eq!(id_only.registrar().as_deref(), Some("example-1.sip.signalwire.com"));
        let full: SipProfile =
            serde_json::from_str(r#"{"domain":"example-1.sip.signalwire.com","domain_identifier":"example-1"}"#)
                .expect("valid");
        assert_eq!(full.registrar().as_deref(), Some("example-1.sip.signalwire.com"));
    }
}
