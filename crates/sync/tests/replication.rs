//! Replication against a real PostgreSQL: every scenario of the fault list in
//! docs/reference/sync.md §5, each on its own database, desktops connected as their own agent
//! roles (so Row Level Security applies, never as superuser).

mod common;

use common::{Backend, Crm, Desktop, backend_leads, backend_projection};
use ringdesk_store::{outbox, replica};
use ringdesk_sync::{PgTransport, SyncError, Transport};
use ringdesk_testkit::postgres::{FaultProxy, PgBouncer};
use serde_json::json;

fn call_log_mutation(id: i64, call_id: &str) -> serde_json::Value {
    json!({"id": id, "op": "insert", "table": "call_logs", "row_id": call_id,
           "args": {"id": call_id, "contact_number": "+15550001111", "direction": "outbound",
                    "route": "softphone", "started_at": "2026-11-29T10:00:00Z"}})
}

on_both_crms! {
    async fn reply_lost_after_the_server_committed_leaves_exactly_one_row(crm: Crm) {
        let backend = Backend::new(crm);
        let proxy = FaultProxy::start(backend.cluster.addr()).expect("proxy");
        let desktop = Desktop::with_url(&proxy.url_for(&backend.db, "agent_a"));
        desktop.sync().await.expect("a first (empty) cycle connects");
        let call = desktop.log_call(None, "+15550001111");

        // The push's reply is lost, and so is that of the transport's own retry on a new connection.
        proxy.lose_replies_to(b"sync.push", 2);
        let err = desktop.sync().await.expect_err("the push's answer never arrives");
        assert!(matches!(err, SyncError::Unreachable(_)), "a cut link is 'unreachable', got {err:?}");
        assert_eq!(proxy.replies_lost(), 2, "the proxy swallowed both replies");
        assert_eq!(backend.count(&format!("from call_logs where id = '{call}'")), 1, "the server committed before the cut");
        assert_eq!(desktop.pending(), 1, "the desktop never saw the ack, so the mutation is still queued");

        let report = desktop.sync().await.expect("the retry on a new connection");
        assert_eq!(report.pending, 0, "the resend was acknowledged");
        assert_eq!(backend.count(&format!("from call_logs where id = '{call}'")), 1, "still exactly one row");
        assert_eq!(backend.sql("select last_mutation_id from sync.client"), "1", "mutation 1 applied once");

        // A single lost reply is absorbed by the transport's retry: no error reaches the agent.
        let second = desktop.log_call(None, "+15550001112");
        proxy.lose_replies_to(b"sync.push", 1);
        let report = desktop.sync().await.expect("one lost reply is retried inside the cycle");
        assert_eq!(report.pending, 0, "acknowledged by the retry");
        assert_eq!(proxy.replies_lost(), 3, "the reply was really lost");
        assert_eq!(backend.count(&format!("from call_logs where id = '{second}'")), 1, "applied once");
    }

    async fn an_overlapping_batch_sent_again_is_applied_once(crm: Crm) {
        let backend = Backend::new(crm);
        let t = PgTransport::new(&backend.url_as("agent_a")).expect("url");
        let client = uuid::Uuid::now_v7().to_string();
        let ids: Vec<String> = (0..4).map(|_| uuid::Uuid::now_v7().to_string()).collect();
        let batch = |n: usize| {
            json!(ids[..n].iter().enumerate().map(|(i, c)| call_log_mutation(i as i64 + 1, c)).collect::<Vec<_>>())
        };
        t.push(&client, &batch(3)).await.expect("mutations 1-3");
        let answer = t.push(&client, &batch(4)).await.expect("mutations 1-4");
        assert_eq!(answer["last_mutation_id"], 4, "the backend moved to 4: {answer}");
        assert_eq!(backend.count("from call_logs"), 4, "1-3 were skipped the second time");
    }

    async fn a_gap_in_mutation_ids_is_refused_and_nothing_is_applied(crm: Crm) {
        let backend = Backend::new(crm);
        let t = PgTransport::new(&backend.url_as("agent_a")).expect("url");
        let client = uuid::Uuid::now_v7().to_string();
        let a = uuid::Uuid::now_v7().to_string();
        let b = uuid::Uuid::now_v7().to_string();
        t.push(&client, &json!([call_log_mutation(1, &a)])).await.expect("mutation 1");
        let err = t.push(&client, &json!([call_log_mutation(3, &b)])).await.expect_err("3 after 1 is a gap");
        assert!(matches!(err, SyncError::Gap(_)), "a gap error, got {err:?}");
        assert_eq!(backend.count("from call_logs"), 1, "nothing of the refused batch was applied");
        assert_eq!(backend.sql("select last_mutation_id from sync.client"), "1", "the client stays at 1");
    }

    async fn transactions_committing_out_of_order_lose_no_row(crm: Crm) {
        let backend = Backend::new(crm);
        let desktop = Desktop::new(&backend, "agent_a");
        let first = backend.connect().await;
        let second = backend.connect().await;
        let a = backend.agent("agent_a");
        // The first transaction starts (takes its xid) first but commits last.
        first.simple_query("begin").await.expect("begin 1");
        first
            .simple_query(&format!("insert into crm_leads(user_id, name, status) values ('{a}', 'Early', 'new')"))
            .await
            .expect("insert 1");
        second
            .simple_query(&format!(
                "begin; insert into crm_leads(user_id, name, status) values ('{a}', 'Late', 'new'); commit"
            ))
            .await
            .expect("insert 2 committed");
        desktop.sync().await.expect("pull while the first transaction is open");
        let names: Vec<String> = desktop.leads().into_iter().map(|l| l.1).collect();
        assert!(!names.contains(&"Early".to_string()), "an uncommitted row is never delivered: {names:?}");
        first.simple_query("commit").await.expect("commit 1");
        desktop.sync().await.expect("pull after both committed");
        let mut names: Vec<String> = desktop.leads().into_iter().map(|l| l.1).collect();
        names.sort();
        assert_eq!(names, ["Early", "Late"], "the row committed out of order arrived too");
    }

    async fn the_same_status_edited_on_web_and_desktop_keeps_the_server_value_and_records_one_conflict(crm: Crm) {
        let backend = Backend::new(crm);
        let desktop = Desktop::new(&backend, "agent_a");
        let lead = backend.web_lead("agent_a", "Ann", "+12025550101", "new");
        desktop.sync().await.expect("pull the lead");
        backend.sql(&format!("update crm_leads set status = 'qualified' where id = '{lead}'"));
        desktop.set_status(&lead, "contacted");

        let report = desktop.sync().await.expect("push the conflicting change, pull the server's");
        assert_eq!(report.conflicts, 2, "counted once by push, once when the conflict row is pulled: {report:?}");
        assert_eq!(
            backend.sql(&format!("select status from crm_leads where id = '{lead}'")),
            "qualified",
            "server value kept"
        );
        assert_eq!(backend.count("from sync.conflict"), 1, "one conflict recorded");
        assert_eq!(desktop.lead(&lead).expect("lead").status, "qualified", "the desktop shows the server value");
        let open = desktop.store.read(|r| replica::open_conflicts(r)).expect("conflicts");
        assert_eq!(open.len(), 1, "one conflict to resolve: {open:?}");
        assert_eq!(open[0].your_value.as_deref(), Some("contacted"), "the agent's value is kept for the choice");
        assert_eq!(open[0].server_value.as_deref(), Some("qualified"));

        // The agent keeps their value: a new compare-and-set on the server's value, which succeeds.
        desktop.store.write(|w| replica::resolve_conflict(w, &open[0].id, "use_mine")).expect("resolve");
        desktop.set_status(&lead, "contacted");
        desktop.sync().await.expect("push the resolution");
        assert_eq!(backend.sql(&format!("select status from crm_leads where id = '{lead}'")), "contacted", "mine applied");
        assert_eq!(backend.count("from sync.conflict where resolved_at is not null"), 1, "the resolution synced");
        assert!(
            desktop.store.read(|r| replica::open_conflicts(r)).expect("conflicts").is_empty(),
            "nothing left to resolve"
        );
    }

    async fn a_desktop_clock_years_off_cannot_push_last_contact_into_the_future(crm: Crm) {
        let backend = Backend::new(crm);
        let desktop = Desktop::new(&backend, "agent_a");
        let lead = backend.web_lead("agent_a", "Bo", "+12025550102", "new");
        desktop.sync().await.expect("pull");
        desktop
            .store
            .write(|w| ringdesk_store::leads::touch_last_contact(w, &lead, "2099-01-01T00:00:00.000Z"))
            .expect("touch");
        desktop.sync().await.expect("push");
        let ahead: f64 = backend
            .sql(&format!("select extract(epoch from last_contact - now()) from crm_leads where id = '{lead}'"))
            .parse()
            .expect("seconds");
        assert!(ahead <= 300.0, "clamped to the server's clock + 5 min, was {ahead} s ahead");
        assert!(ahead > 0.0, "still the latest contact");
    }

    async fn one_agent_can_neither_read_nor_push_as_another(crm: Crm) {
        let backend = Backend::new(crm);
        let a = Desktop::new(&backend, "agent_a");
        let b = Desktop::new(&backend, "agent_b");
        let lead = a.add_lead("Secret", "+12025550103");
        a.sync().await.expect("a pushes");
        b.sync().await.expect("b pulls");
        assert!(b.lead(&lead).is_none(), "b cannot see a's lead");

        let a_client = a.store.read(|r| replica::state(r, "client_id")).expect("state").expect("a's client id");
        let tb = PgTransport::new(&backend.url_as("agent_b")).expect("url");
        let call = uuid::Uuid::now_v7().to_string();
        let err = tb.push(&a_client, &json!([call_log_mutation(99, &call)])).await.expect_err("b uses a's client id");
        assert!(matches!(err, SyncError::Auth(_)), "refused as someone else's client: {err:?}");

        let b_client = uuid::Uuid::now_v7().to_string();
        let steal = json!([{"id": 1, "op": "update", "table": "leads", "row_id": lead,
                            "args": {"id": lead, "set": {"name": "Stolen"}, "old": {}}}]);
        let answer = tb.push(&b_client, &steal).await.expect("the push itself goes through");
        assert_eq!(answer["rejected"].as_array().map(Vec::len), Some(1), "the update is rejected: {answer}");
        assert_eq!(backend.sql(&format!("select name from crm_leads where id = '{lead}'")), "Secret", "unchanged");
        let rows = tb.pull("0:0:00000000-0000-0000-0000-000000000000", None, 100).await.expect("b pulls raw");
        assert!(!rows.to_string().contains(&lead), "b's raw pull never includes a's lead");
    }

    async fn a_rejected_mutation_is_recorded_and_does_not_block_the_queue(crm: Crm) {
        let backend = Backend::new(crm);
        let desktop = Desktop::new(&backend, "agent_a");
        let lead = backend.web_lead("agent_a", "Cy", "+12025550104", "new");
        desktop.sync().await.expect("pull");
        backend.sql(&format!("update crm_leads set user_id = '{}' where id = '{lead}'", backend.agent("agent_b")));
        // Offline: the desktop still has the lead and edits it, then logs a call.
        desktop
            .store
            .write(|w| ringdesk_store::leads::update(w, &lead, &[ringdesk_store::leads::Change::Name("Cyrus".into())]))
            .expect("edit");
        let call = desktop.log_call(None, "+12025550104");
        let report = desktop.sync().await.expect("sync");
        assert_eq!(report.rejected, 1, "the edit of a lead no longer ours is rejected: {report:?}");
        assert_eq!(backend.count(&format!("from call_logs where id = '{call}'")), 1, "the call behind it went through");
        let issues = desktop.store.read(|r| replica::issues(r, 10)).expect("issues");
        assert!(issues.iter().any(|i| i.kind == "rejected" && i.row_id == lead), "the rejection is shown: {issues:?}");
        assert!(desktop.lead(&lead).is_none(), "the revoked lead left this desktop");
    }

    async fn a_lead_reassigned_away_disappears_and_comes_back_when_reassigned_back(crm: Crm) {
        let backend = Backend::new(crm);
        let a = Desktop::new(&backend, "agent_a");
        let b = Desktop::new(&backend, "agent_b");
        let lead = backend.web_lead("agent_a", "Dee", "+12025550105", "new");
        a.sync().await.expect("a syncs");
        let call = a.log_call(Some(&lead), "+12025550105");
        a.sync().await.expect("a syncs");
        b.sync().await.expect("b syncs");
        assert!(a.lead(&lead).is_some() && b.lead(&lead).is_none(), "a's lead, only on a");

        backend.sql(&format!("update crm_leads set user_id = '{}' where id = '{lead}'", backend.agent("agent_b")));
        a.sync().await.expect("a syncs");
        b.sync().await.expect("b syncs");
        assert!(a.lead(&lead).is_none(), "revoked from a");
        assert!(b.lead(&lead).is_some(), "now on b");
        assert_eq!(backend.count(&format!("from call_logs where id = '{call}'")), 1, "a's call log stays on the backend");

        backend.sql(&format!("update crm_leads set user_id = '{}' where id = '{lead}'", backend.agent("agent_a")));
        a.sync().await.expect("a syncs");
        b.sync().await.expect("b syncs");
        assert!(a.lead(&lead).is_some(), "back on a");
        assert!(b.lead(&lead).is_none(), "revoked from b");
    }

    async fn a_long_open_transaction_delays_but_never_loses_rows(crm: Crm) {
        let backend = Backend::new(crm);
        let desktop = Desktop::new(&backend, "agent_a");
        let holder = backend.connect().await;
        holder.simple_query("begin").await.expect("begin");
        holder
            .simple_query(&format!(
                "insert into call_logs(user_id, contact_number) values ('{}', '+1')",
                backend.agent("agent_b")
            ))
            .await
            .expect("an unrelated write holds the watermark");
        let lead = backend.web_lead("agent_a", "Eve", "+12025550106", "new");
        desktop.sync().await.expect("pull");
        assert!(desktop.lead(&lead).is_none(), "held back by the older open transaction (lag, not loss)");
        holder.simple_query("commit").await.expect("commit");
        desktop.sync().await.expect("pull");
        assert!(desktop.lead(&lead).is_some(), "delivered once the watermark moved");
    }

    async fn an_epoch_change_or_expired_cursor_resyncs_in_full_without_losing_pending_changes(crm: Crm) {
        let backend = Backend::new(crm);
        let desktop = Desktop::new(&backend, "agent_a");
        let keep = backend.web_lead("agent_a", "Keep", "+12025550107", "new");
        let gone = backend.web_lead("agent_a", "Gone", "+12025550108", "new");
        desktop.sync().await.expect("pull both");
        assert!(desktop.lead(&gone).is_some(), "pulled");

        // The web deletes a lead, and the backend forgets its tombstones (GC past the horizon).
        backend.sql(&format!("delete from crm_leads where id = '{gone}'"));
        backend.sql("select sync.gc('0 seconds')");
        // A local change made while the resync runs (between push and pull) must survive it.
        let mine = desktop.add_lead("Mine", "+12025550109");
        let report = desktop.syncer.pull_only(&desktop.store, &|_| {}).await.expect("pull");
        assert!(report.resynced, "the cursor was older than the horizon: {report:?}");
        assert!(desktop.lead(&gone).is_none(), "the deleted lead is gone although its tombstone was not");
        assert!(desktop.lead(&keep).is_some(), "the rest stays");
        assert!(desktop.lead(&mine).is_some(), "the pending local lead was not dropped");
        desktop.sync().await.expect("push it");
        assert_eq!(backend.count(&format!("from crm_leads where id = '{mine}'")), 1, "and it reached the backend");

        // Restoring the backend from a dump: an admin starts a new epoch.
        backend.sql("select sync.new_epoch()");
        let report = desktop.sync().await.expect("sync after the new epoch");
        assert!(report.resynced, "a new epoch resyncs: {report:?}");
        assert_eq!(desktop.leads(), backend_leads(&backend, "agent_a"), "the desktop equals the backend's projection");
    }

    async fn a_restored_or_copied_database_gets_a_new_client_id_and_loses_nothing(crm: Crm) {
        let backend = Backend::new(crm);
        let desktop = Desktop::new(&backend, "agent_a");
        for i in 0..3 {
            desktop.add_lead(&format!("Before {i}"), "+12025550110");
        }
        desktop.sync().await.expect("sync 1-3");
        let backup = desktop.dir.path().join("backup.db");
        desktop.store.backup_to(&backup).expect("back up the file");
        for i in 0..2 {
            desktop.add_lead(&format!("After {i}"), "+12025550111");
        }
        desktop.sync().await.expect("sync 4-5");
        let restored = desktop.restored_from(&backup, &backend.url_as("agent_a"));
        let client_before = restored.store.read(|r| replica::state(r, "client_id")).expect("state");
        // Four new leads take local ids 4..7: ids 4 and 5 were already applied with other contents.
        for i in 0..4 {
            restored.add_lead(&format!("Restored {i}"), "+12025550112");
        }
        let report = restored.sync().await.expect("sync after the restore");
        assert!(report.rotated, "the copy was detected: {report:?}");
        let client_after = restored.store.read(|r| replica::state(r, "client_id")).expect("state");
        assert_ne!(client_before, client_after, "a new client id");
        assert_eq!(backend.count("from crm_leads"), 9, "3 + 2 + 4 leads, none dropped as a duplicate");
        assert_eq!(restored.leads().len(), 9, "the two leads missing from the backup came back by pull");
    }

    async fn a_database_copied_to_another_path_pushes_under_its_own_client_id(crm: Crm) {
        let backend = Backend::new(crm);
        let original = Desktop::new(&backend, "agent_a");
        original.add_lead("Shared", "+12025550113");
        original.sync().await.expect("sync");
        let dir = tempfile::tempdir().expect("dir");
        original.store.backup_to(&dir.path().join("ringdesk.db")).expect("copy");
        let copy = Desktop::open(dir, &backend.url_as("agent_a"));
        original.add_lead("Only original", "+12025550114");
        copy.add_lead("Only copy", "+12025550115");
        original.sync().await.expect("original syncs");
        let report = copy.sync().await.expect("copy syncs");
        assert!(report.rotated, "the copy noticed it moved: {report:?}");
        assert_eq!(backend.count("from crm_leads"), 3, "both new leads arrived");
        assert_eq!(backend.count("from sync.client"), 2, "two clients");
    }

    async fn the_same_client_pushing_twice_at_once_applies_each_mutation_once(crm: Crm) {
        let backend = Backend::new(crm);
        let client = uuid::Uuid::now_v7().to_string();
        let ids: Vec<String> = (0..50).map(|_| uuid::Uuid::now_v7().to_string()).collect();
        let batch = json!(ids.iter().enumerate().map(|(i, c)| call_log_mutation(i as i64 + 1, c)).collect::<Vec<_>>());
        let t1 = PgTransport::new(&backend.url_as("agent_a")).expect("url");
        let t2 = PgTransport::new(&backend.url_as("agent_a")).expect("url");
        let (r1, r2) = tokio::join!(t1.push(&client, &batch), t2.push(&client, &batch));
        assert!(r1.is_ok() && r2.is_ok(), "both pushes succeed (one waits for the other's lock): {r1:?} {r2:?}");
        assert_eq!(backend.count("from call_logs"), 50, "no duplicates");
    }

    async fn a_transaction_pooler_works_because_only_unnamed_statements_are_used(crm: Crm) {
        let backend = Backend::new(crm);
        let users: Vec<&str> = common::roles().chain(["postgres"]).collect();
        let bouncer = PgBouncer::start(&backend.cluster, &users).expect("pgbouncer");
        // The control: a named prepared statement breaks in transaction mode.
        let (client, conn) = tokio_postgres::connect(&bouncer.url(&backend.db, "postgres"), tokio_postgres::NoTls)
            .await
            .expect("connect through the pooler");
        tokio::spawn(conn);
        let named = client.query("select 1", &[]).await;
        assert!(named.is_err(), "a named prepared statement fails through pgbouncer in transaction mode");

        let desktop = Desktop::with_url(&bouncer.url(&backend.db, "agent_a"));
        let lead = backend.web_lead("agent_a", "Pooled", "+12025550116", "new");
        let call = desktop.log_call(None, "+12025550116");
        for _ in 0..3 {
            desktop.sync().await.expect("sync through the pooler");
        }
        assert!(desktop.lead(&lead).is_some(), "pulled through the pooler");
        assert_eq!(backend.count(&format!("from call_logs where id = '{call}'")), 1, "pushed through the pooler");
    }

    async fn backend_rows_that_break_local_rules_are_stored_as_far_as_valid_and_reported(crm: Crm) {
        let backend = Backend::new(crm);
        let desktop = Desktop::new(&backend, "agent_a");
        let a = backend.agent("agent_a");
        let long = "x".repeat(5000);
        backend.sql(&format!(
            "insert into crm_leads(user_id, name, phone, status) values
               ('{a}', 'Bad Phone', 'call me maybe', 'new'),
               ('{a}', 'Odd Status', '+12025550117', '!!! <script>'),
               ('{a}', '{long}', '+12025550118', 'new');
             insert into call_logs(user_id, contact_number, direction, started_at) values ('{a}', null, 'sideways', now());"
        ));
        for i in 0..30 {
            backend.web_lead("agent_a", &format!("Fine {i}"), "+12025550119", "new");
        }
        let options = ringdesk_sync::SyncerOptions { pull_page: 7, apply_batch: 7, ..Default::default() };
        let syncer = ringdesk_sync::Syncer::new(PgTransport::new(&backend.url_as("agent_a")).expect("url"), options);
        let report = syncer.cycle(&desktop.store, &|_| {}).await.expect("the pull completes");
        assert!(report.issues >= 4, "each bad row reported: {report:?}");
        let leads = desktop.leads();
        assert_eq!(leads.len(), 33, "every lead stored, later pages too");
        let bad_phone = leads.iter().find(|l| l.1 == "Bad Phone").expect("stored");
        let lead = desktop.lead(&bad_phone.0).expect("lead");
        assert_eq!(
            (lead.phone.as_deref(), lead.phone_e164),
            (Some("call me maybe"), None),
            "kept as written, not dialable"
        );
        assert!(leads.iter().any(|l| l.1 == "Odd Status" && l.2 == "new"), "an invalid status is not taken");
        assert!(leads.iter().any(|l| l.1.len() == 500), "an oversized name is cut to 500");
        let calls = desktop
            .store
            .read(|r| {
                ringdesk_store::calls::history(r, &ringdesk_store::calls::HistoryQuery { limit: 10, ..Default::default() })
            })
            .expect("history");
        assert_eq!(calls.len(), 1, "the call log is stored: {calls:?}");
        assert_eq!(
            (calls[0].direction.as_str(), calls[0].contact_number.as_str()),
            ("outbound", "unknown"),
            "with safe values"
        );
        let issues = desktop.store.read(|r| replica::issues(r, 50)).expect("issues");
        assert!(issues.iter().any(|i| i.message.contains("call me maybe")), "the issue names the bad value: {issues:?}");
    }

    async fn unreachable_refused_or_unmigrated_backends_say_so_and_keep_the_outbox(crm: Crm) {
        let backend = Backend::new(crm);
        let closed = ringdesk_testkit::free_port().expect("port");
        let cases = [
            (format!("postgres://agent_a@127.0.0.1:{closed}/{}?sslmode=disable", backend.db), "unreachable"),
            (backend.cluster.url(&backend.db, "nobody"), "auth"),
            (backend.cluster.url(&backend.cluster.create_database("plain", None).expect("db"), "postgres"), "migrate"),
        ];
        for (url, expect) in cases {
            let desktop = Desktop::with_url(&url);
            desktop.add_lead("Kept", "+12025550120");
            let err = desktop.sync().await.expect_err("sync fails");
            let ok = match expect {
                "unreachable" => matches!(err, SyncError::Unreachable(_)),
                "auth" => matches!(err, SyncError::Auth(_)),
                _ => matches!(err, SyncError::NotMigrated(_)) && err.to_string().contains("ringdesk-cli backend migrate"),
            };
            assert!(ok, "{expect}: got {err:?}");
            assert_eq!(desktop.pending(), 1, "{expect}: the outbox is kept");
            assert_eq!(desktop.leads().len(), 1, "{expect}: local data untouched");
        }
        let bad = PgTransport::new("mysql://nope");
        assert!(matches!(bad, Err(SyncError::Config(_))), "a URL that is not PostgreSQL's is a config error");
    }

    async fn migrations_apply_again_to_a_database_that_already_has_them_and_its_data(crm: Crm) {
        let backend = Backend::new(crm);
        let lead = backend.web_lead("agent_a", "Existing", "+12025550121", "new");
        let again =
            ringdesk_sync::backend::migrate(&backend.cluster.url(&backend.db, "postgres")).await.expect("migrate again");
        assert!(again.applied.is_empty(), "nothing to apply: {again:?}");
        backend.sql("delete from ringdesk_migrations");
        let forced =
            ringdesk_sync::backend::migrate(&backend.cluster.url(&backend.db, "postgres")).await.expect("re-run all");
        assert_eq!(forced.applied.len(), ringdesk_sync::backend::MIGRATIONS.len(), "every file ran again: {forced:?}");
        assert_eq!(backend.count(&format!("from crm_leads where id = '{lead}'")), 1, "data kept");

        // The web app's own tables with data, before Ringdesk: the migrations leave the rows intact.
        let db = backend.cluster.create_database("webapp", None).expect("db");
        backend
            .cluster
            .psql(
                &db,
                "create table crm_leads (id uuid primary key default gen_random_uuid(), user_id uuid, name text not null,
                   email text, phone text, company text, position text, status text default 'new', value numeric,
                   source text, notes text, created_at timestamptz default now(), updated_at timestamptz default now(),
                   last_contact timestamptz);
                 insert into crm_leads(name) select 'Web ' || g from generate_series(1, 100) g;",
            )
            .expect("a web CRM database");
        ringdesk_sync::backend::migrate(&backend.cluster.url(&db, "postgres")).await.expect("migrate the web database");
        assert_eq!(
            backend.cluster.psql(&db, "select count(*) from crm_leads where row_xid is not null").expect("count"),
            "100"
        );
    }

    async fn a_call_and_its_disposition_push_in_order_with_ids_matching_one_to_one(crm: Crm) {
        let backend = Backend::new(crm);
        let desktop = Desktop::new(&backend, "agent_a");
        desktop
            .store
            .write(|w| {
                let call = ringdesk_store::calls::NewCall {
                    contact_number: "+1".into(),
                    route: "softphone".into(),
                    direction: "outbound".into(),
                    started_at: "2026-11-29T10:00:00.000Z".into(),
                    ..Default::default()
                };
                let id = ringdesk_store::calls::insert(w, &call)?;
                ringdesk_store::calls::insert_disposition(w, &id, "interested", None)?;
                Ok::<_, ringdesk_store::StoreError>(id)
            })
            .expect("call and disposition");
        let report = desktop.sync().await.expect("sync");
        assert_eq!(report.rejected, 0, "call then disposition apply in order: {report:?}");
        assert_eq!(backend.count("from call_dispositions"), 1, "disposition pushed");
        assert_eq!(
            backend.sql("select disposition from call_logs"),
            "interested",
            "the backend keeps the call's latest disposition"
        );
        let last = desktop.store.read(|r| outbox::last_mutation_id(r)).expect("last");
        assert_eq!(backend.sql("select last_mutation_id from sync.client"), last.to_string(), "ids match one to one");
    }

    async fn the_rest_transport_syncs_as_the_signed_in_agent_and_refreshes_an_expired_token(crm: Crm) {
        use ringdesk_sync::{RestTransport, SupabaseAuth, Syncer, SyncerOptions};
        use ringdesk_testkit::supabase::SupabaseFront;
        use std::sync::{Arc, Mutex};

        let backend = Backend::new(crm);
        let front = SupabaseFront::start(&backend.cluster.url(&backend.db, "postgres"), "anon-key").await.expect("front");
        front.add_user("ann@example.com", "right", backend.agent("agent_a"));
        let bad_key = SupabaseAuth::new(&front.url(), "not-the-key").expect("auth");
        let err = bad_key.sign_in("ann@example.com", "right").await.expect_err("a wrong project key is refused");
        assert!(matches!(&err, SyncError::Auth(m) if m.contains("Invalid API key")), "names the key: {err:?}");
        let auth = SupabaseAuth::new(&front.url(), "anon-key").expect("auth");
        let wrong = auth.sign_in("ann@example.com", "wrong").await.expect_err("a wrong password is refused");
        assert!(matches!(&wrong, SyncError::Auth(m) if m.contains("Invalid login credentials")), "says why: {wrong:?}");
        let session = auth.sign_in("ann@example.com", "right").await.expect("sign in");
        assert_eq!(session.user_id, backend.agent("agent_a"), "the session names the agent");
        assert!(!format!("{session:?}").contains(&session.refresh_token), "Debug never shows a token");

        let refreshed = Arc::new(Mutex::new(Vec::new()));
        let keep = refreshed.clone();
        let on_refresh =
            Box::new(move |s: &ringdesk_sync::Session| keep.lock().expect("lock").push(s.refresh_token.clone()));
        let syncer = Syncer::new(RestTransport::new(auth, session, Some(on_refresh)), SyncerOptions::default());
        let dir = tempfile::tempdir().expect("dir");
        let store = ringdesk_store::Store::open(&dir.path().join("r.db")).expect("store");

        let mine = backend.web_lead("agent_a", "Hers", "+12025550130", "new");
        let theirs = backend.web_lead("agent_b", "Not hers", "+12025550131", "new");
        let new = ringdesk_store::leads::NewLead { name: "From desktop".into(), ..Default::default() };
        let local = store.write(|w| ringdesk_store::leads::insert(w, &new)).expect("local lead").id;
        syncer.cycle(&store, &|_| {}).await.expect("sync over REST");
        let has = |id: &str| store.read(|r| ringdesk_store::leads::get(r, id)).is_ok();
        assert!(has(&mine) && !has(&theirs), "RLS under the authenticated role: only her lead arrives");
        assert_eq!(
            backend.sql(&format!("select user_id from crm_leads where id = '{local}'")),
            backend.agent("agent_a"),
            "the pushed lead belongs to the signed-in agent"
        );

        front.expire_access_tokens();
        syncer.cycle(&store, &|_| {}).await.expect("an expired access token is refreshed and the call retried");
        assert_eq!(refreshed.lock().expect("lock").len(), 1, "the new refresh token was handed over to be kept");

        front.revoke_sessions();
        let before = store.read(|r| outbox::pending_count(r)).expect("pending");
        let edit = ringdesk_store::leads::Change::Name("Renamed".into());
        store.write(|w| ringdesk_store::leads::update(w, &mine, &[edit])).expect("edit");
        let err = syncer.cycle(&store, &|_| {}).await.expect_err("a revoked session cannot sync");
        assert!(matches!(&err, SyncError::Auth(m) if m.contains("sign in again")), "tells the agent to sign in: {err:?}");
        assert_eq!(store.read(|r| outbox::pending_count(r)).expect("pending"), before + 1, "the change is kept");

        // A project without Ringdesk's migrations.
        let plain = backend.cluster.create_database("plain", None).expect("db");
        let bare = SupabaseFront::start(&backend.cluster.url(&plain, "postgres"), "k").await.expect("front");
        bare.add_user("ann@example.com", "right", backend.agent("agent_a"));
        let auth = SupabaseAuth::new(&bare.url(), "k").expect("auth");
        let session = auth.sign_in("ann@example.com", "right").await.expect("sign in");
        let t = RestTransport::new(auth, session, None);
        let err = t.pull("0:0:00000000-0000-0000-0000-000000000000", None, 10).await.expect_err("no sync functions");
        assert!(matches!(err, SyncError::NotMigrated(_)), "a backend without the migrations says so: {err:?}");
    }

    async fn direct_postgres_over_tls_verifies_the_server_certificate(crm: Crm) {
        let (cluster, ca) = ringdesk_testkit::postgres::PgCluster::start_with_tls().expect("a cluster with TLS");
        let backend = Backend::on(cluster, crm);
        let lead = backend.web_lead("agent_a", "Over TLS", "+12025550140", "new");
        let port = backend.cluster.port();
        let url = format!("postgres://agent_a@127.0.0.1:{port}/{}?sslmode=verify-full", backend.db);
        let untrusted = Desktop::with_url(&url);
        let err = untrusted.sync().await.expect_err("a certificate from an unknown CA is refused");
        assert!(
            matches!(&err, SyncError::Config(m) if m.contains("sslrootcert")),
            "says the certificate was not accepted and how to add a CA: {err:?}"
        );

        let trusted = Desktop::with_url(&format!("{url}&sslrootcert={}", ca.display()));
        trusted.sync().await.expect("syncs with the private CA added");
        assert!(trusted.lead(&lead).is_some(), "pulled over TLS");
        assert_eq!(
            backend.sql(
                "select count(*) from pg_stat_ssl s join pg_stat_activity a using (pid)
                 where a.application_name = 'ringdesk' and s.ssl"
            ),
            "1",
            "the server sees the desktop's connection encrypted"
        );
    }

    async fn on_a_supabase_database_the_agent_is_the_jwt_sub_as_the_web_app_stores_it(crm: Crm) {
        use ringdesk_sync::{RestTransport, SupabaseAuth, Syncer, SyncerOptions};
        use ringdesk_testkit::supabase::SupabaseFront;

        let backend = Backend::new(crm);
        let cluster = &backend.cluster;
        // A database as Supabase makes it: the auth schema with its uid() (Supabase's definition),
        // which casts `sub` to uuid and so fails for third-party ids such as Clerk's.
        let db = cluster.create_database("supa", None).expect("db");
        cluster
            .psql(
                &db,
                "create schema auth;
                 create function auth.uid() returns uuid language sql stable as $$
                   select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                                   (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $$;",
            )
            .expect("auth schema");
        Backend::prepare(cluster, &db, crm);
        let def = cluster.psql(&db, "select pg_get_functiondef('sync.agent_id'::regproc)").expect("definition");
        assert!(!def.contains("auth.uid()"), "sync.agent_id() reads `sub` as text, not through auth.uid(): {def}");
        let a = backend.agent("agent_a");
        let b = backend.agent("agent_b");
        cluster
            .psql(&db, &format!("insert into crm_leads(user_id, name) values ('{a}', 'Mine'), ('{b}', 'Theirs')"))
            .expect("leads");

        let front = SupabaseFront::start(&cluster.url(&db, "postgres"), "k").await.expect("front");
        front.add_user("ann@example.com", "pw", a);
        let auth = SupabaseAuth::new(&front.url(), "k").expect("auth");
        let session = auth.sign_in("ann@example.com", "pw").await.expect("sign in");
        let syncer = Syncer::new(RestTransport::new(auth, session, None), SyncerOptions::default());
        let dir = tempfile::tempdir().expect("dir");
        let store = ringdesk_store::Store::open(&dir.path().join("s.db")).expect("store");
        syncer.cycle(&store, &|_| {}).await.expect("sync");
        let names: Vec<String> = {
            let mut v = Vec::new();
            store
                .read(|r| {
                    ringdesk_store::leads::for_each(r, None, |l| {
                        v.push(l.name.clone());
                        Ok(())
                    })
                })
                .expect("leads");
            v
        };
        assert_eq!(names, ["Mine"], "RLS by the JWT's sub ({a}): only her lead");
    }
}

