//! The power dialer on the shared backend (migration 4), against a real PostgreSQL with agents
//! connected as their own roles: a campaign is worked by every agent who sees its leads, a lead
//! is leased to one agent at a time, a lease ends with the attempt's outcome or its expiry, and a
//! lead is never handed out before its retry time or past its attempts.

mod common;

use common::{Backend, Crm, Desktop};
use ringdesk_store::campaigns;
use ringdesk_sync::{PgTransport, Transport};
use serde_json::json;

fn claim(backend: &Backend, role: &str, campaign: &str, leads: &[&str], seconds: u32) -> Result<Vec<String>, String> {
    let ids = serde_json::to_string(leads).expect("json");
    let out = backend.sql_as(
        role,
        &format!("select sync.claim_campaign_leads('{campaign}', '{ids}'::jsonb, {seconds}, '[]'::jsonb) -> 'granted'"),
    )?;
    let last = out.lines().last().unwrap_or("[]").trim().to_string();
    let mut granted: Vec<String> = serde_json::from_str(&last).map_err(|e| format!("{e}: {out}"))?;
    granted.sort();
    Ok(granted)
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

on_both_crms! {
    async fn a_lead_is_leased_to_one_agent_until_its_outcome_or_expiry_and_never_before_its_retry(crm: Crm) {
        let backend = Backend::new(crm);
        let (a, b) = (backend.agent("agent_a"), backend.agent("agent_b"));
        let l1 = backend.web_lead("agent_a", "Lead one", "+12125550101", "new");
        let l2 = backend.web_lead("agent_a", "Lead two", "+12125550102", "new");
        let l3 = backend.web_lead("agent_a", "Lead three", "+12125550103", "new");
        backend.sql(&format!("update crm_leads set assigned_to = '{b}' where id in ('{l1}', '{l2}')"));
        let list = backend.sql(&format!("insert into crm_lead_lists(user_id, name) values ('{a}', 'Team list') returning id"));
        backend.sql(&format!(
            "insert into crm_lead_list_members(list_id, lead_id) values ('{list}', '{l1}'), ('{list}', '{l2}'), ('{list}', '{l3}')"
        ));
        let campaign = backend.sql(&format!(
            "insert into dialer_campaigns(user_id, name, list_id, status, max_attempts, retry_rules, local_presence)
             values ('{a}', 'Team push', '{list}', 'active', 2, '{{\"busy\": 30}}', true) returning id"
        ));

        // Who works it: whoever sees a lead of its list; only the owner changes it.
        assert!(backend.sql_as("agent_b", "select count(*) from dialer_campaigns").expect("q").ends_with('1'), "b works it");
        assert!(backend.sql_as("agent_c", "select count(*) from dialer_campaigns").expect("q").ends_with('0'), "c does not");
        let _ = backend.sql_as("agent_b", &format!("update dialer_campaigns set name = 'Bob''s' where id = '{campaign}'"));
        assert_eq!(backend.sql(&format!("select name from dialer_campaigns where id = '{campaign}'")), "Team push", "b cannot rename it");
        let refused = claim(&backend, "agent_c", &campaign, &[&l3], 60).expect_err("c may not claim");
        assert!(refused.contains("not one you work"), "{refused}");

        // One agent at a time.
        assert_eq!(claim(&backend, "agent_a", &campaign, &[&l1, &l2], 600).expect("a claims"), sorted(&[&l1, &l2]));
        assert_eq!(claim(&backend, "agent_b", &campaign, &[&l1, &l2, &l3], 600).expect("b claims"), Vec::<String>::new(),
            "a holds l1 and l2; b does not see l3");
        assert_eq!(claim(&backend, "agent_a", &campaign, &[&l1], 600).expect("renewed"), sorted(&[&l1]), "a renews its own");

        // An expired lease is taken over.
        assert_eq!(claim(&backend, "agent_a", &campaign, &[&l2], 5).expect("a short lease"), sorted(&[&l2]));
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        assert_eq!(claim(&backend, "agent_b", &campaign, &[&l2], 600).expect("b claims"), sorted(&[&l2]), "a's lease ran out");

        // The outcome ends the lease, in the order the desktop wrote it, and holds the lead until
        // its retry time.
        let attempt = uuid::Uuid::now_v7().to_string();
        let retry_at = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        let push = PgTransport::new(&backend.url_as("agent_a")).expect("url");
        let client = uuid::Uuid::now_v7().to_string();
        let answer = push.push(&client, &json!([
            {"id": 1, "op": "insert", "table": "dialer_campaign_calls", "row_id": attempt,
             "args": {"id": attempt, "campaign_id": campaign, "lead_id": l1, "attempt_number": 1, "status": "called"}},
            {"id": 2, "op": "update", "table": "dialer_campaign_calls", "row_id": attempt,
             "args": {"id": attempt, "set": {"outcome": "busy", "next_retry_at": retry_at}}},
        ])).await.expect("pushed");
        assert_eq!(answer["rejected"], json!([]), "{answer}");
        assert_eq!(backend.count(&format!("from sync.campaign_lease where lead_id = '{l1}'")), 0, "released with the outcome");
        assert_eq!(claim(&backend, "agent_b", &campaign, &[&l1], 600).expect("b claims"), Vec::<String>::new(), "busy: not before its retry");
        backend.sql(&format!("update dialer_campaign_calls set next_retry_at = now() - interval '1 minute' where id = '{attempt}'"));
        assert_eq!(claim(&backend, "agent_b", &campaign, &[&l1], 600).expect("b claims"), sorted(&[&l1]), "due again");
        // A second dial reaches the campaign's two attempts.
        backend.sql(&format!(
            "insert into dialer_campaign_calls(campaign_id, lead_id, agent_id, status, outcome, next_retry_at)
             values ('{campaign}', '{l1}', '{b}', 'called', 'no_answer', now() - interval '1 minute')"
        ));
        backend.sql(&format!("delete from sync.campaign_lease where lead_id = '{l1}'"));
        assert_eq!(claim(&backend, "agent_a", &campaign, &[&l1], 600).expect("a claims"), Vec::<String>::new(), "out of attempts");
        let forged = push.push(&client, &json!([
            {"id": 3, "op": "update", "table": "dialer_campaign_calls", "row_id": attempt,
             "args": {"id": attempt, "set": {"agent_id": b}}},
        ])).await.expect("answered");
        assert_eq!(forged["rejected"][0]["code"], "RD004", "an attempt's agent cannot be rewritten: {forged}");

        // Agent b's desktop pulls the campaign with its settings and the attempts on its leads.
        let desktop = Desktop::new(&backend, "agent_b");
        desktop.sync().await.expect("synced");
        let c = desktop.store.read(|r| campaigns::get(r, &campaign)).expect("pulled");
        assert_eq!((c.max_attempts, c.local_presence, c.retry_rules.as_str()), (2, true, r#"{"busy":30}"#), "{c:?}");
        let members = desktop.store.read(|r| campaigns::members(r, &campaign, "2000-01-01T00:00:00.000Z")).expect("members");
        let one = members.iter().find(|m| m.lead_id == l1).expect("l1 is b's");
        assert_eq!((one.attempts, one.assigned_to.as_deref()), (2, Some(b)), "its attempts and assignee arrived");
        assert_eq!(members.len(), 2, "b has only the leads it sees");
    }
}
