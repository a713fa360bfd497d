//! Teams on real PostgreSQL (backend migration 5), on both kinds of CRM: a manager's desktop pulls
//! the leads, calls, wrap-ups and follow-ups of their team's agents and nobody else's, can change
//! none of them, and loses them on the next pull after an agent leaves the team; agents still see
//! only their own. The manager's own work (the wrap-ups owed, follow-ups, the overdue count) stays
//! theirs alone on the desktop.

mod common;

use common::{Backend, Crm, Desktop, backend_projection, web_history};
use ringdesk_store::{calls, followups, leads, replica};
use ringdesk_sync::Transport;
use serde_json::json;

/// A team named `name` with `members` as (role, team role); returns its id.
fn team(backend: &Backend, name: &str, members: &[(&str, &str)]) -> String {
    let id = backend.sql(&format!("insert into sync.team(name) values ('{name}') returning id"));
    for (role, team_role) in members {
        team_member(backend, &id, role, team_role);
    }
    id
}

/// A call of `role`'s on the web that ended yesterday without a wrap-up, and one with a wrap-up
/// whose follow-up was due an hour ago; returns (the call owed a wrap-up, the overdue follow-up).
fn owed_work(backend: &Backend, role: &str) -> (String, String) {
    let me = backend.agent(role);
    let [owed, done, disposition] = std::array::from_fn(|_| uuid::Uuid::now_v7().to_string());
    backend.sql(&format!(
        "begin;
         insert into call_logs(id, user_id, contact_number, direction, status, started_at, ended_at)
           values ('{owed}', '{me}', '+12025550190', 'outbound', 'completed', now() - interval '3 hours', now() - interval '3 hours');
         insert into call_logs(id, user_id, contact_number, direction, status, started_at, ended_at, disposition)
           values ('{done}', '{me}', '+12025550191', 'outbound', 'completed', now() - interval '2 hours', now() - interval '2 hours', 'interested');
         insert into call_dispositions(id, call_log_id, disposition_type, next_action, follow_up_date, created_by)
           values ('{disposition}', '{done}', 'interested', 'call_back', now() - interval '1 hour', '{me}');
         insert into follow_up_states(call_disposition_id, status, due_at) values ('{disposition}', 'open', now() - interval '1 hour');
         commit;"
    ));
    (owed, disposition)
}

fn has(projection: &[String], id: &str) -> bool {
    projection.iter().any(|line| line.contains(id))
}

/// The desktop's own work: (calls owed a wrap-up, pending follow-ups, the overdue count).
fn my_work(desktop: &Desktop) -> (Vec<String>, Vec<String>, i64) {
    let now = ringdesk_store::format_ts(chrono::Utc::now());
    desktop
        .store
        .read(|r| {
            Ok::<_, ringdesk_store::StoreError>((
                calls::awaiting_disposition(r, "2000-01-01T00:00:00.000Z", 100)?.into_iter().map(|c| c.id).collect(),
                followups::pending(r, &now, 100)?.into_iter().map(|f| f.id).collect(),
                followups::overdue_count(r, &now)?,
            ))
        })
        .expect("the desktop's own work")
}

