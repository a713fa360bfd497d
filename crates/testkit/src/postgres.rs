//! A throwaway PostgreSQL cluster, pgbouncer in transaction mode, and a TCP proxy that injects
//! network faults between a client and either of them.
//!
//! The cluster is Debian's `postgresql` (initdb + postgres in a temp dir, TCP on 127.0.0.1 with
//! trust authentication, fsync off). Run as root, the server runs as the `postgres` user
//! (initdb refuses root). [`PgCluster::shared`] starts one cluster per test binary; a small
//! watchdog shell stops it and removes its files when the test process exits, so no server is
//! left behind even though statics are never dropped. Tests take a fresh database per test with
//! `CREATE DATABASE ... TEMPLATE` (about 80 ms, sync.md §3).

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::{free_port, require, wait_for};

/// Where Debian keeps the server binaries (off PATH): the newest `/usr/lib/postgresql/N/bin`.
pub fn pg_bin_dir() -> Result<PathBuf, String> {
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "PostgreSQL is not installed: install the Debian package postgresql (scripts/test.sh does)")?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").is_file().then_some((v, bin))
        })
        .collect();
    dirs.sort();
    dirs.pop().map(|(_, d)| d).ok_or_else(|| {
        "PostgreSQL server binaries are missing: install the Debian package postgresql (scripts/test.sh does)".into()
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

fn uid_gid_of(user: &str) -> Result<(u32, u32), String> {
    let id = |flag: &str| -> Result<u32, String> {
        let out = Command::new("id").args([flag, user]).output().map_err(|e| e.to_string())?;
        String::from_utf8_lossy(&out.stdout).trim().parse().map_err(|_| format!("no user {user}"))
    };
    Ok((id("-u")?, id("-g")?))
}

/// A command run as the `postgres` user when we are root, else as ourselves.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn chown_tree(path: &Path) -> Result<(), String> {
    if !is_root() {
        return Ok(());
    }
    let (uid, gid) = uid_gid_of("postgres")?;
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).map_err(|e| format!("chown {}: {e}", path.display()))
}

/// A running PostgreSQL cluster on 127.0.0.1.
pub struct PgCluster {
    dir: PathBuf,
    port: u16,
    watchdog: Mutex<Option<Child>>,
}

impl std::fmt::Debug for PgCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgCluster").field("dir", &self.dir).field("port", &self.port).finish()
    }
}

static SHARED: OnceLock<Result<PgCluster, String>> = OnceLock::new();
static NEXT_DB: AtomicU64 = AtomicU64::new(0);

