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

/// The outcomes synthetic calls cycle through: (status, disposition, answered, talk seconds).
const CALL_OUTCOMES: [(&str, Option<&str>, bool, i64); 6] = [
    ("completed", Some("interested"), true, 240),
    ("completed", Some("not_interested"), true, 70),
    ("completed", Some("left_voicemail"), true, 30),
    ("busy", Some("busy"), false, 0),
    ("no-answer", Some("no_answer"), false, 0),
    ("completed", None, true, 15),
];

/// Synthetic calls for the analytics benchmarks: `n` calls to `leads` (their ids, `lead(i)`'s
/// numbers) by 8 agents (`agent-0` … `agent-7`), evenly over the year before `now`; one in ten
/// over the bridge, one in twenty inbound, one in ten an attempt of a campaign over `list` created
/// here (its id is returned), outcomes in a fixed mix. Written straight to the tables, without
/// the outbox: nothing here replicates.
pub fn seed_calls(
    w: &mut crate::Write<'_>,
    leads: &[String],
    list: &str,
    n: u64,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::Result<String> {
    let c = write_conn(w);
    let campaign = "00000000-0000-4000-8000-00000000c001".to_string();
    c.execute(
        "INSERT INTO dialer_campaigns (id, name, list_id, status, created_at, updated_at)
         VALUES (?1, 'Q4', ?2, 'active', ?3, ?3)",
        rusqlite::params![campaign, list, crate::format_ts(now)],
    )?;
    let mut call = c.prepare(
        "INSERT INTO call_logs (id, user_id, lead_id, route, contact_number, direction, status, started_at,
                                answered_at, ended_at, duration_seconds, disposition, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?8, ?8)",
    )?;
    let mut attempt = c.prepare(
        "INSERT INTO dialer_campaign_calls (id, campaign_id, lead_id, attempt_number, status, call_log_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, 1, 'called', ?4, ?5, ?5)",
    )?;
    let count = leads.len().max(1) as u64;
    for i in 0..n {
        let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16;
        let lead = (h % count) as usize;
        let start = now - chrono::Duration::seconds(((n - i) * 31_536_000 / n.max(1)) as i64);
        let (status, disposition, answered, talk) = CALL_OUTCOMES[(h >> 20) as usize % CALL_OUTCOMES.len()];
        let ts = crate::format_ts(start);
        let answered_at = answered.then(|| crate::format_ts(start + chrono::Duration::seconds(8)));
        let ended = crate::format_ts(start + chrono::Duration::seconds(8 + talk));
        let id = format!("00000000-0000-4000-8000-{i:012}");
        call.execute(rusqlite::params![
            id,
            format!("agent-{}", (h >> 28) % 8),
            leads.get(lead),
            if i % 10 == 0 { "bridge" } else { "softphone" },
            phone(lead as u64),
            if i % 20 == 0 { "inbound" } else { "outbound" },
            status,
            ts,
            answered_at,
            ended,
            talk,
            disposition,
        ])?;
        if i % 10 == 1
            && let Some(lead_id) = leads.get(lead)
        {
            attempt.execute(rusqlite::params![
                format!("00000000-0000-4000-9000-{i:012}"),
                campaign,
                lead_id,
                id,
                ts
            ])?;
        }
    }
    Ok(campaign)
}
