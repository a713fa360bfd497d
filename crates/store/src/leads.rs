//! Leads: the CRM's contacts, their search index and the import merge rule.
//!
//! Every write keeps three things in step inside the caller's transaction: the `leads` row, its
//! entry in the contentless FTS5 index `leads_fts` (name, company, email, phone digits), and an
//! outbox mutation. Inserts carry the whole row; updates carry the changed columns with their old
//! values, which the backend needs for its compare-and-set rule on `status`.

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, params, params_from_iter};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::connection::{Reads, Write};
use crate::{Result, StoreError, new_id, outbox};

/// A lead as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub id: String,
    pub user_id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub phone_e164: Option<String>,
    pub company: Option<String>,
    pub position: Option<String>,
    pub status: String,
    pub value: Option<f64>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub timezone: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub last_contact: Option<String>,
    pub deleted_at: Option<String>,
}

const LEAD_COLUMNS: &str = "id, user_id, name, email, phone, phone_e164, company, position, status, value, \
                            source, notes, timezone, created_at, updated_at, last_contact, deleted_at";

fn lead_from_row(row: &Row<'_>) -> rusqlite::Result<Lead> {
    Ok(Lead {
        id: row.get(0)?,
        user_id: row.get(1)?,
        name: row.get(2)?,
        email: row.get(3)?,
        phone: row.get(4)?,
        phone_e164: row.get(5)?,
        company: row.get(6)?,
        position: row.get(7)?,
        status: row.get(8)?,
        value: row.get(9)?,
        source: row.get(10)?,
        notes: row.get(11)?,
        timezone: row.get(12)?,
        created_at: row.get(13)?,
        updated_at: row.get(14)?,
        last_contact: row.get(15)?,
        deleted_at: row.get(16)?,
    })
}

/// The fields of a new lead. Empty strings should already be `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewLead {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub phone_e164: Option<String>,
    pub company: Option<String>,
    pub position: Option<String>,
    pub status: Option<String>,
    pub value: Option<f64>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub timezone: Option<String>,
}

/// Optional text columns a change can set or clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextColumn {
    Email,
    Company,
    Position,
    Source,
    Notes,
    Timezone,
}

impl TextColumn {
    fn column(self) -> &'static str {
        match self {
            TextColumn::Email => "email",
            TextColumn::Company => "company",
            TextColumn::Position => "position",
            TextColumn::Source => "source",
            TextColumn::Notes => "notes",
            TextColumn::Timezone => "timezone",
        }
    }
}

/// One field change of a lead.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Name(String),
    Status(String),
    Value(Option<f64>),
    /// The number as entered and its E.164 form (both `None` clears the phone).
    Phone {
        raw: Option<String>,
        e164: Option<String>,
    },
    Text(TextColumn, Option<String>),
}

impl Change {
    fn columns(&self) -> Vec<(&'static str, Value)> {
        let text = |v: &Option<String>| v.clone().map(Value::Text).unwrap_or(Value::Null);
        match self {
            Change::Name(v) => vec![("name", Value::Text(v.clone()))],
            Change::Status(v) => vec![("status", Value::Text(v.clone()))],
            Change::Value(v) => vec![("value", v.map(Value::Real).unwrap_or(Value::Null))],
            Change::Phone { raw, e164 } => vec![("phone", text(raw)), ("phone_e164", text(e164))],
            Change::Text(col, v) => vec![(col.column(), text(v))],
        }
    }
}

/// A lead row in a table page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadSummary {
    pub id: String,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub phone_e164: Option<String>,
    pub status: String,
    pub value: Option<f64>,
    pub last_contact: Option<String>,
}

const SUMMARY_COLUMNS: &str =
    "l.id, l.name, l.company, l.email, l.phone, l.phone_e164, l.status, l.value, l.last_contact";

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<LeadSummary> {
    Ok(LeadSummary {
        id: row.get(0)?,
        name: row.get(1)?,
        company: row.get(2)?,
        email: row.get(3)?,
        phone: row.get(4)?,
        phone_e164: row.get(5)?,
        status: row.get(6)?,
        value: row.get(7)?,
        last_contact: row.get(8)?,
    })
}

/// What a lead table can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortField {
    #[default]
    Name,
    Company,
    Status,
    LastContact,
    CreatedAt,
    Value,
}