/// The CRM's tables as three kinds of web app have them, with their rows: owner columns of type
/// uuid, text holding UUIDs, and text holding an auth provider's other ids.
fn crm_variants() -> [(&'static str, String, &'static str); 3] {
    [
        (
            "uuid ids",
            common::TEXT_ID_CRM.replace("user_id text", "user_id uuid"),
            "0190a000-0000-7000-8000-0000000000aa",
        ),
        ("text ids holding UUIDs", common::TEXT_ID_CRM.to_string(), "0190a000-0000-7000-8000-0000000000ab"),
        ("text ids", common::TEXT_ID_CRM.to_string(), "user_2NqRkWebOwner"),
    ]
}

/// The CRM's own columns with their types and every value, to show the migrations left them be.
fn crm_fingerprint(backend: &Backend, db: &str) -> String {
    backend
        .cluster
        .psql(
            db,
            "select (select string_agg(c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod), ','
                       order by c.relname, a.attnum)
                       from pg_attribute a join pg_class c on c.oid = a.attrelid
                      where c.relname in ('crm_leads', 'crm_lead_lists', 'call_logs', 'voice_clones') and a.attnum > 0
                        and a.attname in ('id', 'user_id', 'name', 'phone', 'status', 'contact_number', 'created_at'))
                 || ' ' || (select md5(string_agg(id || user_id::text || name || coalesce(phone, '') || status, ',' order by id))
                              from crm_leads)",
        )
        .expect("fingerprint")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_apply_twice_on_uuid_and_text_owner_columns_and_never_change_the_crms_rows_or_types() {
    let backend = Backend::new(Crm::UuidIds);
    for (kind, ddl, owner) in crm_variants() {
        let db = backend.cluster.create_database("variant", None).expect("db");
        backend.cluster.psql(&db, &ddl).expect("the web app's tables");
        backend
            .cluster
            .psql(
                &db,
                &format!(
                    "insert into crm_leads(user_id, name, phone, status)
                     select '{owner}', 'Web ' || g, '+1202555' || lpad(g::text, 4, '0'), 'new' from generate_series(1, 50) g"
                ),
            )
            .expect("the web app's rows");
        let before = crm_fingerprint(&backend, &db);
        let url = backend.cluster.url(&db, "postgres");
        let first = common::migrate(&url).unwrap_or_else(|e| panic!("{kind}: the migrations apply: {e}"));
        assert_eq!(
            first.applied.len(),
            ringdesk_sync::backend::MIGRATIONS.len(),
            "{kind}: every migration ran: {first:?}"
        );
        backend.cluster.psql(&db, "delete from ringdesk_migrations").expect("forget");
        let second = common::migrate(&url).unwrap_or_else(|e| panic!("{kind}: the migrations apply again: {e}"));
        assert_eq!(
            second.applied.len(),
            ringdesk_sync::backend::MIGRATIONS.len(),
            "{kind}: every migration ran again: {second:?}"
        );
        assert_eq!(
            crm_fingerprint(&backend, &db),
            before,
            "{kind}: the CRM's columns, types and rows are as they were"
        );

        // The agent is the very string the web app stores.
        backend.cluster.ensure_role("web_owner", &["ringdesk_agent"]).expect("role");
        backend
            .cluster
            .psql(&db, &format!("insert into sync.agent_role values ('web_owner', '{owner}')"))
            .expect("mapping");
        let desktop = Desktop::with_url(&backend.cluster.url(&db, "web_owner"));
        let lead = desktop.add_lead("From the desktop", "+12025550199");
        desktop.log_call(Some(&lead), "+12025550199");
        desktop.sync().await.unwrap_or_else(|e| panic!("{kind}: a desktop syncs: {e}"));
        assert_eq!(desktop.leads().len(), 51, "{kind}: the web app's 50 leads and the new one");
        assert_eq!(
            backend
                .cluster
                .psql(&db, &format!("select user_id::text from call_logs where lead_id = '{lead}'"))
                .expect("call"),
            owner,
            "{kind}: the call is logged under the web app's id for the agent"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crm_schema_that_cannot_be_adopted_is_refused_by_name_before_anything_changes() {
    let backend = Backend::new(Crm::UuidIds);
    for (ddl, expected) in [
        (
            "create table crm_leads (id integer primary key, user_id text, name text not null, email text, phone text,
            company text, position text, status text, value numeric, source text, notes text,
            created_at timestamptz, last_contact timestamptz)",
            ["crm_leads.id", "integer", "uuid"],
        ),
        (
            "create table crm_leads (id uuid primary key, user_id text, name text not null, email text,
            company text, position text, status text, value numeric, source text, notes text,
            created_at timestamptz, last_contact timestamptz)",
            ["crm_leads", "no column phone", "text"],
        ),
        (
            "create table call_logs (id uuid primary key, user_id bigint, contact_number text, from_number text,
            provider_call_sid text, direction text, status text, started_at timestamptz, ended_at timestamptz,
            duration_seconds integer, recording_url text, raw jsonb, created_at timestamptz)",
            ["call_logs.user_id", "bigint", "uuid or text"],
        ),
    ] {
        let db = backend.cluster.create_database("unadoptable", None).expect("db");
        backend.cluster.psql(&db, ddl).expect("the web app's table");
        let schema = |db: &str| {
            backend
                .cluster
                .psql(
                    db,
                    "select string_agg(table_schema || '.' || table_name || '.' || column_name || ':' || data_type, ','
                       order by table_schema, table_name, ordinal_position) from information_schema.columns
                      where table_schema in ('public', 'sync')",
                )
                .expect("schema")
        };
        let before = schema(&db);
        let err = common::migrate(&backend.cluster.url(&db, "postgres")).expect_err("refused");
        let text = err.to_string();
        for word in expected {
            assert!(text.contains(word), "the refusal names {word:?}: {text}");
        }
        assert_eq!(schema(&db), before, "nothing changed: no table, column or schema added");
    }
}

