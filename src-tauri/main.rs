//! The `ringdesk` desktop binary. All of it lives in the library so tests can reach it.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    web_process_without_jit();
    ringdesk_shell::run();
}

/// Runs the window's JavaScript without WebKitGTK's JIT compilers (JavaScriptCore's interpreter
/// only), through the environment the web process inherits when WebKit launches it.
///
/// Measured at idle over 100k leads (BENCHMARKS.md, desktop, 2026-12-05 night): the web process
/// held about 10 MiB for the optimizing compilers' code and data (DFG, FTL) and 7 MiB more for
/// the Baseline JIT's. The UI's JavaScript is forms, tables and charts; without the JIT, the
/// screen pop painted in p95 45.6 ms instead of 36.9 (target 300), the wrap-up to the next ring
/// in 47.5 ms instead of 39.9 (target 100), the Analytics filter to paint in 50 ms instead of 37
/// (target 300), and the cold start did not slow. The window runs only Ringdesk's own code, and a
/// JIT-less engine is also the smaller attack surface (as in browsers' lockdown modes).
/// A `JSC_useJIT` already in the environment wins.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn web_process_without_jit() {
    if std::env::var_os("JSC_useJIT").is_none() {
        // SAFETY: the first statement of `main`, before any thread is started: nothing else reads
        // or writes the environment at the same time.
        unsafe { std::env::set_var("JSC_useJIT", "false") };
    }
}