impl SortField {
    /// The partial index that yields leads in this order.
    fn index(self) -> &'static str {
        match self {
            SortField::Name => "leads_name",
            SortField::Company => "leads_company",
            SortField::Status => "leads_status",
            SortField::LastContact => "leads_last_contact",
            SortField::CreatedAt => "leads_created_at",
            SortField::Value => "leads_value",
        }
    }

    fn order_by(self, descending: bool) -> String {
        let dir = if descending { "DESC" } else { "ASC" };
        let col = match self {
            SortField::Name => "l.name COLLATE NOCASE",
            SortField::Company => "l.company COLLATE NOCASE",
            SortField::Status => "l.status",
            SortField::LastContact => "l.last_contact",
            SortField::CreatedAt => "l.created_at",
            SortField::Value => "l.value",
        };
        format!("{col} {dir}, l.id {dir}")
    }
}

/// A page of the lead table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageQuery<'a> {
    /// What the agent typed in the search box.
    pub search: Option<&'a str>,
    pub list_id: Option<&'a str>,
    pub sort: SortField,
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

/// Below this many search matches, a page is read by visiting the matches and sorting them;
/// above it, by walking the sort index and keeping matches, which stops after one page.
const SORT_MATCHES_MAX: i64 = 4000;

/// One page of leads and the total number matching the query.
///
/// The plan adapts to the number of matches, which the count tells first: a narrow search (a
/// phone number, a surname) visits its few matches and sorts them; a broad one (one letter)
/// walks the sort column's index and stops after a page. Either alone is slow for the other case.
pub fn page(r: &impl Reads, q: &PageQuery<'_>) -> Result<(Vec<LeadSummary>, i64)> {
    let fts = q.search.and_then(fts_query);
    if q.search.is_some_and(|s| !s.trim().is_empty()) && fts.is_none() {
        return Ok((Vec::new(), 0));
    }
    let conn = r.conn();
    let mut args: Vec<Value> = Vec::new();
    let list_filter = " AND EXISTS (SELECT 1 FROM lead_list_members m WHERE m.list_id = ? AND m.lead_id = l.id AND m.deleted_at IS NULL)";
    let order = q.sort.order_by(q.descending);
    let sql = match &fts {
        None => {
            let mut filter = String::from("l.deleted_at IS NULL");
            if let Some(list) = q.list_id {
                filter.push_str(list_filter);
                args.push(Value::Text(list.to_string()));
            }
            let total: i64 = conn
                .prepare_cached(&format!("SELECT count(*) FROM leads l WHERE {filter}"))?
                .query_row(params_from_iter(args.iter()), |row| row.get(0))?;
            (format!("SELECT {SUMMARY_COLUMNS} FROM leads l WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"), total)
        }
        Some(m) => {
            args.push(Value::Text(m.clone()));
            // Deleted leads are never in the index, so without a list filter the index alone counts.
            let total: i64 = match q.list_id {
                None => conn
                    .prepare_cached("SELECT count(*) FROM leads_fts WHERE leads_fts MATCH ?")?
                    .query_row([m], |row| row.get(0))?,
                Some(list) => {
                    args.push(Value::Text(list.to_string()));
                    conn.prepare_cached(&format!(
                        "SELECT count(*) FROM leads_fts f CROSS JOIN leads l ON l.rowid = f.rowid
                         WHERE leads_fts MATCH ? AND l.deleted_at IS NULL{list_filter}"
                    ))?
                    .query_row(params_from_iter(args.iter()), |row| row.get(0))?
                }
            };
            let list_sql = if q.list_id.is_some() { list_filter } else { "" };
            let sql = if total <= SORT_MATCHES_MAX {
                format!(
                    "SELECT {SUMMARY_COLUMNS} FROM leads_fts f CROSS JOIN leads l ON l.rowid = f.rowid
                     WHERE leads_fts MATCH ? AND l.deleted_at IS NULL{list_sql} ORDER BY {order} LIMIT ? OFFSET ?"
                )
            } else {
                // INDEXED BY: left alone, the planner drives from the match set and sorts it all.
                format!(
                    "SELECT {SUMMARY_COLUMNS} FROM leads l INDEXED BY {}
                     WHERE l.deleted_at IS NULL AND l.rowid IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?){list_sql}
                     ORDER BY {order} LIMIT ? OFFSET ?",
                    q.sort.index()
                )
            };
            (sql, total)
        }
    };
    let (sql, total) = sql;
    args.push(Value::Integer(i64::from(q.limit)));
    args.push(Value::Integer(i64::from(q.offset)));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args.iter()), summary_from_row)?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, total))
}

