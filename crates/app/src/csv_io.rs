//! Lead import from CSV and export to CSV.
//!
//! Import reads the file as bytes with the `csv` crate (quoted fields, CRLF, a UTF-8 BOM), maps
//! columns to lead fields, validates each row, and writes every valid row in **one** store
//! transaction: a file-level problem (not UTF-8, no phone/email column, a line over
//! [`MAX_RECORD_BYTES`], more than [`MAX_COLUMNS`] columns) or a cancel rolls everything back, so
//! nothing is ever half-imported. Row-level problems (a bad number, a bad email) are reported with
//! their line and reason and the other rows go in. Duplicates merge (see `store::leads::import_one`).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ringdesk_core::{LeadField, PhoneNumber, Region, auto_map_headers, parse_value, validate_email};
use ringdesk_store::{Store, leads, lists};

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::{ExportReport, ImportPreview, ImportProgress, ImportReport, ImportRequest, ImportTarget, RowError};

/// The longest line (record) accepted: anything longer is not a lead.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 1000;
/// Invalid rows listed in the report (the count is always complete).
pub const MAX_REPORTED_ERRORS: usize = 1000;
const SAMPLE_ROWS: usize = 5;
const PROGRESS_EVERY: Duration = Duration::from_millis(50);

fn csv_error(message: String) -> IpcError {
    IpcError::new(ErrorCode::Csv, message)
}

fn open(path: &Path) -> Result<(File, u64)> {
    let file = File::open(path)
        .map_err(|e| IpcError::new(ErrorCode::Io, format!("Could not open {}: {e}", path.display())))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((file, size))
}

/// Guesses the delimiter from the first line: comma unless semicolons or tabs clearly dominate.
fn sniff_delimiter(first_line: &[u8]) -> u8 {
    let count = |b: u8| first_line.iter().filter(|&&c| c == b).count();
    let (comma, semi, tab) = (count(b','), count(b';'), count(b'\t'));
    if tab > comma && tab >= semi {
        b'\t'
    } else if semi > comma {
        b';'
    } else {
        b','
    }
}

/// A reader over the file with the BOM skipped and the delimiter guessed.
struct Source {
    reader: csv::Reader<BufReader<File>>,
    total_bytes: u64,
}

fn source(path: &Path) -> Result<Source> {
    let (mut file, total_bytes) = open(path)?;
    let mut head = vec![0u8; 64 * 1024];
    let n = read_up_to(&mut file, &mut head)
        .map_err(|e| IpcError::new(ErrorCode::Io, format!("Could not read {}: {e}", path.display())))?;
    head.truncate(n);
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let body = if bom { &head[3..] } else { &head[..] };
    let first_line = body.split(|&b| b == b'\n').next().unwrap_or(body);
    let delimiter = sniff_delimiter(first_line);
    let (file, _) = open(path)?;
    let mut buffered = BufReader::with_capacity(256 * 1024, file);
    if bom {
        let mut skip = [0u8; 3];
        buffered.read_exact(&mut skip).map_err(|e| IpcError::new(ErrorCode::Io, e.to_string()))?;
    }
    // Records end at '\n' only (a trailing '\r' is trimmed from the last field): with the default
    // CR/LF terminator the csv crate reports CRLF files' line numbers one short.
    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(false)
        .flexible(true)
        .from_reader(buffered);
    Ok(Source { reader, total_bytes })
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Reads the next record, enforcing the size limit and turning csv errors into line-numbered ones.
fn next_record(reader: &mut csv::Reader<BufReader<File>>, record: &mut csv::ByteRecord) -> Result<bool> {
    match reader.read_byte_record(record) {
        Ok(more) => {
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            if more && record.len() > MAX_COLUMNS {
                return Err(csv_error(format!(
                    "Line {line} has {} columns; at most {MAX_COLUMNS} are supported. Nothing was imported.",
                    record.len()
                )));
            }
            if more && record.as_slice().len() > MAX_RECORD_BYTES {
                return Err(csv_error(format!(
                    "Line {line} is {} bytes long; a line may be at most {} bytes. Nothing was imported.",
                    record.as_slice().len(),
                    MAX_RECORD_BYTES
                )));
            }
            Ok(more)
        }
        Err(e) => {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Err(csv_error(format!("Line {line} could not be read as CSV: {e}. Nothing was imported.")))
        }
    }
}

fn utf8_fields(record: &csv::ByteRecord) -> Result<Vec<String>> {
    let last = record.len().saturating_sub(1);
    record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let f = if i == last { f.strip_suffix(b"\r").unwrap_or(f) } else { f };
            std::str::from_utf8(f).map(str::to_string).map_err(|_| {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                csv_error(format!(
                    "Line {line} is not valid UTF-8 text. Save the file as \"CSV UTF-8\" and try again. Nothing was imported."
                ))
            })
        })
        .collect()
}

