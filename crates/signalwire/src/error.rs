//! What can go wrong talking to SignalWire, typed so the UI can say what to do.

use std::fmt;

/// An error body from the API, in either documented shape (signalwire.md §1.2):
/// `{"code":20003,"message":…,"more_info":…,"status":401}` or
/// `{"errors":[{"code":"30010","message":…,"more_info":…}]}` (code as a string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// SignalWire's error code (20003, 20429, 21211, …), when the body had one.
    pub code: Option<u32>,
    /// The message the API gave.
    pub message: String,
    /// A link to the error's documentation.
    pub more_info: Option<String>,
}

impl ApiError {
    /// What the agent should do about it, in one sentence.
    pub fn advice(&self) -> &'static str {
        match (self.status, self.code) {
            (_, Some(20003)) | (401, _) => {
                "Check the project ID and API token in Settings, and that the token has the scope this needs (Messaging, Voice or Numbers)."
            }
            (_, Some(4001)) => "The SignalWire account balance is too low: top it up in the SignalWire dashboard.",
            (_, Some(20429)) | (429, _) => {
                "SignalWire is limiting the request rate; Ringdesk retries by itself. Try again in a minute."
            }
            (_, Some(21211)) | (_, Some(21614)) => "The destination number is not a valid mobile number.",
            (_, Some(21606)) | (_, Some(21612)) => {
                "This From number cannot send to that destination (not SMS-capable or not verified)."
            }
            (_, Some(21608)) => "The number is unverified: trial accounts can only send to verified numbers.",
            (_, Some(20404)) | (404, _) => "SignalWire does not know this item: it may have been deleted.",
            (_, Some(20009)) => "It cannot be deleted while it is still in progress.",
            (s, _) if s >= 500 => {
                "SignalWire had a problem on its side; Ringdesk retries by itself. Try again shortly."
            }
            _ => "Check the values you entered.",
        }
    }

    /// True for a throttled request (HTTP 429 or code 20429): nothing was created.
    pub fn is_rate_limited(&self) -> bool {
        self.status == 429 || self.code == Some(20429)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "SignalWire refused the request ({}, error {code}): {}", self.status, self.message),
            None => write!(f, "SignalWire refused the request ({}): {}", self.status, self.message),
        }
    }
}

/// Errors from the client.
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
    pub fn advice(&self) -> &'static str {
        match self {
            Error::Api(e) => e.advice(),
            Error::Ambiguous(_) => "Ringdesk checks with SignalWire whether it went through before trying again.",
            Error::Unreachable(_) => "Check the internet connection; Ringdesk retries when it is back.",
            Error::Decode(_) => "This looks like a SignalWire problem or a proxy in the way; try again later.",
            Error::Invalid(_) => "Correct the value and try again.",
            Error::Config(_) => "Enter the SignalWire space, project ID and API token in Settings.",
        }
    }
}

/// Reads an error body in either documented shape; anything else (an HTML error page, an empty
/// body) keeps the HTTP status with the body's first line as the message.
pub(crate) fn parse_error_body(status: u16, body: &[u8]) -> ApiError {
    #[derive(serde::Deserialize)]
    struct Single {
        code: Option<serde_json::Value>,
        message: Option<String>,
        more_info: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Many {
        errors: Vec<serde_json::Value>,
    }
    fn code_of(v: Option<&serde_json::Value>) -> Option<u32> {
        match v? {
            serde_json::Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    if let Ok(many) = serde_json::from_slice::<Many>(body)
        && let Some(first) = many.errors.first()
    {
        return match first {
            serde_json::Value::String(msg) => ApiError { status, code: None, message: msg.clone(), more_info: None },
            other => ApiError {
                status,
                code: code_of(other.get("code")),
                message: other.get("message").and_then(|m| m.as_str()).unwrap_or("(no message)").to_owned(),
                more_info: other.get("more_info").and_then(|m| m.as_str()).map(str::to_owned),
            },
        };
    }
    if let Ok(one) = serde_json::from_slice::<Single>(body)
        && (one.message.is_some() || one.code.is_some())
    {
        return ApiError {
            status,
            code: code_of(one.code.as_ref()),
            message: one.message.unwrap_or_else(|| "(no message)".into()),
            more_info: one.more_info,
        };
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
    ApiError { status, code: None, message, more_info: None }
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
        let auth = ApiError { status: 401, code: Some(20003), message: "x".into(), more_info: None };
        assert!(auth.advice().contains("API token"), "{}", auth.advice());
        let balance = ApiError { status: 402, code: Some(4001), message: "x".into(), more_info: None };
        assert!(balance.advice().contains("balance"), "{}", balance.advice());
        assert!(ApiError { status: 429, code: Some(20429), message: "x".into(), more_info: None }.is_rate_limited());
    }
}
