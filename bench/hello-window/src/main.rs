//! A hello-world Tauri window: the memory and start-up anchor Ringdesk is compared with. Its page
//! reports its first paint the way Ringdesk's UI does (an IPC call after two animation frames),
//! and the command logs `window interactive`, the line the cold-start benchmark waits for.

#[tauri::command]
fn ui_ready() {
    eprintln!("window interactive");
}

fn main() {
    let result =
        tauri::Builder::default().invoke_handler(tauri::generate_handler![ui_ready]).run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("hello window failed: {e}");
        std::process::exit(1);
    }
}
