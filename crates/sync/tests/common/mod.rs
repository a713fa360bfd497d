//! A real PostgreSQL backend per test (its own throwaway cluster) and desktops that sync with it.

#![allow(dead_code)]

use std::path::Path;

use ringdesk_store::Store;
use ringdesk_sync::{PgTransport, Syncer, SyncerOptions};
use ringdesk_testkit::postgres::PgCluster;

/// Agents of the tests: login role and the agent id it maps to.
pub const AGENTS: [(&str, &str); 3] = [
    ("agent_a", "0190a000-0000-7000-8000-00000000000a"),
    ("agent_b", "0190a000-0000-7000-8000-00000000000b"),
    ("agent_c", "0190a000-0000-7000-8000-00000000000c"),
];

pub fn agent_id(role: &str) -> &'static str {
    AGENTS.iter().find(|(r, _)| *r == role).map(|(_, id)| *id).expect("a known agent")
}

/// A fresh backend: its own PostgreSQL cluster (so no other test's open transaction holds its
/// watermark back), with Ringdesk's migrations and the agents' roles.
pub struct Backend {
    pub cluster: PgCluster,
    pub db: String,
}

impl Backend {
    pub fn new() -> Backend {
        Backend::on(PgCluster::start().expect("a throwaway PostgreSQL cluster (Debian package postgresql)"))
    }

    /// A backend on a cluster started by the caller (one with TLS, say).
    pub fn on(cluster: PgCluster) -> Backend {
        let db = cluster.create_database("ringdesk", None).expect("a database");
        // Its own thread and runtime: the tests call this from inside theirs.
        let url = cluster.url(&db, "postgres");
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(ringdesk_sync::backend::migrate(&url))
        })
        .join()
        .expect("the migration thread")
        .expect("the backend migrations apply");
        for (role, id) in AGENTS {
            cluster.ensure_role(role, &["ringdesk_agent"]).expect("agent role");
            cluster
                .psql(&db, &format!("insert into sync.agent_role values ('{role}', '{id}') on conflict do nothing"))
                .expect("agent mapping");
        }
        Backend { cluster, db }
    }

    /// The URL an agent's desktop uses (its own login role, so RLS applies).
    pub fn url_as(&self, role: &str) -> String {
        self.cluster.url(&self.db, role)
    }

    /// Runs SQL as the superuser (the web app's service side: no RLS).
    pub fn sql(&self, sql: &str) -> String {
        self.cluster.psql(&self.db, sql).unwrap_or_else(|e| panic!("psql failed: {e}\nSQL: {sql}"))
    }

    pub fn count(&self, sql_from_where: &str) -> i64 {
        self.sql(&format!("select count(*) {sql_from_where}")).parse().expect("a count")
    }

    /// A superuser connection for holding transactions open.
    pub async fn connect(&self) -> tokio_postgres::Client {
        let (client, conn) = tokio_postgres::connect(&self.cluster.url(&self.db, "postgres"), tokio_postgres::NoTls)
            .await
            .expect("superuser connection");
        tokio::spawn(conn);
        client
    }

    /// A lead created on the web for `agent`; returns its id.
    pub fn web_lead(&self, agent: &str, name: &str, phone: &str, status: &str) -> String {
        self.sql(&format!(
            "insert into crm_leads(user_id, name, phone, status) values ('{}', '{name}', '{phone}', '{status}') returning id",
            agent_id(agent)
        ))
    }
}

/// A desktop: its own SQLite file and a syncer connected as `role`.
pub struct Desktop {
    pub store: Store,
    pub syncer: Syncer<PgTransport>,
    pub dir: tempfile::TempDir,
}

impl Desktop {
    pub fn new(backend: &Backend, role: &str) -> Desktop {
        let dir = tempfile::tempdir().expect("temp dir");
        Desktop::open(dir, &backend.url_as(role))
    }

    pub fn with_url(url: &str) -> Desktop {
        Desktop::open(tempfile::tempdir().expect("temp dir"), url)
    }

    pub fn open(dir: tempfile::TempDir, url: &str) -> Desktop {
        let store = Store::open(&dir.path().join("ringdesk.db")).expect("open store");
        let syncer = Syncer::new(PgTransport::new(url).expect("a valid URL"), SyncerOptions::default());
        Desktop { store, syncer, dir }
    }

    pub async fn sync(&self) -> Result<ringdesk_sync::Report, ringdesk_sync::SyncError> {
        self.syncer.cycle(&self.store, &|_| {}).await
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    pub fn add_lead(&self, name: &str, phone: &str) -> String {
        let new = ringdesk_store::leads::NewLead {
            name: name.into(),
            phone: Some(phone.into()),
            phone_e164: Some(phone.into()),
            ..Default::default()
        };
        self.store.write(|w| ringdesk_store::leads::insert(w, &new)).expect("insert lead").id
    }

    pub fn log_call(&self, lead_id: Option<&str>, number: &str) -> String {
        let call = ringdesk_store::calls::NewCall {
            lead_id: lead_id.map(str::to_string),
            route: "softphone".into(),
            contact_number: number.into(),
            direction: "outbound".into(),
            started_at: "2026-11-29T10:00:00.000Z".into(),
            ..Default::default()
        };
        self.store.write(|w| ringdesk_store::calls::insert(w, &call)).expect("log call")
    }

    pub fn set_status(&self, lead_id: &str, status: &str) {
        self.store
            .write(|w| {
                ringdesk_store::leads::update(w, lead_id, &[ringdesk_store::leads::Change::Status(status.into())])
            })
            .expect("set status");
    }

    pub fn lead(&self, id: &str) -> Option<ringdesk_store::leads::Lead> {
        self.store.read(|r| ringdesk_store::leads::get(r, id)).ok()
    }

    pub fn pending(&self) -> i64 {
        self.store.read(|r| ringdesk_store::outbox::pending_count(r)).expect("pending count")
    }

    /// Live leads here as (id, name, status), sorted.
    pub fn leads(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        self.store
            .read(|r| {
                ringdesk_store::leads::for_each(r, None, |l| {
                    out.push((l.id.clone(), l.name.clone(), l.status.clone()));
                    Ok(())
                })
            })
            .expect("list leads");
        out.sort();
        out
    }
}

/// The live leads `agent` may see on the backend as (id, name, status), sorted.
pub fn backend_leads(backend: &Backend, agent: &str) -> Vec<(String, String, String)> {
    let id = agent_id(agent);
    let text = backend.sql(&format!(
        "select id || '|' || name || '|' || status from crm_leads
         where (user_id = '{id}' or assigned_to = '{id}') and deleted_at is null order by 1"
    ));
    let mut out: Vec<(String, String, String)> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut p = l.splitn(3, '|');
            (p.next().unwrap_or("").into(), p.next().unwrap_or("").into(), p.next().unwrap_or("").into())
        })
        .collect();
    out.sort();
    out
}
