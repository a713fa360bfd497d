//! Replication's side of the local database: the sync state, pulled rows applied as far as they
//! are valid, pending mutations re-applied on top, acknowledgements, conflicts and issues.
//!
//! The protocol (what to push, when to pull, what the backend answers) belongs to `ringdesk-sync`;
//! this module only keeps the local rows consistent while it runs. Every function takes the
//! caller's [`Write`], so a pulled page, its re-applied local changes and its cursor land in one
//! SQLite transaction: a crash in the middle of applying leaves the previous page's state.

use std::collections::BTreeSet;

use ringdesk_core::phone::{PhoneNumber, Region};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params, params_from_iter};
use serde_json::{Map, Value as Json};

use crate::connection::{Reads, Write};
use crate::leads::{self, Lead};
use crate::{Result, time};

/// A table the backend replicates, by its local name. The order is the backend's rank in the
/// pull stream (parents before children).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Leads,
    LeadLists,
    LeadListMembers,
    CallLogs,
    CallDispositions,
    FollowUpStates,
    CallRecordings,
    SmsMessages,
    DialerCampaigns,
    DialerCampaignCalls,
    SignalwireAgents,
    VoiceClones,
}

impl Table {
    pub const ALL: [Table; 12] = [
        Table::Leads,
        Table::LeadLists,
        Table::LeadListMembers,
        Table::CallLogs,
        Table::CallDispositions,
        Table::FollowUpStates,
        Table::CallRecordings,
        Table::SmsMessages,
        Table::DialerCampaigns,
        Table::DialerCampaignCalls,
        Table::SignalwireAgents,
        Table::VoiceClones,
    ];

    /// The local table's name (also the `table` of its outbox mutations).
    pub fn local(self) -> &'static str {
        match self {
            Table::Leads => "leads",
            Table::LeadLists => "lead_lists",
            Table::LeadListMembers => "lead_list_members",
            Table::CallLogs => "call_logs",
            Table::CallDispositions => "call_dispositions",
            Table::FollowUpStates => "follow_up_states",
            Table::CallRecordings => "call_recordings",
            Table::SmsMessages => "sms_messages",
            Table::DialerCampaigns => "dialer_campaigns",
            Table::DialerCampaignCalls => "dialer_campaign_calls",
            Table::SignalwireAgents => "signalwire_agents",
            Table::VoiceClones => "voice_clones",
        }
    }

    /// The backend's name of the table.
    pub fn backend(self) -> &'static str {
        match self {
            Table::Leads => "crm_leads",
            Table::LeadLists => "crm_lead_lists",
            Table::LeadListMembers => "crm_lead_list_members",
            other => other.local(),
        }
    }

    /// The table by its rank in the backend's pull stream (1-based).
    pub fn from_rank(rank: i64) -> Option<Table> {
        usize::try_from(rank).ok().and_then(|r| r.checked_sub(1)).and_then(|i| Table::ALL.get(i).copied())
    }

    /// The table by its local name.
    pub fn from_local(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.local() == name)
    }

    /// The table by its backend name.
    pub fn from_backend(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.backend() == name)
    }

    /// The column naming a row of this table in the backend's stream (and in tombstones).
    fn key(self) -> &'static str {
        match self {
            Table::FollowUpStates => "call_disposition_id",
            _ => "id",
        }
    }

    /// Whether the local table keeps a `deleted_at` tombstone (else deleted rows are removed).
    fn soft_deletes(self) -> bool {
        matches!(
            self,
            Table::Leads
                | Table::LeadLists
                | Table::LeadListMembers
                | Table::CallLogs
                | Table::DialerCampaigns
                | Table::SignalwireAgents
                | Table::VoiceClones
        )
    }
}

/// One item of a pulled page.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A row as the backend has it (JSON object, backend column names).
    Row { table: Table, row: Map<String, Json> },
    /// The agent may no longer see this row (a lead reassigned away).
    Revoke { table: Table, row_id: String },
    /// The row was deleted on the backend.
    Tombstone { table: Table, row_id: String },
    /// A conflict the backend recorded for this agent (or its resolution).
    Conflict(Conflict),
}

/// A conflict between the agent's change and the backend's value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Conflict {
    pub id: String,
    pub table_name: String,
    pub row_id: String,
    pub field: String,
    pub your_value: Option<String>,
    pub server_value: Option<String>,
    pub created_at: String,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
}

/// Something replication could not take as it was.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Issue {
    pub id: i64,
    /// `bad_row` (a backend row stored as far as valid, or skipped) or `rejected` (a local change
    /// the backend refused).
    pub kind: String,
    pub table_name: String,
    pub row_id: String,
    pub message: String,
    pub created_at: String,
}

/// What applying one page did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    pub rows: u64,
    pub removed: u64,
    pub conflicts: u64,
    pub issues: u64,
    /// Rows whose pending local changes were re-applied on top of the backend's version.
    pub rebased: u64,
}

// ------------------------------------------------------------------------------------------------
// Sync state.

/// A value of the sync state (`client_id`, `cursor`, `epoch`, `mutation_base`, ...).
/// The sync state's key for this desktop's agent (their backend id, as `sync.whoami` says).
pub const AGENT: &str = "agent";
/// The sync state's key for the agents this desktop's agent manages (a JSON array of ids).
pub const MANAGES: &str = "manages";

pub fn state(r: &impl Reads, key: &str) -> Result<Option<String>> {
    Ok(r.conn()
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?)
}

