//! Lead lists and their members.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::connection::{Reads, Write};
use crate::{Result, StoreError, new_id, outbox};

/// A list with its live member count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadList {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub member_count: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// All live lists, by name.
pub fn all(r: &impl Reads) -> Result<Vec<LeadList>> {
    let mut stmt = r.conn().prepare_cached(
        "SELECT l.id, l.name, l.description, l.created_at, l.updated_at,
                (SELECT count(*) FROM lead_list_members m JOIN leads ld ON ld.id = m.lead_id
                  WHERE m.list_id = l.id AND m.deleted_at IS NULL AND ld.deleted_at IS NULL)
         FROM lead_lists l WHERE l.deleted_at IS NULL ORDER BY l.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(LeadList {
            id: row.get(0)?,
            name: row.get(1)?,
            description: row.get(2)?,
            created_at: row.get(3)?,
            updated_at: row.get(4)?,
            member_count: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One live list.
pub fn get(r: &impl Reads, id: &str) -> Result<LeadList> {
    all(r)?.into_iter().find(|l| l.id == id).ok_or_else(|| StoreError::NotFound { what: "list", id: id.to_string() })
}

/// The live list with this name (case-insensitive).
pub fn find_by_name(r: &impl Reads, name: &str) -> Result<Option<String>> {
    Ok(r.conn()
        .query_row("SELECT id FROM lead_lists WHERE name = ?1 COLLATE NOCASE AND deleted_at IS NULL", [name], |row| {
            row.get(0)
        })
        .optional()?)
}

#[derive(Serialize)]
struct ListRow<'a> {
    id: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    created_at: &'a str,
    updated_at: &'a str,
}

/// Creates a list; a live list with the same name is a conflict.
pub fn create(w: &mut Write<'_>, name: &str, description: Option<&str>) -> Result<String> {
    if find_by_name(w, name)?.is_some() {
        return Err(StoreError::Conflict(format!("a list named {name:?} already exists")));
    }
    let id = new_id();
    let now = w.now_text();
    w.conn().execute(
        "INSERT INTO lead_lists (id, name, description, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![id, name, description, now],
    )?;
    let row = ListRow { id: &id, name, description, created_at: &now, updated_at: &now };
    outbox::enqueue(w, "insert", "lead_lists", &id, &row)?;
    Ok(id)
}

#[derive(Serialize)]
struct MemberRow<'a> {
    list_id: &'a str,
    lead_id: &'a str,
    added_at: &'a str,
}

/// Adds a lead to a list; returns false when it was already a member.
pub fn add_member(w: &mut Write<'_>, list_id: &str, lead_id: &str) -> Result<bool> {
    let now = w.now_text();
    let changed = w
        .conn()
        .prepare_cached(
            "INSERT INTO lead_list_members (list_id, lead_id, added_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(list_id, lead_id) DO UPDATE SET deleted_at = NULL, added_at = excluded.added_at
             WHERE lead_list_members.deleted_at IS NOT NULL",
        )?
        .execute(params![list_id, lead_id, now])?;
    if changed > 0 {
        w.touch_list(list_id);
        let row = MemberRow { list_id, lead_id, added_at: &now };
        outbox::enqueue(w, "insert", "lead_list_members", &format!("{list_id}:{lead_id}"), &row)?;
    }
    Ok(changed > 0)
}

/// The ids of the live lists a lead belongs to.
pub fn of_lead(r: &impl Reads, lead_id: &str) -> Result<Vec<String>> {
    let mut stmt = r.conn().prepare_cached(
        "SELECT m.list_id FROM lead_list_members m JOIN lead_lists l ON l.id = m.list_id
         WHERE m.lead_id = ?1 AND m.deleted_at IS NULL AND l.deleted_at IS NULL ORDER BY l.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([lead_id], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
