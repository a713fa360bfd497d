//! What can go wrong talking to SignalWire, typed so the UI can say what to do.

use std::fmt;

/// An error body from the API, in any of its documented shapes (signalwire.md §1.2 and
/// "Errors of SignalWire's own APIs"):
/// - Compatibility API: `{"code":20003,"message":…,"more_info":…,"status":401}`, or for a call's
///   create `{"errors":[{"code":"30010","message":…,"more_info":…}]}` (code as a string);
/// - `/api/relay/rest` validation (422): `{"errors":[{"detail":…,"status":"422","title":…,"code":…}]}`;
/// - Fabric, calling, messaging validation (422):
///   `{"errors":[{"type":"validation_error","code":"invalid_parameter","message":…,"attribute":"name","url":…}]}`;
/// - other answers of SignalWire's own APIs: `{"error":"Unauthorized"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// SignalWire's numeric error code (20003, 20429, 21211, …), when the body had one.
    pub code: Option<u32>,
    /// SignalWire's error code as text when it is not a number (`invalid_parameter`,
    /// `send_as_is_invalid`, …).
    pub code_name: Option<String>,
    /// The request field the error is about, when SignalWire names it.
    pub attribute: Option<String>,
    pub message: String,
    pub more_info: Option<String>,
}

/// What kind of failure an error code or status stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Credentials missing, wrong, or without the scope needed (20003, 401, 403).
    Authentication,
    /// Too many requests (20429, 429, `rate_limit_exceeded`).
    RateLimited,
    /// The request's values were refused (21xxx, 10000, 400, 422, `invalid_parameter`, …).
    Validation,
    /// No such resource (20404, 404, `does_not_exist`).
    NotFound,
    /// The account cannot pay for it (4001).
    Balance,
    /// A message could not be delivered (30xxx).
    Delivery,
    /// SignalWire failed on its side (5xx, 20504).
    Server,
    Other,
}

impl ApiError {
    /// The family of this error: by SignalWire's code first, else by HTTP status.
    pub fn family(&self) -> Family {
        let named = self.code_name.as_deref().unwrap_or("");
        match (self.code, self.status) {
            (Some(20003), _) | (_, 401 | 403) => Family::Authentication,
            (Some(20429), _) | (_, 429) => Family::RateLimited,
            _ if named == "rate_limit_exceeded" => Family::RateLimited,
            (Some(4001), _) => Family::Balance,
            (Some(20404), _) | (_, 404) => Family::NotFound,
            _ if named == "does_not_exist" => Family::NotFound,
            (Some(c), _) if (30000..31000).contains(&c) => Family::Delivery,
            (Some(20504), _) | (_, 500..=599) => Family::Server,
            (Some(c), _) if (21000..22000).contains(&c) || c == 10000 || c == 20002 => Family::Validation,
            (_, 400 | 422) => Family::Validation,
            _ => Family::Other,
        }
    }

    /// What the agent can do about it, in words that fit the error.
    pub fn advice(&self) -> String {
        match (self.family(), self.code) {
            (Family::Authentication, _) => "Check the project ID and API token in Settings, and that the token has the scope this needs (Messaging, Voice or Numbers).".into(),
            (Family::Balance, _) => "The SignalWire account balance is too low: top it up in the SignalWire dashboard.".into(),
            (Family::RateLimited, _) => "SignalWire is limiting the request rate; Ringdesk retries by itself. Try again in a minute.".into(),
            (_, Some(21211 | 21614)) => "The destination number is not a valid mobile number.".into(),
            (_, Some(21606 | 21612)) => "This From number cannot send to that destination (not SMS-capable or not verified).".into(),
            (_, Some(21608)) => "The number is unverified: trial accounts can only send to verified numbers.".into(),
            (_, Some(20009)) => "It cannot be deleted while it is still in progress.".into(),
            (Family::NotFound, _) => "SignalWire does not know this item: it may have been deleted.".into(),
            (Family::Delivery, _) => "The carrier did not deliver it; check the number, then try again later.".into(),
            (Family::Server, _) => "SignalWire had a problem on its side; Ringdesk retries by itself. Try again shortly.".into(),
            (Family::Validation, _) => match &self.attribute {
                Some(field) => format!("SignalWire refused the value of {field}: correct it and try again."),
                None => "Check the values you entered.".into(),
            },
            (Family::Other, _) => "Check the values you entered.".into(),
        }
    }

