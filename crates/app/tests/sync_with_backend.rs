//! The app's sync service against a real PostgreSQL backend: it syncs at start, pushes a local
//! change within moments, shows a web change with a "changed" notice, reports offline with the
//! pending count while the backend is cut off, and lets the agent resolve a conflict.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ringdesk_app::ipc::{LeadPatch, LeadQuery, SettingsUpdate, SyncNotice, SyncState};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_app::{App, ErrorCode};
use ringdesk_testkit::postgres::{FaultProxy, PgCluster};

const AGENT: &str = "0190a000-0000-7000-8000-00000000000a";

struct Backend {
    cluster: PgCluster,
    db: String,
}

impl Backend {
    fn start() -> Backend {
        let cluster = PgCluster::start().expect("a throwaway PostgreSQL (Debian package postgresql)");
        let db = cluster.create_database("app", None).expect("db");
        let applied = ringdesk_app::migrate_backend(&cluster.url(&db, "postgres")).expect("migrations");
        assert_eq!(
            applied.len(),
            ringdesk_sync::backend::MIGRATIONS.len(),
            "every backend migration applied: {applied:?}"
        );
        cluster.ensure_role("agent_a", &["ringdesk_agent"]).expect("role");
        cluster.psql(&db, &format!("insert into sync.agent_role values ('agent_a', '{AGENT}')")).expect("map");
        Backend { cluster, db }
    }

    fn sql(&self, sql: &str) -> String {
        self.cluster.psql(&self.db, sql).unwrap_or_else(|e| panic!("{e}: {sql}"))
    }
}

fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("timed out after {timeout:?} waiting for {what}");
}

fn open(url: &str) -> (tempfile::TempDir, App, Arc<Mutex<Vec<SyncNotice>>>) {
    let dir = tempfile::tempdir().expect("dir");
    let app = App::open(&dir.path().join("r.db"), Arc::new(MemorySecretStore::default())).expect("app");
    app.update_settings(&SettingsUpdate { backend_url: Some(url.into()), ..SettingsUpdate::default() })
        .expect("backend URL accepted");
    let notices = Arc::new(Mutex::new(Vec::new()));
    let keep = notices.clone();
    app.start_sync(Duration::from_millis(300), Arc::new(move |n| keep.lock().expect("lock").push(n)))
        .expect("service starts");
    (dir, app, notices)
}

fn names(app: &App) -> Vec<String> {
    let page = app.list_leads(&LeadQuery { limit: 100, ..LeadQuery::default() }).expect("leads");
    page.rows.into_iter().map(|r| r.name).collect()
}