on_both_crms! {
    async fn a_fresh_desktop_and_a_full_resync_pull_a_web_history_whose_parents_changed_after_their_children(crm: Crm) {
        let backend = Backend::new(crm);
        common::web_history(&backend, "agent_a", 25);
        // Small pages, so parents and children also land in different pages and transactions.
        let small = ringdesk_sync::SyncerOptions { pull_page: 7, apply_batch: 7, ..Default::default() };
        let desktop = Desktop::new(&backend, "agent_a");
        let syncer = ringdesk_sync::Syncer::new(PgTransport::new(&backend.url_as("agent_a")).expect("url"), small);
        syncer.cycle(&desktop.store, &|_| {}).await.expect("the first pull of a fresh desktop succeeds");
        let expected = backend_projection(&backend, "agent_a");
        assert_eq!(expected.len(), 25 * 10, "the backend side has a row of every kind per group");
        assert_eq!(desktop.projection(), expected, "every row arrived with every link");
        assert!(desktop.issues().is_empty(), "no issue: every parent arrived in the pull: {:?}", desktop.issues());
        assert!(
            !desktop.projection().iter().any(|l| l.starts_with("call|") && l.contains("|-|")),
            "no call lost its lead"
        );

        // Every later sync succeeds, the parents changing again first.
        backend.sql("update crm_leads set name = name || '!'");
        desktop.sync().await.expect("a later sync");
        assert_eq!(desktop.projection(), backend_projection(&backend, "agent_a"), "still equal");

        // A full resync does the same.
        backend.sql("select sync.new_epoch()");
        let report = syncer.cycle(&desktop.store, &|_| {}).await.expect("the full resync");
        assert!(report.resynced, "the new epoch made it resync: {report:?}");
        assert_eq!(desktop.projection(), backend_projection(&backend, "agent_a"), "equal after the resync");
        assert!(desktop.issues().is_empty(), "no issue after the resync: {:?}", desktop.issues());
        desktop.sync().await.expect("and after it");
    }

    async fn a_reference_that_is_truly_missing_is_a_sync_issue_never_a_wedge(crm: Crm) {
        let backend = Backend::new(crm);
        let theirs = backend.web_lead("agent_b", "Bob lead", "+12025550160", "new");
        let a = backend.agent("agent_a");
        // A call of agent_a's on agent_b's lead (logged by the web app's service side).
        let call = backend.sql(&format!(
            "insert into call_logs(user_id, lead_id, contact_number, direction, started_at)
             values ('{a}', '{theirs}', '+12025550160', 'outbound', now()) returning id"
        ));
        let desktop = Desktop::new(&backend, "agent_a");
        desktop.sync().await.expect("the pull succeeds");
        assert_eq!(
            desktop.projection(),
            [format!("call|{call}|-|-")],
            "the call is kept, without the lead it may not see"
        );
        let issues = desktop.issues();
        assert_eq!(issues.len(), 1, "one issue names it: {issues:?}");
        assert!(issues[0].contains(&theirs) && issues[0].contains("not visible"), "{issues:?}");
        desktop.sync().await.expect("every later sync succeeds");
        assert_eq!(desktop.issues().len(), 1, "and reports it once");

        // When the lead is reassigned to agent_a, the call gets its lead back.
        backend.sql(&format!("update crm_leads set assigned_to = '{a}' where id = '{theirs}'"));
        desktop.sync().await.expect("sync");
        assert_eq!(desktop.projection(), backend_projection(&backend, "agent_a"), "the link is back");
        assert!(desktop.projection().contains(&format!("call|{call}|{theirs}|-")), "{:?}", desktop.projection());
    }

    async fn transient_database_errors_during_push_retry_later_and_nothing_is_rejected(crm: Crm) {
        let backend = Backend::new(crm);
        // The server fails the first three call inserts as a busy database would: a deadlock, a
        // serialization failure, a lock timeout (a sequence counts across rolled-back attempts).
        backend.sql(
            "create sequence fault_seq;
             create function fault() returns trigger language plpgsql security definer as $$
             declare codes text[] := array['40P01', '40001', '55P03']; n bigint := nextval('fault_seq');
             begin
               if n <= 3 then raise exception 'injected fault %', codes[n] using errcode = codes[n]; end if;
               return new;
             end $$;
             create trigger fault before insert on call_logs for each row execute function fault();",
        );
        let desktop = Desktop::new(&backend, "agent_a");
        let lead = desktop.add_lead("Busy", "+12025550161");
        let calls: Vec<String> = (0..5).map(|_| desktop.log_call(Some(&lead), "+12025550161")).collect();
        for attempt in ["40P01", "40001", "55P03"] {
            let err = desktop.sync().await.expect_err("the push fails as a whole");
            assert!(err.is_transient(), "{attempt}: a transient error, retried later: {err}");
            assert!(err.to_string().contains(attempt), "{attempt}: named: {err}");
            assert_eq!(desktop.pending(), 6, "{attempt}: nothing consumed, nothing rejected");
            assert_eq!(backend.count("from sync.applied"), 0, "{attempt}: the backend applied nothing");
        }
        let report = desktop.sync().await.expect("the fourth try goes through");
        assert_eq!(report.rejected, 0, "nothing rejected: {report:?}");
        assert_eq!(desktop.pending(), 0, "everything pushed");
        assert!(desktop.issues().is_empty(), "no issue: {:?}", desktop.issues());
        for call in &calls {
            assert_eq!(backend.count(&format!("from call_logs where id = '{call}'")), 1, "call {call} applied once");
        }
        assert_eq!(backend.sql("select last_mutation_id from sync.client"), "6", "every id applied once, in order");
    }

    async fn a_desktop_restored_after_the_backend_collected_its_digests_loses_nothing_and_reverts_nothing(crm: Crm) {
        let backend = Backend::new(crm);
        let desktop = Desktop::new(&backend, "agent_a");
        let lead = desktop.add_lead("Original", "+12025550162");
        desktop.sync().await.expect("sync");
        // Changes pending when the backup is taken.
        desktop.rename(&lead, "Before the backup");
        desktop.set_status(&lead, "contacted");
        let backup = desktop.dir.path().join("backup.db");
        desktop.store.backup_to(&backup).expect("back up");
        // They sync, and later changes go on top of them.
        desktop.sync().await.expect("sync the pending changes");
        desktop.rename(&lead, "After the backup");
        desktop.set_status(&lead, "qualified");
        let lost_branch_call = desktop.log_call(Some(&lead), "+12025550162");
        desktop.sync().await.expect("sync the later changes");
        backend.sql("select sync.gc('0 seconds')");
        assert_eq!(backend.count("from sync.applied"), 0, "the digests were collected");

        // The restored desktop resends its old pending changes under the same ids, and makes new ones.
        let restored = desktop.restored_from(&backup, &backend.url_as("agent_a"));
        let new_call = restored.log_call(Some(&lead), "+12025550162");
        let report = restored.sync().await.expect("sync after the restore");
        assert!(report.rotated, "the desktop rotated its client id instead of being skipped: {report:?}");
        assert_eq!(restored.pending(), 0, "everything pushed");
        assert_eq!(
            backend.sql(&format!("select name || '|' || status from crm_leads where id = '{lead}'")),
            "After the backup|qualified",
            "the old changes, replayed, did not revert the later ones"
        );
        assert_eq!(backend.count(&format!("from call_logs where id = '{new_call}'")), 1, "the new call arrived");
        assert_eq!(backend.count(&format!("from call_logs where id = '{lost_branch_call}'")), 1, "the other kept");
        let fields: Vec<String> = restored
            .store
            .read(|r| replica::open_conflicts(r))
            .expect("conflicts")
            .into_iter()
            .map(|c| c.field)
            .collect();
        assert!(
            fields.contains(&"name".to_string()) && fields.contains(&"status".to_string()),
            "the replayed edits that met later values are conflicts for the agent, not lost: {fields:?}"
        );
        assert_eq!(restored.projection(), backend_projection(&backend, "agent_a"), "equal to the backend");
    }

    async fn row_level_security_refuses_unmapped_roles_forged_claims_takeovers_probes_and_team_config_edits(crm: Crm) {
        let backend = Backend::new(crm);
        let a = backend.agent("agent_a");
        let b = backend.agent("agent_b");
        let mine = backend.web_lead("agent_a", "Ann lead", "+12025550163", "new");
        let theirs = backend.web_lead("agent_b", "Bob lead", "+12025550164", "new");
        let forge = |who: &str| {
            format!("select set_config('request.jwt.claims', '{{\"sub\": \"{who}\", \"role\": \"authenticated\"}}', false);")
        };

        // An agent role without a mapping (between the README's grant and insert) is nobody.
        backend.cluster.ensure_role("agent_unmapped", &["ringdesk_agent"]).expect("role");
        let seen = backend
            .sql_as("agent_unmapped", &format!("{} select count(*) from crm_leads", forge(a)))
            .expect("query");
        assert!(seen.ends_with('0'), "an unmapped role that forges a JWT sees nothing: {seen}");
        let err = Desktop::with_url(&backend.url_as("agent_unmapped")).sync().await.expect_err("refused");
        assert!(matches!(err, SyncError::Auth(_)), "no identity, no sync: {err:?}");

        // A mapped agent that forges claims stays itself.
        let seen = backend.sql_as("agent_b", &format!("{} select string_agg(name, ',') from crm_leads", forge(a))).expect("q");
        assert!(seen.ends_with("Bob lead"), "agent_b forging agent_a's JWT still sees only its own: {seen}");

        // An assignee edits the lead but cannot take it over or delete it.
        backend.sql(&format!("update crm_leads set assigned_to = '{b}' where id = '{mine}'"));
        backend.sql_as("agent_b", &format!("update crm_leads set name = 'Renamed by Bob' where id = '{mine}'")).expect("edit");
        for (what, sql) in [
            ("take it over", format!("update crm_leads set user_id = '{b}' where id = '{mine}'")),
            ("unassign itself and keep it hidden", format!("update crm_leads set assigned_to = null where id = '{mine}'")),
            ("delete it", format!("delete from crm_leads where id = '{mine}'")),
            ("soft-delete it", format!("update crm_leads set deleted_at = now() where id = '{mine}'")),
        ] {
            let err = backend.sql_as("agent_b", &sql).expect_err(what);
            // Agents have no DELETE grant at all (desktops delete softly); the rest is the guard's.
            assert!(
                err.contains("only the owner") || err.contains("permission denied"),
                "the assignee may not {what}: {err}"
            );
        }
        assert_eq!(
            backend.sql(&format!("select name || '|' || user_id::text || '|' || assigned_to::text || '|' || (deleted_at is null) from crm_leads where id = '{mine}'")),
            format!("Renamed by Bob|{a}|{b}|true"),
            "the lead is still Ann's"
        );
        // The owner hands it over; an admin who sees it may delete it.
        backend.sql_as("agent_a", &format!("update crm_leads set assigned_to = '{}' where id = '{mine}'", backend.agent("agent_c"))).expect("owner reassigns");
        backend.sql(&format!("insert into sync.admin values ('{}')", backend.agent("agent_c")));
        backend.sql_as("agent_c", &format!("update crm_leads set deleted_at = now() where id = '{mine}'")).expect("an admin deletes");
        assert_eq!(backend.count(&format!("from crm_leads where id = '{mine}' and deleted_at is not null")), 1, "deleted");

        // Probing another agent's lead id tells nothing and links nothing.
        let absent = uuid::Uuid::now_v7().to_string();
        let mut answers = Vec::new();
        for target in [&theirs, &absent] {
            let visible = backend.sql_as("agent_a", &format!("select sync.lead_visible('{target}')")).expect("q");
            let direct = backend
                .sql_as(
                    "agent_a",
                    &format!("insert into call_logs(user_id, lead_id, contact_number) values ('{a}', '{target}', '+1')"),
                )
                .expect_err("a call on a lead that is not hers")
                .replace(target.as_str(), "ID");
            answers.push((visible, direct.lines().next().unwrap_or_default().to_string()));
        }
        assert_eq!(answers[0], answers[1], "another agent's lead and no lead look the same");
        assert_eq!(answers[0].0, "f", "not visible");
        // A crafted push, as a modified desktop could send it.
        let call = uuid::Uuid::now_v7().to_string();
        let mut m = call_log_mutation(1, &call);
        m["args"]["lead_id"] = json!(theirs);
        let t = PgTransport::new(&backend.url_as("agent_a")).expect("url");
        let answer = t.push(&uuid::Uuid::now_v7().to_string(), &json!([m])).await.expect("push");
        assert_eq!(answer["rejected"], json!([]), "the call itself is kept: {answer}");
        assert_eq!(
            backend.sql(&format!("select coalesce(lead_id::text, 'none') from call_logs where id = '{call}'")),
            "none",
            "a pushed call cannot point at another agent's lead"
        );

        // The team's AI agents: every agent reads them, only admins edit them.
        let ai = backend.sql("insert into signalwire_agents(agent_name, prompt) values ('Receptionist', 'Be kind') returning id");
        assert_eq!(backend.sql_as("agent_a", "select count(*) from signalwire_agents").expect("q"), "1", "readable");
        backend.sql_as("agent_a", &format!("update signalwire_agents set prompt = 'Be rude' where id = '{ai}'")).expect("no error, no row");
        let err = backend.sql_as("agent_a", "insert into signalwire_agents(agent_name) values ('Mine')").expect_err("insert");
        assert!(err.contains("row-level security"), "an agent cannot add one: {err}");
        backend.sql_as("agent_a", &format!("update signalwire_agents set deleted_at = null where id = '{ai}'")).expect("no row");
        assert_eq!(backend.sql(&format!("select prompt from signalwire_agents where id = '{ai}'")), "Be kind", "unchanged");
        backend.sql(&format!("insert into sync.admin values ('{a}')"));
        backend.sql_as("agent_a", &format!("update signalwire_agents set prompt = 'Be brief' where id = '{ai}'")).expect("admin");
        assert_eq!(backend.sql(&format!("select prompt from signalwire_agents where id = '{ai}'")), "Be brief", "an admin edits");
    }

    /// The team the leads belong to has 30 agents (the three test agents and 27 others), each
    /// owning a thirtieth. The read policy also lets managers see their team's rows
    /// (`= any(managed agents)`, an array the planner cannot size, so it guesses 10 owners): with
    /// only three owners of a third each, that guess covers the whole table and a sequential scan
    /// is the right plan; with a team of realistic size the owner indexes serve the policy.
    async fn agent_policies_use_the_owner_indexes_at_100k_leads(crm: Crm) {
        let backend = Backend::new(crm);
        let mut owners: Vec<String> = common::roles().map(|r| backend.agent(r).to_string()).collect();
        owners.extend((0..27).map(|i| match crm {
            Crm::UuidIds => format!("0190a000-0000-7000-8000-0000000001{i:02}"),
            Crm::TextIds => format!("user_bulk{i:02}"),
        }));
        let owners = owners.iter().map(|o| format!("'{o}'")).collect::<Vec<_>>().join(", ");
        backend.sql(&format!(
            "insert into crm_leads(user_id, name, phone, status)
             select ((array[{owners}])[1 + g % 30])::text::{}, 'Bulk ' || g, '+1202' || lpad(g::text, 7, '0'), 'new'
               from generate_series(1, 100000) g;
             analyze crm_leads;",
            if crm == Crm::UuidIds { "uuid" } else { "text" }
        ));
        let plan = backend
            .sql_as("agent_a", "explain (analyze, costs off, timing off, summary off) select id, name from crm_leads where status = 'new'")
            .expect("explain");
        println!("{crm:?}: EXPLAIN of an agent's lead query at 100k leads:\n{plan}");
        assert!(
            plan.contains("Bitmap Index Scan on crm_leads_user") && plan.contains("Bitmap Index Scan on crm_leads_assigned_to"),
            "the owner and assignee indexes serve the policy: {plan}"
        );
        assert!(!plan.contains("Seq Scan"), "no sequential scan: {plan}");
    }
}