/// Turns what the agent typed into an FTS5 query: every word must prefix-match some word of the
/// name, company or email; text that looks like a phone number (digits and separators only) must
/// appear anywhere in the number's digits. `None` when nothing searchable is left.
pub fn fts_query(input: &str) -> Option<String> {
    let input = input.trim();
    if input.is_empty() || input.len() > 200 {
        return None;
    }
    let phone_like = input.chars().all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
    if phone_like {
        let digits: String = input.chars().filter(char::is_ascii_digit).collect();
        return (!digits.is_empty()).then(|| format!("phone_tokens : \"{digits}\"*"));
    }
    let terms: Vec<String> = input
        .split_whitespace()
        .filter_map(|word| {
            let cleaned: String = word.chars().filter(|c| c.is_alphanumeric() || "@._-'".contains(*c)).collect();
            let has_token = cleaned.chars().any(char::is_alphanumeric);
            has_token.then(|| format!("\"{}\"*", cleaned.replace('"', "")))
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The searchable digit tokens of a number: every suffix of 3+ digits, so that a prefix query
/// finds any run of digits inside the number.
fn phone_tokens(lead_phone_e164: Option<&str>, raw: Option<&str>) -> String {
    let digits: String = lead_phone_e164.or(raw).unwrap_or("").chars().filter(char::is_ascii_digit).collect();
    let mut out = String::with_capacity(digits.len() * digits.len() / 2 + digits.len());
    for start in 0..digits.len().saturating_sub(2) {
        out.push_str(&digits[start..]);
        out.push(' ');
    }
    out
}

fn fts_put(w: &Write<'_>, rowid: i64, lead: &Lead, replace: bool) -> Result<()> {
    let conn = w.conn();
    if replace {
        conn.prepare_cached("DELETE FROM leads_fts WHERE rowid = ?1")?.execute([rowid])?;
    }
    if lead.deleted_at.is_none() {
        conn.prepare_cached(
            "INSERT INTO leads_fts (rowid, name, company, email, phone_tokens) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            rowid,
            lead.name,
            lead.company,
            lead.email,
            phone_tokens(lead.phone_e164.as_deref(), lead.phone.as_deref())
        ])?;
    }
    Ok(())
}

/// One lead by id (live or deleted).
pub fn get(r: &impl Reads, id: &str) -> Result<Lead> {
    r.conn()
        .prepare_cached(&format!("SELECT {LEAD_COLUMNS} FROM leads WHERE id = ?1"))?
        .query_row([id], lead_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "lead", id: id.to_string() })
}

/// One live lead's summary by id.
pub fn summary_by_id(r: &impl Reads, id: &str) -> Result<Option<LeadSummary>> {
    Ok(r.conn()
        .prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM leads l WHERE l.id = ?1 AND l.deleted_at IS NULL"))?
        .query_row([id], summary_from_row)
        .optional()?)
}

/// The live lead with this E.164 number (the oldest when several share it).
pub fn find_by_phone(r: &impl Reads, e164: &str) -> Result<Option<LeadSummary>> {
    Ok(r.conn()
        .prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM leads l WHERE l.phone_e164 = ?1 AND l.deleted_at IS NULL ORDER BY l.id LIMIT 1"
        ))?
        .query_row([e164], summary_from_row)
        .optional()?)
}

/// The name of a live lead that owns `e164` and has `status` (say Do Not Call), if any: a
/// status that protects a number holds whichever lead a call is logged against.
pub fn live_owner_with_status(r: &impl Reads, e164: &str, status: &str) -> Result<Option<String>> {
    let mut stmt =
        r.conn().prepare_cached("SELECT name, deleted_at FROM leads WHERE phone_e164 = ?1 AND status = ?2")?;
    let mut rows = stmt.query([e164, status])?;
    while let Some(row) = rows.next()? {
        let deleted: Option<String> = row.get(1)?;
        if deleted.is_none() {
            return Ok(Some(row.get(0)?));
        }
    }
    Ok(None)
}

/// The oldest live lead whose `column` equals `value`. Deleted rows are skipped here rather than
/// with `AND deleted_at IS NULL` in SQL: that term next to a bound parameter makes SQLite
/// re-prepare the statement on every call (measured: every lookup of an import re-prepared).
fn find_live_id(w: &Write<'_>, sql: &'static str, value: &str) -> Result<Option<String>> {
    let mut stmt = w.conn().prepare_cached(sql)?;
    let mut rows = stmt.query([value])?;
    let mut best: Option<String> = None;
    while let Some(row) = rows.next()? {
        let deleted: Option<String> = row.get(1)?;
        let id: String = row.get(0)?;
        if deleted.is_none() && best.as_ref().is_none_or(|b| id < *b) {
            best = Some(id);
        }
    }
    Ok(best)
}

