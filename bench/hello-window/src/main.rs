//! A hello-world Tauri window: the memory and start-up anchor Ringdesk is compared with. It logs
//! `window interactive` when its page has loaded, the line the cold-start benchmark waits for.
fn main() {
    let result = tauri::Builder::default()
        .on_page_load(|_, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                eprintln!("window interactive");
            }
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("hello window failed: {e}");
        std::process::exit(1);
    }
}
