//! The allocator's free pages go back to the system ([`ringdesk_app::memory::give_back`]), here
//! in a test binary of its own: no other test allocates while resident memory is compared.

use ringdesk_app::memory::{give_back, resident_bytes};

#[test]
fn memory_freed_below_a_live_block_goes_back_to_the_system() {
    // Many small blocks, then one that stays above them: freeing the small ones leaves their
    // pages resident in glibc's arena until they are trimmed.
    let blocks: Vec<Vec<u8>> = (0..40_000).map(|i| vec![(i % 251) as u8; 1000]).collect();
    let keep = vec![7u8; 1000];
    drop(blocks);
    let freed = resident_bytes();
    let gave = give_back();
    let after = resident_bytes();
    assert_eq!(keep[999], 7, "the live block is untouched");
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        let (Some(freed), Some(after)) = (freed, after) else { panic!("Linux tells the resident memory") };
        assert!(
            gave && after + (20 << 20) < freed,
            "most of the 40 MB freed went back: {} MiB resident when freed, {} MiB after",
            freed >> 20,
            after >> 20
        );
    } else {
        assert!(!gave, "other allocators have nothing to trim");
    }
}

#[test]
fn closing_the_app_closes_its_database_at_once_whatever_the_settle_thread_does() {
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ringdesk.db");
    let app = ringdesk_app::App::open(&db, Arc::new(ringdesk_app::keychain::MemorySecretStore::default()))
        .expect("app opens");
    app.create_list("Expo", None).expect("a write");
    app.worked();
    let wal = dir.path().join("ringdesk.db-wal");
    assert!(wal.exists(), "the write went through the journal while the app is open");
    drop(app);
    // The last connection's close checkpoints the journal into the database and removes it; a
    // process that exits right after (the CLI, the window) must not leave it to a thread.
    assert!(!wal.exists(), "the journal is gone as soon as the app is dropped");
}
