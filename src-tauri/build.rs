//! Build script of the desktop shell: Tauri's codegen reads ../tauri.conf.json (beside the root
//! Cargo.toml, which is this package's manifest) and the icons it names.
//!
//! It also writes the app's one permission, `window`: the commands the window may call, read
//! from the one command list (`app_commands!` in crates/app/src/commands.rs), so a command is
//! still listed in one place. With an app permission defined, Tauri refuses every app command the
//! window's capability (tauri.conf.json) does not grant; the dialog plugin's commands are not
//! granted at all (the shell opens file dialogs itself, src-tauri/files.rs).

use std::fmt::Write as _;

fn main() {
    const LIST: &str = "crates/app/src/commands.rs";
    println!("cargo:rerun-if-changed={LIST}");
    let source = std::fs::read_to_string(LIST).expect("crates/app/src/commands.rs is readable");
    let commands = listed_commands(&source);
    assert!(commands.len() > 50, "the command list in {LIST} was not found (read {} names)", commands.len());
    let dir = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set")).join("permissions");
    std::fs::create_dir_all(&dir).expect("permissions folder");
    let mut toml = String::from(
        "[[permission]]\nidentifier = \"window\"\ndescription = \"The commands the main window calls: every command of app_commands! (crates/app/src/commands.rs).\"\ncommands.allow = [\n",
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

/// The command names of `app_commands!`: each line of its list starts with `name(` and holds `->`.
fn listed_commands(source: &str) -> Vec<String> {
    source
        .lines()
        .map(str::trim)
        .filter(|line| line.contains("->") && !line.starts_with("//"))
        .filter_map(|line| {
            let name = &line[..line.find('(')?];
            (!name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')).then(|| name.to_string())
        })
        .collect()
}
