//! The store refuses files it must not touch: newer schema, not a database, another app's database.

use ringdesk_store::{LATEST_VERSION, Store, StoreError};

fn sha(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).expect("file readable")
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ringdesk.db");
    drop(Store::open(&path).expect("fresh database opens"));
    {
        let c = rusqlite::Connection::open(&path).expect("raw open");
        c.pragma_update(None, "user_version", LATEST_VERSION + 5).expect("bump version");
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;").expect("checkpoint");
    }
    let before = sha(&path);
    let err = Store::open(&path).expect_err("newer database must be refused");
    assert!(
        matches!(err, StoreError::NewerThanBinary { found, supported, .. } if found == LATEST_VERSION + 5 && supported == LATEST_VERSION),
        "error names both versions: {err}"
    );
    assert!(err.to_string().contains("left untouched"), "message reassures the user: {err}");
    assert_eq!(sha(&path), before, "the file's bytes are unchanged");
}

#[test]
fn a_corrupt_file_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ringdesk.db");
    std::fs::write(&path, b"this is not a database at all, just text that happens to be long enough".repeat(100))
        .expect("write junk");
    let before = sha(&path);
    let err = Store::open(&path).expect_err("junk must be refused");
    assert!(matches!(err, StoreError::Corrupt { .. }), "junk is reported as corrupt: {err}");
    assert_eq!(sha(&path), before, "the file's bytes are unchanged");
}

#[test]
fn another_applications_database_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&path).expect("raw open");
        c.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY);").expect("other schema");
    }
    let before = sha(&path);
    let err = Store::open(&path).expect_err("foreign database must be refused");
    assert!(err.to_string().contains("another application"), "message says why: {err}");
    assert_eq!(sha(&path), before, "the file's bytes are unchanged");
}

#[test]
fn reopening_a_current_database_keeps_its_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ringdesk.db");
    let store = Store::open(&path).expect("opens");
    store.write(|w| ringdesk_store::settings::set(w, "default_region", &"GB")).expect("write");
    drop(store);
    let store = Store::open(&path).expect("reopens");
    let region: Option<String> = store.read(|r| ringdesk_store::settings::get(r, "default_region")).expect("read");
    assert_eq!(region.as_deref(), Some("GB"), "data survives a reopen");
    let backups = std::fs::read_dir(dir.path())
        .expect("list")
        .filter(|e| e.as_ref().map(|e| e.file_name().to_string_lossy().ends_with(".bak")).unwrap_or(false));
    assert_eq!(backups.count(), 0, "no backup when nothing is migrated");
}
