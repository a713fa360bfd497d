//! Lead import from CSV and export to CSV.
//!
//! Import reads the file as bytes with the `csv` crate (quoted fields, CRLF, a UTF-8 BOM), maps
//! columns to lead fields, validates each row, and writes every valid row in **one** store
//! transaction: a file-level problem (not UTF-8, no phone/email column, a line over
//! [`MAX_RECORD_BYTES`], more than [`MAX_COLUMNS`] columns) or a cancel rolls everything back, so
//! nothing is ever half-imported. Row-level problems (a bad number, a bad email) are reported with
//! their line and reason and the other rows go in. Duplicates merge (see `store::leads::import_one`).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ringdesk_core::{
    CsvReadError, CsvRecords, LeadField, PhoneNumber, Region, auto_map_headers, parse_value, validate_email,
};
use ringdesk_store::{Store, leads, lists};

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::{ExportReport, ImportPreview, ImportProgress, ImportReport, ImportRequest, ImportTarget, RowError};

pub use ringdesk_core::csv_records::{MAX_COLUMNS, MAX_RECORD_BYTES};
/// Invalid rows listed in the report (the count is always complete).
pub const MAX_REPORTED_ERRORS: usize = 1000;
const SAMPLE_ROWS: usize = 5;
const PROGRESS_EVERY: Duration = Duration::from_millis(50);

fn csv_error(message: String) -> IpcError {
    IpcError::new(ErrorCode::Csv, message)
}

/// A file-level reading error: the whole file is refused.
fn read_error(e: CsvReadError) -> IpcError {
    match e {
        CsvReadError::Io(_) => IpcError::new(ErrorCode::Io, e.to_string()),
        CsvReadError::Empty | CsvReadError::BlankHeader => csv_error(e.to_string()),
        e => csv_error(format!("{e} Nothing was imported.")),
    }
}

fn open(path: &Path) -> Result<(File, u64)> {
    let file = File::open(path)
        .map_err(|e| IpcError::new(ErrorCode::Io, format!("Could not open {}: {e}", path.display())))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((file, size))
}

/// The file's records (see `ringdesk_core::csv_records`) and its size.
struct Source {
    records: CsvRecords<File>,
    total_bytes: u64,
}

fn source(path: &Path) -> Result<Source> {
    let (file, total_bytes) = open(path)?;
    Ok(Source { records: CsvRecords::new(file).map_err(read_error)?, total_bytes })
}

/// Reads the header and the first rows so the agent can check the column mapping.
pub fn preview(path: &Path) -> Result<ImportPreview> {
    let mut src = source(path)?;
    let headers = src.records.header().map_err(read_error)?;
    let mut sample_rows = Vec::new();
    while sample_rows.len() < SAMPLE_ROWS {
        match src.records.next_record().map_err(read_error)? {
            Some(record) => sample_rows.push(record.fields),
            None => break,
        }
    }
    let mapping = auto_map_headers(&headers);
    Ok(ImportPreview { path: path.display().to_string(), file_size: src.total_bytes, headers, mapping, sample_rows })
}

