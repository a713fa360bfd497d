//! The team's backend as a process, for tests outside Rust (the UI's vitest suites): a throwaway
//! PostgreSQL cluster with Ringdesk's backend migrations, each database reachable directly
//! (`postgres://`) and through the Supabase stand-in (`http://`), both behind a fault proxy so a
//! test can take the backend offline or slow it down. Test code only.
//!
//! `team-backend RINGDESK_CLI` starts the cluster, migrates a template database with
//! `RINGDESK_CLI backend migrate` (the product's own migration command), maps the test agent, and
//! prints `{"ready": true}`. Then it answers JSON lines on standard input,
//! `{"id": 1, "cmd": "new_backend", "args": {"migrated": true}}`, with `{"id": 1, "ok": <answer>}`
//! (or `"error"`):
//! - `new_backend {migrated}`: a fresh database (from the migrated template, or empty), its
//!   Supabase front with the agent's account, and the proxies; answers its id and URLs;
//! - `sql {backend, sql}`: runs SQL as the superuser (the web CRM's side), answers psql's output;
//! - `refuse {backend, on}`, `hold {backend, on}`, `cut {backend}`, `heal {backend}`: faults
//!   between the desktop and the backend;
//! - `revoke_sessions {backend}`, `token_grants {backend}`: the Supabase sessions.
//!
//! The process, its cluster and its files end when its input closes.

use std::net::SocketAddr;
use std::process::Command;

use ringdesk_testkit::json_lines::{self, flag, number, text};
use ringdesk_testkit::postgres::{FaultProxy, PgCluster};
use ringdesk_testkit::supabase::SupabaseFront;
use serde_json::{Value, json};

/// The test agent: login role, agent id (a Supabase Auth user id), and the account to sign in.
const ROLE: &str = "agent_a";
const AGENT_ID: &str = "0190a000-0000-7000-8000-00000000000a";
const EMAIL: &str = "agent@acme.example";
const PASSWORD: &str = "correct-horse-battery";
const APIKEY: &str = "sb_publishable_test_key";

struct Backend {
    db: String,
    front: SupabaseFront,
    pg_proxy: FaultProxy,
    http_proxy: FaultProxy,
}

impl Backend {
    fn proxies(&self) -> [&FaultProxy; 2] {
        [&self.pg_proxy, &self.http_proxy]
    }
}

struct Server {
    cluster: PgCluster,
    template: String,
    runtime: tokio::runtime::Handle,
    backends: Vec<Backend>,
}

impl Server {
    fn start(cli: &str) -> Result<Server, String> {
        let cluster = PgCluster::start()?;
        let template = cluster.create_database("crm_template", None)?;
        let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Command::new(cli)
            .arg("--db")
            .arg(scratch.path().join("migrate.db"))
            .args(["backend", "migrate", "--url", &cluster.url(&template, "postgres")])
            .output()
            .map_err(|e| format!("{cli}: {e}"))?;
        if !out.status.success() {
            return Err(format!("backend migrate failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        cluster.ensure_role(ROLE, &["ringdesk_agent"])?;
        cluster.psql(&template, &format!("insert into sync.agent_role values ('{ROLE}', '{AGENT_ID}')"))?;
        let runtime = tokio::runtime::Handle::current();
        Ok(Server { cluster, template, runtime, backends: Vec::new() })
    }

    fn backend(&self, args: &Value) -> Result<&Backend, String> {
        let id = number(args, "backend")?;
        self.backends.get(id as usize).ok_or_else(|| format!("no backend {id}"))
    }

    fn new_backend(&mut self, migrated: bool) -> Result<Value, String> {
        let db = self.cluster.create_database("crm", migrated.then_some(self.template.as_str()))?;
        let admin = self.cluster.url(&db, "postgres");
        let front = self.runtime.block_on(SupabaseFront::start(&admin, APIKEY))?;
        front.add_user(EMAIL, PASSWORD, AGENT_ID);
        let front_addr: SocketAddr =
            front.url().trim_start_matches("http://").parse().map_err(|e| format!("front address: {e}"))?;
        let pg_proxy = FaultProxy::start(self.cluster.addr())?;
        let http_proxy = FaultProxy::start(front_addr)?;
        let answer = json!({
            "backend": self.backends.len(),
            "database": db,
            "agentId": AGENT_ID,
            "postgresUrl": format!("postgres://{ROLE}@127.0.0.1:{}/{db}?sslmode=disable", pg_proxy.port()),
            "supabaseUrl": format!("http://127.0.0.1:{}", http_proxy.port()),
            "apikey": APIKEY,
            "email": EMAIL,
            "password": PASSWORD,
        });
        self.backends.push(Backend { db, front, pg_proxy, http_proxy });
        Ok(answer)
    }

    fn handle(&mut self, cmd: &str, args: &Value) -> Result<Value, String> {
        Ok(match cmd {
            "new_backend" => self.new_backend(flag(args, "migrated")?)?,
            "sql" => {
                let backend = self.backend(args)?;
                json!(self.cluster.psql(&backend.db, text(args, "sql")?)?)
            }
            "refuse" => {
                let on = flag(args, "on")?;
                self.backend(args)?.proxies().iter().for_each(|p| p.refuse(on));
                Value::Null
            }
            "hold" => {
                let on = flag(args, "on")?;
                self.backend(args)?.proxies().iter().for_each(|p| p.hold(on));
                Value::Null
            }
            "cut" => {
                self.backend(args)?.proxies().iter().for_each(|p| p.cut_all());
                Value::Null
            }
            "heal" => {
                self.backend(args)?.proxies().iter().for_each(|p| p.heal());
                Value::Null
            }
            "revoke_sessions" => {
                self.backend(args)?.front.revoke_sessions();
                Value::Null
            }
            "token_grants" => json!(self.backend(args)?.front.token_grants()),
            other => return Err(format!("no team-backend command {other:?}")),
        })
    }
}

fn main() -> Result<(), String> {
    let Some(cli) = std::env::args().nth(1) else {
        return Err("usage: team-backend RINGDESK_CLI".into());
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let _entered = runtime.enter();
    let mut server = Server::start(&cli)?;
    json_lines::serve(&json!({ "ready": true }), |cmd, args| server.handle(cmd, args))
}
