//! The endpoints Ringdesk uses (signalwire.md §1.3–§1.7), paths without the `.json` suffix as
//! the current documents give them.

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::Method;

use crate::client::{Client, Kind};
use crate::error::Error;
use crate::model::*;
use crate::sms;

/// An SMS to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// One of the project's numbers, E.164.
    pub from: String,
    /// E.164.
    pub to: String,
    pub body: String,
}

/// Which messages to list (all optional; newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFilter {
    pub to: Option<String>,
    pub from: Option<String>,
    /// Sent on or after this day (UTC).
    pub sent_on_or_after: Option<NaiveDate>,
    /// Sent on or before this day (UTC).
    pub sent_on_or_before: Option<NaiveDate>,
}

/// A call to place (the bridge route: the agent's phone first, then the lead, by a cXML script).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCall {
    pub to: String,
    pub from: String,
    /// The cXML script that runs when `to` answers.
    pub url: String,
    /// Seconds to ring before giving up (SignalWire's default is 60).
    pub timeout_secs: Option<u32>,
    pub record: bool,
}

/// Which calls to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallFilter {
    /// The legs a call started (a bridge call's lead leg).
    pub parent: Option<String>,
    pub to: Option<String>,
    pub from: Option<String>,
    pub status: Option<CallStatus>,
    pub started_on_or_after: Option<NaiveDate>,
}

/// A search for numbers to buy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberSearch {
    /// ISO country, e.g. `US`.
    pub country: String,
    pub area_code: Option<String>,
    /// Digits or letters the number contains.
    pub contains: Option<String>,
    /// Two-letter region (state).
    pub region: Option<String>,
    /// City; needs `region`.
    pub locality: Option<String>,
    /// Toll-free instead of local.
    pub toll_free: bool,
}

/// Where a number's calls and messages go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberRouting {
    pub friendly_name: Option<String>,
    pub voice_url: Option<String>,
    pub sms_url: Option<String>,
}

/// Recording audio format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioFormat {
    Wav,
    Mp3,
}

impl AudioFormat {
    pub fn extension(self) -> &'static str {
        match self {
            AudioFormat::Wav => "wav",
            AudioFormat::Mp3 => "mp3",
        }
    }
}

fn push(q: &mut url::form_urlencoded::Serializer<'_, url::UrlQuery<'_>>, key: &str, v: &Option<String>) {
    if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
        q.append_pair(key, v);
    }
}

fn check_e164(what: &str, n: &str) -> Result<(), Error> {
    let digits = n.strip_prefix('+').unwrap_or("");
    if digits.len() < 8 || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Invalid(format!("{what} {n:?} is not a phone number in +E.164 form (like +15551234567).")));
    }
    Ok(())
}

/// A cXML document: `<Response>` at the top, nothing obviously broken.
fn check_cxml(contents: &str) -> Result<(), Error> {
    let t = contents.trim_start_matches('\u{feff}').trim();
    let body = t.strip_prefix("<?xml").and_then(|r| r.split_once("?>")).map_or(t, |(_, rest)| rest.trim());
    if !body.starts_with("<Response") || !body.ends_with("</Response>") {
        return Err(Error::Invalid("A cXML script must be one <Response>…</Response> document.".into()));
    }
    Ok(())
}

fn check_sid(sid: &str) -> Result<(), Error> {
    if sid.is_empty() || sid.len() > 64 || !sid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Error::Invalid(format!("{sid:?} is not a SignalWire id.")));
    }
    Ok(())
}

impl Client {
    fn page_size(&self, cap: usize) -> String {
        (cap.clamp(1, 1000) as u32).min(self.page_size).to_string()
    }

    // ----- messages -----

    /// Sends an SMS once, without reconciliation: an [`Error::Ambiguous`] means it may have gone.
    pub async fn send_message(&self, m: &NewMessage) -> Result<Message, Error> {
        check_e164("From", &m.from)?;
        check_e164("To", &m.to)?;
        sms::validate_body(&m.body)?;
        let form = [("From", m.from.clone()), ("To", m.to.clone()), ("Body", m.body.clone())];
        self.json(Method::POST, self.url("Messages")?, Some(&form), Kind::Create).await
    }

