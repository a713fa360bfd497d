//! A hello-world Tauri window: the memory and start-up anchor Ringdesk is compared with.
fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("hello window failed: {e}");
        std::process::exit(1);
    }
}
