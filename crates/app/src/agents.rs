//! AI voice agents (pulled from SignalWire's Call Fabric with the number each answers, and
//! assigned to a number from here) and voice clones with their import status.

use ringdesk_core::Region;
use ringdesk_signalwire::Client;
use ringdesk_store::{Store, agents};

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::{AiAgentInfo, NewVoiceClone, VoiceCloneInfo};
use crate::messaging::Provider;

pub(crate) fn agent_dto(a: agents::Agent) -> AiAgentInfo {
    AiAgentInfo { id: a.id, name: a.agent_name, assigned_number: a.assigned_number, prompt: a.prompt, status: a.status }
}

pub(crate) fn clone_dto(c: agents::VoiceClone) -> VoiceCloneInfo {
    VoiceCloneInfo {
        id: c.id,
        name: c.name,
        sample_audio_url: c.sample_audio_url,
        playht_voice_id: c.playht_voice_id,
        status: c.status,
        import_status: c.import_status,
    }
}

/// Pulls the agents and the numbers routed to them into the store.
pub(crate) fn sync(store: &Store, provider: &Provider, client: &Client) -> Result<Vec<AiAgentInfo>> {
    let c = client.clone();
    let (list, numbers) = provider.run(async move {
        let list = c.list_ai_agents().await?;
        let numbers = c.list_native_numbers().await?;
        Ok::<_, ringdesk_signalwire::Error>((list, numbers))
    })?;
    store.write(|w| {
        for a in &list {
            let number = numbers
                .iter()
                .find(|n| n.calling_handler_resource_id.as_deref() == Some(a.id.as_str()))
                .map(|n| n.number.clone());
            let name = if a.display_name.is_empty() { a.id.clone() } else { a.display_name.clone() };
            agents::upsert_from_provider(w, &a.id, &name, a.prompt().as_deref(), number.as_deref())?;
        }
        Ok::<_, IpcError>(())
    })?;
    Ok(store.read(|r| agents::all(r))?.into_iter().map(agent_dto).collect())
}

/// Sends `phone_number`'s calls to the agent, then refreshes the agents.
pub(crate) fn assign(
    store: &Store,
    provider: &Provider,
    client: &Client,
    region: Region,
    agent_id: &str,
    phone_number: &str,
) -> Result<Vec<AiAgentInfo>> {
    let e164 = crate::dialable::number("", phone_number, region)?;
    let agent = store.read(|r| agents::get(r, agent_id))?;
    let resource = agent.provider_agent_id.ok_or_else(|| {
        IpcError::new(ErrorCode::NotFound, "This agent is not on SignalWire, so numbers cannot be routed to it.")
    })?;
    let c = client.clone();
    provider.run(async move {
        let numbers = c.list_native_numbers().await?;
        let Some(n) = numbers.into_iter().find(|n| n.number == e164) else {
            return Err(ringdesk_signalwire::Error::Invalid(format!("{e164} is not one of the project's numbers.")));
        };
        c.assign_phone_route(&resource, &n.id).await
    })?;
    sync(store, provider, client)
}

pub(crate) fn add_clone(store: &Store, new: &NewVoiceClone) -> Result<VoiceCloneInfo> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(IpcError::invalid("A voice clone needs a name."));
    }
    let url = new.sample_audio_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    if let Some(u) = url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return Err(IpcError::invalid(format!("Sample audio {u:?} must be an http(s) URL.")));
    }
    let voice = new.playht_voice_id.as_deref().map(str::trim).filter(|v| !v.is_empty());
    Ok(clone_dto(store.write(|w| agents::add_clone(w, name, url, voice))?))
}

pub(crate) fn set_import_status(store: &Store, id: &str, status: &str) -> Result<VoiceCloneInfo> {
    if !["not_requested", "requested", "imported", "rejected"].contains(&status) {
        return Err(IpcError::invalid(format!(
            "{status:?} is not an import status (not_requested, requested, imported, rejected)."
        )));
    }
    Ok(clone_dto(store.write(|w| agents::set_import_status(w, id, status))?))
}

impl crate::App {
    /// The AI agents as last pulled from SignalWire.
    pub fn ai_agents(&self) -> Result<Vec<AiAgentInfo>> {
        Ok(self.store.read(|r| ringdesk_store::agents::all(r))?.into_iter().map(agent_dto).collect())
    }

    /// Pulls the project's AI agents and which number each answers.
    pub fn sync_ai_agents(&self) -> Result<Vec<AiAgentInfo>> {
        let client = self.signalwire()?;
        sync(&self.store, &self.provider, &client)
    }

    /// Sends one of the project's numbers' calls to an AI agent.
    pub fn assign_ai_agent(&self, agent_id: &str, phone_number: &str) -> Result<Vec<AiAgentInfo>> {
        let region = self.region()?;
        let client = self.signalwire()?;
        assign(&self.store, &self.provider, &client, region, agent_id, phone_number)
    }

    pub fn voice_clones(&self) -> Result<Vec<VoiceCloneInfo>> {
        Ok(self.store.read(|r| ringdesk_store::agents::clones(r))?.into_iter().map(clone_dto).collect())
    }

    pub fn add_voice_clone(&self, new: &NewVoiceClone) -> Result<VoiceCloneInfo> {
        add_clone(&self.store, new)
    }

    /// Records where a clone's import to SignalWire stands (requested from Support, imported…).
    pub fn set_voice_clone_import(&self, id: &str, status: &str) -> Result<VoiceCloneInfo> {
        set_import_status(&self.store, id, status)
    }
}
