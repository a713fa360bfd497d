//! Tauri codegen for the hello-world window.
fn main() {
    tauri_build::build()
}
