//! A real PostgreSQL backend per test (its own throwaway cluster) and desktops that sync with it.

#![allow(dead_code)]

use std::path::Path;

use ringdesk_store::Store;
use ringdesk_sync::{PgTransport, Syncer, SyncerOptions};
use ringdesk_testkit::postgres::PgCluster;

/// The kind of CRM database the backend is: the whole backend suite runs on both (each test is
/// written once, as `async fn(crm: Crm)`, and [`on_both_crms!`] makes a test per kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crm {
    /// The CRM's owner columns are uuid (Supabase Auth's ids), as Ringdesk creates them.
    UuidIds,
    /// The web app created its tables first with text owner columns holding its auth provider's
    /// ids, which are not UUIDs (`user_2NqRk...`, as Clerk issues them).
    TextIds,
}

/// Agents of the tests: login role, and the agent id it maps to on each kind of CRM.
pub const AGENTS: [(&str, &str, &str); 3] = [
    ("agent_a", "0190a000-0000-7000-8000-00000000000a", "user_2NqRkAnnA"),
    ("agent_b", "0190a000-0000-7000-8000-00000000000b", "auth0|64fBobB"),
    ("agent_c", "0190a000-0000-7000-8000-00000000000c", "user_2NqRkCarolC"),
];

/// The roles of the test agents.
pub fn roles() -> impl Iterator<Item = &'static str> {
    AGENTS.iter().map(|(r, _, _)| *r)
}

pub fn agent_id(crm: Crm, role: &str) -> &'static str {
    AGENTS
        .iter()
        .find(|(r, _, _)| *r == role)
        .map(|(_, uuid, text)| if crm == Crm::UuidIds { *uuid } else { *text })
        .expect("a known agent")
}

/// The web app's own tables as a CRM with text user ids has them before Ringdesk arrives (the
/// seed's columns; the dialer tables are created by Ringdesk's migration 2 with text owners).
pub const TEXT_ID_CRM: &str = "
create table crm_leads (id uuid primary key default gen_random_uuid(), user_id text, name text not null,
  email text, phone text, company text, position text, status text default 'new', value numeric, source text,
  notes text, created_at timestamptz default now(), updated_at timestamptz default now(), last_contact timestamptz);
create table crm_lead_lists (id uuid primary key default gen_random_uuid(), user_id text, name text not null,
  description text, created_at timestamptz default now(), updated_at timestamptz default now());
create table crm_lead_list_members (list_id uuid not null references crm_lead_lists(id) on delete cascade,
  lead_id uuid not null references crm_leads(id) on delete cascade, added_at timestamptz default now(),
  primary key (list_id, lead_id));
create table call_logs (id uuid primary key default gen_random_uuid(), user_id text, contact_number text,
  from_number text, provider_call_sid text, direction text, status text, started_at timestamptz,
  ended_at timestamptz, duration_seconds integer, recording_url text, raw jsonb, created_at timestamptz default now());
create table voice_clones (id uuid primary key default gen_random_uuid(), user_id text, name text not null,
  sample_audio_url text, playht_voice_id text, status text default 'ready', created_at timestamptz default now(),
  updated_at timestamptz default now());";

/// Makes a test per kind of CRM from `async fn name(crm: Crm) { ... }`: `name::uuid_ids` and
/// `name::text_ids`.
#[macro_export]
macro_rules! on_both_crms {
    ($($(#[doc = $doc:expr])* async fn $name:ident($crm:ident: Crm) $body:block)*) => {$(
        $(#[doc = $doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            pub(super) async fn run($crm: Crm) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn uuid_ids() {
                run(Crm::UuidIds).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn text_ids() {
                run(Crm::TextIds).await
            }
        }
    )*};
}

/// A fresh backend: its own PostgreSQL cluster (so no other test's open transaction holds its
/// watermark back), with Ringdesk's migrations and the agents' roles.
pub struct Backend {
    pub cluster: PgCluster,
    pub db: String,
    pub crm: Crm,
}

/// Applies Ringdesk's backend migrations as the database owner.
pub fn migrate(url: &str) -> Result<ringdesk_sync::backend::Migrated, ringdesk_sync::SyncError> {
    let url = url.to_string();
    // Its own thread and runtime: the tests call this from inside theirs.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(ringdesk_sync::backend::migrate(&url))
    })
    .join()
    .expect("the migration thread")
}

