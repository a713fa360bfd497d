//! The facts the analytics are computed from: one row per call with what the figures need (its
//! times, outcome columns, the lead's zone, number, status and value, the wrap-up's time and next
//! action), filtered in SQL. What the figures mean is `ringdesk-app::analytics`'s business.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::Result;
use crate::connection::Reads;

/// Which calls count. `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FactFilter {
    /// Calls started at or after this instant (stored time text, RFC 3339 UTC).
    pub from: Option<String>,
    /// Calls started before this instant.
    pub to: Option<String>,
    pub agent: Option<String>,
    pub campaign_id: Option<String>,
    pub list_id: Option<String>,
    pub disposition: Option<String>,
    pub lead_status: Option<String>,
    pub route: Option<String>,
    pub direction: Option<String>,
}

/// One call as the analytics read it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallFact {
    pub id: String,
    pub user_id: Option<String>,
    pub lead_id: Option<String>,
    pub direction: String,
    pub route: String,
    pub status: Option<String>,
    pub started_at: String,
    pub answered_at: Option<String>,
    pub ended_at: Option<String>,
    pub duration_seconds: Option<i64>,
    pub disposition: Option<String>,
    pub contact_number: String,
    /// The latest wrap-up's time and next action.
    pub disposed_at: Option<String>,
    pub next_action: Option<String>,
    pub lead_timezone: Option<String>,
    pub lead_phone_e164: Option<String>,
    pub lead_status: Option<String>,
    pub lead_value: Option<f64>,
    /// The follow-up the latest wrap-up set, if any: when it is due, its status and when it was
    /// done.
    pub follow_up_due_at: Option<String>,
    pub follow_up_status: Option<String>,
    pub follow_up_completed_at: Option<String>,
}

/// The live calls `filter` selects, oldest first.
pub fn call_facts(r: &impl Reads, filter: &FactFilter) -> Result<Vec<CallFact>> {
    let mut sql = String::from(
        "SELECT c.id, c.user_id, c.lead_id, c.direction, c.route, c.status, c.started_at, c.answered_at,
                c.ended_at, c.duration_seconds, c.disposition, c.contact_number,
                d.created_at, d.next_action, l.timezone, l.phone_e164, l.status, l.value,
                f.due_at, f.status, f.completed_at
           FROM call_logs c
           LEFT JOIN leads l ON l.id = c.lead_id
           LEFT JOIN call_dispositions d ON d.id = (
                SELECT x.id FROM call_dispositions x WHERE x.call_log_id = c.id
                 ORDER BY x.created_at DESC, x.id DESC LIMIT 1)
           LEFT JOIN follow_up_states f ON f.call_disposition_id = d.id
          WHERE c.deleted_at IS NULL",
    );
    let mut args: Vec<Value> = Vec::new();
    let mut cond = |clause: &str, value: &Option<String>| {
        if let Some(v) = value {
            sql.push_str(" AND ");
            sql.push_str(clause);
            args.push(Value::Text(v.clone()));
        }
    };
    cond("c.started_at >= ?", &filter.from);
    cond("c.started_at < ?", &filter.to);
    cond("c.user_id = ?", &filter.agent);
    cond(
        "EXISTS (SELECT 1 FROM dialer_campaign_calls a WHERE a.call_log_id = c.id AND a.campaign_id = ?)",
        &filter.campaign_id,
    );
    cond(
        "EXISTS (SELECT 1 FROM lead_list_members m WHERE m.lead_id = c.lead_id AND m.list_id = ? AND m.deleted_at IS NULL)",
        &filter.list_id,
    );
    cond("c.disposition = ?", &filter.disposition);
    cond("l.status = ?", &filter.lead_status);
    cond("c.route = ?", &filter.route);
    cond("c.direction = ?", &filter.direction);
    sql.push_str(" ORDER BY c.started_at, c.id");
    let mut stmt = r.conn().prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args.iter()), |row| {
        Ok(CallFact {
            id: row.get(0)?,
            user_id: row.get(1)?,
            lead_id: row.get(2)?,
            direction: row.get(3)?,
            route: row.get(4)?,
            status: row.get(5)?,
            started_at: row.get(6)?,
            answered_at: row.get(7)?,
            ended_at: row.get(8)?,
            duration_seconds: row.get(9)?,
            disposition: row.get(10)?,
            contact_number: row.get(11)?,
            disposed_at: row.get(12)?,
            next_action: row.get(13)?,
            lead_timezone: row.get(14)?,
            lead_phone_e164: row.get(15)?,
            lead_status: row.get(16)?,
            lead_value: row.get(17)?,
            follow_up_due_at: row.get(18)?,
            follow_up_status: row.get(19)?,
            follow_up_completed_at: row.get(20)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