fn find_id_by_phone(w: &Write<'_>, e164: &str) -> Result<Option<String>> {
    find_live_id(w, "SELECT id, deleted_at FROM leads WHERE phone_e164 = ?1", e164)
}

fn find_id_by_email(w: &Write<'_>, email: &str) -> Result<Option<String>> {
    find_live_id(w, "SELECT id, deleted_at FROM leads WHERE email = ?1 COLLATE NOCASE", email)
}

/// Number of live leads.
pub fn count(r: &impl Reads) -> Result<i64> {
    Ok(r.conn().query_row("SELECT count(*) FROM leads WHERE deleted_at IS NULL", [], |row| row.get(0))?)
}

/// Creates a lead and returns it.
pub fn insert(w: &mut Write<'_>, new: &NewLead) -> Result<Lead> {
    let now = w.now_text();
    let lead = Lead {
        id: new_id(),
        user_id: None,
        name: new.name.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
        phone_e164: new.phone_e164.clone(),
        company: new.company.clone(),
        position: new.position.clone(),
        status: new.status.clone().unwrap_or_else(|| "new".to_string()),
        value: new.value,
        source: new.source.clone(),
        notes: new.notes.clone(),
        timezone: new.timezone.clone(),
        created_at: now.clone(),
        updated_at: now,
        last_contact: None,
        deleted_at: None,
    };
    let rowid = write_row(w, &lead, None)?;
    fts_put(w, rowid, &lead, false)?;
    outbox::enqueue(w, "insert", "leads", &lead.id, &lead)?;
    Ok(lead)
}

/// Writes every column of `lead`: an insert, or an update of the row at `rowid`; returns the
/// row's rowid.
fn write_row(w: &Write<'_>, lead: &Lead, rowid: Option<i64>) -> Result<i64> {
    let values = params![
        lead.id,
        lead.user_id,
        lead.name,
        lead.email,
        lead.phone,
        lead.phone_e164,
        lead.company,
        lead.position,
        lead.status,
        lead.value,
        lead.source,
        lead.notes,
        lead.timezone,
        lead.created_at,
        lead.updated_at,
        lead.last_contact,
        lead.deleted_at
    ];
    match rowid {
        Some(rowid) => {
            w.conn()
                .prepare_cached(
                    "UPDATE leads SET user_id = ?2, name = ?3, email = ?4, phone = ?5, phone_e164 = ?6, company = ?7,
                            position = ?8, status = ?9, value = ?10, source = ?11, notes = ?12, timezone = ?13,
                            created_at = ?14, updated_at = ?15, last_contact = ?16, deleted_at = ?17
                     WHERE id = ?1",
                )?
                .execute(values)?;
            Ok(rowid)
        }
        None => {
            w.conn()
                .prepare_cached(&format!(
                    "INSERT INTO leads ({LEAD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
                ))?
                .execute(values)?;
            Ok(w.conn().last_insert_rowid())
        }
    }
}

/// Records the agent the backend assigns a lead to (replication only).
pub fn set_assignee(w: &mut Write<'_>, id: &str, assigned_to: Option<&str>) -> Result<()> {
    w.conn()
        .prepare_cached("UPDATE leads SET assigned_to = ?2 WHERE id = ?1 AND assigned_to IS NOT ?2")?
        .execute(params![id, assigned_to])?;
    Ok(())
}

/// Stores a lead as the backend has it (replication: no outbox), keeping its search entry.
pub fn put_replica(w: &mut Write<'_>, lead: &Lead) -> Result<()> {
    let existing: Option<i64> = w
        .conn()
        .prepare_cached("SELECT rowid FROM leads WHERE id = ?1")?
        .query_row([&lead.id], |r| r.get(0))
        .optional()?;
    let rowid = write_row(w, lead, existing)?;
    fts_put(w, rowid, lead, existing.is_some())
}

