//! Settings: validation of what the agent enters, storage of the non-secret part, and the
//! translation of lead edits into store changes (validated before anything is written).

use ringdesk_core::{PhoneNumber, Region, parse_value, validate_email};
use ringdesk_store::leads::{Change, TextColumn};
use ringdesk_store::{Store, settings as kv};

use crate::error::{IpcError, Result};
use crate::ipc::{CallRoute, LeadPatch, SecretKind, Settings, SettingsUpdate, SipTransport};
use crate::keychain::SecretStore;

use crate::keys::*;

/// The default region for numbers written without a country code (US until set).
pub(crate) fn region(store: &Store) -> Result<Region> {
    let code: Option<String> = store.read(|r| kv::get(r, REGION))?;
    Ok(code.and_then(|c| c.parse().ok()).unwrap_or(Region::US))
}

/// The SignalWire space and project id as entered (empty when unset); no keychain access.
pub(crate) fn signalwire(store: &Store) -> Result<(String, String)> {
    let (space, project) = store.read(|r| Ok((kv::get::<String>(r, SW_SPACE)?, kv::get::<String>(r, SW_PROJECT)?)))?;
    Ok((space.unwrap_or_default(), project.unwrap_or_default()))
}

/// The SIP line's registrar and username (empty when not set), without touching the keychain.
pub(crate) fn sip_line(store: &Store) -> Result<(String, String)> {
    let (registrar, username) =
        store.read(|r| Ok((kv::get::<String>(r, SIP_REGISTRAR)?, kv::get::<String>(r, SIP_USERNAME)?)))?;
    Ok((registrar.unwrap_or_default(), username.unwrap_or_default()))
}

/// The call settings without touching the keychain: the default route, the caller ID, and
/// whether links dial at once.
pub(crate) fn calls(store: &Store) -> Result<(CallRoute, String, bool)> {
    Ok(store.read(|r| {
        Ok::<_, ringdesk_store::StoreError>((
            kv::get::<CallRoute>(r, DEFAULT_ROUTE)?.unwrap_or_default(),
            kv::get::<String>(r, CALLER_ID)?.unwrap_or_default(),
            kv::get::<bool>(r, LINKS_AUTO_DIAL)?.unwrap_or(false),
        ))
    })?)
}

/// Talk time that makes an answered call a conversation by default (Orum's and Glencoco's 60 s).
pub const CONVERSATION_SECONDS: u32 = 60;

/// The talk from which an answered call is a conversation (Settings → Calls; 60 s by default).
pub(crate) fn conversation_seconds(store: &Store) -> Result<u32> {
    Ok(store.read(|r| kv::get::<u32>(r, CONVERSATION_AFTER))?.unwrap_or(CONVERSATION_SECONDS))
}

/// The microphone and speaker ("" for the system default), read without the keychain.
pub(crate) fn audio(store: &Store) -> Result<(String, String)> {
    Ok(store.read(|r| {
        Ok::<_, ringdesk_store::StoreError>((
            kv::get::<String>(r, AUDIO_INPUT)?.unwrap_or_default(),
            kv::get::<String>(r, AUDIO_OUTPUT)?.unwrap_or_default(),
        ))
    })?)
}

pub(crate) fn get(store: &Store, secrets: &dyn SecretStore) -> Result<Settings> {
    let (region, space, project, registrar, username, transport, url, email) = store.read(|r| {
        Ok((
            kv::get::<String>(r, REGION)?,
            kv::get::<String>(r, SW_SPACE)?,
            kv::get::<String>(r, SW_PROJECT)?,
            kv::get::<String>(r, SIP_REGISTRAR)?,
            kv::get::<String>(r, SIP_USERNAME)?,
            kv::get::<SipTransport>(r, SIP_TRANSPORT)?,
            kv::get::<String>(r, BACKEND_URL)?,
            kv::get::<String>(r, BACKEND_EMAIL)?,
        ))
    })?;
    let (default_route, caller_id, links_auto_dial) = calls(store)?;
    let agent_phone = store.read(|r| kv::get::<String>(r, AGENT_PHONE))?;
    let (audio_in, audio_out) = audio(store)?;
    let is_set = |k| secrets.get(k).map(|s| s.is_some());
    Ok(Settings {
        default_region: region.unwrap_or_else(|| "US".into()),
        signalwire_space: space.unwrap_or_default(),
        signalwire_project_id: project.unwrap_or_default(),
        signalwire_api_token_set: is_set(SecretKind::SignalwireApiToken)?,
        sip_registrar: registrar.unwrap_or_default(),
        sip_username: username.unwrap_or_default(),
        sip_password_set: is_set(SecretKind::SipPassword)?,
        sip_transport: transport.unwrap_or_default(),
        backend_url: url.unwrap_or_default(),
        backend_key_set: is_set(SecretKind::BackendKey)?,
        backend_email: email.unwrap_or_default(),
        backend_signed_in: is_set(SecretKind::BackendSession)?,
        default_route,
        caller_id,
        agent_phone: agent_phone.unwrap_or_default(),
        links_auto_dial,
        conversation_seconds: conversation_seconds(store)?,
        audio_input: audio_in,
        audio_output: audio_out,
    })
}

