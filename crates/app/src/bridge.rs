//! The bridge route: SignalWire calls the agent's own phone first and, once it is answered,
//! dials the lead with the chosen caller ID (and records, if asked). The hosted cXML script
//! that does the second leg is created by the app and kept up to date (by name and contents);
//! each call passes the lead, caller ID and recording choice as its mustache parameters
//! (signalwire.md §3.2).

use ringdesk_core::Region;
use ringdesk_signalwire::Client;
use ringdesk_signalwire::model::Call;
use ringdesk_store::{Store, settings as kv};

use crate::error::{IpcError, Result};
use crate::ipc::{BridgeCallInfo, BridgeCallRequest};
use crate::messaging::Provider;

/// The script's name; a new version gets a new name only if its parameters change.
pub(crate) const SCRIPT_NAME: &str = "Ringdesk bridge";

/// The second leg: dial `{{Lead}}` from `{{CallerId}}`, ringing back to the agent while it rings.
pub(crate) const SCRIPT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Dial callerId="{{CallerId}}" record="{{Record}}" answerOnBridge="true" timeout="30">
    <Number>{{Lead}}</Number>
  </Dial>
</Response>"#;

use crate::dialable::{SipForm, dialable};
use crate::keys::AGENT_PHONE;

pub(crate) fn info(c: Call, agent_phone: String, call_log_id: Option<String>) -> BridgeCallInfo {
    BridgeCallInfo {
        sid: c.sid,
        status: c.status.as_str().to_string(),
        agent_phone,
        duration_seconds: c.duration,
        call_log_id,
    }
}

/// Brings a bridge call's log row up to date with SignalWire's view of the call; returns the
/// row's id when the call is logged here.
pub(crate) fn log_status(store: &Store, c: &Call) -> Result<Option<String>> {
    let Some(id) = store.read(|r| ringdesk_store::calls::by_provider_sid(r, &c.sid))? else { return Ok(None) };
    let at = chrono::Utc::now();
    let now = ringdesk_store::format_ts(at);
    // SignalWire reports no answer time: in progress means answered now; a call that ended with
    // talk time was answered that long before its end.
    let change = if c.status.is_final() {
        let talked = i64::from(c.duration.unwrap_or(0));
        ringdesk_store::calls::CallChange {
            status: Some(c.status.as_str().to_string()),
            answered_at: (talked > 0).then(|| ringdesk_store::format_ts(at - chrono::Duration::seconds(talked))),
            ended_at: Some(now),
            duration_seconds: Some(talked),
            end_reason: Some(c.status.as_str().to_string()),
            ..Default::default()
        }
    } else {
        ringdesk_store::calls::CallChange {
            status: Some(c.status.as_str().to_string()),
            answered_at: (c.status.as_str() == "in-progress").then_some(now),
            ..Default::default()
        }
    };
    store.write(|w| {
        // Only a change is written (a poll that sees the same status queues nothing).
        let known: Option<(Option<String>, Option<String>)> = ringdesk_store::calls::status_of(w, &id)?;
        if let Some((status, ended)) = known
            && status.as_deref() == change.status.as_deref()
            && (ended.is_some() || change.ended_at.is_none())
        {
            return Ok::<_, IpcError>(());
        }
        ringdesk_store::calls::update(w, &id, &change)?;
        Ok(())
    })?;
    Ok(Some(id))
}

