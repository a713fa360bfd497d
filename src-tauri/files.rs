//! Files the window may have Ringdesk read or write: only those the agent chose in a native file
//! dialog that the shell itself opened in this session.
//!
//! The window never hands the shell a path to open on its own: the import's file is chosen by
//! [`ask`] inside `choose_import_file` and remembered in `ringdesk_app::files::ChosenFiles`, and `import_leads`
//! refuses any other path; an export opens its save dialog inside the command and writes where
//! the agent said. A script that ran in the webview can therefore neither read nor overwrite an
//! arbitrary file (issue 16). The dialog plugin's own commands are not granted to the window
//! (tauri.conf.json's capability).

use ringdesk_app::{ErrorCode, IpcError};

/// What a file dialog asks for.
#[derive(Debug, Clone, Copy)]
pub enum Ask<'a> {
    /// A CSV (or text) file to import.
    OpenCsv,
    /// Where to save a CSV export, suggesting this file name.
    SaveCsv(&'a str),
    /// A WAV file to keep as a voicemail message.
    OpenWav,
    /// Where to save a chart's PNG image, suggesting this file name.
    SavePng(&'a str),
}

/// Opens a native file dialog in front of the main window; the chosen path, or `None` when the
/// agent cancelled. Blocks the calling thread (a command's worker thread), never the UI thread.
///
/// In debug builds, `RINGDESK_TEST_FILE_DIALOG` names a file whose content answers the dialog
/// instead (an empty file cancels): the end-to-end tests drive the window over WebDriver, which
/// cannot reach a native GTK dialog. Release builds have no such seam.
pub fn ask(handle: &tauri::AppHandle, what: Ask<'_>) -> Result<Option<String>, IpcError> {
    use tauri::Manager;
    use tauri_plugin_dialog::DialogExt;
    #[cfg(debug_assertions)]
    if let Some(answer_file) = std::env::var_os("RINGDESK_TEST_FILE_DIALOG") {
        let answer = std::fs::read_to_string(answer_file)
            .map_err(|e| IpcError::new(ErrorCode::Io, format!("the test's file dialog answer: {e}")))?;
        let answer = answer.trim();
        return Ok((!answer.is_empty()).then(|| answer.to_string()));
    }
    let mut dialog = match what {
        Ask::OpenWav => handle.dialog().file().add_filter("WAV audio", &["wav"]),
        Ask::SavePng(_) => handle.dialog().file().add_filter("PNG image", &["png"]),
        _ => handle.dialog().file().add_filter("CSV", &["csv", "txt"]),
    };
    if let Some(window) = handle.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    let chosen = match what {
        Ask::OpenCsv => dialog.set_title("Import leads from a CSV file").blocking_pick_file(),
        Ask::SaveCsv(name) => dialog.set_title("Export to a CSV file").set_file_name(name).blocking_save_file(),
        Ask::OpenWav => dialog.set_title("Import a voicemail message (WAV)").blocking_pick_file(),
        Ask::SavePng(name) => dialog.set_title("Save the chart as an image").set_file_name(name).blocking_save_file(),
    };
    let Some(chosen) = chosen else { return Ok(None) };
    let path = chosen
        .into_path()
        .map_err(|e| IpcError::new(ErrorCode::InvalidInput, format!("That file cannot be used: {e}")))?;
    path.to_str().map(|p| Some(p.to_string())).ok_or_else(|| {
        IpcError::new(ErrorCode::InvalidInput, format!("Ringdesk needs a file name in UTF-8: {}", path.display()))
    })
}