/// Removes a lead this desktop may no longer keep (replication: no outbox); 1 when it was here.
pub fn remove_replica(w: &mut Write<'_>, id: &str) -> Result<u64> {
    let rowid: Option<i64> =
        w.conn().prepare_cached("SELECT rowid FROM leads WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
    let Some(rowid) = rowid else { return Ok(0) };
    w.conn().prepare_cached("DELETE FROM leads_fts WHERE rowid = ?1")?.execute([rowid])?;
    w.conn().prepare_cached("DELETE FROM leads WHERE rowid = ?1")?.execute([rowid])?;
    Ok(1)
}

/// Records that the lead was contacted at `at`; `last_contact` only moves forward. Returns
/// whether it changed.
pub fn touch_last_contact(w: &mut Write<'_>, id: &str, at: &str) -> Result<bool> {
    let n = w
        .conn()
        .prepare_cached(
            "UPDATE leads SET last_contact = ?2, updated_at = ?3
             WHERE id = ?1 AND (last_contact IS NULL OR last_contact < ?2)",
        )?
        .execute(params![id, at, w.now_text()])?;
    if n > 0 {
        outbox::enqueue(w, "update", "leads", id, &json!({ "id": id, "set": { "last_contact": at }, "old": {} }))?;
    }
    Ok(n > 0)
}

/// Applies field changes to a live lead; returns the updated lead. Changes that set a field to
/// the value it already has are dropped; when nothing is left, nothing is written.
/// The owner of lead `id` when it is another agent's, neither owned by nor assigned to this
/// desktop's agent (a manager's desktop holds their team's leads to read); `None` for the agent's
/// own, one made here, or any lead while the backend has not said who the agent is.
pub fn teammates(r: &impl Reads, id: &str) -> Result<Option<String>> {
    Ok(r.conn()
        .prepare_cached(&format!(
            "SELECT l.user_id FROM leads l WHERE l.id = ?1 AND NOT {MY_LEAD}",
            MY_LEAD = crate::own::MY_LEAD
        ))?
        .query_row([id], |row| row.get(0))
        .optional()?)
}

/// Applies the agent's edit of lead `id`; refused (`NotYours`) for a teammate's lead.
pub fn update(w: &mut Write<'_>, id: &str, changes: &[Change]) -> Result<Lead> {
    let (rowid, before): (i64, Lead) = w
        .conn()
        .prepare_cached(&format!("SELECT rowid, {LEAD_COLUMNS} FROM leads WHERE id = ?1 AND deleted_at IS NULL"))?
        .query_row([id], |row| {
            let rowid = row.get(0)?;
            // Columns shift by one because rowid comes first.
            let lead = Lead {
                id: row.get(1)?,
                user_id: row.get(2)?,
                name: row.get(3)?,
                email: row.get(4)?,
                phone: row.get(5)?,
                phone_e164: row.get(6)?,
                company: row.get(7)?,
                position: row.get(8)?,
                status: row.get(9)?,
                value: row.get(10)?,
                source: row.get(11)?,
                notes: row.get(12)?,
                timezone: row.get(13)?,
                created_at: row.get(14)?,
                updated_at: row.get(15)?,
                last_contact: row.get(16)?,
                deleted_at: row.get(17)?,
            };
            Ok((rowid, lead))
        })
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "lead", id: id.to_string() })?;
    if let Some(owner) = teammates(w, id)? {
        return Err(StoreError::NotYours { what: "lead", id: id.to_string(), owner });
    }

    let old_values = serde_json::to_value(&before)?;
    let mut set = serde_json::Map::new();
    let mut old = serde_json::Map::new();
    let mut assignments = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    for change in changes {
        for (col, value) in change.columns() {
            let new_json = value_json(&value);
            let old_json = old_values.get(col).cloned().unwrap_or(serde_json::Value::Null);
            if new_json == old_json || set.contains_key(col) {
                continue;
            }
            assignments.push(format!("{col} = ?"));
            args.push(value);
            set.insert(col.to_string(), new_json);
            old.insert(col.to_string(), old_json);
        }
    }
    if assignments.is_empty() {
        return Ok(before);
    }
    let now = w.now_text();
    assignments.push("updated_at = ?".to_string());
    args.push(Value::Text(now));
    args.push(Value::Text(id.to_string()));
    w.conn()
        .execute(&format!("UPDATE leads SET {} WHERE id = ?", assignments.join(", ")), params_from_iter(args.iter()))?;
    let after = get(w, id)?;
    fts_put(w, rowid, &after, true)?;
    outbox::enqueue(w, "update", "leads", id, &json!({ "id": id, "set": set, "old": old }))?;
    Ok(after)
}

fn value_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) => json!(i),
        Value::Real(f) => json!(f),
        Value::Text(t) => json!(t),
        Value::Blob(_) => serde_json::Value::Null,
    }
}