    /// Sends an SMS exactly once. The caller records the intent (with `intent_at`) before
    /// calling. After an ambiguous failure the project's recent messages from `from` to `to` are
    /// listed; one with this body created since `intent_at` (less a minute of clock skew) is
    /// adopted instead of sending again. Only when none is found is it sent a second time.
    pub async fn send_message_once(&self, m: &NewMessage, intent_at: DateTime<Utc>) -> Result<Message, Error> {
        match self.send_message(m).await {
            Err(Error::Ambiguous(why)) => {
                tracing::info!(%why, "sending an SMS had no clear answer; checking whether it went");
                match self.find_sent(m, intent_at).await {
                    Ok(Some(found)) => Ok(found),
                    Ok(None) => self.send_message(m).await,
                    // Still unknown: never send again without knowing.
                    Err(e) => Err(Error::Ambiguous(format!("{why}; checking whether it went failed too: {e}"))),
                }
            }
            other => other,
        }
    }

    /// A message matching `m` created since `since` (less a minute), if SignalWire has one.
    pub async fn find_sent(&self, m: &NewMessage, since: DateTime<Utc>) -> Result<Option<Message>, Error> {
        let filter = MessageFilter { to: Some(m.to.clone()), from: Some(m.from.clone()), ..Default::default() };
        let recent = self.list_messages(&filter, 200).await?;
        let since = since - chrono::Duration::minutes(1);
        Ok(recent.into_iter().find(|x| x.body == m.body && x.date_created.is_none_or(|d| d >= since)))
    }

    /// Lists messages (newest first), following pages up to `cap` items.
    pub async fn list_messages(&self, f: &MessageFilter, cap: usize) -> Result<Vec<Message>, Error> {
        let mut url = self.url("Messages")?;
        {
            let mut q = url.query_pairs_mut();
            push(&mut q, "To", &f.to);
            push(&mut q, "From", &f.from);
            push(&mut q, "DateSent>", &f.sent_on_or_after.map(|d| d.format("%Y-%m-%d").to_string()));
            push(&mut q, "DateSent<", &f.sent_on_or_before.map(|d| d.format("%Y-%m-%d").to_string()));
            q.append_pair("PageSize", &self.page_size(cap));
        }
        self.list(url, "messages", cap.min(self.list_cap)).await
    }

    pub async fn get_message(&self, sid: &str) -> Result<Message, Error> {
        check_sid(sid)?;
        self.json(Method::GET, self.url(&format!("Messages/{sid}"))?, None, Kind::Repeatable).await
    }

    // ----- calls -----

    /// Places a call (the bridge route). Creates: an ambiguous failure is not retried here.
    pub async fn create_call(&self, c: &NewCall) -> Result<Call, Error> {
        check_e164("From", &c.from)?;
        if !c.to.starts_with("sip:") {
            check_e164("To", &c.to)?;
        }
        let mut form = vec![("To", c.to.clone()), ("From", c.from.clone()), ("Url", c.url.clone())];
        if let Some(t) = c.timeout_secs {
            form.push(("Timeout", t.to_string()));
        }
        if c.record {
            form.push(("Record", "true".into()));
        }
        self.json(Method::POST, self.url("Calls")?, Some(&form), Kind::Create).await
    }

    pub async fn get_call(&self, sid: &str) -> Result<Call, Error> {
        check_sid(sid)?;
        self.json(Method::GET, self.url(&format!("Calls/{sid}"))?, None, Kind::Repeatable).await
    }

    /// Ends a call: `canceled` while it is queued or ringing, `completed` once answered.
    pub async fn hang_up_call(&self, sid: &str, ringing: bool) -> Result<Call, Error> {
        check_sid(sid)?;
        let status = if ringing { "canceled" } else { "completed" };
        let form = [("Status", status.to_owned())];
        self.json(Method::POST, self.url(&format!("Calls/{sid}"))?, Some(&form), Kind::Repeatable).await
    }

    /// Sends a live call to the cXML at `url` (it leaves what it was doing, such as a bridge).
    pub async fn redirect_call(&self, sid: &str, url: &str) -> Result<Call, Error> {
        check_sid(sid)?;
        let form = [("Url", url.to_owned())];
        self.json(Method::POST, self.url(&format!("Calls/{sid}"))?, Some(&form), Kind::Repeatable).await
    }

    pub async fn list_calls(&self, f: &CallFilter, cap: usize) -> Result<Vec<Call>, Error> {
        let mut url = self.url("Calls")?;
        {
            let mut q = url.query_pairs_mut();
            push(&mut q, "ParentCallSid", &f.parent);
            push(&mut q, "To", &f.to);
            push(&mut q, "From", &f.from);
            push(&mut q, "Status", &f.status.as_ref().map(|s| s.as_str().to_owned()));
            push(&mut q, "StartTime>", &f.started_on_or_after.map(|d| d.format("%Y-%m-%d").to_string()));
            q.append_pair("PageSize", &self.page_size(cap));
        }
        self.list(url, "calls", cap.min(self.list_cap)).await
    }

    // ----- cXML scripts -----