fn is_hostname(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// `host` or `host:port`, for the SIP registrar.
fn validate_registrar(v: &str) -> Result<()> {
    let v = v.strip_prefix("sip:").unwrap_or(v);
    let (host, port) = match v.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (v, None),
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    if is_hostname(host) && port_ok {
        Ok(())
    } else {
        Err(IpcError::invalid(format!(
            "Registrar {v:?} is not a host name or host:port, such as sip.example.com:5060."
        )))
    }
}

/// The SignalWire space: `example` or `example.signalwire.com`.
fn validate_space(v: &str) -> Result<()> {
    if is_hostname(v) {
        Ok(())
    } else {
        Err(IpcError::invalid(format!("Space {v:?} is not a SignalWire space such as example.signalwire.com.")))
    }
}

fn validate_project_id(v: &str) -> Result<()> {
    let ok = v.len() == 36
        && v.char_indices().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() });
    if ok {
        Ok(())
    } else {
        Err(IpcError::invalid(format!(
            "Project id {v:?} is not a SignalWire project id (a UUID like 12345678-90ab-cdef-1234-567890abcdef)."
        )))
    }
}

fn validate_url(v: &str) -> Result<()> {
    // The same rule the transports apply (ringdesk-sync `check_backend_url`).
    ringdesk_sync::check_backend_url(v).map(|_| ()).map_err(|e| IpcError::invalid(e.to_string()))
}

/// A number as E.164 (or, for the agent's phone, a `sip:` address), with a message naming the
/// field when it is not one; empty stays empty (cleared).
fn phone_setting(field: &str, v: Option<String>, region: Region, sip_ok: bool) -> Result<Option<String>> {
    match v {
        Some(s) if s.is_empty() => Ok(Some(s)),
        Some(s) if s.starts_with("sip:") && !sip_ok => {
            Err(IpcError::invalid(format!("{field} must be a phone number, not a SIP address.")))
        }
        Some(s) => {
            crate::dialable::dialable(field, &s, region, crate::dialable::SipForm::Uri).map(|t| Some(t.into_string()))
        }
        None => Ok(None),
    }
}

