//! Ringdesk's domain vocabulary and rules, without I/O.
//!
//! This crate owns what a phone number is (E.164, display formatting, `tel:` URIs), what a lead's
//! fields are and how CSV headers map onto them, and the small validation rules for lead fields.
//! It never touches a file, a socket, a database or the clock: callers hand in everything it needs,
//! which keeps every rule testable in isolation. Storage is `ringdesk-store`'s job; user actions are
//! `ringdesk-app`'s.

pub mod csv_records;
pub mod fields;
pub mod link;
pub mod phone;
pub mod tel;

pub use csv_records::{CsvReadError, CsvRecord, CsvRecords};
pub use fields::{EmailError, LeadField, ValueError, auto_map_headers, is_valid_status, parse_value, validate_email};
pub use link::{DialLink, LinkError, parse_link};
pub use phone::{PhoneError, PhoneNumber, Region, RegionInfo};
pub use tel::{PhoneContext, TelNumber, TelUri, TelUriError};