on_both_crms! {
    async fn a_manager_reads_the_team_s_work_and_nobody_else_s_and_agents_only_their_own(crm: Crm) {
        let backend = Backend::new(crm);
        let b_leads = web_history(&backend, "agent_b", 2);
        let c_leads = web_history(&backend, "agent_c", 2);
        let (b_owed, b_follow_up) = owed_work(&backend, "agent_b");
        let (a_owed, a_follow_up) = owed_work(&backend, "agent_a");
        let manager = Desktop::new(&backend, "agent_a");
        manager.sync().await.expect("the manager's first pull");
        assert!(!has(&manager.projection(), &b_leads[0]), "before the team exists the manager sees only their own");

        let stamp = |id: &str| backend.sql(&format!("select updated_at || '|' || row_xid from crm_leads where id = '{id}'"));
        let before = stamp(&b_leads[0]);
        team(&backend, "East", &[("agent_a", "manager"), ("agent_b", "agent")]);
        let after = stamp(&b_leads[0]);
        assert_eq!(after.split('|').next(), before.split('|').next(), "the web's updated_at is kept when the team is made");
        assert_ne!(after, before, "but the row travels again (a new row_xid)");
        manager.sync().await.expect("the pull after the team was made");
        let seen = manager.projection();
        assert_eq!(seen, backend_projection(&backend, "agent_a"), "the manager's desktop holds what RLS shows them");
        for id in b_leads.iter().chain([&b_owed, &b_follow_up]) {
            assert!(has(&seen, id), "the team's older rows arrived (touched by the membership): {id} in {seen:#?}");
        }
        for id in &c_leads {
            assert!(!has(&seen, id), "an agent outside the team stays invisible: {id}");
        }
        let (identity, manages) = manager
            .store
            .read(|r| Ok::<_, ringdesk_store::StoreError>((replica::state(r, replica::AGENT)?, replica::state(r, replica::MANAGES)?)))
            .expect("sync state");
        assert_eq!(identity.as_deref(), Some(backend.agent("agent_a")), "whoami told the desktop its agent");
        assert_eq!(manages, Some(json!([backend.agent("agent_b")]).to_string()), "and whom they manage");

        // The team's work is never the manager's to do.
        let (owed, follow_ups, overdue) = my_work(&manager);
        assert_eq!(owed, vec![a_owed.clone()], "only the manager's own call is owed a wrap-up, not the team's");
        assert_eq!(follow_ups, vec![a_follow_up.clone()], "only the manager's own follow-up is pending");
        assert_eq!(overdue, 1, "the overdue badge counts the manager's own follow-up only");

        for role in ["agent_b", "agent_c"] {
            let desktop = Desktop::new(&backend, role);
            desktop.sync().await.expect("an agent's pull");
            let mine = desktop.projection();
            assert_eq!(mine, backend_projection(&backend, role), "{role}'s desktop holds what RLS shows them");
            assert!(!has(&mine, &a_owed), "{role} never sees the manager's calls");
            let other = if role == "agent_b" { &c_leads } else { &b_leads };
            assert!(!has(&mine, &other[0]), "{role} never sees another agent's leads");
        }
        let b = Desktop::new(&backend, "agent_b");
        b.sync().await.expect("b's pull");
        assert_eq!(my_work(&b).0, vec![b_owed.clone()], "b's own call is owed a wrap-up on b's desktop");
    }

    async fn a_manager_cannot_change_a_team_agent_s_rows(crm: Crm) {
        let backend = Backend::new(crm);
        let b_leads = web_history(&backend, "agent_b", 1);
        let (b_owed, b_follow_up) = owed_work(&backend, "agent_b");
        team(&backend, "East", &[("agent_a", "manager"), ("agent_b", "agent")]);
        let before = backend_projection(&backend, "agent_b");
        let lead = &b_leads[0];

        // Straight SQL as the manager's role: reads succeed, every write touches nothing or is refused.
        assert_eq!(backend.sql_as("agent_a", &format!("select name from crm_leads where id = '{lead}'")).as_deref(),
                   Ok("Renamed lead 0"), "the manager reads the team's lead");
        for sql in [
            format!("update crm_leads set name = 'Hijacked' where id = '{lead}' returning id"),
            format!("delete from crm_leads where id = '{lead}' returning id"),
            format!("update call_logs set status = 'failed' where id = '{b_owed}' returning id"),
            format!("delete from call_logs where id = '{b_owed}' returning id"),
            format!("update follow_up_states set status = 'done' where call_disposition_id = '{b_follow_up}' returning call_disposition_id"),
            format!("update call_dispositions set notes = 'mine now' where id = '{b_follow_up}' returning id"),
            format!("delete from crm_lead_list_members where lead_id = '{lead}' returning lead_id"),
        ] {
            let out = backend.sql_as("agent_a", &sql);
            assert!(matches!(out.as_deref(), Ok("") | Err(_)), "the manager's write changed nothing: {sql} -> {out:?}");
        }
        for sql in [
            format!("insert into call_dispositions(call_log_id, disposition_type) values ('{b_owed}', 'not_interested')"),
            format!("insert into call_recordings(call_log_id, recording_url) values ('{b_owed}', 'x')"),
        ] {
            let out = backend.sql_as("agent_a", &sql);
            assert!(out.as_ref().is_err_and(|e| e.contains("row-level security")), "refused by RLS: {sql} -> {out:?}");
        }

        // Through sync: the manager's desktop refuses to edit the lead, and a push that tries anyway is rejected.
        let manager = Desktop::new(&backend, "agent_a");
        manager.sync().await.expect("the manager's pull");
        let refused = manager
            .store
            .write(|w| leads::update(w, lead, &[leads::Change::Name("Hijacked".into())]))
            .expect_err("the desktop refuses to edit a teammate's lead");
        assert!(refused.to_string().contains("manager sees the team's work but does not change it"), "says why: {refused}");
        let refused = manager
            .store
            .write(|w| calls::dispose(w, &calls::Disposition { call_log_id: &b_owed, disposition_type: "interested", ..Default::default() }))
            .expect_err("the desktop refuses to wrap up a teammate's call");
        assert!(refused.to_string().contains("does not change it"), "says why: {refused}");
        assert_eq!(manager.pending(), 0, "nothing was queued");
        let answer = manager
            .syncer
            .transport()
            .push(&uuid::Uuid::now_v7().to_string(), &json!([
                {"id": 1, "op": "update", "table": "leads", "row_id": lead, "args": {"id": lead, "set": {"name": "Hijacked"}}},
                {"id": 2, "op": "insert", "table": "call_dispositions", "row_id": b_follow_up,
                 "args": {"id": uuid::Uuid::now_v7().to_string(), "call_log_id": b_owed, "disposition_type": "not_interested"}},
                {"id": 3, "op": "update", "table": "call_logs", "row_id": b_owed, "args": {"id": b_owed, "set": {"status": "failed"}}},
            ]))
            .await
            .expect("the push is answered");
        assert_eq!(answer["rejected"].as_array().map(Vec::len), Some(3), "all three writes were rejected: {answer}");
        assert_eq!(backend_projection(&backend, "agent_b"), before, "the agent's rows are as they were");
    }

    async fn an_agent_removed_from_the_team_is_revoked_on_the_manager_s_next_pull(crm: Crm) {
        let backend = Backend::new(crm);
        let b_leads = web_history(&backend, "agent_b", 2);
        let (b_owed, b_follow_up) = owed_work(&backend, "agent_b");
        let a_lead = backend.web_lead("agent_a", "Ann Own", "+12025550150", "new");
        // One of b's leads is also assigned to the manager: it stays theirs to see.
        let shared = &b_leads[1];
        let a_id = backend.agent("agent_a");
        backend.sql(&format!("update crm_leads set assigned_to = '{a_id}' where id = '{shared}'"));
        let east = team(&backend, "East", &[("agent_a", "manager"), ("agent_b", "agent")]);
        let manager = Desktop::new(&backend, "agent_a");
        manager.sync().await.expect("the manager's pull");
        assert!(has(&manager.projection(), &b_owed), "the team's call is on the manager's desktop");

        backend.sql(&format!("delete from sync.team_member where team_id = '{east}' and agent_id = '{}'", backend.agent("agent_b")));
        let report = manager.sync().await.expect("the pull after the removal");
        assert!(report.removed > 0, "the revocations removed rows: {report:?}");
        let seen = manager.projection();
        assert_eq!(seen, backend_projection(&backend, "agent_a"), "the desktop again holds exactly what RLS shows");
        for id in [&b_leads[0], &b_owed, &b_follow_up] {
            assert!(!has(&seen, id), "revoked: {id} in {seen:#?}");
        }
        assert!(has(&seen, shared), "a lead assigned to the manager stays");
        assert!(has(&seen, &a_lead), "the manager's own lead stays");

        // Back in the team: the rows come back with the next pull.
        team_member(&backend, &east, "agent_b", "agent");
        manager.sync().await.expect("the pull after b rejoined");
        assert!(has(&manager.projection(), &b_owed), "b's call is back");
        assert_eq!(manager.projection(), backend_projection(&backend, "agent_a"), "and the desktop matches RLS again");

        // A team deleted whole revokes too; a row the web hard-deletes meanwhile reaches the manager as a tombstone.
        let (gone, _) = owed_work(&backend, "agent_b");
        manager.sync().await.expect("pull b's new call");
        assert!(has(&manager.projection(), &gone), "b's new call arrived");
        backend.sql(&format!("delete from call_logs where id = '{gone}'"));
        manager.sync().await.expect("pull the delete");
        assert!(!has(&manager.projection(), &gone), "the web's hard delete of a team call reached the manager");
        backend.sql(&format!("delete from sync.team where id = '{east}'"));
        manager.sync().await.expect("pull after the team was deleted");
        assert!(!has(&manager.projection(), &b_owed), "deleting the team revoked its rows");
        assert_eq!(manager.projection(), backend_projection(&backend, "agent_a"), "the desktop matches RLS");
    }
}