impl Backend {
    pub fn new(crm: Crm) -> Backend {
        Backend::on(PgCluster::start().expect("a throwaway PostgreSQL cluster (Debian package postgresql)"), crm)
    }

    /// A backend on a cluster started by the caller (one with TLS, say).
    pub fn on(cluster: PgCluster, crm: Crm) -> Backend {
        let db = cluster.create_database("ringdesk", None).expect("a database");
        Backend::prepare(&cluster, &db, crm);
        Backend { cluster, db, crm }
    }

    /// Makes `db` the kind of CRM `crm` is, migrates it and maps the agents' roles.
    pub fn prepare(cluster: &PgCluster, db: &str, crm: Crm) {
        if crm == Crm::TextIds {
            cluster.psql(db, TEXT_ID_CRM).expect("the web app's tables with text user ids");
        }
        migrate(&cluster.url(db, "postgres")).expect("the backend migrations apply");
        for (role, _, _) in AGENTS {
            cluster.ensure_role(role, &["ringdesk_agent"]).expect("agent role");
            cluster
                .psql(
                    db,
                    &format!(
                        "insert into sync.agent_role values ('{role}', '{}') on conflict do nothing",
                        agent_id(crm, role)
                    ),
                )
                .expect("agent mapping");
        }
    }

    /// The agent id `role` maps to on this backend.
    pub fn agent(&self, role: &str) -> &'static str {
        agent_id(self.crm, role)
    }

    /// The URL an agent's desktop uses (its own login role, so RLS applies).
    pub fn url_as(&self, role: &str) -> String {
        self.cluster.url(&self.db, role)
    }

    /// Runs SQL as the superuser (the web app's service side: no RLS).
    pub fn sql(&self, sql: &str) -> String {
        self.cluster.psql(&self.db, sql).unwrap_or_else(|e| panic!("psql failed: {e}\nSQL: {sql}"))
    }

    /// Runs SQL as `role` (RLS applies); the error text on failure.
    pub fn sql_as(&self, role: &str, sql: &str) -> Result<String, String> {
        self.cluster.psql_as(&self.db, role, sql)
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
            self.agent(agent)
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

    pub fn rename(&self, lead_id: &str, name: &str) {
        self.store
            .write(|w| ringdesk_store::leads::update(w, lead_id, &[ringdesk_store::leads::Change::Name(name.into())]))
            .expect("rename");
    }

    /// The sync issues recorded here, as `kind: message` lines.
    pub fn issues(&self) -> Vec<String> {
        self.store
            .read(|r| ringdesk_store::replica::issues(r, 1000))
            .expect("issues")
            .into_iter()
            .map(|i| format!("{}: {} {}: {}", i.kind, i.table_name, i.row_id, i.message))
            .collect()
    }

    /// Closes this desktop's database, puts `backup` in its place (as a restore from a backup
    /// would) and opens it again, connected to `url`.
    pub fn restored_from(self, backup: &Path, url: &str) -> Desktop {
        let path = self.path().to_path_buf();
        let dir = self.dir;
        drop(self.store);
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        std::fs::copy(backup, &path).expect("restore the backup");
        Desktop::open(dir, url)
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
    let id = backend.agent(agent);
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

/// What `role` may see of the backend (queried as that role, so RLS decides), line for line in the
/// form of `ringdesk_store::replica::projection`: a link to a row the agent cannot see is empty
/// (`-`), as it is on the desktop.
pub fn backend_projection(backend: &Backend, role: &str) -> Vec<String> {
    const TABLES: &[&str] = &[
        "select 'lead|' || id || '|' || name || '|' || status from crm_leads where deleted_at is null",
        "select 'list|' || id from crm_lead_lists where deleted_at is null",
        "select 'member|' || list_id || '|' || lead_id from crm_lead_list_members where deleted_at is null",
        "select 'call|' || c.id || '|' || coalesce((select l.id::text from crm_leads l where l.id = c.lead_id), '-')
                || '|' || coalesce(c.status, '-') from call_logs c where c.deleted_at is null",
        "select 'disposition|' || id || '|' || call_log_id || '|' || disposition_type from call_dispositions
          where deleted_at is null",
        "select 'follow-up|' || call_disposition_id || '|' || status from follow_up_states where deleted_at is null",
        "select 'recording|' || id || '|' || call_log_id from call_recordings where deleted_at is null",
        "select 'text|' || s.id || '|' || coalesce((select l.id::text from crm_leads l where l.id = s.lead_id), '-')
                || '|' || s.message_body from sms_messages s where s.deleted_at is null",
        "select 'ai-agent|' || id || '|' || agent_name from signalwire_agents where deleted_at is null",
        "select 'voice-clone|' || id || '|' || name from voice_clones where deleted_at is null",
    ];
    let mut out = Vec::new();
    for sql in TABLES {
        let text = backend.sql_as(role, sql).unwrap_or_else(|e| panic!("{role}'s projection: {e}\nSQL: {sql}"));
        out.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_string));
    }
    out.sort();
    out
}

