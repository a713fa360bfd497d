//! A lead's importable fields, how CSV headers map onto them, and the rules for their values.

use serde::{Deserialize, Serialize};

/// A lead field a CSV column can fill. `FirstName`/`LastName` are joined into the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum LeadField {
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    Company,
    Position,
    Status,
    Value,
    Source,
    Notes,
}

impl LeadField {
    pub const ALL: [LeadField; 11] = [
        LeadField::Name,
        LeadField::FirstName,
        LeadField::LastName,
        LeadField::Email,
        LeadField::Phone,
        LeadField::Company,
        LeadField::Position,
        LeadField::Status,
        LeadField::Value,
        LeadField::Source,
        LeadField::Notes,
    ];

    /// The header written on export and recognised first on import.
    pub fn header(self) -> &'static str {
        match self {
            LeadField::Name => "name",
            LeadField::FirstName => "first_name",
            LeadField::LastName => "last_name",
            LeadField::Email => "email",
            LeadField::Phone => "phone",
            LeadField::Company => "company",
            LeadField::Position => "position",
            LeadField::Status => "status",
            LeadField::Value => "value",
            LeadField::Source => "source",
            LeadField::Notes => "notes",
        }
    }

    /// Header spellings (lowercase, letters and digits only) that mean this field.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            LeadField::Name => &["name", "fullname", "contactname", "leadname", "contact", "customername"],
            LeadField::FirstName => &["firstname", "first", "givenname", "fname", "forename"],
            LeadField::LastName => &["lastname", "last", "surname", "familyname", "lname"],
            LeadField::Email => &["email", "emailaddress", "mail", "workemail", "emails"],
            LeadField::Phone => &[
                "phone",
                "phonenumber",
                "phoneno",
                "mobile",
                "mobilephone",
                "mobilenumber",
                "cell",
                "cellphone",
                "tel",
                "telephone",
                "workphone",
                "directphone",
                "number",
            ],
            LeadField::Company => {
                &["company", "companyname", "organization", "organisation", "org", "account", "accountname", "business"]
            }
            LeadField::Position => &["position", "title", "jobtitle", "role", "designation"],
            LeadField::Status => &["status", "leadstatus", "stage"],
            LeadField::Value => &["value", "dealvalue", "amount", "revenue", "dealsize"],
            LeadField::Source => &["source", "leadsource", "origin", "channel"],
            LeadField::Notes => &["notes", "note", "comments", "comment", "description", "remarks"],
        }
    }
}

/// Guesses the field of each header. Each field is taken by at most one column (the first that
/// matches); unrecognised headers map to `None` (ignored unless the user maps them).
pub fn auto_map_headers<S: AsRef<str>>(headers: &[S]) -> Vec<Option<LeadField>> {
    let keys: Vec<String> = headers
        .iter()
        .map(|h| h.as_ref().chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect())
        .collect();
    let mut taken = Vec::new();
    keys.iter()
        .map(|key| {
            let field =
                LeadField::ALL.into_iter().find(|f| !taken.contains(f) && f.aliases().contains(&key.as_str()))?;
            taken.push(field);
            Some(field)
        })
        .collect()
}

/// Why an email address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("email {0:?} is longer than 254 characters")]
    TooLong(String),
    #[error("email {0:?} is not an address like name@example.com")]
    Malformed(String),
}

/// Checks the shape of an email address: one `@`, a non-empty local part, a dotted domain, no
/// spaces. Deliverability is not this function's business.
/// Whether `s` can be a lead status: a short word or phrase (new, contacted, do_not_call, ...),
/// 1–64 characters of letters, digits, spaces, `_` and `-`.
pub fn is_valid_status(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_alphanumeric() || " _-".contains(c))
}

pub fn validate_email(email: &str) -> Result<(), EmailError> {
    if email.chars().count() > 254 {
        return Err(EmailError::TooLong(email.chars().take(40).collect::<String>() + "…"));
    }
    let malformed = || EmailError::Malformed(email.to_string());
    let (local, domain) = email.split_once('@').ok_or_else(malformed)?;
    let ok = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'));
    if ok { Ok(()) } else { Err(malformed()) }
}

/// Why a deal value is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("value {0:?} is not a number")]
pub struct ValueError(pub String);

/// Reads a deal value as people write it: `1200`, `1,200.50`, `$1 200`, `€99`, `-5`.
pub fn parse_value(text: &str) -> Result<f64, ValueError> {
    let cleaned: String =
        text.trim().chars().filter(|c| !matches!(c, ',' | ' ' | '\u{a0}' | '_' | '$' | '€' | '£' | '¥')).collect();
    let err = || ValueError(text.to_string());
    if cleaned.is_empty() || cleaned.len() > 32 {
        return Err(err());
    }
    let v: f64 = cleaned.parse().map_err(|_| err())?;
    if v.is_finite() { Ok(v) } else { Err(err()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LeadField::*;

    #[test]
    fn common_header_spellings_map_to_fields() {
        let headers = [
            "Full Name",
            "E-mail",
            "Mobile Phone",
            "Organization",
            "Job Title",
            "Deal Value",
            "Lead Source",
            "Comments",
            "Status",
            "Favourite colour",
        ];
        assert_eq!(
            auto_map_headers(&headers),
            vec![
                Some(Name),
                Some(Email),
                Some(Phone),
                Some(Company),
                Some(Position),
                Some(Value),
                Some(Source),
                Some(Notes),
                Some(Status),
                None
            ],
            "each header maps to its field, unknown ones to None"
        );
    }

    #[test]
    fn a_field_is_mapped_once_only() {
        assert_eq!(
            auto_map_headers(&["phone", "mobile", "first name", "last name"]),
            vec![Some(Phone), None, Some(FirstName), Some(LastName)],
            "the second phone-like column is left for the user to map"
        );
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert_eq!(validate_email("ann@example.com"), Ok(()), "a plain address is fine");
        for bad in ["ann", "ann@", "@example.com", "ann@example", "ann @example.com", "a@b@c.com"] {
            assert!(validate_email(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn values_accept_currency_and_thousands_separators() {
        assert_eq!(parse_value("$1,200.50"), Ok(1200.5), "dollars with separators");
        assert_eq!(parse_value("€ 99"), Ok(99.0), "euros with a space");
        assert_eq!(parse_value("-5"), Ok(-5.0), "negative values");
        assert_eq!(parse_value("ten"), Err(ValueError("ten".into())), "words are refused");
        assert_eq!(parse_value("inf"), Err(ValueError("inf".into())), "infinity is refused");
    }
}