fn read_header(src: &mut Source) -> Result<Vec<String>> {
    let mut record = csv::ByteRecord::new();
    if !next_record(&mut src.reader, &mut record)? {
        return Err(csv_error("The file is empty: it has no header line.".into()));
    }
    let headers: Vec<String> = utf8_fields(&record)?.into_iter().map(|h| h.trim().to_string()).collect();
    if headers.iter().all(String::is_empty) {
        return Err(csv_error("Line 1 (the header) is blank.".into()));
    }
    Ok(headers)
}

/// Reads the header and the first rows so the agent can check the column mapping.
pub fn preview(path: &Path) -> Result<ImportPreview> {
    let mut src = source(path)?;
    let headers = read_header(&mut src)?;
    let mut sample_rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    while sample_rows.len() < SAMPLE_ROWS && next_record(&mut src.reader, &mut record)? {
        sample_rows.push(utf8_fields(&record)?);
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
        let joined = [first.as_deref(), last.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        lead.name = if !joined.is_empty() {
            joined
        } else {
            // A lead needs a name; fall back to what identifies it best.
            lead.company.clone().or_else(|| lead.email.clone()).or_else(|| lead.phone.clone()).unwrap_or_default()
        };
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
    let headers = read_header(&mut src)?;
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
    let mut record = csv::ByteRecord::new();
    let mut rows_read = 0u32;
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    loop {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let more = match next_record(&mut src.reader, &mut record) {
            Ok(more) => more,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        };
        if more {
            rows_read += 1;
            let line = record.position().map(|p| p.line()).unwrap_or(0) as u32;
            let fields = match utf8_fields(&record) {
                Ok(f) => f,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            if !fields.iter().all(|f| f.trim().is_empty()) {
                let outcome = if fields.len() != columns {
                    Err(format!("{} columns where the header has {columns}", fields.len()))
                } else {
                    lead_from_row(&fields, mapping, region)
                };
                batch.push((line, outcome));
            }
        }
        if batch.len() >= BATCH_ROWS || (!more && !batch.is_empty()) {
            let bytes_read = record.position().map(|p| p.byte()).unwrap_or(src.total_bytes);
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
    let io =
        |e: &dyn std::fmt::Display| IpcError::new(ErrorCode::Io, format!("Could not write {}: {e}", path.display()));
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile_in(dir).map_err(|e| io(&e))?;
    let result = (|| {
        let mut writer = csv::Writer::from_writer(BufWriter::new(&tmp.1));
        writer
            .write_record([
                "started_at",
                "direction",
                "route",
                "number",
                "lead",
                "company",
                "duration_seconds",
                "disposition",
                "notes",
            ])
            .map_err(|e| io(&e))?;
        let mut rows = 0u32;
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
                let cells = [
                    c.started_at.clone(),
                    c.direction.clone(),
                    c.route.clone(),
                    c.contact_number.clone(),
                    o(&c.lead_name),
                    o(&c.lead_company),
                    c.duration_seconds.map(|d| d.to_string()).unwrap_or_default(),
                    o(&c.disposition),
                    o(&c.notes),
                ];
                writer.write_record(cells.iter().map(|c| safe_cell(c).into_owned())).map_err(|e| io(&e))?;
                rows += 1;
            }
            match page.last() {
                Some(last) if page.len() == 1000 => before = Some((last.started_at.clone(), last.id.clone())),
                _ => break,
            }
        }
        let inner = writer.into_inner().map_err(|e| io(&e))?;
        inner.into_inner().map_err(|e| io(&e))?.sync_all().map_err(|e| io(&e))?;
        std::fs::rename(&tmp.0, path).map_err(|e| io(&e))?;
        Ok(ExportReport { path: path.display().to_string(), rows })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp.0);
    }
    result
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