impl Desktop {
    /// Every live row of every replicated table here, with its links, sorted.
    pub fn projection(&self) -> Vec<String> {
        self.store.read(|r| ringdesk_store::replica::projection(r)).expect("the local projection")
    }
}

/// A web history for `role` with a row of every replicated kind, written the way the web app
/// writes every day: each group in one transaction, then parents changed in later transactions
/// (the lead renamed, the list renamed, the call log and the disposition edited), so a pull meets
/// children before their parents. Returns the ids of the leads.
pub fn web_history(backend: &Backend, role: &str, groups: usize) -> Vec<String> {
    let me = backend.agent(role);
    let mut leads = Vec::new();
    let mut calls = Vec::new();
    let mut dispositions = Vec::new();
    let mut lists = Vec::new();
    let mut agents = Vec::new();
    for g in 0..groups {
        let [lead, list, call, disposition, recording, text, ai, clone] =
            std::array::from_fn(|_| uuid::Uuid::now_v7().to_string());
        backend.sql(&format!(
            "begin;
             insert into crm_leads(id, user_id, name, phone, status) values ('{lead}', '{me}', 'Web lead {g}', '+1202555{g:04}', 'new');
             insert into crm_lead_lists(id, user_id, name) values ('{list}', '{me}', 'Web list {g}');
             insert into crm_lead_list_members(list_id, lead_id) values ('{list}', '{lead}');
             insert into call_logs(id, user_id, lead_id, contact_number, direction, status, started_at)
               values ('{call}', '{me}', '{lead}', '+1202555{g:04}', 'outbound', 'ringing', now());
             insert into call_dispositions(id, call_log_id, disposition_type, notes, next_action, follow_up_date, created_by)
               values ('{disposition}', '{call}', 'interested', 'call back', 'call_back', now() + interval '1 day', '{me}');
             insert into follow_up_states(call_disposition_id, status, due_at) values ('{disposition}', 'open', now() + interval '1 day');
             insert into call_recordings(id, call_log_id, recording_url) values ('{recording}', '{call}', 'signalwire-recording:RE{g}');
             insert into sms_messages(id, user_id, lead_id, contact_number, from_number, direction, message_body)
               values ('{text}', '{me}', '{lead}', '+1202555{g:04}', '+12025550100', 'outbound', 'Hello {g}');
             insert into signalwire_agents(id, agent_name) values ('{ai}', 'AI agent {g}');
             insert into voice_clones(id, user_id, name) values ('{clone}', '{me}', 'Voice {g}');
             commit;"
        ));
        leads.push(lead);
        calls.push(call);
        dispositions.push(disposition);
        lists.push(list);
        agents.push(ai);
    }
    // Later transactions change the parents (and some children again), one at a time.
    for g in 0..groups {
        backend.sql(&format!("update crm_leads set name = 'Renamed lead {g}' where id = '{}'", leads[g]));
        backend.sql(&format!("update call_logs set status = 'completed' where id = '{}'", calls[g]));
        backend.sql(&format!("update call_dispositions set notes = 'edited' where id = '{}'", dispositions[g]));
        if g % 2 == 0 {
            backend.sql(&format!("update crm_lead_lists set name = 'Renamed list {g}' where id = '{}'", lists[g]));
            backend.sql(&format!("update signalwire_agents set prompt = 'edited' where id = '{}'", agents[g]));
        }
    }
    leads
}
