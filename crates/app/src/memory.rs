//! Giving memory back to the system once a burst of work is over.
//!
//! A burst (the window's first pages, the Analytics page's million calls, a list's counts) fills
//! SQLite's page caches and leaves the memory of its transient rows free in the allocator. Both
//! stay resident: SQLite keeps its caches for the next query, and glibc's allocator returns freed
//! memory only from the top of each arena, so pages freed below a live allocation stay with the
//! process although nothing uses them. Measured in the window: tens of MiB after a list's counts
//! or the Analytics page's first read (BENCHMARKS.md).
//!
//! [`Settle`] waits until the app has been quiet for a moment after work, then drops the store's
//! page caches and hands the allocator's free pages back ([`give_back`], glibc's
//! `malloc_trim(0)`, which `madvise`s free pages away and leaves live allocations where they are).
//! It does so only when the resident memory grew since it last did, so a window that polls now
//! and then does not pay for it every time. No maintained crate wraps `malloc_trim`, so the one
//! call is written here: one of the workspace's two `unsafe` functions (the other sets the web
//! process's JavaScript options in the shell's `main`; denied everywhere else).
//!
//! Other allocators (macOS, Windows, musl) give large free blocks back themselves and have no
//! such call: there only the page caches are dropped.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

/// How long the app stays quiet after work before memory is given back.
pub const QUIET: Duration = Duration::from_secs(2);

/// Growth of resident memory since the last settling that makes the next one worth its cost
/// (a few milliseconds: the allocator walks every arena).
pub const WORTH_BYTES: u64 = 2 << 20;

/// Hands the allocator's free pages back to the system; whether any came back. Walks and locks
/// every arena in turn: call it after a burst, not in a hot path.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn give_back() -> bool {
    // SAFETY: malloc_trim takes no pointers; glibc locks each arena while it trims it.
    unsafe { libc::malloc_trim(0) == 1 }
}

/// Elsewhere the allocator gives large free blocks back itself.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn give_back() -> bool {
    false
}

/// The process's resident memory in bytes, where the system tells it cheaply (Linux's
/// `VmRSS`, in kB whatever the page size); else `None`.
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 =
        status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

/// Gives memory back once the app has been quiet for [`QUIET`] after work (see the module doc).
#[derive(Debug)]
pub struct Settle {
    worked: Sender<()>,
}

impl Settle {
    /// Starts the thread that waits for `quiet` after work; when resident memory grew by more
    /// than `worth` bytes since it last settled, `release` drops what can be dropped (the store's
    /// caches) and the allocator's free pages are handed back.
    pub fn start(quiet: Duration, worth: u64, release: impl Fn() + Send + 'static) -> Settle {
        let (worked, rx) = mpsc::channel::<()>();
        let spawned = std::thread::Builder::new().name("ringdesk-settle".into()).spawn(move || {
            let mut settled_at: Option<u64> = None;
            // Each round: work happened, then quiet for `quiet`.
            while rx.recv().is_ok() {
                loop {
                    match rx.recv_timeout(quiet) {
                        Ok(()) => continue,
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                let now = resident_bytes();
                let grew = match (settled_at, now) {
                    (Some(before), Some(now)) => now > before.saturating_add(worth),
                    _ => true,
                };
                if grew {
                    release();
                    let gave = give_back();
                    settled_at = resident_bytes();
                    tracing::debug!(
                        before_mib = now.unwrap_or(0) >> 20,
                        after_mib = settled_at.unwrap_or(0) >> 20,
                        gave,
                        "memory settled after work"
                    );
                }
            }
        });
        if let Err(e) = spawned {
            tracing::warn!("memory will not be given back after work: {e}");
        }
        Settle { worked }
    }

    /// Work happened (a command answered): the quiet period starts again.
    pub fn worked(&self) {
        let _ = self.worked.send(());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn counting(quiet_ms: u64, worth: u64) -> (Settle, Arc<AtomicU32>) {
        let released = Arc::new(AtomicU32::new(0));
        let counter = released.clone();
        let settle = Settle::start(Duration::from_millis(quiet_ms), worth, move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        (settle, released)
    }

    #[test]
    fn memory_is_given_back_once_after_the_work_goes_quiet_not_during_it() {
        let (settle, released) = counting(150, WORTH_BYTES);
        for _ in 0..6 {
            settle.worked();
            std::thread::sleep(Duration::from_millis(40));
        }
        assert_eq!(released.load(Ordering::SeqCst), 0, "nothing is released while commands keep coming");
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(released.load(Ordering::SeqCst), 1, "released once the work went quiet");
    }

    #[test]
    fn a_quiet_spell_after_work_that_grew_nothing_releases_nothing_more() {
        // Other tests of this binary allocate meanwhile: growth is judged against 1 GiB here.
        let (settle, released) = counting(50, 1 << 30);
        settle.worked();
        std::thread::sleep(Duration::from_millis(400));
        settle.worked();
        std::thread::sleep(Duration::from_millis(400));
        let expected = if resident_bytes().is_some() { 1 } else { 2 };
        assert_eq!(released.load(Ordering::SeqCst), expected, "the second spell found no growth worth a release");
    }

    #[test]
    fn a_quiet_spell_after_work_that_grew_memory_releases_again() {
        let (settle, released) = counting(50, 1 << 20);
        settle.worked();
        std::thread::sleep(Duration::from_millis(400));
        let burst: Vec<u8> = vec![1; 64 << 20];
        settle.worked();
        std::thread::sleep(Duration::from_millis(400));
        assert!(burst.iter().all(|b| *b == 1), "the burst stayed live while the thread looked");
        assert_eq!(released.load(Ordering::SeqCst), 2, "64 MiB of growth released again");
    }
}
