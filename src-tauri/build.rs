//! Build script of the desktop shell: Tauri's codegen reads ../tauri.conf.json (beside the root
//! Cargo.toml, which is this package's manifest) and the icons it names.

fn main() {
    tauri_build::build()
}
