//! Secrets round-trip through a real Secret Service (gnome-keyring on a private D-Bus session),
//! never through SQLite. The test starts its own session: it re-runs itself under
//! `dbus-run-session` with an unlocked, throwaway gnome-keyring in a temporary home, so it never
//! touches the developer's keychain. Needs `dbus-run-session`, `gnome-keyring-daemon` and
//! `secret-tool` (the README's test command installs them).

use std::process::Command;
use std::sync::Arc;

use ringdesk_app::App;
use ringdesk_app::ipc::SecretKind;
use ringdesk_app::keychain::{KeyringStore, Secret, SecretStore};

const CHILD: &str = "RINGDESK_KEYRING_CHILD";
const TEST: &str = "secrets_round_trip_through_the_real_secret_service";

#[test]
fn secrets_round_trip_through_the_real_secret_service() {
    if std::env::var_os(CHILD).is_some() {
        in_session();
        return;
    }
    let home = tempfile::tempdir().expect("temp home");
    let runtime = home.path().join("run");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    let me = std::env::current_exe().expect("test binary path");
    let script = format!(
        "echo '' | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec '{}' --exact {TEST} --nocapture",
        me.display()
    );
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env(CHILD, "1")
        .env("HOME", home.path())
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .output()
        .expect("dbus-run-session must be installed (apt-get install dbus gnome-keyring libsecret-tools)");
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the keychain test inside the private session failed:\n{log}");
    assert!(log.contains("1 passed"), "the inner test really ran:\n{log}");
    assert!(
        home.path().join("data/keyrings").read_dir().map(|d| d.count() > 0).unwrap_or(false),
        "gnome-keyring wrote its keyring into the throwaway home"
    );
}

/// Runs inside the private session bus with gnome-keyring unlocked.
fn in_session() {
    let service = format!("ringdesk-test-{}", std::process::id());
    let store = KeyringStore::with_service(&service);
    assert_eq!(store.get(SecretKind::SipPassword).expect("lookup works"), None, "nothing stored yet");
    store.set(SecretKind::SipPassword, &Secret::new("s3cret-sip")).expect("stored in the keychain");
    assert_eq!(
        store.get(SecretKind::SipPassword).expect("lookup works"),
        Some(Secret::new("s3cret-sip")),
        "read back from the Secret Service"
    );

    let listed =
        Command::new("secret-tool").args(["search", "--all", "service", &service]).output().expect("secret-tool runs");
    let listing = String::from_utf8_lossy(&listed.stdout).into_owned() + &String::from_utf8_lossy(&listed.stderr);
    assert!(listing.contains("sip-password"), "another Secret Service client sees the item:\n{listing}");

    let dir = tempfile::tempdir().expect("temp dir");
    let app = App::open(&dir.path().join("r.db"), Arc::new(store.clone())).expect("app opens");
    let settings = app.set_secret(SecretKind::SignalwireApiToken, "PT-token-value").expect("set through the app");
    assert!(settings.signalwire_api_token_set && settings.sip_password_set, "both reported as set");
    drop(app);
    for entry in std::fs::read_dir(dir.path()).expect("list") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("PT-token-value") && !text.contains("s3cret-sip"), "no secret in the database files");
    }

    store.delete(SecretKind::SipPassword).expect("deleted");
    store.delete(SecretKind::SignalwireApiToken).expect("deleted");
    store.delete(SecretKind::SipPassword).expect("deleting a missing secret is fine");
    assert_eq!(store.get(SecretKind::SipPassword).expect("lookup works"), None, "gone after delete");
}
