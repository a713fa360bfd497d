//! AI voice agents (from SignalWire, with the number each answers) and voice clones (with their
//! import status at SignalWire).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::connection::{Reads, Write};
use crate::{Result, StoreError, new_id, outbox};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agent {
    pub id: String,
    pub agent_name: String,
    pub assigned_number: Option<String>,
    pub prompt: Option<String>,
    pub status: String,
    pub provider_agent_id: Option<String>,
    pub updated_at: String,
}

/// Inserts or refreshes the agent SignalWire knows as `provider_id`; returns its local id.
pub fn upsert_from_provider(
    w: &mut Write<'_>,
    provider_id: &str,
    name: &str,
    prompt: Option<&str>,
    assigned_number: Option<&str>,
) -> Result<String> {
    let now = w.now_text();
    let existing: Option<(String, String, Option<String>, Option<String>)> = w
        .conn()
        .prepare_cached(
            "SELECT id, agent_name, prompt, assigned_number FROM signalwire_agents WHERE provider_agent_id = ?1",
        )?
        .query_row([provider_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let (id, op) = match existing {
        Some((id, n, p, a)) if n == name && p.as_deref() == prompt && a.as_deref() == assigned_number => return Ok(id),
        Some((id, ..)) => {
            w.conn()
                .prepare_cached(
                    "UPDATE signalwire_agents SET agent_name = ?2, prompt = ?3, assigned_number = ?4, updated_at = ?5,
                            deleted_at = NULL WHERE id = ?1",
                )?
                .execute(params![id, name, prompt, assigned_number, now])?;
            (id, "update")
        }
        None => {
            let id = new_id();
            w.conn()
                .prepare_cached(
                    "INSERT INTO signalwire_agents (id, agent_name, assigned_number, prompt, status, provider_agent_id,
                                                    created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?6, ?6)",
                )?
                .execute(params![id, name, assigned_number, prompt, provider_id, now])?;
            (id, "insert")
        }
    };
    let row = get(w, &id)?;
    outbox::enqueue(w, op, "signalwire_agents", &id, &row)?;
    Ok(id)
}

pub fn get(r: &impl Reads, id: &str) -> Result<Agent> {
    r.conn()
        .prepare_cached(
            "SELECT id, agent_name, assigned_number, prompt, status, provider_agent_id, updated_at FROM signalwire_agents WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Agent {
                id: r.get(0)?,
                agent_name: r.get(1)?,
                assigned_number: r.get(2)?,
                prompt: r.get(3)?,
                status: r.get(4)?,
                provider_agent_id: r.get(5)?,
                updated_at: r.get(6)?,
            })
        })
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "AI agent", id: id.into() })
}

/// Live agents by name.
pub fn all(r: &impl Reads) -> Result<Vec<Agent>> {
    let ids: Vec<String> = r
        .conn()
        .prepare_cached(
            "SELECT id FROM signalwire_agents WHERE deleted_at IS NULL ORDER BY agent_name COLLATE NOCASE, id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.iter().map(|id| get(r, id)).collect()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoiceClone {
    pub id: String,
    pub name: String,
    pub sample_audio_url: Option<String>,
    pub playht_voice_id: Option<String>,
    pub status: String,
    pub import_status: String,
    pub updated_at: String,
}

fn clone_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<VoiceClone> {
    Ok(VoiceClone {
        id: r.get(0)?,
        name: r.get(1)?,
        sample_audio_url: r.get(2)?,
        playht_voice_id: r.get(3)?,
        status: r.get(4)?,
        import_status: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

const CLONE_COLUMNS: &str = "id, name, sample_audio_url, playht_voice_id, status, import_status, updated_at";

pub fn get_clone(r: &impl Reads, id: &str) -> Result<VoiceClone> {
    r.conn()
        .prepare_cached(&format!("SELECT {CLONE_COLUMNS} FROM voice_clones WHERE id = ?1 AND deleted_at IS NULL"))?
        .query_row([id], clone_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "voice clone", id: id.into() })
}

pub fn clones(r: &impl Reads) -> Result<Vec<VoiceClone>> {
    let mut stmt = r.conn().prepare_cached(&format!(
        "SELECT {CLONE_COLUMNS} FROM voice_clones WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE, id"
    ))?;
    Ok(stmt.query_map([], clone_row)?.collect::<rusqlite::Result<_>>()?)
}

pub fn add_clone(
    w: &mut Write<'_>,
    name: &str,
    sample_audio_url: Option<&str>,
    playht_voice_id: Option<&str>,
) -> Result<VoiceClone> {
    let id = new_id();
    let now = w.now_text();
    w.conn()
        .prepare_cached(
            "INSERT INTO voice_clones (id, name, sample_audio_url, playht_voice_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?
        .execute(params![id, name, sample_audio_url, playht_voice_id, now])?;
    let row = get_clone(w, &id)?;
    outbox::enqueue(w, "insert", "voice_clones", &id, &row)?;
    Ok(row)
}

/// Records where the clone's import to SignalWire stands.
pub fn set_import_status(w: &mut Write<'_>, id: &str, status: &str) -> Result<VoiceClone> {
    let now = w.now_text();
    let n = w
        .conn()
        .prepare_cached(
            "UPDATE voice_clones SET import_status = ?2, updated_at = ?3 WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, status, now])?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "voice clone", id: id.into() });
    }
    let row = get_clone(w, id)?;
    outbox::enqueue(w, "update", "voice_clones", id, &row)?;
    Ok(row)
}
