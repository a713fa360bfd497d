//! The API's resources as typed structs (signalwire.md §1.3–§1.7). Unknown fields are ignored;
//! a missing required field (`sid`, `to`, `from`, `status`…) is a decode error. Dates are RFC 2822.
//! Status values the documents do not list are kept as `Other(text)`, never an error: SignalWire
//! adds states (e.g. `sending`, `receiving` in callbacks) without notice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

/// RFC 2822 (`Wed, 19 Sep 2018 20:00:00 +0000`); null, empty or unreadable is `None`.
fn rfc2822<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let v = Option::<String>::deserialize(d)?;
    Ok(v.as_deref().and_then(|s| DateTime::parse_from_rfc2822(s.trim()).ok()).map(|t| t.with_timezone(&Utc)))
}

/// A count the API sends as a number or as a string (`"num_segments": "1"`).
fn flex_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Text the API sends as a string, a number or null (`price`, `error_code`).
fn flex_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

macro_rules! status_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $(#[doc = $text] $variant,)+
            /// A value the documents do not list, kept as sent.
            Other(String),
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($text => $name::$variant,)+
                    _ => $name::Other(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(s: $name) -> String {
                s.as_str().to_owned()
            }
        }

        impl $name {
            /// The API's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s,
                }
            }
        }
    };
}

status_enum!(
    /// Where a message is (§1.5).
    MessageStatus {
        Queued => "queued", Initiated => "initiated", Sending => "sending", Sent => "sent", Failed => "failed",
        Delivered => "delivered", Undelivered => "undelivered", Receiving => "receiving", Received => "received",
    }
);

impl MessageStatus {
    /// No later status will follow.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Delivered | Self::Undelivered | Self::Failed | Self::Received)
    }
}

status_enum!(
    /// Where a call is (§1.3).
    CallStatus {
        Queued => "queued", Initiated => "initiated", Ringing => "ringing", InProgress => "in-progress",
        Canceled => "canceled", Completed => "completed", Busy => "busy", Failed => "failed", NoAnswer => "no-answer",
    }
);

impl CallStatus {
    /// The call is over.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Canceled | Self::Completed | Self::Busy | Self::Failed | Self::NoAnswer)
    }
}

status_enum!(
    /// Where a recording is (§1.6).
    RecordingStatus {
        Queued => "queued", InProgress => "in-progress", Paused => "paused", Resumed => "resumed",
        Completed => "completed", Absent => "absent", Stopped => "stopped",
    }
);

/// A message (`MessageResponse`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Message {
    pub sid: String,
    pub from: String,
    pub to: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub body: String,
    pub status: MessageStatus,
    /// `inbound`, `outbound-api`, `outbound-call` or `outbound-reply`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub direction: String,
    #[serde(default, deserialize_with = "flex_u32")]
    pub num_segments: Option<u32>,
    #[serde(default, deserialize_with = "flex_u32")]
    pub num_media: Option<u32>,
    #[serde(default, deserialize_with = "flex_string")]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub date_sent: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub date_updated: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "flex_string")]
    pub price: Option<String>,
    #[serde(default)]
    pub price_unit: Option<String>,
}

impl Message {
    /// Received by one of our numbers.
    pub fn is_inbound(&self) -> bool {
        self.direction == "inbound" || self.status == MessageStatus::Received
    }
}

/// A call (`CallResponse`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Call {
    pub sid: String,
    pub from: String,
    pub to: String,
    pub status: CallStatus,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub direction: String,
    #[serde(default)]
    pub parent_call_sid: Option<String>,
    #[serde(default, deserialize_with = "flex_u32")]
    pub duration: Option<u32>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub end_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub date_created: Option<DateTime<Utc>>,
    /// `human`, `machine`, or none.
    #[serde(default)]
    pub answered_by: Option<String>,
    #[serde(default, deserialize_with = "flex_string")]
    pub price: Option<String>,
}

/// What a number can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct Capabilities {
    #[serde(alias = "Voice", alias = "VOICE")]
    pub voice: bool,
    #[serde(alias = "SMS", alias = "Sms")]
    pub sms: bool,
    #[serde(alias = "MMS", alias = "Mms")]
    pub mms: bool,
}

/// A number for sale (`available_phone_numbers[]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AvailableNumber {
    pub phone_number: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub friendly_name: String,
    #[serde(default)]
    pub locality: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub rate_center: Option<String>,
    #[serde(default)]
    pub iso_country: Option<String>,
    #[serde(default)]
    pub capabilities: Capabilities,
}

/// A number the project owns (`IncomingPhoneNumber`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OwnedNumber {
    pub sid: String,
    pub phone_number: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub friendly_name: String,
    #[serde(default)]
    pub capabilities: Capabilities,
    #[serde(default)]
    pub voice_url: Option<String>,
    #[serde(default)]
    pub sms_url: Option<String>,
    #[serde(default)]
    pub voice_application_sid: Option<String>,
    #[serde(default)]
    pub sms_application_sid: Option<String>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub date_created: Option<DateTime<Utc>>,
}

/// A call recording (`RecordingResponse`). Its audio URL is secret-like (served without
/// authentication, signalwire.md §1.6), so the struct holds only the SID; the client builds
/// the URL when it downloads, and never logs it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Recording {
    pub sid: String,
    #[serde(default)]
    pub call_sid: Option<String>,
    pub status: RecordingStatus,
    #[serde(default, deserialize_with = "flex_u32")]
    pub duration: Option<u32>,
    #[serde(default, deserialize_with = "flex_u32")]
    pub channels: Option<u32>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub start_time: Option<DateTime<Utc>>,
}

/// A transcription of a recording.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Transcription {
    pub sid: String,
    pub recording_sid: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub status: String,
    #[serde(default)]
    pub transcription_text: Option<String>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub date_created: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_tolerates_unknown_fields_string_counts_and_new_statuses() {
        let m: Message = serde_json::from_str(
            r#"{"sid":"a1","from":"+15550001","to":"+15550002","body":null,"status":"accepted",
                "direction":"outbound-api","num_segments":"2","error_code":30003,"price":-0.0075,
                "date_created":"Wed, 19 Sep 2018 20:00:00 +0000","date_sent":null,"brand_new_field":{"x":1}}"#,
        )
        .expect("decodes");
        assert_eq!(m.status, MessageStatus::Other("accepted".into()), "an undocumented status is kept");
        assert_eq!(m.num_segments, Some(2), "a count sent as text");
        assert_eq!(m.error_code.as_deref(), Some("30003"));
        assert_eq!(m.body, "", "a null body is empty");
        assert_eq!(m.date_created.map(|d| d.to_rfc3339()).as_deref(), Some("2018-09-19T20:00:00+00:00"));
    }

    #[test]
    fn a_message_without_a_sid_is_a_decode_error() {
        let e = serde_json::from_str::<Message>(r#"{"from":"+1","to":"+2","status":"queued"}"#)
            .expect_err("sid is required");
        assert!(e.to_string().contains("sid"), "names the missing field: {e}");
    }
}

/// A hosted cXML script (`LamlBins`, signalwire.md §1.3): what a call runs when it is answered.
/// Its fields beyond `sid`, `name` and `contents` are inferred from the Compatibility API's
/// conventions (to verify on a live space, §6).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CxmlScript {
    pub sid: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub contents: String,
    /// The URL to give a call as its `Url`.
    #[serde(default)]
    pub request_url: Option<String>,
}