#[test]
fn the_sync_service_keeps_the_desktop_and_the_backend_in_step_and_reports_its_state() {
    let backend = Backend::start();
    let proxy = FaultProxy::start(backend.cluster.addr()).expect("proxy");
    let (_dir, app, notices) = open(&proxy.url_for(&backend.db, "agent_a"));

    // A lead made on the web shows on the desktop, announced by a "changed" notice.
    backend.sql(&format!(
        "insert into crm_leads(user_id, name, phone, status) values ('{AGENT}', 'Web Wendy', '+12025550170', 'new')"
    ));
    wait_for("the web lead", Duration::from_secs(10), || names(&app).contains(&"Web Wendy".to_string()));
    assert!(notices.lock().expect("lock").iter().any(|n| n.changed), "the UI was told to refresh");
    wait_for("synced", Duration::from_secs(5), || app.sync_status().state == SyncState::Synced);

    // A lead made on the desktop reaches the backend without anyone asking.
    let mine = app
        .create_lead(&LeadPatch {
            name: Some("Desk Dan".into()),
            phone: Some("+12025550171".into()),
            ..LeadPatch::default()
        })
        .expect("create");
    wait_for("the push", Duration::from_secs(10), || {
        backend.sql(&format!("select count(*) from crm_leads where id = '{}'", mine.id)) == "1"
    });

    // Cut off: the state says offline with what is waiting; nothing is lost.
    proxy.refuse(true);
    proxy.cut_all();
    app.create_lead(&LeadPatch { name: Some("Offline Olga".into()), ..LeadPatch::default() }).expect("create offline");
    wait_for("offline", Duration::from_secs(10), || {
        let s = app.sync_status();
        s.state == SyncState::Offline && s.pending >= 1
    });
    let err = app.sync_now().expect_err("sync now while cut off");
    assert_eq!(err.code, ErrorCode::Offline, "an offline error: {err:?}");
    assert!(err.message.contains("kept"), "tells the agent the changes are kept: {}", err.message);
    proxy.heal();
    let report = app.sync_now().expect("sync now after the link is back");
    assert_eq!(report.pending, 0.0, "the waiting change went out");
    assert_eq!(backend.sql("select count(*) from crm_leads where name = 'Offline Olga'"), "1", "exactly once");

    // A conflict: the web and the agent change the same status.
    let id = mine.id.clone();
    backend.sql(&format!("update crm_leads set status = 'qualified' where id = '{id}'"));
    app.update_lead(&id, &LeadPatch { status: Some("contacted".into()), ..LeadPatch::default() }).expect("edit");
    app.sync_now().expect("sync");
    wait_for("the conflict", Duration::from_secs(10), || app.sync_conflicts().map(|c| c.len() == 1).unwrap_or(false));
    let conflict = app.sync_conflicts().expect("conflicts").remove(0);
    assert_eq!(conflict.lead_name.as_deref(), Some("Desk Dan"), "named by its lead");
    assert_eq!(
        (conflict.your_value.as_deref(), conflict.server_value.as_deref()),
        (Some("contacted"), Some("qualified")),
        "both values shown"
    );
    assert_eq!(app.sync_status().conflicts, 1, "the badge counts it");
    let left = app.resolve_sync_conflict(&conflict.id, true).expect("use mine");
    assert!(left.is_empty(), "resolved");
    app.sync_now().expect("push the resolution");
    assert_eq!(backend.sql(&format!("select status from crm_leads where id = '{id}'")), "contacted", "mine won");
}

#[test]
fn sync_without_a_backend_or_with_a_wrong_one_says_what_to_do_and_keeps_local_data() {
    let dir = tempfile::tempdir().expect("dir");
    let app = App::open(&dir.path().join("r.db"), Arc::new(MemorySecretStore::default())).expect("app");
    let err = app.sync_now().expect_err("nothing set up");
    assert_eq!(err.code, ErrorCode::NotConfigured, "{err:?}");
    assert_eq!(app.sync_status().state, SyncState::Off, "the badge says off");

    let bad = app.update_settings(&SettingsUpdate {
        backend_url: Some("postgres://agent:secret@db.example.com/postgres".into()),
        ..SettingsUpdate::default()
    });
    let bad = bad.expect_err("a password in the URL is refused");
    assert!(bad.message.contains("keychain"), "says where the password goes: {}", bad.message);

    let backend = Backend::start();
    let plain = backend.cluster.create_database("plain", None).expect("db");
    app.update_settings(&SettingsUpdate {
        backend_url: Some(backend.cluster.url(&plain, "postgres")),
        ..SettingsUpdate::default()
    })
    .expect("url");
    app.create_lead(&LeadPatch { name: Some("Kept Kim".into()), ..LeadPatch::default() }).expect("create");
    let err = app.sync_now().expect_err("a database without the migrations");
    assert!(err.message.contains("ringdesk-cli backend migrate"), "says how to fix it: {}", err.message);
    assert_eq!(app.sync_status().state, SyncState::Error, "the badge shows an error");
    assert_eq!(app.sync_status().pending, 1, "the change is kept");
    assert_eq!(names(&app), ["Kept Kim"], "local data untouched");

    let signin = app.backend_sign_in("ann@example.com", "pw").expect_err("sign-in needs a Supabase URL");
    assert!(signin.message.contains("supabase.co"), "{}", signin.message);
}