pub fn set_state(w: &mut Write<'_>, key: &str, value: &str) -> Result<()> {
    let now = w.now_text();
    w.conn()
        .prepare_cached(
            "INSERT INTO sync_state (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )?
        .execute(params![key, value, now])?;
    Ok(())
}

pub fn clear_state(w: &mut Write<'_>, key: &str) -> Result<()> {
    w.conn().prepare_cached("DELETE FROM sync_state WHERE key = ?1")?.execute([key])?;
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// Outbox acknowledgements.

/// The backend applied every mutation up to `local_id`: they leave the outbox.
pub fn ack_through(w: &mut Write<'_>, local_id: i64) -> Result<u64> {
    let n = w
        .conn()
        .prepare_cached("DELETE FROM sync_outbox WHERE mutation_id <= ?1 AND state = 'pending'")?
        .execute([local_id])?;
    Ok(n as u64)
}

/// The backend refused a mutation (its id is consumed): it stays in the outbox as rejected, out
/// of the queue, and is reported.
pub fn reject(w: &mut Write<'_>, local_id: i64, reason: &str) -> Result<()> {
    let row: Option<(String, String)> = w
        .conn()
        .prepare_cached(
            "UPDATE sync_outbox SET state = 'rejected', last_error = ?2, attempts = attempts + 1
             WHERE mutation_id = ?1 RETURNING table_name, row_id",
        )?
        .query_row(params![local_id, reason], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((table, row_id)) = row {
        add_issue(w, "rejected", &table, &row_id, reason)?;
    }
    Ok(())
}

/// Counts a failed push attempt against the pending mutations (shown as "retrying").
pub fn note_attempt(w: &mut Write<'_>, through: i64, error: &str) -> Result<()> {
    w.conn()
        .prepare_cached(
            "UPDATE sync_outbox SET attempts = attempts + 1, last_error = ?2 WHERE state = 'pending' AND mutation_id <= ?1",
        )?
        .execute(params![through, error])?;
    Ok(())
}

/// The lowest pending mutation id (None when the queue is empty).
pub fn first_pending(r: &impl Reads) -> Result<Option<i64>> {
    Ok(r.conn().query_row("SELECT min(mutation_id) FROM sync_outbox WHERE state = 'pending'", [], |r| r.get(0))?)
}

// ------------------------------------------------------------------------------------------------
// Issues and conflicts.

fn add_issue(w: &mut Write<'_>, kind: &str, table: &str, row_id: &str, message: &str) -> Result<()> {
    let now = w.now_text();
    w.conn()
        .prepare_cached(
            "INSERT INTO sync_issues (kind, table_name, row_id, message, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![kind, table, row_id, message, now])?;
    Ok(())
}

/// The newest issues first.
pub fn issues(r: &impl Reads, limit: u32) -> Result<Vec<Issue>> {
    let mut stmt = r.conn().prepare_cached(
        "SELECT id, kind, table_name, row_id, message, created_at FROM sync_issues ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(Issue {
            id: r.get(0)?,
            kind: r.get(1)?,
            table_name: r.get(2)?,
            row_id: r.get(3)?,
            message: r.get(4)?,
            created_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn issue_count(r: &impl Reads) -> Result<i64> {
    Ok(r.conn().query_row("SELECT count(*) FROM sync_issues", [], |r| r.get(0))?)
}

/// Forgets the issues shown so far.
pub fn clear_issues(w: &mut Write<'_>) -> Result<()> {
    w.conn().execute("DELETE FROM sync_issues", [])?;
    Ok(())
}

const CONFLICT_COLUMNS: &str =
    "id, table_name, row_id, field, your_value, server_value, created_at, resolved_at, resolution";

fn conflict_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Conflict> {
    Ok(Conflict {
        id: r.get(0)?,
        table_name: r.get(1)?,
        row_id: r.get(2)?,
        field: r.get(3)?,
        your_value: r.get(4)?,
        server_value: r.get(5)?,
        created_at: r.get(6)?,
        resolved_at: r.get(7)?,
        resolution: r.get(8)?,
    })
}

/// Conflicts the agent has not resolved yet, oldest first.
pub fn open_conflicts(r: &impl Reads) -> Result<Vec<Conflict>> {
    let mut stmt = r.conn().prepare_cached(&format!(
        "SELECT {CONFLICT_COLUMNS} FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY created_at, id"
    ))?;
    Ok(stmt.query_map([], conflict_row)?.collect::<rusqlite::Result<_>>()?)
}

pub fn conflict(r: &impl Reads, id: &str) -> Result<Conflict> {
    r.conn()
        .prepare_cached(&format!("SELECT {CONFLICT_COLUMNS} FROM sync_conflicts WHERE id = ?1"))?
        .query_row([id], conflict_row)
        .optional()?
        .ok_or_else(|| crate::StoreError::NotFound { what: "conflict", id: id.into() })
}

/// Marks a conflict resolved (`keep_server` or `use_mine`); the resolution syncs.
pub fn resolve_conflict(w: &mut Write<'_>, id: &str, resolution: &str) -> Result<()> {
    let now = w.now_text();
    let n = w
        .conn()
        .prepare_cached(
            "UPDATE sync_conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1 AND resolved_at IS NULL",
        )?
        .execute(params![id, now, resolution])?;
    if n == 0 {
        return Err(crate::StoreError::NotFound { what: "open conflict", id: id.into() });
    }
    crate::outbox::enqueue(
        w,
        "resolve",
        "sync_conflicts",
        id,
        &serde_json::json!({"id": id, "resolution": resolution}),
    )?;
    Ok(())
}

fn put_conflict(w: &mut Write<'_>, c: &Conflict) -> Result<()> {
    w.conn()
        .prepare_cached(&format!(
            "INSERT INTO sync_conflicts ({CONFLICT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(id) DO UPDATE SET server_value = excluded.server_value,
               resolved_at = coalesce(sync_conflicts.resolved_at, excluded.resolved_at),
               resolution = coalesce(sync_conflicts.resolution, excluded.resolution)"
        ))?
        .execute(params![
            c.id,
            c.table_name,
            c.row_id,
            c.field,
            c.your_value,
            c.server_value,
            c.created_at,
            c.resolved_at,
            c.resolution
        ])?;
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// Applying a pulled page.

/// How a backend column becomes a local one.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Optional text, cut at this many characters.
    Text(usize),
    /// Required text: a missing value takes the fallback (reported), none means skip the row.
    Required(usize, Option<&'static str>),
    /// Optional timestamp.
    Ts,
    /// Required timestamp: a missing value takes the row's `created_at`, else now (reported).
    RequiredTs,
    Int,
    /// A whole number, this default when missing or not one (reported).
    IntOr(i64),
    /// A true/false flag stored as 0/1; missing is false.
    Bool,
    /// A JSON object kept as its text; missing is `{}`.
    Object,
    /// One of these values; anything else becomes the default (reported), none means NULL.
    OneOf(&'static [&'static str], Option<&'static str>),
    /// A reference to another local table's id that may be NULL (dropped when unknown here).
    Ref(&'static str),
    /// A reference that must exist here, else the row is skipped (reported).
    RefRequired(&'static str),
}

const SHORT: usize = 500;
const LONG: usize = 20_000;

/// `(local column, backend column, kind)` per table; `id`, `created_at`, `updated_at` and
/// `deleted_at` are handled for every table.
fn columns(table: Table) -> &'static [(&'static str, &'static str, Kind)] {
    use Kind::*;
    match table {
        Table::Leads => &[],
        Table::LeadLists => &[
            ("user_id", "user_id", Text(SHORT)),
            ("name", "name", Required(SHORT, None)),
            ("description", "description", Text(LONG)),
        ],
        Table::LeadListMembers => &[
            ("list_id", "list_id", RefRequired("lead_lists")),
            ("lead_id", "lead_id", RefRequired("leads")),
            ("added_at", "added_at", RequiredTs),
        ],
        Table::CallLogs => &[
            ("user_id", "user_id", Text(SHORT)),
            ("lead_id", "lead_id", Ref("leads")),
            ("route", "route", OneOf(&["softphone", "bridge"], Some("softphone"))),
            ("contact_number", "contact_number", Required(SHORT, Some("unknown"))),
            ("from_number", "from_number", Text(SHORT)),
            ("provider_call_sid", "provider_call_sid", Text(SHORT)),
            ("direction", "direction", OneOf(&["inbound", "outbound"], Some("outbound"))),
            ("status", "status", Text(SHORT)),
            ("started_at", "started_at", RequiredTs),
            ("answered_at", "answered_at", Ts),
            ("ended_at", "ended_at", Ts),
            ("duration_seconds", "duration_seconds", Int),
            ("end_reason", "end_reason", Text(SHORT)),
            ("disposition", "disposition", Text(SHORT)),
            ("recording_url", "recording_url", Text(LONG)),
        ],
        Table::CallDispositions => &[
            ("call_log_id", "call_log_id", RefRequired("call_logs")),
            ("disposition_type", "disposition_type", Required(SHORT, Some("unknown"))),
            ("notes", "notes", Text(LONG)),
            (
                "next_action",
                "next_action",
                OneOf(&["call_back", "send_email", "send_sms", "schedule_meeting", "mark_dead"], None),
            ),
            ("follow_up_date", "follow_up_date", Ts),
            ("created_by", "created_by", Text(SHORT)),
        ],
        Table::FollowUpStates => &[
            ("status", "status", OneOf(&["open", "done", "snoozed", "cancelled"], Some("open"))),
            ("due_at", "due_at", RequiredTs),
            ("snoozed_until", "snoozed_until", Ts),
            ("completed_at", "completed_at", Ts),
        ],
        Table::CallRecordings => &[
            ("call_log_id", "call_log_id", RefRequired("call_logs")),
            ("provider_recording_sid", "provider_recording_sid", Text(SHORT)),
            ("recording_url", "recording_url", Required(LONG, None)),
            ("duration_seconds", "duration_seconds", Int),
            ("transcription_text", "transcription_text", Text(LONG)),
            ("transcription_url", "transcription_url", Text(LONG)),
        ],
        Table::SmsMessages => &[
            ("user_id", "user_id", Text(SHORT)),
            ("lead_id", "lead_id", Ref("leads")),
            ("contact_number", "contact_number", Required(SHORT, None)),
            ("from_number", "from_number", Required(SHORT, None)),
            ("our_number", "our_number", Text(SHORT)),
            ("direction", "direction", OneOf(&["inbound", "outbound"], None)),
            ("message_body", "message_body", Required(LONG, Some(""))),
            ("provider_message_sid", "provider_message_sid", Text(SHORT)),
            ("status", "status", Text(SHORT)),
            ("error_code", "error_code", Int),
            ("error_message", "error_message", Text(LONG)),
            ("sent_at", "sent_at", Ts),
            ("read_at", "read_at", Ts),
        ],
        Table::DialerCampaigns => &[
            ("user_id", "user_id", Text(SHORT)),
            ("name", "name", Required(SHORT, None)),
            ("list_id", "list_id", RefRequired("lead_lists")),
            ("status", "status", OneOf(&["draft", "active", "paused", "completed"], Some("draft"))),
            ("dial_mode", "dial_mode", OneOf(&["preview", "progressive", "predictive"], Some("preview"))),
            ("from_number", "from_number", Text(SHORT)),
            ("max_attempts", "max_attempts", IntOr(3)),
            ("started_at", "started_at", Ts),
            ("completed_at", "completed_at", Ts),
            ("timezone", "timezone", Text(64)),
            ("window_start", "window_start", Required(16, Some("08:00"))),
            ("window_end", "window_end", Required(16, Some("21:00"))),
            ("excluded_days", "excluded_days", Required(64, Some(""))),
            (
                "lead_order",
                "lead_order",
                OneOf(&["list", "oldest_contact", "highest_value", "best_hour"], Some("list")),
            ),
            ("countdown_seconds", "countdown_seconds", IntOr(5)),
            ("retry_rules", "retry_rules", Object),
            ("local_presence", "local_presence", Bool),
        ],
        Table::DialerCampaignCalls => &[
            ("campaign_id", "campaign_id", RefRequired("dialer_campaigns")),
            ("lead_id", "lead_id", RefRequired("leads")),
            ("call_log_id", "call_log_id", Ref("call_logs")),
            ("attempt_number", "attempt_number", IntOr(1)),
            ("status", "status", OneOf(&["pending", "called", "skipped"], Some("pending"))),
            ("next_retry_at", "next_retry_at", Ts),
            ("agent_id", "agent_id", Text(SHORT)),
            ("outcome", "outcome", Text(SHORT)),
            ("from_number", "from_number", Text(SHORT)),
        ],
        Table::SignalwireAgents => &[
            ("agent_name", "agent_name", Required(SHORT, Some("AI agent"))),
            ("assigned_number", "assigned_number", Text(SHORT)),
            ("prompt", "prompt", Text(LONG)),
            ("status", "status", Required(SHORT, Some("active"))),
            ("provider_agent_id", "provider_agent_id", Text(SHORT)),
        ],
        Table::VoiceClones => &[
            ("user_id", "user_id", Text(SHORT)),
            ("name", "name", Required(SHORT, None)),
            ("sample_audio_url", "sample_audio_url", Text(LONG)),
            ("playht_voice_id", "playht_voice_id", Text(SHORT)),
            ("status", "status", Required(SHORT, Some("ready"))),
            (
                "import_status",
                "import_status",
                OneOf(&["not_requested", "requested", "imported", "rejected"], Some("not_requested")),
            ),
        ],
    }
}

/// Why a backend row could not be stored at all.
struct Skip(String);

/// Reads one backend row into local values, collecting what had to be changed.
struct Reader<'a> {
    row: &'a Map<String, Json>,
    notes: Vec<String>,
    now: String,
}

impl<'a> Reader<'a> {
    fn text(&mut self, col: &str, max: usize) -> Option<String> {
        let v = match self.row.get(col) {
            None | Some(Json::Null) => return None,
            Some(Json::String(s)) => s.clone(),
            Some(other @ (Json::Number(_) | Json::Bool(_))) => other.to_string(),
            Some(_) => {
                self.notes.push(format!("{col} is not text"));
                return None;
            }
        };
        if v.chars().count() > max {
            self.notes.push(format!("{col} was {} characters long and was cut to {max}", v.chars().count()));
            return Some(v.chars().take(max).collect());
        }
        Some(v)
    }

    fn ts(&mut self, col: &str) -> Option<String> {
        let raw = self.text(col, 64)?;
        match time::parse_ts(&raw) {
            Some(t) => Some(time::format_ts(t)),
            None => {
                self.notes.push(format!("{col} {raw:?} is not a timestamp"));
                None
            }
        }
    }

    fn int(&mut self, col: &str) -> Option<i64> {
        match self.row.get(col) {
            None | Some(Json::Null) => None,
            Some(Json::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(other) => {
                self.notes.push(format!("{col} {other} is not a whole number"));
                None
            }
        }
    }

    fn real(&mut self, col: &str) -> Option<f64> {
        match self.row.get(col) {
            None | Some(Json::Null) => None,
            Some(Json::Number(n)) => n.as_f64().filter(|f| f.is_finite()),
            Some(Json::String(s)) => match s.parse::<f64>() {
                Ok(f) if f.is_finite() => Some(f),
                _ => {
                    self.notes.push(format!("{col} {s:?} is not a number"));
                    None
                }
            },
            Some(other) => {
                self.notes.push(format!("{col} {other} is not a number"));
                None
            }
        }
    }

    fn id(&mut self, col: &str) -> std::result::Result<String, Skip> {
        match self.row.get(col).and_then(Json::as_str).and_then(|s| uuid::Uuid::parse_str(s).ok()) {
            Some(u) => Ok(u.hyphenated().to_string()),
            None => Err(Skip(format!("its {col} is missing or not a UUID"))),
        }
    }
}

fn exists(w: &Write<'_>, table: &str, id: &str) -> Result<bool> {
    Ok(w.conn()
        .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Reads the columns of a generic table; `Err(Skip)` when the row cannot be stored.
fn read_generic(
    w: &Write<'_>,
    table: Table,
    rd: &mut Reader<'_>,
) -> Result<std::result::Result<Vec<(&'static str, Value)>, Skip>> {
    let mut out: Vec<(&'static str, Value)> = Vec::new();
    let created = rd.ts("created_at");
    for &(local, remote, kind) in columns(table) {
        let v = match kind {
            Kind::Text(max) => rd.text(remote, max).map(Value::Text),
            Kind::Required(max, fallback) => match rd.text(remote, max) {
                Some(s) => Some(Value::Text(s)),
                None => match fallback {
                    Some(f) => {
                        rd.notes.push(format!("{remote} was missing (stored as {f:?})"));
                        Some(Value::Text(f.to_string()))
                    }
                    None => return Ok(Err(Skip(format!("its {remote} is missing")))),
                },
            },
            Kind::Ts => rd.ts(remote).map(Value::Text),
            Kind::RequiredTs => Some(Value::Text(rd.ts(remote).or_else(|| created.clone()).unwrap_or_else(|| {
                rd.notes.push(format!("{remote} was missing (stored as now)"));
                rd.now.clone()
            }))),
            Kind::Int => rd.int(remote).map(Value::Integer),
            Kind::IntOr(default) => Some(Value::Integer(rd.int(remote).unwrap_or(default))),
            Kind::Bool => Some(Value::Integer(match rd.row.get(remote) {
                None | Some(Json::Null) => 0,
                Some(Json::Bool(b)) => i64::from(*b),
                Some(other) => {
                    rd.notes.push(format!("{remote} {other} is not true or false (stored as false)"));
                    0
                }
            })),
            Kind::Object => Some(Value::Text(match rd.row.get(remote) {
                None | Some(Json::Null) => "{}".to_string(),
                Some(o @ Json::Object(_)) => o.to_string(),
                Some(other) => {
                    rd.notes.push(format!("{remote} {other} is not a JSON object (stored as {{}})"));
                    "{}".to_string()
                }
            })),
            Kind::OneOf(allowed, default) => match rd.text(remote, SHORT) {
                Some(s) if allowed.contains(&s.as_str()) => Some(Value::Text(s)),
                Some(s) => match default {
                    Some(d) => {
                        rd.notes.push(format!("{remote} {s:?} is not one of {allowed:?} (stored as {d:?})"));
                        Some(Value::Text(d.to_string()))
                    }
                    None if kind_nullable(table, local) => {
                        rd.notes.push(format!("{remote} {s:?} is not one of {allowed:?} (left empty)"));
                        None
                    }
                    None => return Ok(Err(Skip(format!("its {remote} {s:?} is not one of {allowed:?}")))),
                },
                None => match default {
                    Some(d) => Some(Value::Text(d.to_string())),
                    None if kind_nullable(table, local) => None,
                    None => return Ok(Err(Skip(format!("its {remote} is missing")))),
                },
            },
            Kind::Ref(target) => match rd.row.get(remote).and_then(Json::as_str) {
                Some(id) if exists(w, target, id)? => Some(Value::Text(id.to_string())),
                Some(_) | None => None,
            },
            Kind::RefRequired(target) => match rd.row.get(remote).and_then(Json::as_str) {
                Some(id) if exists(w, target, id)? => Some(Value::Text(id.to_string())),
                Some(id) => return Ok(Err(Skip(format!("its {remote} {id} is not on this desktop")))),
                None => return Ok(Err(Skip(format!("its {remote} is missing")))),
            },
        };
        out.push((local, v.unwrap_or(Value::Null)));
    }
    let has_created = !matches!(table, Table::LeadListMembers | Table::FollowUpStates);
    if has_created {
        out.push(("created_at", Value::Text(created.unwrap_or_else(|| rd.now.clone()))));
    }
    if !matches!(table, Table::CallDispositions | Table::CallRecordings | Table::LeadListMembers) {
        out.push(("updated_at", Value::Text(rd.ts("updated_at").unwrap_or_else(|| rd.now.clone()))));
    }
    if table.soft_deletes() {
        out.push(("deleted_at", rd.ts("deleted_at").map(Value::Text).unwrap_or(Value::Null)));
    }
    Ok(Ok(out))
}

fn kind_nullable(table: Table, local: &str) -> bool {
    !(table == Table::SmsMessages && local == "direction")
}

/// What one page (or the end of a pull) is applying: its settings and running totals.
struct Pass<'a> {
    region: Region,
    resync: bool,
    /// Whether `sync_waiting` may hold rows (so a stored row may release children).
    waiting: bool,
    out: &'a mut Applied,
    touched: &'a mut BTreeSet<(Table, String)>,
}

/// Applies one pulled page with its cursor. A row whose parent is not here yet (its transaction
/// committed before the parent's last change) waits in `sync_waiting` and is stored as soon as the
/// parent arrives; [`finish_pull`] settles what still waits when the pull is caught up.
pub fn apply_page(
    w: &mut Write<'_>,
    items: &[Incoming],
    cursor: &str,
    region: Region,
    resync: bool,
) -> Result<Applied> {
    let mut out = Applied::default();
    let mut touched: BTreeSet<(Table, String)> = BTreeSet::new();
    let waiting = has_waiting(w)?;
    let mut pass = Pass { region, resync, waiting, out: &mut out, touched: &mut touched };
    for item in items {
        match item {
            Incoming::Row { table, row } => {
                if let Some(id) = store_row(w, *table, row, &mut pass, true)? {
                    release(w, *table, id, &mut pass)?;
                }
            }
            Incoming::Revoke { table, row_id } | Incoming::Tombstone { table, row_id } => {
                pass.out.removed += remove(w, *table, row_id)?;
                if pass.waiting {
                    drop_waiting(w, *table, row_id)?;
                }
            }
            Incoming::Conflict(c) => {
                put_conflict(w, c)?;
                if c.resolved_at.is_none() {
                    pass.out.conflicts += 1;
                }
            }
        }
    }
    rebase_touched(w, &touched, &mut out)?;
    set_state(w, "cursor", cursor)?;
    Ok(out)
}

/// The pull is caught up: every row still waiting for a parent will not get it (the parent is
/// not visible to this agent, or gone). Each is stored as far as it can be, an optional link left
/// empty, a row that cannot be without its parent skipped, and reported as a sync issue. Runs in
/// the transaction of the pull's last page, before [`finish_resync`].
pub fn finish_pull(w: &mut Write<'_>, region: Region, resync: bool) -> Result<Applied> {
    let mut out = Applied::default();
    let mut touched: BTreeSet<(Table, String)> = BTreeSet::new();
    let rows: Vec<(String, String)> = {
        let mut stmt = w.conn().prepare("SELECT table_name, row_json FROM sync_waiting ORDER BY table_name, row_id")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
    };
    if rows.is_empty() {
        return Ok(out);
    }
    w.conn().execute("DELETE FROM sync_waiting", [])?;
    let mut pass = Pass { region, resync, waiting: false, out: &mut out, touched: &mut touched };
    // Parents before children, so a row released by one stored here still finds it.
    let mut rows: Vec<(Table, Map<String, Json>)> = rows
        .into_iter()
        .filter_map(|(t, json)| Some((Table::from_local(&t)?, serde_json::from_str(&json).ok()?)))
        .collect();
    rows.sort_by_key(|(t, _)| *t);
    for (table, row) in &rows {
        store_row(w, *table, row, &mut pass, false)?;
    }
    rebase_touched(w, &touched, &mut out)?;
    Ok(out)
}

/// Stores one pulled row; `Some(id)` when it was stored (so rows waiting for it can follow).
/// With `wait`, a row whose parent is not here waits for it instead.
fn store_row(
    w: &mut Write<'_>,
    table: Table,
    row: &Map<String, Json>,
    pass: &mut Pass<'_>,
    wait: bool,
) -> Result<Option<String>> {
    let now = w.now_text();
    let mut rd = Reader { row, notes: Vec::new(), now };
    let id = match rd.id(table.key()) {
        Ok(id) => id,
        Err(Skip(why)) => {
            add_issue(w, "bad_row", table.local(), "?", &format!("a backend row was skipped: {why}"))?;
            pass.out.issues += 1;
            return Ok(None);
        }
    };
    let deleted = row.get("deleted_at").is_some_and(|v| !v.is_null());
    if deleted && !table.soft_deletes() {
        pass.out.removed += remove(w, table, &id)?;
        if pass.waiting {
            drop_waiting(w, table, &id)?;
        }
        return Ok(None);
    }
    let missing = missing_parents(w, table, row)?;
    if wait && let Some(first) = missing.first() {
        w.conn()
            .prepare_cached(
                "INSERT OR REPLACE INTO sync_waiting (table_name, row_id, row_json, parent_table, parent_id)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![table.local(), id, serde_json::to_string(row)?, first.target, first.id])?;
        pass.waiting = true;
        return Ok(None);
    }
    if pass.waiting {
        // A newer version of a row that was waiting: it replaces the waiting one.
        drop_waiting(w, table, &id)?;
    }
    if let Some(gone) = missing.iter().find(|m| m.required) {
        add_issue(
            w,
            "bad_row",
            table.local(),
            &id,
            &format!(
                "a backend row was skipped: its {} {} is not on this desktop (not visible to you, or deleted)",
                gone.column, gone.id
            ),
        )?;
        pass.out.issues += 1;
        return Ok(None);
    }
    for m in &missing {
        rd.notes.push(format!(
            "its {} {} is not on this desktop (not visible to you, or deleted), so it was stored without it",
            m.column, m.id
        ));
    }
    if table == Table::Leads {
        put_lead(w, &id, &mut rd, pass.region)?;
    } else {
        put_generic(w, table, &id, &mut rd)?;
    }
    if !rd.notes.is_empty() {
        add_issue(w, "bad_row", table.local(), &id, &format!("stored as far as valid: {}", rd.notes.join("; ")))?;
        pass.out.issues += 1;
    }
    if pass.resync {
        mark_seen(w, table, &id)?;
    }
    pass.touched.insert((table, id.clone()));
    pass.out.rows += 1;
    Ok(Some(id))
}

/// Stores the rows that waited for `(table, id)`, and in turn those that waited for them.
fn release(w: &mut Write<'_>, table: Table, id: String, pass: &mut Pass<'_>) -> Result<()> {
    if !pass.waiting {
        return Ok(());
    }
    let mut parents = vec![(table, id)];
    while let Some((table, id)) = parents.pop() {
        let children: Vec<(String, String)> = {
            let mut stmt = w.conn().prepare_cached(
                "DELETE FROM sync_waiting WHERE parent_table = ?1 AND parent_id = ?2 RETURNING table_name, row_json",
            )?;
            stmt.query_map(params![table.local(), id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        for (child_table, json) in children {
            let (Some(child_table), Ok(row)) =
                (Table::from_local(&child_table), serde_json::from_str::<Map<String, Json>>(&json))
            else {
                continue;
            };
            if let Some(child_id) = store_row(w, child_table, &row, pass, true)? {
                parents.push((child_table, child_id));
            }
        }
    }
    Ok(())
}

/// Whether pulled rows wait for a parent (the pull must settle them when it is caught up).
pub fn has_waiting(r: &impl Reads) -> Result<bool> {
    Ok(r.conn().prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_waiting)")?.query_row([], |r| r.get(0))?)
}

fn drop_waiting(w: &mut Write<'_>, table: Table, id: &str) -> Result<()> {
    w.conn()
        .prepare_cached("DELETE FROM sync_waiting WHERE table_name = ?1 AND row_id = ?2")?
        .execute(params![table.local(), id])?;
    Ok(())
}

/// A parent a pulled row names that is not on this desktop.
struct MissingParent {
    column: &'static str,
    target: &'static str,
    id: String,
    /// The row cannot be stored without it (else the link is left empty).
    required: bool,
}

fn missing_parents(w: &Write<'_>, table: Table, row: &Map<String, Json>) -> Result<Vec<MissingParent>> {
    let mut out = Vec::new();
    let refs = columns(table).iter().filter_map(|&(_, remote, kind)| match kind {
        Kind::Ref(target) => Some((remote, target, false)),
        Kind::RefRequired(target) => Some((remote, target, true)),
        _ => None,
    });
    // A follow-up's state is keyed by its disposition.
    let key_parent = (table == Table::FollowUpStates).then_some(("call_disposition_id", "call_dispositions", true));
    for (column, target, required) in key_parent.into_iter().chain(refs) {
        let Some(id) = row.get(column).and_then(Json::as_str).and_then(|s| uuid::Uuid::parse_str(s).ok()) else {
            continue;
        };
        let id = id.hyphenated().to_string();
        if !exists(w, target, &id)? {
            out.push(MissingParent { column, target, id, required });
        }
    }
    Ok(out)
}

/// Re-applies pending local mutations on top of the rows a pass stored.
fn rebase_touched(w: &mut Write<'_>, touched: &BTreeSet<(Table, String)>, out: &mut Applied) -> Result<()> {
    // Only rows with pending local mutations need them re-applied; one query finds which.
    let pending: std::collections::HashSet<(String, String)> = {
        let mut stmt = w.conn().prepare_cached("SELECT table_name, row_id FROM sync_outbox WHERE state = 'pending'")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
    };
    if !pending.is_empty() {
        for (table, id) in touched {
            if pending.contains(&(table.local().to_string(), id.clone())) && rebase(w, *table, id)? {
                out.rebased += 1;
            }
        }
    }
    Ok(())
}

fn put_generic(w: &mut Write<'_>, table: Table, id: &str, rd: &mut Reader<'_>) -> Result<()> {
    let values = match read_generic(w, table, rd)? {
        Ok(v) => v,
        Err(Skip(why)) => {
            rd.notes.clear();
            add_issue(w, "bad_row", table.local(), id, &format!("a backend row was skipped: {why}"))?;
            return Ok(());
        }
    };
    let key_col = if table == Table::LeadListMembers { "id" } else { table.key() };
    let mut cols: Vec<&str> = vec![key_col];
    let mut args: Vec<Value> = vec![Value::Text(id.to_string())];
    for (c, v) in values {
        cols.push(c);
        args.push(v);
    }
    let placeholders = vec!["?"; cols.len()].join(", ");
    let (target, skip) = match table {
        Table::LeadListMembers => ("list_id, lead_id", vec!["list_id", "lead_id"]),
        _ => (key_col, vec![key_col]),
    };
    let updates: Vec<String> =
        cols.iter().filter(|c| !skip.contains(c)).map(|c| format!("{c} = excluded.{c}")).collect();
    // Rows that are the same thing under another id here (an inbound text stored by two
    // desktops; an AI agent pulled by two desktops) give way to the backend's row.
    match table {
        Table::SmsMessages => {
            if let Some(Value::Text(sid)) = cols.iter().position(|c| *c == "provider_message_sid").map(|i| &args[i]) {
                w.conn()
                    .prepare_cached("DELETE FROM sms_messages WHERE provider_message_sid = ?1 AND id <> ?2")?
                    .execute(params![sid, id])?;
            }
        }
        Table::SignalwireAgents => {
            if let Some(Value::Text(pid)) = cols.iter().position(|c| *c == "provider_agent_id").map(|i| &args[i]) {
                w.conn()
                    .prepare_cached("DELETE FROM signalwire_agents WHERE provider_agent_id = ?1 AND id <> ?2")?
                    .execute(params![pid, id])?;
            }
        }
        _ => {}
    }
    if table == Table::LeadListMembers
        && let Some(Value::Text(list)) = cols.iter().position(|c| *c == "list_id").map(|i| &args[i])
    {
        let list = list.clone();
        w.touch_list(&list);
    }
    let sql = format!(
        "INSERT INTO {t} ({c}) VALUES ({placeholders}) ON CONFLICT({target}) DO UPDATE SET {u}",
        t = table.local(),
        c = cols.join(", "),
        u = updates.join(", ")
    );
    let result = w.conn().prepare_cached(&sql)?.execute(params_from_iter(args.iter()));
    match result {
        Ok(_) => Ok(()),
        // A live list with the same name exists here: the backend's list keeps its name with a
        // suffix, so neither is lost.
        Err(rusqlite::Error::SqliteFailure(e, _))
            if table == Table::LeadLists && e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            let i = cols.iter().position(|c| *c == "name").unwrap_or(1);
            if let Value::Text(name) = &args[i] {
                let renamed = format!("{name} ({})", &id[..8]);
                rd.notes.push(format!("a list named {name:?} already exists here; stored as {renamed:?}"));
                args[i] = Value::Text(renamed);
            }
            w.conn().prepare_cached(&sql)?.execute(params_from_iter(args.iter()))?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

fn put_lead(w: &mut Write<'_>, id: &str, rd: &mut Reader<'_>, region: Region) -> Result<()> {
    // The status kept when the backend's is unusable: this desktop's, else "new".
    let kept_status = |w: &Write<'_>| leads::get(w, id).map(|l| l.status).unwrap_or_else(|_| "new".into());
    let name = match rd.text("name", SHORT) {
        Some(n) if !n.trim().is_empty() => n,
        _ => {
            rd.notes.push("name was missing (stored as \"(no name)\")".into());
            "(no name)".into()
        }
    };
    let phone = rd.text("phone", 64);
    let phone_e164 = match phone.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => match PhoneNumber::parse(p, region) {
            Ok(n) => Some(n.e164().to_string()),
            Err(e) => {
                rd.notes.push(format!("phone {p:?} is not a valid number ({e})"));
                None
            }
        },
        None => None,
    };
    let status = match rd.text("status", SHORT) {
        Some(s) if ringdesk_core::is_valid_status(&s) => s,
        Some(s) => {
            let kept = kept_status(w);
            rd.notes.push(format!("status {s:?} is not a status (kept {kept:?})"));
            kept
        }
        None => kept_status(w),
    };
    let now = rd.now.clone();
    let lead = Lead {
        id: id.to_string(),
        user_id: rd.text("user_id", SHORT),
        name,
        email: rd.text("email", SHORT),
        phone,
        phone_e164,
        company: rd.text("company", SHORT),
        position: rd.text("position", SHORT),
        status,
        value: rd.real("value"),
        source: rd.text("source", SHORT),
        notes: rd.text("notes", LONG),
        timezone: rd.text("timezone", 64),
        created_at: rd.ts("created_at").unwrap_or_else(|| now.clone()),
        updated_at: rd.ts("updated_at").unwrap_or(now),
        last_contact: rd.ts("last_contact"),
        deleted_at: rd.ts("deleted_at"),
    };
    leads::put_replica(w, &lead)?;
    leads::set_assignee(w, id, rd.text("assigned_to", SHORT).as_deref())
}

/// Removes a row the agent may no longer have (revoked, deleted on the backend); returns 1 when
/// something was removed.
fn remove(w: &mut Write<'_>, table: Table, id: &str) -> Result<u64> {
    let n = match table {
        Table::Leads => leads::remove_replica(w, id)?,
        Table::LeadListMembers => {
            let lists: Vec<String> = w
                .conn()
                .prepare_cached("DELETE FROM lead_list_members WHERE id = ?1 RETURNING list_id")?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for list in &lists {
                w.touch_list(list);
            }
            lists.len() as u64
        }
        other => w
            .conn()
            .prepare_cached(&format!("DELETE FROM {} WHERE {} = ?1", other.local(), other.key()))?
            .execute([id])? as u64,
    };
    Ok(n)
}

fn mark_seen(w: &mut Write<'_>, table: Table, id: &str) -> Result<()> {
    w.conn()
        .prepare_cached("INSERT OR IGNORE INTO sync_seen (table_name, row_id) VALUES (?1, ?2)")?
        .execute(params![table.local(), id])?;
    Ok(())
}

/// Local column names of the mutation arguments that name a different column.
fn local_column(table: Table, arg: &str) -> Option<&'static str> {
    if table == Table::SmsMessages && arg == "body" {
        return Some("message_body");
    }
    columns(table).iter().find(|(local, _, _)| *local == arg).map(|(local, _, _)| *local)
}

/// Re-applies the pending local mutations of one row on top of the backend's version; true when
/// there were any.
fn rebase(w: &mut Write<'_>, table: Table, id: &str) -> Result<bool> {
    if table == Table::LeadListMembers {
        // Memberships are queued under "list:lead" and only ever added: nothing to re-apply.
        return Ok(false);
    }
    let mut stmt = w.conn().prepare_cached(
        "SELECT op, args_json FROM sync_outbox WHERE state = 'pending' AND table_name = ?1 AND row_id = ?2 ORDER BY mutation_id",
    )?;
    let pending: Vec<(String, String)> =
        stmt.query_map(params![table.local(), id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    drop(stmt);
    if pending.is_empty() {
        return Ok(false);
    }
    for (op, args) in pending {
        let args: Json = serde_json::from_str(&args).unwrap_or(Json::Null);
        if op == "delete" {
            remove(w, table, id)?;
            continue;
        }
        let fields: Map<String, Json> = match args.get("set").and_then(Json::as_object) {
            Some(set) => set.clone(),
            None => args.as_object().cloned().unwrap_or_default(),
        };
        if table == Table::Leads {
            let Ok(lead) = leads::get(w, id) else { continue };
            let mut j = serde_json::to_value(&lead)?;
            if let Some(obj) = j.as_object_mut() {
                for (k, v) in fields {
                    // last_contact only moves forward, as on the backend.
                    if k == "last_contact" {
                        let cur = obj.get(&k).and_then(Json::as_str).map(str::to_string);
                        if let (Some(c), Some(n)) = (cur.as_deref(), v.as_str())
                            && c >= n
                        {
                            continue;
                        }
                    }
                    if !matches!(k.as_str(), "id" | "created_at" | "updated_at") && obj.contains_key(&k) {
                        obj.insert(k, v);
                    }
                }
            }
            let merged: Lead = serde_json::from_value(j)?;
            leads::put_replica(w, &merged)?;
            continue;
        }
        let mut sets = Vec::new();
        let mut vals: Vec<Value> = Vec::new();
        for (k, v) in fields {
            let Some(col) = local_column(table, &k) else { continue };
            if col == "id" || sets.iter().any(|s: &String| s.starts_with(&format!("{col} ="))) {
                continue;
            }
            sets.push(format!("{col} = ?"));
            vals.push(match v {
                Json::Null => Value::Null,
                Json::String(s) => Value::Text(s),
                Json::Number(n) => {
                    n.as_i64().map(Value::Integer).or(n.as_f64().map(Value::Real)).unwrap_or(Value::Null)
                }
                Json::Bool(b) => Value::Integer(b.into()),
                other => Value::Text(other.to_string()),
            });
        }
        if sets.is_empty() {
            continue;
        }
        vals.push(Value::Text(id.to_string()));
        w.conn().execute(
            &format!("UPDATE {} SET {} WHERE {} = ?", table.local(), sets.join(", "), table.key()),
            params_from_iter(vals.iter()),
        )?;
    }
    Ok(true)
}

// ------------------------------------------------------------------------------------------------
// Full resync.

/// Starts a full resync: the cursor goes back to the start and rows are tracked as seen.
pub fn begin_resync(w: &mut Write<'_>, epoch: &str) -> Result<()> {
    w.conn().execute("DELETE FROM sync_seen", [])?;
    set_state(w, "resync_epoch", epoch)?;
    clear_state(w, "cursor")?;
    Ok(())
}

/// Ends a full resync: local rows the backend no longer has are dropped, except rows with local
/// changes not pushed yet; returns how many were dropped.
pub fn finish_resync(w: &mut Write<'_>) -> Result<u64> {
    let mut dropped = 0;
    for table in Table::ALL.into_iter().rev() {
        let (key, row_key) = match table {
            Table::LeadListMembers => ("list_id || ':' || lead_id", "list_id || ':' || lead_id"),
            other => (other.key(), other.key()),
        };
        let gone: Vec<String> = {
            let mut stmt = w.conn().prepare(&format!(
                "SELECT {row_key} FROM {t} WHERE {seen_key} NOT IN (SELECT row_id FROM sync_seen WHERE table_name = ?1)
                   AND {key} NOT IN (SELECT row_id FROM sync_outbox WHERE state = 'pending' AND table_name = ?1)",
                t = table.local(),
                seen_key = if table == Table::LeadListMembers { "coalesce(id, '')" } else { table.key() },
            ))?;
            stmt.query_map([table.local()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        for id in gone {
            dropped += match table {
                Table::LeadListMembers => {
                    let (list, lead) = id.split_once(':').unwrap_or((&id, ""));
                    w.touch_list(list);
                    w.conn()
                        .prepare_cached("DELETE FROM lead_list_members WHERE list_id = ?1 AND lead_id = ?2")?
                        .execute([list, lead])? as u64
                }
                other => remove(w, other, &id)?,
            };
        }
    }
    w.conn().execute("DELETE FROM sync_seen", [])?;
    if let Some(epoch) = state(w, "resync_epoch")? {
        set_state(w, "epoch", &epoch)?;
    }
    clear_state(w, "resync_epoch")?;
    Ok(dropped)
}

/// Every live row of every replicated table, one line each with its links (`-` for an empty
/// one), sorted: what tests compare with the backend's view of the same agent.
#[cfg(feature = "fixtures")]
pub fn projection(r: &impl Reads) -> Result<Vec<String>> {
    const TABLES: &[&str] = &[
        "SELECT 'lead|' || id || '|' || name || '|' || status FROM leads WHERE deleted_at IS NULL",
        "SELECT 'list|' || id FROM lead_lists WHERE deleted_at IS NULL",
        "SELECT 'member|' || list_id || '|' || lead_id FROM lead_list_members WHERE deleted_at IS NULL",
        "SELECT 'call|' || id || '|' || coalesce(lead_id, '-') || '|' || coalesce(status, '-') FROM call_logs
          WHERE deleted_at IS NULL",
        "SELECT 'disposition|' || id || '|' || call_log_id || '|' || disposition_type FROM call_dispositions",
        "SELECT 'follow-up|' || call_disposition_id || '|' || status FROM follow_up_states",
        "SELECT 'recording|' || id || '|' || call_log_id FROM call_recordings",
        "SELECT 'text|' || id || '|' || coalesce(lead_id, '-') || '|' || message_body FROM sms_messages",
        "SELECT 'ai-agent|' || id || '|' || agent_name FROM signalwire_agents WHERE deleted_at IS NULL",
        "SELECT 'voice-clone|' || id || '|' || name FROM voice_clones WHERE deleted_at IS NULL",
    ];
    let mut out = Vec::new();
    for sql in TABLES {
        let mut stmt = r.conn().prepare(sql)?;
        for row in stmt.query_map([], |row| row.get::<_, String>(0))? {
            out.push(row?);
        }
    }
    out.sort();
    Ok(out)
}
