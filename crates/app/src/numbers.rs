//! The SignalWire project's phone numbers and this desktop's SIP line in SignalWire.

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::*;
use crate::keychain::Secret;
use crate::{App, settings};

impl App {
    pub fn search_numbers(&self, q: &NumberQuery) -> Result<Vec<NumberOffer>> {
        let region = self.region()?;
        let client = self.signalwire()?;
        let search = ringdesk_signalwire::NumberSearch {
            country: q.country.clone().unwrap_or_else(|| region.code().to_string()),
            area_code: q.area_code.clone().filter(|s| !s.trim().is_empty()),
            contains: q.contains.clone().filter(|s| !s.trim().is_empty()),
            region: q.region.clone().filter(|s| !s.trim().is_empty()),
            locality: q.locality.clone().filter(|s| !s.trim().is_empty()),
            toll_free: q.toll_free,
        };
        let found = self.provider.run(async move { client.search_numbers(&search).await })?;
        Ok(found.into_iter().map(|n| crate::messaging::offer_dto(n, region)).collect())
    }

    /// Buys a number (exactly once, even if the answer is lost on the way).
    pub fn buy_number(&self, phone_number: &str) -> Result<OwnedNumberInfo> {
        let region = self.region()?;
        let e164 = crate::dialable::number("", phone_number, region)?;
        let client = self.signalwire()?;
        let routing = ringdesk_signalwire::NumberRouting::default();
        let bought = self.provider.run(async move { client.buy_number_once(&e164, &routing).await })?;
        Ok(crate::messaging::owned_dto(bought, region))
    }

    pub fn list_numbers(&self) -> Result<Vec<OwnedNumberInfo>> {
        let region = self.region()?;
        let client = self.signalwire()?;
        let owned = self.provider.run(async move { client.list_numbers(None).await })?;
        Ok(owned.into_iter().map(|n| crate::messaging::owned_dto(n, region)).collect())
    }

    pub fn route_number(&self, sid: &str, update: &NumberRoutingUpdate) -> Result<OwnedNumberInfo> {
        let region = self.region()?;
        let client = self.signalwire()?;
        let routing = ringdesk_signalwire::NumberRouting {
            friendly_name: update.friendly_name.clone(),
            voice_url: update.voice_url.clone(),
            sms_url: update.sms_url.clone(),
        };
        let sid = sid.to_string();
        let n = self.provider.run(async move { client.update_number(&sid, &routing).await })?;
        Ok(crate::messaging::owned_dto(n, region))
    }

    /// The SignalWire project's SIP endpoints.
    pub fn list_sip_endpoints(&self) -> Result<Vec<SipEndpointInfo>> {
        let client = self.signalwire()?;
        let all = self.provider.run(async move { client.list_sip_endpoints().await })?;
        Ok(all
            .into_iter()
            .map(|e| SipEndpointInfo {
                send_as: e.send_as_number().map(str::to_owned),
                id: e.id,
                username: e.username,
                caller_id: e.caller_id,
                encryption: e.encryption,
            })
            .collect())
    }