    /// Whether SignalWire asked to slow down (the one failure retried blindly).
    pub fn is_rate_limited(&self) -> bool {
        self.family() == Family::RateLimited
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignalWire refused the request ({}", self.status)?;
        match (self.code, &self.code_name) {
            (Some(code), _) => write!(f, ", error {code}")?,
            (None, Some(name)) => write!(f, ", {name}")?,
            (None, None) => {}
        }
        write!(f, "): {}", self.message)?;
        if let Some(field) = &self.attribute {
            write!(f, " (field {field})")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The API answered with an error.
    #[error("{0}")]
    Api(ApiError),
    /// The request may or may not have reached SignalWire (a timeout, a cut connection, a
    /// truncated answer). For a create, reconcile before sending again.
    #[error("no clear answer from SignalWire ({0}); the request may or may not have been carried out")]
    Ambiguous(String),
    /// The request never left (no connection, DNS failure): safe to send again.
    #[error("could not reach SignalWire: {0}")]
    Unreachable(String),
    /// The answer was not what the API documents (not JSON, a required field missing…).
    #[error("SignalWire's answer could not be read: {0}")]
    Decode(String),
    /// Refused before sending: what the caller gave is not valid.
    #[error("{0}")]
    Invalid(String),
    /// The client is misconfigured (no space, no project, bad URL).
    #[error("SignalWire is not set up: {0}")]
    Config(String),
}

impl Error {
    /// The API error, if the API answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// What the agent should do about it.
    pub fn advice(&self) -> String {
        match self {
            Error::Api(e) => e.advice(),
            Error::Ambiguous(_) => {
                "Ringdesk checks with SignalWire whether it went through before trying again.".into()
            }
            Error::Unreachable(_) => "Check the internet connection; Ringdesk retries when it is back.".into(),
            Error::Decode(_) => "This looks like a SignalWire problem or a proxy in the way; try again later.".into(),
            Error::Invalid(_) => "Correct the value and try again.".into(),
            Error::Config(_) => "Enter the SignalWire space, project ID and API token in Settings.".into(),
        }
    }
}

/// Reads an error body in either documented shape; anything else (an HTML error page, an empty
/// body) keeps the HTTP status with the body's first line as the message.
pub(crate) fn parse_error_body(status: u16, body: &[u8]) -> ApiError {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let text_of = |v: Option<&serde_json::Value>| v.and_then(|m| m.as_str()).map(str::to_owned);
    let error = |code: Option<&serde_json::Value>, message: String, more_info: Option<String>, attribute| {
        let (code, code_name) = match code {
            Some(serde_json::Value::Number(n)) => (n.as_u64().and_then(|n| u32::try_from(n).ok()), None),
            Some(serde_json::Value::String(s)) => match s.trim().parse::<u32>() {
                Ok(n) => (Some(n), None),
                Err(_) if !s.trim().is_empty() => (None, Some(s.trim().to_owned())),
                Err(_) => (None, None),
            },
            _ => (None, None),
        };
        ApiError { status, code, code_name, attribute, message, more_info }
    };
    if let Some(obj) = parsed.as_ref().and_then(|v| v.as_object()) {
        if let Some(first) = obj.get("errors").and_then(|e| e.as_array()).and_then(|a| a.first()) {
            if let Some(msg) = first.as_str() {
                return error(None, msg.to_owned(), None, None);
            }
            // `message` (Compatibility, Fabric) or `detail` with `title` (relay/rest).
            let message = text_of(first.get("message"))
                .or_else(|| match (text_of(first.get("title")), text_of(first.get("detail"))) {
                    (Some(t), Some(d)) => Some(format!("{t}: {d}")),
                    (t, d) => d.or(t),
                })
                .unwrap_or_else(|| "(no message)".into());
            let more_info = text_of(first.get("more_info")).or_else(|| text_of(first.get("url")));
            return error(first.get("code"), message, more_info, text_of(first.get("attribute")));
        }
        if obj.contains_key("message") || obj.contains_key("code") {
            let message = text_of(obj.get("message")).unwrap_or_else(|| "(no message)".into());
            return error(obj.get("code"), message, text_of(obj.get("more_info")), None);
        }
        if let Some(e) = text_of(obj.get("error")) {
            return error(None, e, None, None);
        }
    }
    let text = String::from_utf8_lossy(body);
    // An HTML page (a proxy's or a load balancer's): its text without the tags.
    let mut plain = String::with_capacity(text.len().min(4096));
    let mut in_tag = false;
    for c in text.chars().take(4096) {
        match c {
            '<' => {
                in_tag = true;
                plain.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let first = plain.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(200).collect::<String>();
    let message = if first.is_empty() { format!("HTTP {status} with no explanation") } else { first };
    ApiError { status, code: None, code_name: None, attribute: None, message, more_info: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_documented_error_shapes_and_an_html_page_are_read() {
        let single = parse_error_body(
            401,
            br#"{"code":20003,"message":"Authentication failed","more_info":"https://x/errors","status":401}"#,
        );
        assert_eq!(single.code, Some(20003), "numeric code: {single:?}");
        assert_eq!(single.message, "Authentication failed");
        let array =
            parse_error_body(400, br#"{"errors":[{"code":"30010","message":"Maxprice exceeded","more_info":"m"}]}"#);
        assert_eq!(array.code, Some(30010), "string code: {array:?}");
        let strings = parse_error_body(422, br#"{"errors":["To is required"]}"#);
        assert_eq!(strings.message, "To is required", "{strings:?}");
        let html = parse_error_body(502, b"<html>\n<h1>502 Bad Gateway</h1></html>");
        assert_eq!((html.status, html.code), (502, None), "{html:?}");
        assert!(html.message.contains("502"), "{html:?}");
        assert!(parse_error_body(500, b"").message.contains("500"), "an empty body still says the status");
    }

    #[test]
    fn advice_names_what_to_do() {
        let e = |status, code| ApiError {
            status,
            code,
            code_name: None,
            attribute: None,
            message: "x".into(),
            more_info: None,
        };
        assert!(e(401, Some(20003)).advice().contains("API token"), "{}", e(401, Some(20003)).advice());
        assert!(e(402, Some(4001)).advice().contains("balance"), "{}", e(402, Some(4001)).advice());
        assert!(e(429, Some(20429)).is_rate_limited());
    }

    #[test]
    fn each_code_family_gets_advice_that_fits_it() {
        // (status, body, family, words the advice must have)
        let cases: &[(u16, &str, Family, &str)] = &[
            (
                401,
                r#"{"code":20003,"message":"Authentication failed","more_info":"m","status":401}"#,
                Family::Authentication,
                "API token",
            ),
            (401, r#"{"error":"Unauthorized"}"#, Family::Authentication, "API token"),
            (403, r#"{"error":"Forbidden"}"#, Family::Authentication, "scope"),
            (
                429,
                r#"{"code":20429,"message":"Too many requests","more_info":"m","status":429}"#,
                Family::RateLimited,
                "retries",
            ),
            (
                422,
                r#"{"errors":[{"type":"validation_error","code":"rate_limit_exceeded","message":"slow down","url":"u"}]}"#,
                Family::RateLimited,
                "retries",
            ),
            (
                400,
                r#"{"code":21211,"message":"Invalid 'To' Phone Number","more_info":"m","status":400}"#,
                Family::Validation,
                "not a valid mobile number",
            ),
            (
                422,
                r#"{"errors":[{"type":"validation_error","code":"invalid_parameter","message":"Name must be present","attribute":"name","url":"u"}]}"#,
                Family::Validation,
                "name",
            ),
            (
                422,
                r#"{"errors":[{"detail":"Send as is invalid","status":"422","title":"Invalid Attribute","code":"send_as_is_invalid"}]}"#,
                Family::Validation,
                "Check the values",
            ),
            (404, r#"{"code":20404,"message":"Not found","more_info":"m","status":404}"#, Family::NotFound, "deleted"),
            (404, r#"{"error":"Not Found"}"#, Family::NotFound, "deleted"),
            (
                402,
                r#"{"code":4001,"message":"Fee exceeds balance","more_info":"m","status":402}"#,
                Family::Balance,
                "balance",
            ),
            (
                400,
                r#"{"errors":[{"code":"30010","message":"Max price exceeded","more_info":"m"}]}"#,
                Family::Delivery,
                "carrier",
            ),
            (500, r#"{"error":"Internal Server Error"}"#, Family::Server, "its side"),
        ];
        for (status, body, family, words) in cases {
            let e = parse_error_body(*status, body.as_bytes());
            assert_eq!(e.family(), *family, "{body}: {e:?}");
            assert!(e.advice().contains(words), "{body}: the advice says {words:?}: {}", e.advice());
        }
        let field = parse_error_body(
            422,
            br#"{"errors":[{"type":"validation_error","code":"invalid_parameter","message":"Name must be present","attribute":"name","url":"u"}]}"#,
        );
        assert_eq!(field.code_name.as_deref(), Some("invalid_parameter"), "{field:?}");
        assert!(field.to_string().contains("field name"), "the message names the field: {field}");
        let relay = parse_error_body(
            422,
            br#"{"errors":[{"detail":"Send as is invalid","status":"422","title":"Invalid Attribute","code":"send_as_is_invalid"}]}"#,
        );
        assert_eq!(relay.message, "Invalid Attribute: Send as is invalid", "relay/rest's detail and title: {relay:?}");
        assert_eq!(relay.code_name.as_deref(), Some("send_as_is_invalid"), "{relay:?}");
    }
}
