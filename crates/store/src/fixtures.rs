//! Deterministic synthetic data for benchmarks: realistic-looking leads and calls generated from
//! an index, so every run and every machine measures the same data set.

use crate::leads::NewLead;

const FIRST: &[&str] = &[
    "Ann", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Hector", "Ines", "Jamal", "Kira", "Liam", "Maya", "Noah",
    "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoë", "Aaron",
    "Bella", "Chen", "Dmitri", "Elena", "Farah", "Gus", "Hana", "Ivan", "Jade",
];
const LAST: &[&str] = &[
    "Archer",
    "Brown",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Müller",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quiroga",
    "Rossi",
    "Smith",
    "Tanaka",
    "Ulrich",
    "Vargas",
    "Weber",
    "Xu",
    "Young",
    "Zhang",
    "Andersson",
    "Becker",
    "Costa",
    "Dubois",
];
const COMPANY_A: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Cyberdyne",
    "Tyrell",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Pied Piper",
    "Aperture",
    "Monarch",
    "Blue Sun",
    "Massive Dynamic",
    "Nakatomi",
];
const COMPANY_B: &[&str] =
    &["Corp", "Inc", "LLC", "Group", "Labs", "Systems", "Partners", "Holdings", "Logistics", "Foods"];
const STATUS: &[&str] = &["new", "contacted", "qualified", "proposal", "won", "lost"];
/// Disposition types as the seed checklist names them.
pub const DISPOSITIONS: &[&str] = &[
    "answered",
    "voicemail",
    "busy",
    "no_answer",
    "wrong_number",
    "do_not_call",
    "interested",
    "not_interested",
    "callback_requested",
];

/// splitmix64: a fast, well-mixed hash of the index.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn pick<'a>(list: &[&'a str], h: u64) -> &'a str {
    list[(h % list.len() as u64) as usize]
}

/// A valid US number unique to `i` (area codes 201–989 that exist, exchange 2xx–9xx).
pub fn phone(i: u64) -> String {
    const AREAS: [u32; 12] = [202, 212, 305, 312, 415, 512, 617, 646, 702, 718, 808, 919];
    let area = AREAS[(i % AREAS.len() as u64) as usize];
    let rest = i / AREAS.len() as u64;
    let exchange = 200 + (rest / 10_000) % 800;
    let line = rest % 10_000;
    format!("+1{area}{exchange:03}{line:04}")
}

/// The `i`-th synthetic lead; E.164 numbers and emails are unique per index.
pub fn lead(i: u64) -> NewLead {
    let h = mix(i);
    let first = pick(FIRST, h);
    let last = pick(LAST, h >> 8);
    let company = format!("{} {}", pick(COMPANY_A, h >> 16), pick(COMPANY_B, h >> 24));
    let e164 = phone(i);
    NewLead {
        name: format!("{first} {last}"),
        email: Some(format!(
            "{}.{}{i}@{}.example",
            first.to_lowercase(),
            last.to_lowercase(),
            pick(COMPANY_A, h >> 16).to_lowercase().replace(' ', "")
        )),
        phone: Some(e164.clone()),
        phone_e164: Some(e164),
        company: Some(company),
        position: Some(pick(&["CEO", "CTO", "VP Sales", "Buyer", "Office Manager"], h >> 32).to_string()),
        status: Some(pick(STATUS, h >> 40).to_string()),
        value: Some(((h >> 44) % 50_000) as f64),
        source: Some(pick(&["web", "referral", "event", "cold"], h >> 48).to_string()),
        notes: None,
        timezone: None,
    }
}

/// The connection under a read, for benchmarks' seeding and their plain-SQL anchors (the
/// `fixtures` feature only; the app never writes around the store's functions).
pub fn read_conn<'a>(r: &'a crate::Read<'_>) -> &'a rusqlite::Connection {
    use crate::connection::Reads;
    r.conn()
}

/// The connection under a write (see [`read_conn`]).
pub fn write_conn<'a>(w: &'a crate::Write<'_>) -> &'a rusqlite::Connection {
    use crate::connection::Reads;
    w.conn()
}