    /// Creates SIP credentials in SignalWire with a generated password and makes them this
    /// desktop's SIP account: registrar (the project's SIP domain, TLS), username, and the
    /// password in the keychain. The password is never shown.
    pub fn provision_sip_line(&self, req: &ProvisionSipLine) -> Result<Settings> {
        let region = self.region()?;
        // Unless the request names one, the new line sends as the caller ID in Settings.
        let (_, caller_id, _) = settings::calls(&self.store)?;
        let send_as = match req
            .send_as
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .or(Some(caller_id.as_str()).filter(|c| !c.is_empty()))
        {
            Some(n) => Some(crate::dialable::number("Send as", n, region)?),
            None => None,
        };
        let mut raw = [0u8; 24];
        getrandom::fill(&mut raw)
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("No randomness for a password: {e}")))?;
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        let password: String = raw.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
        let client = self.signalwire()?;
        let new = ringdesk_signalwire::native::NewSipEndpoint {
            username: req.username.trim().to_string(),
            password: password.clone(),
            caller_id: None,
            send_as,
        };
        let (endpoint, profile) = self.provider.run(async move {
            let endpoint = client.create_sip_endpoint(&new).await?;
            let profile = client.sip_profile().await?;
            Ok::<_, ringdesk_signalwire::Error>((endpoint, profile))
        })?;
        // The endpoint exists now: keep its password before anything else can fail.
        self.secrets.set(SecretKind::SipPassword, &Secret::new(password))?;
        let registrar = profile.registrar().ok_or_else(|| {
            IpcError::new(
                ErrorCode::Provider,
                "SignalWire's SIP profile names no SIP domain: set one in the SignalWire dashboard (SIP → Settings), then try again.",
            )
        })?;
        self.update_settings(&SettingsUpdate {
            sip_registrar: Some(format!("{registrar}:5061")),
            sip_username: Some(endpoint.username),
            sip_transport: Some(SipTransport::Tls),
            ..SettingsUpdate::default()
        })
    }

    /// Makes softphone calls show the caller ID in Settings, as bridge calls do: sets the
    /// `send_as` of the SignalWire SIP endpoint this desktop registers as ("Automatic" leaves it
    /// to SignalWire). A SIP line that is not one of the project's endpoints gets `NotFound`: its
    /// provider sets the caller ID.
    pub fn apply_softphone_caller_id(&self) -> Result<crate::ipc::SoftphoneCallerId> {
        let username = settings::get(&self.store, self.secrets.as_ref())?.sip_username;
        if username.is_empty() {
            return Err(IpcError::new(ErrorCode::NotConfigured, "Set up your SIP line in Settings first."));
        }
        let (_, caller_id, _) = settings::calls(&self.store)?;
        let send_as = (!caller_id.is_empty()).then_some(caller_id);
        let client = self.signalwire()?;
        let wanted = username.clone();
        let endpoint = self.provider.run(async move {
            match client.list_sip_endpoints().await?.into_iter().find(|e| e.username == wanted) {
                Some(e) => client.set_sip_endpoint_send_as(&e.id, send_as.as_deref()).await.map(Some),
                None => Ok(None),
            }
        })?;
        let e = endpoint.ok_or_else(|| {
            IpcError::new(
                ErrorCode::NotFound,
                format!(
                    "Your SIP username {username:?} is not one of this SignalWire project's SIP endpoints, \
                     so your SIP provider sets the caller ID of softphone calls."
                ),
            )
        })?;
        Ok(crate::ipc::SoftphoneCallerId {
            send_as: e.send_as_number().map(str::to_owned),
            endpoint_username: e.username,
        })
    }

    /// Routes one of the project's numbers to this desktop: texts to the RELAY context Ringdesk
    /// listens on, and calls to this desktop's SIP account when it is a SignalWire SIP endpoint.
    pub fn route_number_to_ringdesk(&self, phone_number: &str) -> Result<NumberHandling> {
        use ringdesk_signalwire::native::CallRoute;
        let region = self.region()?;
        let e164 = crate::dialable::number("", phone_number, region)?;
        let username = settings::get(&self.store, self.secrets.as_ref())?.sip_username;
        let context = crate::RealtimeOptions::default().context;
        let client = self.signalwire()?;
        let (number, endpoint) = self.provider.run(async move {
            let numbers = client.list_native_numbers().await?;
            let Some(n) = numbers.into_iter().find(|n| n.number == e164) else {
                return Err(ringdesk_signalwire::Error::Invalid(format!(
                    "{e164} is not one of the project's numbers."
                )));
            };
            let endpoint = if username.is_empty() {
                None
            } else {
                client.list_sip_endpoints().await?.into_iter().find(|e| e.username == username)
            };
            let calls = endpoint.as_ref().map(|e| CallRoute::SipEndpoint { endpoint_id: e.id.clone() });
            let routed = client.route_native_number(&n.id, calls.as_ref(), Some(&context)).await?;
            Ok((routed, endpoint))
        })?;
        Ok(NumberHandling {
            texts_to_ringdesk: number.texts_to(crate::RealtimeOptions::default().context.as_str()),
            phone_number: number.number,
            calls_to_softphone: endpoint.is_some_and(|e| number.call_sip_endpoint_id.as_deref() == Some(e.id.as_str())),
            call_handler: number.call_handler,
        })
    }

    /// Gives a number back to SignalWire. The default sending number is forgotten, so the next
    /// text picks one the project still owns.
    pub fn release_number(&self, sid: &str) -> Result<()> {
        let client = self.signalwire()?;
        let sid = sid.to_string();
        self.provider.run(async move { client.release_number(&sid).await })?;
        crate::messaging::forget_default_from(&self.store)?;
        Ok(())
    }
}