/// Builds a lead from one row, or says why the row cannot be imported.
fn lead_from_row(fields: &[String], mapping: &[Option<LeadField>], region: Region) -> Result<leads::NewLead, String> {
    let mut lead = leads::NewLead::default();
    let (mut first, mut last) = (None, None);
    for (i, field) in mapping.iter().enumerate() {
        let (Some(field), Some(value)) = (field, fields.get(i)) else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let v = Some(value.to_string());
        match field {
            LeadField::Name => lead.name = value.to_string(),
            LeadField::FirstName => first = v,
            LeadField::LastName => last = v,
            LeadField::Email => lead.email = v,
            LeadField::Phone => lead.phone = v,
            LeadField::Company => lead.company = v,
            LeadField::Position => lead.position = v,
            LeadField::Status => lead.status = Some(value.to_ascii_lowercase()),
            LeadField::Value => lead.value = Some(parse_value(value).map_err(|e| e.to_string())?),
            LeadField::Source => lead.source = v,
            LeadField::Notes => lead.notes = v,
        }
    }
    if let Some(phone) = &lead.phone {
        let number = PhoneNumber::parse(phone, region).map_err(|e| format!("phone {phone:?}: {e}"))?;
        lead.phone_e164 = Some(number.e164().to_string());
    }
    if let Some(email) = &lead.email {
        validate_email(email).map_err(|e| e.to_string())?;
    }
    if lead.phone.is_none() && lead.email.is_none() {
        return Err("no phone number or email".into());
    }
    if lead.name.is_empty() {
        // A row without a name keeps it empty: a merge then leaves the lead's name alone, and a
        // new lead is named by `leads::import_one`.
        lead.name = [first.as_deref(), last.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    }
    Ok(lead)
}

/// Imports the file as the request says. `progress` is called at most every 50 ms; setting
/// `cancel` stops the import and rolls it back.
pub fn import(
    store: &Store,
    region: Region,
    request: &ImportRequest,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportReport> {
    let path = Path::new(&request.path);
    let mut src = source(path)?;
    let headers = src.records.header().map_err(read_error)?;
    if request.mapping.len() != headers.len() {
        return Err(IpcError::invalid(format!(
            "The mapping has {} entries but the file has {} columns; preview the file again.",
            request.mapping.len(),
            headers.len()
        )));
    }
    let maps = |f: LeadField| request.mapping.contains(&Some(f));
    if !maps(LeadField::Phone) && !maps(LeadField::Email) {
        return Err(csv_error(
            "The file has no phone or email column. Map a column to Phone or Email; nothing was imported.".into(),
        ));
    }

    let total_bytes = src.total_bytes;
    let columns = headers.len();
    let mut report = ImportReport { created: 0, merged: 0, invalid_total: 0, invalid: Vec::new(), list_id: None };
    let mut last_progress = Instant::now();
    let mut position = (0u64, 0u32);

    // Two stages on two threads: a parser (CSV, UTF-8, number normalization: about a third of
    // the work) feeding batches to the writer, which owns the single store transaction. Any
    // error or a cancel ends both and rolls the transaction back.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch>>(8);
    let result = std::thread::scope(|scope| {
        let rx = rx; // owned here, so it is dropped before the scope waits for the parser
        scope.spawn(|| parse_rows(src, columns, &request.mapping, region, cancel, tx));
        let written = store.write(|w| {
            let list_id = match &request.target {
                ImportTarget::None => None,
                ImportTarget::NewList { name } => {
                    let name = name.trim();
                    if name.is_empty() {
                        return Err(IpcError::invalid("The new list needs a name."));
                    }
                    Some(lists::create(w, name, None)?)
                }
                ImportTarget::ExistingList { list_id } => Some(lists::get(w, list_id)?.id),
            };
            for batch in rx.iter() {
                let batch = batch?;
                for (line, outcome) in batch.rows {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(cancelled());
                    }
                    match outcome {
                        Ok(lead) => match leads::import_one(w, &lead, list_id.as_deref())? {
                            leads::Imported::Created(_) => report.created += 1,
                            leads::Imported::Merged(_) => report.merged += 1,
                        },
                        Err(reason) => {
                            report.invalid_total += 1;
                            if report.invalid.len() < MAX_REPORTED_ERRORS {
                                report.invalid.push(RowError { line, reason });
                            }
                        }
                    }
                }
                position = (batch.bytes_read, batch.rows_read);
                if last_progress.elapsed() >= PROGRESS_EVERY {
                    last_progress = Instant::now();
                    progress(ImportProgress { bytes_read: position.0, total_bytes, rows_read: position.1 });
                }
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(cancelled());
            }
            Ok(list_id)
        });
        // Hang up: a parser still running (the writer failed early) stops at its next send.
        drop(rx);
        written
    });
    let list_id = result?;
    report.list_id = list_id;
    progress(ImportProgress { bytes_read: total_bytes, total_bytes, rows_read: position.1 });
    tracing::info!(created = report.created, merged = report.merged, invalid = report.invalid_total, "imported leads");
    Ok(report)
}

fn cancelled() -> IpcError {
    IpcError::new(ErrorCode::Cancelled, "Import cancelled; nothing was imported.")
}

/// Parsed rows handed from the parser thread to the writer: `(line, lead or reason)`.
struct Batch {
    rows: Vec<(u32, std::result::Result<leads::NewLead, String>)>,
    bytes_read: u64,
    rows_read: u32,
}

const BATCH_ROWS: usize = 512;

/// The parser stage: reads records, validates and normalizes them, and sends batches until the
/// file ends, a file-level error occurs (sent as the last item), the import is cancelled, or the
/// writer hangs up.
fn parse_rows(
    mut src: Source,
    columns: usize,
    mapping: &[Option<LeadField>],
    region: Region,
    cancel: &AtomicBool,
    tx: std::sync::mpsc::SyncSender<Result<Batch>>,
) {
    let mut rows_read = 0u32;
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut bytes_read = 0;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let record = match src.records.next_record() {
            Ok(record) => record,
            Err(e) => {
                let _ = tx.send(Err(read_error(e)));
                return;
            }
        };
        let more = record.is_some();
        if let Some(record) = record {
            rows_read += 1;
            bytes_read = record.end_byte;
            let fields = record.fields;
            if !fields.iter().all(|f| f.trim().is_empty()) {
                let outcome = if fields.len() != columns {
                    Err(format!("{} columns where the header has {columns}", fields.len()))
                } else {
                    lead_from_row(&fields, mapping, region)
                };
                batch.push((record.line as u32, outcome));
            }
        }
        if batch.len() >= BATCH_ROWS || (!more && !batch.is_empty()) {
            let rows = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
            if tx.send(Ok(Batch { rows, bytes_read, rows_read })).is_err() {
                return;
            }
        }
        if !more {
            return;
        }
    }
}