/// Places a bridge call; returns it as SignalWire reports it.
pub(crate) fn start(
    store: &Store,
    provider: &Provider,
    client: &Client,
    region: Region,
    default_caller_id: String,
    req: &BridgeCallRequest,
    lead_id: Option<String>,
) -> Result<BridgeCallInfo> {
    let lead = dialable("The lead's number", &req.to, region, SipForm::Uri)?.into_string();
    let agent = match req.agent_phone.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => dialable("Your phone", p, region, SipForm::Uri)?.into_string(),
        None => store.read(|r| kv::get::<String>(r, AGENT_PHONE))?.filter(|p| !p.is_empty()).ok_or_else(|| {
            IpcError::invalid("Enter your own phone number (or SIP address) for SignalWire to ring first.")
        })?,
    };
    let caller_id = match req.caller_id.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(c) => dialable("Caller ID", c, region, SipForm::Uri)?.into_string(),
        None => default_caller_id,
    };
    let c = client.clone();
    let script = provider.run(async move { c.ensure_cxml_script(SCRIPT_NAME, SCRIPT).await })?;
    let mut url = script
        .request_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .ok_or_else(|| IpcError::new(crate::ErrorCode::Provider, "SignalWire gave the bridge script no URL."))?;
    url.query_pairs_mut()
        .append_pair("Lead", &lead)
        .append_pair("CallerId", &caller_id)
        .append_pair("Record", if req.record { "record-from-answer" } else { "do-not-record" });
    let call = ringdesk_signalwire::NewCall {
        to: agent.clone(),
        from: caller_id,
        url: url.to_string(),
        timeout_secs: Some(30),
        record: false,
    };
    // The call is on record before SignalWire is asked: a crash or an ambiguous answer leaves a
    // row to reconcile, never a call nobody logged.
    let now = ringdesk_store::format_ts(chrono::Utc::now());
    let log_id = store.write(|w| {
        let id = ringdesk_store::calls::insert(
            w,
            &ringdesk_store::calls::NewCall {
                lead_id: lead_id.clone(),
                route: "bridge".into(),
                contact_number: lead.clone(),
                from_number: Some(call.from.clone()),
                direction: "outbound".into(),
                status: Some("queued".into()),
                started_at: now.clone(),
                ..Default::default()
            },
        )?;
        if let Some(l) = &lead_id {
            ringdesk_store::leads::touch_last_contact(w, l, &now)?;
        }
        kv::set(w, AGENT_PHONE, &agent)?;
        Ok::<_, IpcError>(id)
    })?;
    let c = client.clone();
    let placed = match provider.run(async move { c.create_call(&call).await }) {
        Ok(p) => p,
        Err(e) => {
            let err = IpcError::from(e);
            let change = ringdesk_store::calls::CallChange {
                status: Some("failed".into()),
                ended_at: Some(ringdesk_store::format_ts(chrono::Utc::now())),
                duration_seconds: Some(0),
                end_reason: Some(err.message.clone()),
                ..Default::default()
            };
            let _ = store.write(|w| ringdesk_store::calls::update(w, &log_id, &change));
            return Err(err);
        }
    };
    store.write(|w| {
        ringdesk_store::calls::update(
            w,
            &log_id,
            &ringdesk_store::calls::CallChange {
                provider_call_sid: Some(placed.sid.clone()),
                status: Some(placed.status.as_str().to_string()),
                ..Default::default()
            },
        )
    })?;
    Ok(info(placed, agent, Some(log_id)))
}

impl crate::App {
    /// Calls through SignalWire: the agent's own phone rings first, then the lead is dialled
    /// with the caller ID (recorded if asked).
    pub fn start_bridge_call(&self, req: &BridgeCallRequest) -> Result<BridgeCallInfo> {
        let region = self.region()?;
        let client = self.signalwire()?;
        let lead = crate::dialable::number("The lead's number", &req.to, region)?;
        let lead_id = self.lead_to_dial(req.lead_id.as_deref(), Some(&lead), req.override_dnc)?;
        let caller_id = match req.caller_id.as_deref().filter(|c| !c.trim().is_empty()) {
            Some(c) => c.to_string(),
            None => crate::messaging::choose_from(&self.store, &self.provider, &client, &lead, None, region)?,
        };
        start(&self.store, &self.provider, &client, region, caller_id, req, lead_id)
    }

    /// A bridge call as SignalWire reports it now.
    pub fn bridge_call_status(&self, sid: &str) -> Result<BridgeCallInfo> {
        let client = self.signalwire()?;
        let sid = sid.to_string();
        let call = self.provider.run(async move { client.get_call(&sid).await })?;
        let log = log_status(&self.store, &call)?;
        let agent = call.to.clone();
        Ok(info(call, agent, log))
    }

    /// Ends a bridge call (cancels it while it rings).
    pub fn hang_up_bridge_call(&self, sid: &str) -> Result<BridgeCallInfo> {
        let client = self.signalwire()?;
        let sid = sid.to_string();
        let call = self.provider.run(async move {
            let now = client.get_call(&sid).await?;
            let ringing = matches!(
                now.status,
                ringdesk_signalwire::model::CallStatus::Queued | ringdesk_signalwire::model::CallStatus::Ringing
            );
            if now.status.is_final() {
                return Ok(now);
            }
            client.hang_up_call(&sid, ringing).await
        })?;
        let log = log_status(&self.store, &call)?;
        let agent = call.to.clone();
        Ok(info(call, agent, log))
    }
}
