//! The facts the analytics are computed from: one row per call with what the figures need (its
//! times, outcome columns, the lead's zone, number, status and value, the wrap-up's time and next
//! action, the campaign it was an attempt of), and the list memberships. What the figures mean,
//! and which calls a filter selects, is `ringdesk-app::analytics`'s business.

use crate::Result;
use crate::connection::Reads;

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
    /// The campaign whose attempt this call was.
    pub campaign_id: Option<String>,
}

/// Each live call started at or after `from` (stored time text; all when `None`) by `agent`
/// (anyone when `None`; a call not pushed yet, which has no owner, is the desktop's own agent's), handed to `each` one at a time (a million calls are never all in memory
/// as rows), in no particular order: the reader sorts (an `ORDER BY` here doubled the read).
/// Which calls a page's filter selects is `ringdesk-app::analytics`'s business, in memory.
pub fn each_call_fact(
    r: &impl Reads,
    from: Option<&str>,
    agent: Option<&str>,
    mut each: impl FnMut(CallFact),
) -> Result<()> {
    // A call made here and not pushed yet has no owner: it is this desktop's agent's.
    let sql = concat!(
        "SELECT c.id, coalesce(c.user_id, ",
        sql_me!(),
        "), c.lead_id, c.direction, c.route, c.status, c.started_at, c.answered_at,
                c.ended_at, c.duration_seconds, c.disposition, c.contact_number,
                d.created_at, d.next_action, l.timezone, l.phone_e164, l.status, l.value,
                f.due_at, f.status, f.completed_at,
                (SELECT a.campaign_id FROM dialer_campaign_calls a WHERE a.call_log_id = c.id LIMIT 1)
           FROM call_logs c
           LEFT JOIN leads l ON l.id = c.lead_id
           LEFT JOIN call_dispositions d ON d.id = (
                SELECT x.id FROM call_dispositions x WHERE x.call_log_id = c.id
                 ORDER BY x.created_at DESC, x.id DESC LIMIT 1)
           LEFT JOIN follow_up_states f ON f.call_disposition_id = d.id
          WHERE c.deleted_at IS NULL AND (?1 IS NULL OR c.started_at >= ?1) AND (?2 IS NULL OR coalesce(c.user_id, ?2) = ?2)"
    );
    let mut stmt = r.conn().prepare(sql)?;
    let mut rows = stmt.query(rusqlite::params![from, agent])?;
    while let Some(row) = rows.next()? {
        each(CallFact {
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
            campaign_id: row.get(21)?,
        });
    }
    Ok(())
}

/// How many live calls there are (a reader sizes its columns once).
pub fn count_calls(r: &impl Reads) -> Result<u64> {
    let n: i64 = r.conn().query_row("SELECT count(*) FROM call_logs WHERE deleted_at IS NULL", [], |row| row.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Each live list membership: (lead id, list id).
pub fn each_list_member(r: &impl Reads, mut each: impl FnMut(&str, &str)) -> Result<()> {
    let mut stmt = r.conn().prepare("SELECT lead_id, list_id FROM lead_list_members WHERE deleted_at IS NULL")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (lead, list): (String, String) = (row.get(0)?, row.get(1)?);
        each(&lead, &list);
    }
    Ok(())
}
