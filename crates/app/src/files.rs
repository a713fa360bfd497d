//! The files the window may have Ringdesk import: only those the agent chose in a file dialog
//! that the host (the desktop shell, or `ringdesk-cli serve`) opened itself in this session. The
//! window never names a path on its own (issue 16); see `src-tauri/files.rs` for the dialogs.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::{ErrorCode, IpcError};

/// The files chosen for import in this session's dialogs.
#[derive(Debug, Default)]
pub struct ChosenFiles {
    imports: Mutex<HashSet<PathBuf>>,
}

impl ChosenFiles {
    /// Remembers a file the agent chose in the import dialog.
    pub fn chose_for_import(&self, path: &str) {
        self.imports.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(PathBuf::from(path));
    }

    /// Whether the window may have this file imported: only a file chosen in the import dialog.
    pub fn check_import(&self, path: &str) -> Result<(), IpcError> {
        if self.imports.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains(Path::new(path)) {
            return Ok(());
        }
        Err(IpcError::new(
            ErrorCode::InvalidInput,
            format!("Ringdesk imports only a file you chose with \"Choose file…\"; {path} was not. Choose it again."),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::ChosenFiles;

    #[test]
    fn only_a_file_chosen_in_the_import_dialog_may_be_imported() {
        let chosen = ChosenFiles::default();
        let refused = chosen.check_import("/etc/passwd").expect_err("a path the window made up is refused");
        assert!(refused.message.contains("/etc/passwd was not"), "the refusal names the path: {}", refused.message);
        chosen.chose_for_import("/home/ann/leads.csv");
        assert!(chosen.check_import("/home/ann/leads.csv").is_ok(), "the chosen file is accepted");
        assert!(chosen.check_import("/home/ann/leads.csv/../../../etc/passwd").is_err(), "a path built on it is not");
        assert!(chosen.check_import("/home/ann/other.csv").is_err(), "nor another file in the same folder");
    }
}