    /// The project's cXML scripts.
    pub async fn list_cxml_scripts(&self) -> Result<Vec<CxmlScript>, Error> {
        let mut url = self.url("LamlBins")?;
        url.query_pairs_mut().append_pair("PageSize", &self.page_size(self.list_cap));
        self.list(url, "laml_bins", self.list_cap).await
    }

    /// Creates a cXML script.
    pub async fn create_cxml_script(&self, name: &str, contents: &str) -> Result<CxmlScript, Error> {
        check_cxml(contents)?;
        let form = [("Name", name.to_owned()), ("Contents", contents.to_owned())];
        self.json(Method::POST, self.url("LamlBins")?, Some(&form), Kind::Create).await
    }

    /// Replaces a cXML script's contents. `name` is its name (kept, or a new one): SignalWire's
    /// `UpdateCxmlScriptRequest` requires `Name` on every update.
    pub async fn update_cxml_script(&self, sid: &str, name: &str, contents: &str) -> Result<CxmlScript, Error> {
        check_sid(sid)?;
        check_cxml(contents)?;
        if name.trim().is_empty() {
            return Err(Error::Invalid("A cXML script needs a name.".into()));
        }
        let form = [("Name", name.to_owned()), ("Contents", contents.to_owned())];
        self.json(Method::POST, self.url(&format!("LamlBins/{sid}"))?, Some(&form), Kind::Repeatable).await
    }

    /// The script named `name` with exactly `contents`: found, updated, or created (once).
    pub async fn ensure_cxml_script(&self, name: &str, contents: &str) -> Result<CxmlScript, Error> {
        let existing = self.list_cxml_scripts().await?.into_iter().find(|s| s.name == name);
        match existing {
            Some(s) if s.contents == contents => Ok(s),
            Some(s) => self.update_cxml_script(&s.sid, &s.name, contents).await,
            None => match self.create_cxml_script(name, contents).await {
                Err(Error::Ambiguous(why)) => self
                    .list_cxml_scripts()
                    .await
                    .ok()
                    .and_then(|all| all.into_iter().find(|s| s.name == name))
                    .ok_or(Error::Ambiguous(why)),
                other => other,
            },
        }
    }

    // ----- numbers -----

