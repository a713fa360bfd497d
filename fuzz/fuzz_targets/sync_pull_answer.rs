//! The backend's pull answers (JSON rows of every synced table, revocations, tombstones,
//! conflicts) applied to a real local store, in a transaction rolled back after each input.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

static STORE: OnceLock<(tempfile::TempDir, ringdesk_store::Store)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (_, store) = STORE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ringdesk_store::Store::open(&dir.path().join("fuzz.db")).expect("store");
        (dir, store)
    });
    ringdesk_sync::fuzzing::apply_pull_answer(store, data);
});
