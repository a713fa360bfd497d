//! Reading a lead file record by record: the UTF-8 BOM skipped, the delimiter guessed from the
//! first line, quoted fields, LF or CRLF line ends, and the size caps every imported file obeys
//! (a record over [`MAX_RECORD_BYTES`], more than [`MAX_COLUMNS`] columns, text that is not
//! UTF-8: each a [`CsvReadError`] naming the line). Parsing is the `csv` crate's; this module adds
//! the caps, the line numbers and the messages. It reads from any [`std::io::Read`] the caller
//! opens, so the import and its fuzz target read through the same code.

use std::io::{BufRead, BufReader, Read};

/// The longest line (record) accepted: anything longer is not a lead.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 1000;

/// Why a file cannot be read as a lead file (the whole file is refused).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvReadError {
    #[error("The file is empty: it has no header line.")]
    Empty,
    #[error("Line 1 (the header) is blank.")]
    BlankHeader,
    #[error("Line {line} has {columns} columns; at most {MAX_COLUMNS} are supported.")]
    TooManyColumns { line: u64, columns: usize },
    #[error("Line {line} is {bytes} bytes long; a line may be at most {MAX_RECORD_BYTES} bytes.")]
    TooLong { line: u64, bytes: usize },
    #[error("Line {line} is not valid UTF-8 text. Save the file as \"CSV UTF-8\" and try again.")]
    NotUtf8 { line: u64 },
    #[error("Line {line} could not be read as CSV: {reason}.")]
    Malformed { line: u64, reason: String },
    #[error("The file could not be read: {0}.")]
    Io(String),
}

/// One record: its first line number (1-based), its fields as text (a trailing `\r` trimmed),
/// and the byte offset just after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord {
    pub line: u64,
    pub fields: Vec<String>,
    pub end_byte: u64,
}

/// A lead file's records, in order, the header first.
pub struct CsvRecords<R: Read> {
    reader: csv::Reader<BufReader<R>>,
    record: csv::ByteRecord,
}

impl<R: Read> std::fmt::Debug for CsvRecords<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvRecords").finish_non_exhaustive()
    }
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

impl<R: Read> CsvRecords<R> {
    /// Starts reading: skips a BOM and guesses the delimiter from the first line (looking at most
    /// 64 KiB ahead, through the reader's own buffer).
    pub fn new(input: R) -> Result<Self, CsvReadError> {
        let mut buffered = BufReader::with_capacity(256 * 1024, input);
        let head = buffered.fill_buf().map_err(|e| CsvReadError::Io(e.to_string()))?;
        let bom = head.starts_with(b"\xEF\xBB\xBF");
        if bom {
            buffered.consume(3);
        }
        let head = buffered.fill_buf().map_err(|e| CsvReadError::Io(e.to_string()))?;
        let head = &head[..head.len().min(64 * 1024)];
        let delimiter = sniff_delimiter(head.split(|&b| b == b'\n').next().unwrap_or(head));
        // Records end at '\n' only (a trailing '\r' is trimmed from the last field): with the
        // default CR/LF terminator the csv crate reports CRLF files' line numbers one short.
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::Any(b'\n'))
            .has_headers(false)
            .flexible(true)
            .from_reader(buffered);
        Ok(CsvRecords { reader, record: csv::ByteRecord::new() })
    }

    /// The header: the first record, its names trimmed; an empty file or a blank header is refused.
    pub fn header(&mut self) -> Result<Vec<String>, CsvReadError> {
        let record = self.next_record()?.ok_or(CsvReadError::Empty)?;
        let headers: Vec<String> = record.fields.into_iter().map(|h| h.trim().to_string()).collect();
        if headers.iter().all(String::is_empty) {
            return Err(CsvReadError::BlankHeader);
        }
        Ok(headers)
    }

    /// The next record, `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<CsvRecord>, CsvReadError> {
        let more = self.reader.read_byte_record(&mut self.record).map_err(|e| CsvReadError::Malformed {
            line: e.position().map(|p| p.line()).unwrap_or(0),
            reason: match e.kind() {
                csv::ErrorKind::Io(io) => io.to_string(),
                _ => e.to_string(),
            },
        })?;
        if !more {
            return Ok(None);
        }
        let record = &self.record;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.len() > MAX_COLUMNS {
            return Err(CsvReadError::TooManyColumns { line, columns: record.len() });
        }
        if record.as_slice().len() > MAX_RECORD_BYTES {
            return Err(CsvReadError::TooLong { line, bytes: record.as_slice().len() });
        }
        let last = record.len().saturating_sub(1);
        let fields = record
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let f = if i == last { f.strip_suffix(b"\r").unwrap_or(f) } else { f };
                std::str::from_utf8(f).map(str::to_string).map_err(|_| CsvReadError::NotUtf8 { line })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let end_byte = self.reader.position().byte();
        Ok(Some(CsvRecord { line, fields, end_byte }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8]) -> Result<(Vec<String>, Vec<CsvRecord>), CsvReadError> {
        let mut r = CsvRecords::new(input)?;
        let header = r.header()?;
        let mut rows = Vec::new();
        while let Some(rec) = r.next_record()? {
            rows.push(rec);
        }
        Ok((header, rows))
    }

    #[test]
    fn reads_quoted_fields_crlf_a_bom_and_semicolons_with_their_line_numbers() {
        let (header, rows) =
            all(b"\xEF\xBB\xBFName;Phone\r\n\"Ann; A\";555\r\n\"Multi\nline\";556\r\n").expect("reads");
        assert_eq!(header, ["Name", "Phone"], "BOM skipped, semicolon guessed");
        assert_eq!(rows[0].fields, ["Ann; A", "555"], "quoted delimiter kept, CR trimmed");
        assert_eq!((rows[0].line, rows[1].line), (2, 3), "line numbers of CRLF files are right");
        assert_eq!(rows[1].fields[0], "Multi\nline", "a quoted newline stays in its field");
    }

    #[test]
    fn refuses_what_breaks_the_caps_naming_the_line() {
        assert_eq!(all(b"").map(|_| ()), Err(CsvReadError::Empty), "an empty file");
        assert_eq!(all(b" , \n1,2\n").map(|_| ()), Err(CsvReadError::BlankHeader), "a blank header");
        let wide = vec![b','; MAX_COLUMNS + 1];
        let mut file = b"a,b\n".to_vec();
        file.extend_from_slice(&wide);
        assert!(matches!(all(&file), Err(CsvReadError::TooManyColumns { line: 2, .. })), "too many columns on line 2");
        let mut long = b"a,b\n1,".to_vec();
        long.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES));
        assert!(matches!(all(&long), Err(CsvReadError::TooLong { line: 2, .. })), "a line over the cap");
        assert_eq!(all(b"a,b\n\xE9,1\n").map(|_| ()), Err(CsvReadError::NotUtf8 { line: 2 }), "Latin-1 text");
    }
}