/// Validates every field first, then writes them all in one transaction.
pub(crate) fn update(store: &Store, u: &SettingsUpdate) -> Result<()> {
    let trimmed = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_string);
    let region = match trimmed(&u.default_region) {
        Some(code) => {
            Some(code.parse::<Region>().map_err(|e| IpcError::invalid(capital(&e.to_string())))?.code().to_string())
        }
        None => None,
    };
    let space = trimmed(&u.signalwire_space);
    let project = trimmed(&u.signalwire_project_id);
    let registrar = trimmed(&u.sip_registrar);
    let username = trimmed(&u.sip_username);
    let url = trimmed(&u.backend_url);
    // Empty clears a field; anything else must be valid.
    let check = |v: &Option<String>, f: fn(&str) -> Result<()>| match v.as_deref() {
        Some(s) if !s.is_empty() => f(s),
        _ => Ok(()),
    };
    check(&space, validate_space)?;
    check(&project, validate_project_id)?;
    check(&registrar, validate_registrar)?;
    check(&url, validate_url)?;
    let number_region = match &region {
        Some(code) => code.parse().unwrap_or(Region::US),
        None => self::region(store)?,
    };
    let caller_id =
        phone_setting("Caller ID", trimmed(&u.caller_id), number_region, false).map_err(|e| e.on_field("callerId"))?;
    let agent_phone = phone_setting("Your phone", trimmed(&u.agent_phone), number_region, true)
        .map_err(|e| e.on_field("agentPhone"))?;
    if let Some(s) = u.conversation_seconds.filter(|s| !(1..=3600).contains(s)) {
        return Err(IpcError::invalid(format!(
            "A conversation needs between 1 s and 3600 s of talk; {s} s is outside that."
        ))
        .on_field("conversationSeconds"));
    }
    let audio_input = trimmed(&u.audio_input);
    let audio_output = trimmed(&u.audio_output);
    for (field, key, v) in [("Microphone", "audioInput", &audio_input), ("Speaker", "audioOutput", &audio_output)] {
        if let Some(name) = v.as_deref().filter(|n| n.len() > 256 || n.contains(char::is_control)) {
            return Err(IpcError::invalid(format!("{field} {name:?} is not a device name.")).on_field(key));
        }
    }
    if let Some(name) = username.as_deref().filter(|n| n.contains(char::is_whitespace) || n.len() > 128) {
        return Err(IpcError::invalid(format!(
            "SIP username {name:?} cannot contain spaces or exceed 128 characters."
        )));
    }
    store.write(|w| {
        for (key, value) in [
            (REGION, &region),
            (SW_SPACE, &space),
            (SW_PROJECT, &project),
            (SIP_REGISTRAR, &registrar),
            (SIP_USERNAME, &username),
            (BACKEND_URL, &url),
            (CALLER_ID, &caller_id),
            (AGENT_PHONE, &agent_phone),
            (AUDIO_INPUT, &audio_input),
            (AUDIO_OUTPUT, &audio_output),
        ] {
            if let Some(v) = value {
                kv::set(w, key, v)?;
            }
        }
        if let Some(t) = u.sip_transport {
            kv::set(w, SIP_TRANSPORT, &t)?;
        }
        if let Some(r) = u.default_route {
            kv::set(w, DEFAULT_ROUTE, &r)?;
        }
        if let Some(on) = u.links_auto_dial {
            kv::set(w, LINKS_AUTO_DIAL, &on)?;
        }
        if let Some(s) = u.conversation_seconds {
            kv::set(w, CONVERSATION_AFTER, &s)?;
        }
        Ok::<_, IpcError>(())
    })
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Turns a lead edit into store changes, refusing the whole edit when any field is invalid.
pub(crate) fn lead_changes(p: &LeadPatch, region: Region) -> Result<Vec<Change>> {
    let opt = |v: &str| {
        let t = v.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    let mut changes = Vec::new();
    if let Some(name) = &p.name {
        let name = name.trim();
        if name.is_empty() {
            return Err(IpcError::invalid("A lead needs a name."));
        }
        changes.push(Change::Name(name.to_string()));
    }
    if let Some(email) = &p.email {
        let email = opt(email);
        if let Some(e) = &email {
            validate_email(e).map_err(|e| IpcError::invalid(capital(&e.to_string())))?;
        }
        changes.push(Change::Text(TextColumn::Email, email));
    }
    if let Some(phone) = &p.phone {
        match opt(phone) {
            Some(raw) => {
                let n =
                    PhoneNumber::parse(&raw, region).map_err(|e| IpcError::invalid(format!("Phone {raw:?}: {e}.")))?;
                changes.push(Change::Phone { e164: Some(n.e164().to_string()), raw: Some(raw) });
            }
            None => changes.push(Change::Phone { raw: None, e164: None }),
        }
    }
    if let Some(status) = &p.status {
        let status = status.trim().to_ascii_lowercase();
        if status.is_empty() {
            return Err(IpcError::invalid("A lead needs a status (such as new, contacted, qualified)."));
        }
        changes.push(Change::Status(status));
    }
    if let Some(value) = &p.value {
        let value = match opt(value) {
            Some(v) => Some(parse_value(&v).map_err(|e| IpcError::invalid(capital(&e.to_string())))?),
            None => None,
        };
        changes.push(Change::Value(value));
    }
    for (col, v) in [
        (TextColumn::Company, &p.company),
        (TextColumn::Position, &p.position),
        (TextColumn::Source, &p.source),
        (TextColumn::Notes, &p.notes),
        (TextColumn::Timezone, &p.timezone),
    ] {
        if let Some(v) = v {
            changes.push(Change::Text(col, opt(v)));
        }
    }
    Ok(changes)
}

impl crate::App {
    pub fn get_settings(&self) -> Result<Settings> {
        get(&self.store, self.secrets.as_ref())
    }

    pub fn update_settings(&self, update: &SettingsUpdate) -> Result<Settings> {
        self::update(&self.store, update)?;
        if update.audio_input.is_some() || update.audio_output.is_some() {
            self.apply_audio_choice()?;
        }
        self.sync.reset();
        self.get_settings()
    }

    /// Saves a secret to the OS keychain; the value is never stored elsewhere or returned.
    pub fn set_secret(&self, kind: SecretKind, value: &str) -> Result<Settings> {
        let value = value.trim();
        if value.is_empty() {
            return Err(IpcError::invalid("The secret is empty; use Remove to delete it."));
        }
        if kind == SecretKind::BackendSession {
            return Err(IpcError::invalid("The backend session comes from signing in, not from a value."));
        }
        self.secrets.set(kind, &crate::keychain::Secret::new(value))?;
        self.sync.reset();
        self.get_settings()
    }

    pub fn clear_secret(&self, kind: SecretKind) -> Result<Settings> {
        self.secrets.delete(kind)?;
        self.sync.reset();
        self.get_settings()
    }

    pub fn list_regions(&self) -> Vec<crate::ipc::Region> {
        ringdesk_core::phone::common_regions()
            .into_iter()
            .map(|r| crate::ipc::Region {
                code: r.region.code().to_string(),
                name: r.name.to_string(),
                calling_code: u32::from(r.region.calling_code().unwrap_or(0)),
            })
            .collect()
    }
}
