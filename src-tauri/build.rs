//! Build script of the desktop shell: Tauri's codegen reads ../tauri.conf.json (beside the root
//! Cargo.toml, which is this package's manifest) and the icons it names.
//!
//! It also writes the app's one permission, `window`: the commands the window may call, read
//! from the `collect_commands![...]` list in src-tauri/commands.rs, so a command is still
//! registered in one place. With an app permission defined, Tauri refuses every app command the
//! window's capability (tauri.conf.json) does not grant; the dialog plugin's commands are not
//! granted at all (the shell opens file dialogs itself, src-tauri/files.rs).

use std::fmt::Write as _;

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/commands.rs");
    let source = std::fs::read_to_string("src-tauri/commands.rs").expect("src-tauri/commands.rs is readable");
    let commands = registered_commands(&source);
    assert!(!commands.is_empty(), "no collect_commands![...] list in src-tauri/commands.rs");
    let dir = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set")).join("permissions");
    std::fs::create_dir_all(&dir).expect("permissions folder");
    let mut toml = String::from(
        "[[permission]]\nidentifier = \"window\"\ndescription = \"The commands the main window calls: every command in src-tauri/commands.rs.\"\ncommands.allow = [\n",
    );
    for c in &commands {
        writeln!(toml, "  \"{c}\",").expect("write to a String");
    }
    toml.push_str("]\n");
    std::fs::write(dir.join("window.toml"), toml).expect("window.toml written");
    // Tauri wants a 'static glob; the build script runs once, so leaking it is free.
    let pattern: &'static str = Box::leak(format!("{}/*.toml", dir.display()).into_boxed_str());
    let manifest = tauri_build::AppManifest::new().permissions_path_pattern(pattern);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri-build");
}

/// The names inside `collect_commands![ ... ]`.
fn registered_commands(source: &str) -> Vec<String> {
    let Some(start) = source.find("collect_commands![") else { return Vec::new() };
    let body = &source[start + "collect_commands![".len()..];
    let body = &body[..body.find(']').unwrap_or(body.len())];
    body.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect()
}