    /// Numbers for sale (no paging on this endpoint).
    pub async fn search_numbers(&self, s: &NumberSearch) -> Result<Vec<AvailableNumber>, Error> {
        let country = s.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::Invalid(format!("{:?} is not a two-letter country code.", s.country)));
        }
        if s.locality.is_some() && s.region.is_none() {
            return Err(Error::Invalid("A city search needs the state or region too.".into()));
        }
        if let Some(a) = s.area_code.as_deref().filter(|a| a.len() != 3 || !a.bytes().all(|b| b.is_ascii_digit())) {
            return Err(Error::Invalid(format!("Area code {a:?} must be three digits.")));
        }
        let kind = if s.toll_free { "TollFree" } else { "Local" };
        let mut url = self.url(&format!("AvailablePhoneNumbers/{country}/{kind}"))?;
        {
            let mut q = url.query_pairs_mut();
            push(&mut q, "AreaCode", &s.area_code);
            push(&mut q, "Contains", &s.contains);
            push(&mut q, "InRegion", &s.region);
            push(&mut q, "InLocality", &s.locality);
        }
        #[derive(serde::Deserialize)]
        struct Found {
            available_phone_numbers: Vec<AvailableNumber>,
        }
        let found: Found = self.json(Method::GET, url, None, Kind::Repeatable).await?;
        Ok(found.available_phone_numbers)
    }

    /// Buys a number. Creates: after an ambiguous failure, [`Client::list_numbers`] shows
    /// whether the project owns it now.
    pub async fn buy_number(&self, phone_number: &str, routing: &NumberRouting) -> Result<OwnedNumber, Error> {
        check_e164("Number", phone_number)?;
        let mut form = vec![("PhoneNumber", phone_number.to_owned())];
        form.extend(routing_form(routing));
        self.json(Method::POST, self.url("IncomingPhoneNumbers")?, Some(&form), Kind::Create).await
    }

    /// Buys a number exactly once: after an ambiguous failure, owning it already counts as bought.
    pub async fn buy_number_once(&self, phone_number: &str, routing: &NumberRouting) -> Result<OwnedNumber, Error> {
        match self.buy_number(phone_number, routing).await {
            Err(Error::Ambiguous(why)) => {
                tracing::info!(%why, "buying a number had no clear answer; checking the project's numbers");
                match self.list_numbers(Some(phone_number)).await {
                    Ok(owned) => match owned.into_iter().find(|n| n.phone_number == phone_number) {
                        Some(n) => Ok(n),
                        None => self.buy_number(phone_number, routing).await,
                    },
                    Err(e) => Err(Error::Ambiguous(format!("{why}; checking whether it went failed too: {e}"))),
                }
            }
            other => other,
        }
    }

    /// The project's numbers (optionally only `phone_number`).
    pub async fn list_numbers(&self, phone_number: Option<&str>) -> Result<Vec<OwnedNumber>, Error> {
        let mut url = self.url("IncomingPhoneNumbers")?;
        {
            let mut q = url.query_pairs_mut();
            push(&mut q, "PhoneNumber", &phone_number.map(str::to_owned));
            q.append_pair("PageSize", &self.page_size(self.list_cap));
        }
        self.list(url, "incoming_phone_numbers", self.list_cap).await
    }

    /// Sets where a number's calls and messages go.
    pub async fn update_number(&self, sid: &str, routing: &NumberRouting) -> Result<OwnedNumber, Error> {
        check_sid(sid)?;
        let form = routing_form(routing);
        if form.is_empty() {
            return Err(Error::Invalid("Nothing to change.".into()));
        }
        self.json(Method::POST, self.url(&format!("IncomingPhoneNumbers/{sid}"))?, Some(&form), Kind::Repeatable).await
    }

    /// Releases a number back to SignalWire.
    pub async fn release_number(&self, sid: &str) -> Result<(), Error> {
        check_sid(sid)?;
        self.request(Method::DELETE, self.url(&format!("IncomingPhoneNumbers/{sid}"))?, None, Kind::Repeatable).await?;
        Ok(())
    }

    // ----- recordings -----

    /// Recordings of one call, or created in a date range (newest first).
    pub async fn list_recordings(
        &self,
        call_sid: Option<&str>,
        created_on_or_after: Option<NaiveDate>,
        cap: usize,
    ) -> Result<Vec<Recording>, Error> {
        if let Some(sid) = call_sid {
            check_sid(sid)?;
        }
        let mut url = self.url("Recordings")?;
        {
            let mut q = url.query_pairs_mut();
            push(&mut q, "CallSid", &call_sid.map(str::to_owned));
            push(&mut q, "DateCreated>", &created_on_or_after.map(|d| d.format("%Y-%m-%d").to_string()));
            q.append_pair("PageSize", &self.page_size(cap));
        }
        self.list(url, "recordings", cap.min(self.list_cap)).await
    }

    pub async fn get_recording(&self, sid: &str) -> Result<Recording, Error> {
        check_sid(sid)?;
        // The bare path answers the audio; the metadata is `.json` (signalwire.md, Recordings).
        self.json(Method::GET, self.url(&format!("Recordings/{sid}.json"))?, None, Kind::Repeatable).await
    }

    /// The recording's audio. Its URL works without credentials, so it is never logged.
    pub async fn download_recording(&self, sid: &str, format: AudioFormat) -> Result<Vec<u8>, Error> {
        check_sid(sid)?;
        let url = self.url(&format!("Recordings/{sid}.{}", format.extension()))?;
        let (_, body) = self.request(Method::GET, url, None, Kind::Repeatable).await?;
        let looks_right = match format {
            AudioFormat::Wav => body.starts_with(b"RIFF") && body.get(8..12) == Some(b"WAVE"),
            AudioFormat::Mp3 => body.starts_with(b"ID3") || body.first() == Some(&0xFF),
        };
        if !looks_right {
            return Err(Error::Decode(format!("the recording is not {} audio", format.extension().to_uppercase())));
        }
        Ok(body)
    }

    pub async fn delete_recording(&self, sid: &str) -> Result<(), Error> {
        check_sid(sid)?;
        self.request(Method::DELETE, self.url(&format!("Recordings/{sid}"))?, None, Kind::Repeatable).await?;
        Ok(())
    }

    /// Transcriptions of a recording.
    pub async fn list_transcriptions(&self, recording_sid: &str) -> Result<Vec<Transcription>, Error> {
        check_sid(recording_sid)?;
        let all: Vec<Transcription> = self
            .list(
                self.url(&format!("Transcriptions?PageSize={}", self.page_size(self.list_cap)))?,
                "transcriptions",
                self.list_cap,
            )
            .await?;
        Ok(all.into_iter().filter(|t| t.recording_sid == recording_sid).collect())
    }
}

fn routing_form(r: &NumberRouting) -> Vec<(&'static str, String)> {
    let mut form = Vec::new();
    for (key, v) in [("FriendlyName", &r.friendly_name), ("VoiceUrl", &r.voice_url), ("SmsUrl", &r.sms_url)] {
        if let Some(v) = v {
            form.push((key, v.clone()));
        }
    }
    form
}