/// The export columns, in order.
const EXPORT_HEADERS: [&str; 12] = [
    "name",
    "email",
    "phone",
    "company",
    "position",
    "status",
    "value",
    "source",
    "notes",
    "timezone",
    "last_contact",
    "created_at",
];

/// Keeps spreadsheet apps from running a cell as a formula (CSV injection), without touching
/// phone numbers like `+15551234567`.
fn safe_cell(v: &str) -> std::borrow::Cow<'_, str> {
    let risky = match v.as_bytes().first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !v[1..].chars().all(|c| c.is_ascii_digit() || " ().-".contains(c)),
        _ => false,
    };
    if risky { format!("'{v}").into() } else { v.into() }
}

/// Writes the live leads (of `list_id` when given) to `path`, atomically (temp file + rename).
pub fn export(store: &Store, path: &Path, list_id: Option<&str>) -> Result<ExportReport> {
    let io =
        |e: &dyn std::fmt::Display| IpcError::new(ErrorCode::Io, format!("Could not write {}: {e}", path.display()));
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile_in(dir).map_err(|e| io(&e))?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(&tmp.1));
    writer.write_record(EXPORT_HEADERS).map_err(|e| io(&e))?;
    let rows = store.read(|r| {
        leads::for_each(r, list_id, |l| {
            let value = l.value.map(|v| v.to_string()).unwrap_or_default();
            let phone = l.phone_e164.as_deref().or(l.phone.as_deref()).unwrap_or("");
            let o = |v: &Option<String>| v.clone().unwrap_or_default();
            let cells = [
                l.name.clone(),
                o(&l.email),
                phone.to_string(),
                o(&l.company),
                o(&l.position),
                l.status.clone(),
                value,
                o(&l.source),
                o(&l.notes),
                o(&l.timezone),
                o(&l.last_contact),
                l.created_at.clone(),
            ];
            writer
                .write_record(cells.iter().map(|c| safe_cell(c).into_owned()))
                .map_err(|e| ringdesk_store::StoreError::Io { path: path.to_path_buf(), source: e.into() })
        })
    })?;
    let inner = writer.into_inner().map_err(|e| io(&e))?;
    inner.into_inner().map_err(|e| io(&e))?.sync_all().map_err(|e| io(&e))?;
    std::fs::rename(&tmp.0, path).map_err(|e| io(&e))?;
    Ok(ExportReport { path: path.display().to_string(), rows: rows as u32 })
}