on_both_crms! {
    async fn a_manager_s_campaign_offers_only_their_own_leads_not_the_team_s(crm: Crm) {
        let backend = Backend::new(crm);
        let (a, b) = (backend.agent("agent_a"), backend.agent("agent_b"));
        let own = backend.web_lead("agent_a", "Own Lead", "+12025550160", "new");
        let theirs = backend.web_lead("agent_b", "Team Lead", "+12025550161", "new");
        let campaign = uuid::Uuid::now_v7().to_string();
        backend.sql(&format!(
            "begin;
             insert into crm_lead_lists(id, user_id, name) values ('{campaign}', '{a}', 'Mixed');
             insert into crm_lead_list_members(list_id, lead_id) values ('{campaign}', '{own}'), ('{campaign}', '{theirs}');
             insert into dialer_campaigns(id, user_id, name, list_id, status) values ('{campaign}', '{a}', 'Mixed', '{campaign}', 'active');
             commit;"
        ));
        team(&backend, "East", &[("agent_a", "manager"), ("agent_b", "agent")]);
        let manager = Desktop::new(&backend, "agent_a");
        manager.sync().await.expect("the manager's pull");
        assert!(manager.lead(&theirs).is_some(), "the team's lead is on the manager's desktop to read");
        let members: Vec<String> = manager
            .store
            .read(|r| ringdesk_store::campaigns::members(r, &campaign, "2000-01-01T00:00:00.000Z"))
            .expect("members")
            .into_iter()
            .map(|m| m.lead_id)
            .collect();
        assert_eq!(members, vec![own.clone()], "the campaign offers the manager's own lead only (b's is b's to call)");
        let b_desktop = Desktop::new(&backend, "agent_b");
        b_desktop.sync().await.expect("b's pull");
        assert_eq!(
            b_desktop.store.read(|r| ringdesk_store::campaigns::members(r, &campaign, "2000-01-01T00:00:00.000Z"))
                .expect("members").into_iter().map(|m| m.lead_id).collect::<Vec<_>>(),
            vec![theirs.clone()],
            "b works the campaign on b's own lead ({b})"
        );
    }
}

/// `role`'s agent joins `team` as `team_role` (`agent` or `manager`).
fn team_member(backend: &Backend, team: &str, role: &str, team_role: &str) {
    backend.sql(&format!(
        "insert into sync.team_member(team_id, agent_id, role) values ('{team}', '{}', '{team_role}')",
        backend.agent(role)
    ));
}
