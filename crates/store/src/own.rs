//! What is this desktop's agent's own, as SQL conditions the other modules splice into their
//! queries. A manager's desktop also holds their team's rows (replicated for the Analytics
//! page), which are never theirs to edit, wrap up, follow up or call.

/// Whether the call aliased `c` is this desktop's agent's own work, as SQL: made here and not yet
/// pushed (no owner), by this agent, or any call while the backend has not said who the agent is.
/// A manager's desktop also holds their team's calls, which are never theirs to wrap up, follow up
/// or be reminded of.
pub const MINE: &str = concat!("coalesce(c.user_id = ", sql_me!(), ", 1)");

/// Whether the lead aliased `l` is this desktop's agent's own, as SQL (0 or 1, never NULL): made
/// here (no owner), owned by or assigned to this agent, or any lead while the backend has not said
/// who the agent is. A manager's desktop also holds their team's leads, which are their owners' to
/// edit and to call.
pub const MY_LEAD: &str = concat!(
    "coalesce(l.user_id IS NULL OR ",
    sql_me!(),
    " IS NULL OR ",
    sql_me!(),
    " IN (l.user_id, l.assigned_to), 0)"
);

#[cfg(test)]
mod tests {
    #[test]
    fn the_sql_rules_of_the_agent_s_own_read_the_agent_key_of_the_sync_state() {
        let key = format!("key = '{}'", crate::replica::AGENT);
        for (name, sql) in [("MINE", super::MINE), ("MY_LEAD", super::MY_LEAD)] {
            assert!(sql.contains(&key), "{name} reads the sync state's {key}: {sql}");
        }
    }
}
