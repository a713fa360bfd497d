//! A private D-Bus session bus for tests, optionally with an unlocked throwaway gnome-keyring
//! (the Secret Service). Processes started with [`DbusSession::env`] talk to this bus only, so
//! tests never touch the developer's keychain or desktop.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{require, wait_for};

/// The running bus (and keyring). Dropping it stops them.
#[derive(Debug)]
pub struct DbusSession {
    dir: tempfile::TempDir,
    address: String,
    children: Vec<Child>,
}

impl DbusSession {
    /// Starts `dbus-daemon --session` on a socket in a temporary folder.
    pub fn start() -> Result<Self, String> {
        let bin = require("dbus-daemon", "dbus")?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        for sub in ["run", "data", "config", "cache"] {
            std::fs::create_dir_all(dir.path().join(sub)).map_err(|e| e.to_string())?;
        }
        let socket = dir.path().join("bus");
        let mut daemon = Command::new(bin)
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", socket.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start dbus-daemon: {e}"))?;
        let stdout = daemon.stdout.take().ok_or("no stdout from dbus-daemon")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
        let address = line.trim().to_owned();
        if address.is_empty() {
            let _ = daemon.kill();
            return Err("dbus-daemon printed no address".into());
        }
        Ok(Self { dir, address, children: vec![daemon] })
    }

    /// Also starts an unlocked gnome-keyring (Secret Service) on the bus.
    pub fn with_keyring(mut self) -> Result<Self, String> {
        let bin = require("gnome-keyring-daemon", "gnome-keyring")?;
        let mut child = Command::new(bin)
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(self.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start gnome-keyring-daemon: {e}"))?;
        // The (empty) password of the throwaway login keyring, then end of input.
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write as _;
            let _ = stdin.write_all(b"\n");
        }
        self.children.push(child);
        if !wait_for(Duration::from_secs(10), || self.has_owner("org.freedesktop.secrets")) {
            return Err("gnome-keyring did not take the org.freedesktop.secrets name".into());
        }
        Ok(self)
    }

    /// True when some process owns `name` on this bus.
    pub fn has_owner(&self, name: &str) -> bool {
        Command::new("dbus-send")
            .envs(self.env())
            .args(["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
            .args(["org.freedesktop.DBus.NameHasOwner", &format!("string:{name}")])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
    }

    /// The bus address.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The environment a process needs to use this bus (and its keyring) and nothing else.
    pub fn env(&self) -> Vec<(String, String)> {
        let p = |sub: &str| self.dir.path().join(sub).display().to_string();
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.address.clone()),
            ("HOME".into(), self.dir.path().display().to_string()),
            ("XDG_RUNTIME_DIR".into(), p("run")),
            ("XDG_DATA_HOME".into(), p("data")),
            ("XDG_CONFIG_HOME".into(), p("config")),
            ("XDG_CACHE_HOME".into(), p("cache")),
        ]
    }

    /// The session's home folder.
    pub fn home(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for DbusSession {
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