impl PgCluster {
    /// The cluster of this test process, started on first use.
    pub fn shared() -> Result<&'static PgCluster, String> {
        SHARED.get_or_init(PgCluster::start).as_ref().map_err(Clone::clone)
    }

    /// Starts a new cluster (initdb + postgres); it stops when dropped or when this process ends.
    pub fn start() -> Result<PgCluster, String> {
        Self::start_with(false)
    }

    /// A cluster that also speaks TLS, with a certificate for 127.0.0.1 signed by a throwaway CA;
    /// returns the CA's PEM file too.
    pub fn start_with_tls() -> Result<(PgCluster, PathBuf), String> {
        let cluster = Self::start_with(true)?;
        let ca = cluster.dir.join("ca.pem");
        Ok((cluster, ca))
    }

    fn start_with(tls: bool) -> Result<PgCluster, String> {
        let bin = pg_bin_dir()?;
        if is_root() {
            require("runuser", "util-linux")?;
        }
        let base = std::env::temp_dir().join(format!("ringdesk-pg-{}-{}", std::process::id(), free_port()?));
        std::fs::create_dir_all(&base).map_err(|e| format!("create {}: {e}", base.display()))?;
        chown_tree(&base)?;
        let data = base.join("data");
        let out = as_server_user(&bin.join("initdb"))
            .args(["-D"])
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!("initdb failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let port = free_port()?;
        let ssl = if tls {
            crate::make_test_certificates(&base)?;
            for f in ["ca.pem", "server.pem", "server.key"] {
                chown_tree(&base.join(f))?;
            }
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(base.join("server.key"), std::fs::Permissions::from_mode(0o600))
                .map_err(|e| e.to_string())?;
            format!(
                "-c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                base.join("server.pem").display(),
                base.join("server.key").display()
            )
        } else {
            String::new()
        };
        // The watchdog runs the server and stops it (fast shutdown) when the test process is gone,
        // then removes the cluster's files.
        let script = format!(
            r#"{postgres} -D {data} -p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
                 -c shared_buffers=64MB -c log_min_messages=fatal {ssl} >{log} 2>&1 &
               pid=$!
               while [ -d /proc/{owner} ] && kill -0 $pid 2>/dev/null; do sleep 0.3; done
               kill -INT $pid 2>/dev/null; wait $pid; rm -rf {base}"#,
            postgres = bin.join("postgres").display(),
            data = data.display(),
            sock = base.display(),
            log = base.join("server.log").display(),
            owner = std::process::id(),
            base = base.display(),
        );
        let sh = PathBuf::from("/bin/sh");
        let watchdog = as_server_user(&sh)
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start postgres: {e}"))?;
        let cluster = PgCluster { dir: base, port, watchdog: Mutex::new(Some(watchdog)) };
        let ready = wait_for(Duration::from_secs(20), || cluster.psql("postgres", "select 1").is_ok());
        if !ready {
            let log = std::fs::read_to_string(cluster.dir.join("server.log")).unwrap_or_default();
            return Err(format!("postgres did not accept connections within 20 s: {log}"));
        }
        Ok(cluster)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// A connection URL for `user` to `db` (trust authentication: no password).
    pub fn url(&self, db: &str, user: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/{db}?sslmode=disable", self.port)
    }

    /// Runs SQL with psql as the superuser; returns its unaligned output.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        self.psql_as(db, "postgres", sql)
    }

    /// Runs SQL with psql as `user` (a login role: RLS applies to it); returns its unaligned
    /// output, or psql's error text.
    pub fn psql_as(&self, db: &str, user: &str, sql: &str) -> Result<String, String> {
        let psql = require("psql", "postgresql-client")?;
        let out = Command::new(psql)
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", user, "-d", db])
            .args(["-v", "ON_ERROR_STOP=1", "-qAtX", "-c", sql])
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// Creates a database (from `template` when given) with a unique name; returns the name.
    pub fn create_database(&self, prefix: &str, template: Option<&str>) -> Result<String, String> {
        let name = format!("{prefix}_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::Relaxed));
        let sql = match template {
            Some(t) => format!("create database {name} template {t}"),
            None => format!("create database {name}"),
        };
        // A template in use by another connection makes CREATE DATABASE fail for a moment.
        let mut last = String::new();
        for _ in 0..50 {
            match self.psql("postgres", &sql) {
                Ok(_) => return Ok(name),
                Err(e) if e.contains("being accessed by other users") => {
                    last = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    /// Creates a login role if it does not exist (roles belong to the whole cluster).
    pub fn ensure_role(&self, name: &str, member_of: &[&str]) -> Result<(), String> {
        let grants: String = member_of.iter().map(|g| format!("grant {g} to {name};")).collect();
        self.psql(
            "postgres",
            &format!(
                "do $$ begin if not exists (select 1 from pg_roles where rolname = '{name}') then \
                 create role {name} login; end if; end $$; {grants}"
            ),
        )
        .map(|_| ())
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("data/postmaster.pid"))
            && let Some(pid) = pid.lines().next()
        {
            let _ = Command::new("kill").args(["-INT", pid.trim()]).status();
        }
        if let Some(mut child) = self.watchdog.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
        }
    }
}

/// pgbouncer in transaction mode in front of a cluster (the Supabase/Neon pooler setting that
/// breaks named prepared statements).
pub struct PgBouncer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for PgBouncer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgBouncer").field("port", &self.port).finish()
    }
}

impl PgBouncer {
    /// Starts pgbouncer for every database of `cluster`, letting in `users` without a password.
    pub fn start(cluster: &PgCluster, users: &[&str]) -> Result<PgBouncer, String> {
        let bin = require("pgbouncer", "pgbouncer")?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port = free_port()?;
        let users_file: String = users.iter().map(|u| format!("\"{u}\" \"\"\n")).collect();
        std::fs::write(dir.path().join("users.txt"), users_file).map_err(|e| e.to_string())?;
        let ini = format!(
            "[databases]\n* = host=127.0.0.1 port={pg}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n\
             unix_socket_dir =\nauth_type = trust\nauth_file = {dir}/users.txt\npool_mode = transaction\n\
             server_reset_query = DISCARD ALL\nserver_reset_query_always = 1\ndefault_pool_size = 2\n\
             max_client_conn = 200\nignore_startup_parameters = extra_float_digits,options\n\
             logfile = {dir}/pgbouncer.log\npidfile = {dir}/pgbouncer.pid\n",
            pg = cluster.port(),
            dir = dir.path().display(),
        );
        let cfg = dir.path().join("pgbouncer.ini");
        std::fs::write(&cfg, ini).map_err(|e| e.to_string())?;
        chown_tree(dir.path())?;
        for f in ["users.txt", "pgbouncer.ini"] {
            chown_tree(&dir.path().join(f))?;
        }
        // pgbouncer refuses to run as root; -u drops privileges inside the same process, so
        // killing this child stops pgbouncer itself (sync.md §3).
        let mut cmd = Command::new(bin);
        if is_root() {
            cmd.args(["-u", "postgres"]);
        }
        let child = cmd
            .arg(&cfg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start pgbouncer: {e}"))?;
        let ready = wait_for(Duration::from_secs(10), || TcpStream::connect(("127.0.0.1", port)).is_ok());
        if !ready {
            let log = std::fs::read_to_string(dir.path().join("pgbouncer.log")).unwrap_or_default();
            return Err(format!("pgbouncer did not listen within 10 s: {log}"));
        }
        Ok(PgBouncer { child, port, _dir: dir })
    }

    pub fn url(&self, db: &str, user: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/{db}?sslmode=disable", self.port)
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP proxy in front of a server that can lose a reply after the server acted on the request,
/// cut every connection, or refuse new ones.
pub struct FaultProxy {
    port: u16,
    state: Arc<ProxyState>,
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy").field("port", &self.port).finish()
    }
}

#[derive(Default)]
struct ProxyState {
    /// The next request's reply is swallowed and the connection cut (the ack lost after COMMIT).
    lose_next_reply: AtomicBool,
    /// The replies to the next N requests containing these bytes are swallowed.
    lose_matching: Mutex<Option<(Vec<u8>, u32)>>,
    /// New connections are accepted and closed at once (the backend is unreachable).
    refuse: AtomicBool,
    /// Bytes wait in the proxy, both ways, until released (a slow network).
    hold: AtomicBool,
    stopped: AtomicBool,
    replies_lost: AtomicU64,
    live: Mutex<Vec<TcpStream>>,
}

impl FaultProxy {
    /// Starts forwarding 127.0.0.1:<new port> to `target`.
    pub fn start(target: SocketAddr) -> Result<FaultProxy, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let state = Arc::new(ProxyState::default());
        let st = state.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if st.stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                if st.refuse.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(target) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                if let (Ok(c), Ok(s)) = (client.try_clone(), server.try_clone()) {
                    st.live.lock().unwrap_or_else(|p| p.into_inner()).extend([c, s]);
                }
                spawn_pipe(st.clone(), client, server);
            }
        });
        Ok(FaultProxy { port, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `url` with its port replaced by the proxy's.
    pub fn url_for(&self, db: &str, user: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/{db}?sslmode=disable", self.port)
    }

    /// The reply to the next request is swallowed and the connection cut: the server acted, the
    /// client sees a broken connection.
    pub fn lose_next_reply(&self) {
        self.state.lose_next_reply.store(true, Ordering::SeqCst);
    }

    /// The replies to the next `times` requests whose bytes contain `needle` (such as
    /// `b"sync.push"`) are swallowed and their connections cut; other traffic passes.
    pub fn lose_replies_to(&self, needle: &[u8], times: u32) {
        *self.state.lose_matching.lock().unwrap_or_else(|p| p.into_inner()) = Some((needle.to_vec(), times));
    }

    /// How many replies were swallowed so far.
    pub fn replies_lost(&self) -> u64 {
        self.state.replies_lost.load(Ordering::SeqCst)
    }

    /// Cuts every open connection.
    pub fn cut_all(&self) {
        for s in self.state.live.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Ends every fault: no reply will be lost and new connections are accepted.
    pub fn heal(&self) {
        self.state.lose_next_reply.store(false, Ordering::SeqCst);
        *self.state.lose_matching.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.state.refuse.store(false, Ordering::SeqCst);
        self.state.hold.store(false, Ordering::SeqCst);
    }

    /// Refuses (accepts and closes) new connections while `on`.
    pub fn refuse(&self, on: bool) {
        self.state.refuse.store(on, Ordering::SeqCst);
    }

    /// Holds every byte in the proxy, both ways, while `on`: requests stall until it is off.
    pub fn hold(&self, on: bool) {
        self.state.hold.store(on, Ordering::SeqCst);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.state.stopped.store(true, Ordering::SeqCst);
        self.cut_all();
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn wait_while_held(state: &ProxyState) {
    while state.hold.load(Ordering::SeqCst) && !state.stopped.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn spawn_pipe(state: Arc<ProxyState>, client: TcpStream, server: TcpStream) {
    let swallow = Arc::new(AtomicBool::new(false));
    let (Ok(mut c_read), Ok(mut s_write)) = (client.try_clone(), server.try_clone()) else { return };
    let (mut s_read, mut c_write) = (server, client);
    let st = state.clone();
    let sw = swallow.clone();
    // client -> server: a request while a lost reply is armed marks this connection.
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match c_read.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if st.lose_next_reply.swap(false, Ordering::SeqCst) {
                sw.store(true, Ordering::SeqCst);
            }
            {
                let mut matching = st.lose_matching.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((needle, times)) = matching.as_mut()
                    && buf[..n].windows(needle.len().max(1)).any(|w| w == needle.as_slice())
                {
                    sw.store(true, Ordering::SeqCst);
                    *times -= 1;
                    if *times == 0 {
                        *matching = None;
                    }
                }
            }
            wait_while_held(&st);
            if s_write.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = s_write.shutdown(Shutdown::Both);
        let _ = c_read.shutdown(Shutdown::Both);
    });
    // server -> client: a marked connection's reply is dropped, then the connection is cut.
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match s_read.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if swallow.load(Ordering::SeqCst) {
                state.replies_lost.fetch_add(1, Ordering::SeqCst);
                let _ = c_write.shutdown(Shutdown::Both);
                let _ = s_read.shutdown(Shutdown::Both);
                break;
            }
            wait_while_held(&state);
            if c_write.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = c_write.shutdown(Shutdown::Both);
    });
}
