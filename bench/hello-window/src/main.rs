//! A hello-world Tauri window: the memory and start-up anchor Ringdesk is compared with. Its page
//! reports its first paint the way Ringdesk's UI does (an IPC call after two animation frames),
//! and the command logs `window interactive`, the line the cold-start benchmark waits for.
//!
//! `HELLO_COMPOSITING=never` turns WebKit's accelerated compositing off the way Ringdesk's shell
//! does (the web view's hardware-acceleration policy), so both windows are measured under one
//! policy. (WebKit's `WEBKIT_DISABLE_COMPOSITING_MODE=1`, which the benchmark used before, gives
//! the same memory but adds about 400 ms to a cold start: BENCHMARKS.md, desktop, 2026-12-05 late.)

#[tauri::command]
fn ui_ready() {
    eprintln!("window interactive");
}

fn main() {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ui_ready])
        .setup(|_app| {
            #[cfg(target_os = "linux")]
            if std::env::var_os("HELLO_COMPOSITING").is_some_and(|v| v == "never") {
                use tauri::Manager;
                use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
                if let Some(window) = _app.get_webview_window("main") {
                    window.with_webview(|webview| {
                        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
                            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                        }
                    })?;
                }
            }
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("hello window failed: {e}");
        std::process::exit(1);
    }
}