/// Writes the call history that `q` selects (every page, newest first) to a CSV file, through a
/// temporary file renamed into place, so a failure never leaves a half-written file.
pub(crate) fn export_history(
    store: &Store,
    path: &Path,
    q: &ringdesk_store::calls::HistoryQuery<'_>,
) -> Result<ExportReport> {
    let headers =
        ["started_at", "direction", "route", "number", "lead", "company", "duration_seconds", "disposition", "notes"];
    write_rows(path, &headers, |emit| {
        let mut before: Option<(String, String)> = None;
        loop {
            let page_q = ringdesk_store::calls::HistoryQuery {
                limit: 1000,
                before: before.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
                ..q.clone()
            };
            let page = store.read(|r| ringdesk_store::calls::history(r, &page_q))?;
            for c in &page {
                let o = |v: &Option<String>| v.clone().unwrap_or_default();
                emit(&[
                    c.started_at.clone(),
                    c.direction.clone(),
                    c.route.clone(),
                    c.contact_number.clone(),
                    o(&c.lead_name),
                    o(&c.lead_company),
                    c.duration_seconds.map(|d| d.to_string()).unwrap_or_default(),
                    o(&c.disposition),
                    o(&c.notes),
                ])?;
            }
            match page.last() {
                Some(last) if page.len() == 1000 => before = Some((last.started_at.clone(), last.id.clone())),
                _ => return Ok(()),
            }
        }
    })
}

/// Writes `headers`, then each row `fill` hands to its `emit`, to `path` as CSV (cells a
/// spreadsheet would run as formulas are quoted), through a temporary file renamed into place,
/// so a failure never leaves a half-written file.
pub(crate) fn write_rows(
    path: &Path,
    headers: &[&str],
    fill: impl FnOnce(&mut dyn FnMut(&[String]) -> Result<()>) -> Result<()>,
) -> Result<ExportReport> {
    let io =
        |e: &dyn std::fmt::Display| IpcError::new(ErrorCode::Io, format!("Could not write {}: {e}", path.display()));
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile_in(dir).map_err(|e| io(&e))?;
    let result = (|| {
        let mut writer = csv::Writer::from_writer(BufWriter::new(&tmp.1));
        writer.write_record(headers).map_err(|e| io(&e))?;
        let mut n = 0u32;
        fill(&mut |row: &[String]| {
            n += 1;
            writer.write_record(row.iter().map(|c| safe_cell(c).into_owned())).map_err(|e| io(&e))
        })?;
        let inner = writer.into_inner().map_err(|e| io(&e))?;
        inner.into_inner().map_err(|e| io(&e))?.sync_all().map_err(|e| io(&e))?;
        std::fs::rename(&tmp.0, path).map_err(|e| io(&e))?;
        Ok(ExportReport { path: path.display().to_string(), rows: n })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp.0);
    }
    result
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
pub(crate) fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let io =
        |e: &dyn std::fmt::Display| IpcError::new(ErrorCode::Io, format!("Could not write {}: {e}", path.display()));
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let (tmp, mut file) = tempfile_in(dir).map_err(|e| io(&e))?;
    let result = file.write_all(bytes).and_then(|()| file.sync_all()).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(&e));
    }
    Ok(())
}

/// A new temporary file beside the target, so the final rename stays on one filesystem.
fn tempfile_in(dir: &Path) -> std::io::Result<(std::path::PathBuf, File)> {
    for attempt in 0..100u32 {
        let p = dir.join(format!(".ringdesk-export-{}-{attempt}.tmp", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("could not create a temporary file"))
}

impl crate::App {
    pub fn preview_import(&self, path: &str) -> Result<ImportPreview> {
        preview(Path::new(path))
    }

    /// Imports leads; see [`import`]. Only one import runs at a time per app.
    pub fn import_leads(
        &self,
        request: &ImportRequest,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport> {
        self.import_cancel.store(false, Ordering::SeqCst);
        import(&self.store, self.region()?, request, &self.import_cancel, progress)
    }

    /// Asks a running import to stop; it rolls back and reports `cancelled`.
    pub fn cancel_import(&self) {
        self.import_cancel.store(true, Ordering::SeqCst);
    }

    pub fn export_leads(&self, path: &str, list_id: Option<&str>) -> Result<ExportReport> {
        export(&self.store, Path::new(path), list_id)
    }
}