/// What importing one row did.
#[derive(Debug, Clone, PartialEq)]
pub enum Imported {
    Created(String),
    /// Merged into this existing lead (same E.164 number or same email).
    Merged(String),
}

/// Imports one lead: when a live lead has the same E.164 number, or else the same email, the
/// row is merged into it (non-empty values in the row replace the lead's; blank cells never
/// erase anything, nor does a row without a name rename the lead); otherwise a new lead is
/// created, named by its company, email or number when the row has no name. Either way the lead
/// joins `list_id`.
pub fn import_one(w: &mut Write<'_>, new: &NewLead, list_id: Option<&str>) -> Result<Imported> {
    let existing = match &new.phone_e164 {
        Some(e164) => find_id_by_phone(w, e164)?,
        None => None,
    };
    let existing = match (existing, &new.email) {
        (Some(id), _) => Some(id),
        (None, Some(email)) => find_id_by_email(w, email)?,
        (None, None) => None,
    };
    let outcome = match existing {
        Some(id) => {
            let mut changes = Vec::new();
            if !new.name.is_empty() {
                changes.push(Change::Name(new.name.clone()));
            }
            if new.phone_e164.is_some() {
                changes.push(Change::Phone { raw: new.phone.clone(), e164: new.phone_e164.clone() });
            }
            if let Some(s) = &new.status {
                changes.push(Change::Status(s.clone()));
            }
            if new.value.is_some() {
                changes.push(Change::Value(new.value));
            }
            for (col, v) in [
                (TextColumn::Email, &new.email),
                (TextColumn::Company, &new.company),
                (TextColumn::Position, &new.position),
                (TextColumn::Source, &new.source),
                (TextColumn::Notes, &new.notes),
                (TextColumn::Timezone, &new.timezone),
            ] {
                if v.is_some() {
                    changes.push(Change::Text(col, v.clone()));
                }
            }
            update(w, &id, &changes)?;
            Imported::Merged(id)
        }
        None if new.name.is_empty() => {
            // A lead needs a name; fall back to what identifies it best.
            let name = [&new.company, &new.email, &new.phone].into_iter().flatten().find(|v| !v.trim().is_empty());
            Imported::Created(insert(w, &NewLead { name: name.cloned().unwrap_or_default(), ..new.clone() })?.id)
        }
        None => Imported::Created(insert(w, new)?.id),
    };
    if let Some(list) = list_id {
        let lead_id = match &outcome {
            Imported::Created(id) | Imported::Merged(id) => id,
        };
        crate::lists::add_member(w, list, lead_id)?;
    }
    Ok(outcome)
}

/// Visits every live lead (of `list_id` when given) in name order, for export.
pub fn for_each(r: &impl Reads, list_id: Option<&str>, mut f: impl FnMut(&Lead) -> Result<()>) -> Result<u64> {
    let (filter, args): (&str, Vec<&str>) = match list_id {
        Some(list) => (
            "AND EXISTS (SELECT 1 FROM lead_list_members m WHERE m.list_id = ?1 AND m.lead_id = leads.id AND m.deleted_at IS NULL)",
            vec![list],
        ),
        None => ("", vec![]),
    };
    let mut stmt = r.conn().prepare(&format!(
        "SELECT {LEAD_COLUMNS} FROM leads WHERE deleted_at IS NULL {filter} ORDER BY name COLLATE NOCASE, id"
    ))?;
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut n = 0;
    while let Some(row) = rows.next()? {
        f(&lead_from_row(row)?)?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_queries_match_digits_anywhere_and_words_match_prefixes() {
        assert_eq!(
            fts_query("(555) 123"),
            Some("phone_tokens : \"555123\"*".into()),
            "phone-like text collapses to digits"
        );
        assert_eq!(fts_query("ann acme"), Some("\"ann\"* \"acme\"*".into()), "every word must prefix-match");
        assert_eq!(fts_query("o\"brien"), Some("\"obrien\"*".into()), "quotes cannot break out of the phrase");
        assert_eq!(fts_query("  "), None, "blank input searches nothing");
        assert_eq!(fts_query("*** ((("), None, "punctuation alone searches nothing");
    }

    #[test]
    fn phone_tokens_are_every_suffix_of_three_or_more_digits() {
        assert_eq!(phone_tokens(Some("+15551234"), None), "15551234 5551234 551234 51234 1234 234 ", "suffixes");
        assert_eq!(phone_tokens(None, Some("12")), "", "too short to index");
    }
}
