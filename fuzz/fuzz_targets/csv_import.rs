//! Any bytes read as a lead file, record by record with the size caps, through the import's own
//! reader (`ringdesk_core::CsvRecords`): a header and records, or a typed error naming a line,
//! never a panic; the header's auto-mapping and the field rules an import applies (phone, email,
//! deal value) take every record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringdesk_core::csv_records::{MAX_COLUMNS, MAX_RECORD_BYTES};
use ringdesk_core::{CsvRecords, LeadField, PhoneNumber, Region, auto_map_headers, parse_value, validate_email};

fuzz_target!(|data: &[u8]| {
    let Ok(mut records) = CsvRecords::new(data) else { return };
    let Ok(header) = records.header() else { return };
    assert!(header.len() <= MAX_COLUMNS, "the header obeys the column cap");
    let mapping = auto_map_headers(&header);
    assert_eq!(mapping.len(), header.len(), "one mapping entry per column");
    let mut last_line = 1;
    while let Ok(Some(record)) = records.next_record() {
        assert!(record.line > last_line, "records come in line order: {} after {last_line}", record.line);
        assert!(record.fields.len() <= MAX_COLUMNS, "the column cap holds");
        assert!(record.fields.iter().map(String::len).sum::<usize>() <= MAX_RECORD_BYTES, "the size cap holds");
        assert!(record.end_byte <= data.len() as u64, "the position stays inside the file");
        last_line = record.line;
        for (field, value) in mapping.iter().zip(&record.fields) {
            match field {
                Some(LeadField::Phone) => drop(PhoneNumber::parse(value, Region::US)),
                Some(LeadField::Email) => drop(validate_email(value)),
                Some(LeadField::Value) => drop(parse_value(value)),
                _ => {}
            }
        }
    }
});
