//! CSV import: good rows in, bad rows reported by line, duplicates merged, and file-level
//! problems or a cancel leave the database exactly as it was.

use std::sync::Arc;

use ringdesk_app::ipc::{ImportRequest, ImportTarget, LeadField, LeadQuery};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_app::{App, ErrorCode};

fn app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = App::open(&dir.path().join("ringdesk.db"), Arc::new(MemorySecretStore::default())).expect("app opens");
    (dir, app)
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write csv");
    p.display().to_string()
}

fn import(app: &App, path: &str, target: ImportTarget) -> ringdesk_app::Result<ringdesk_app::ipc::ImportReport> {
    let preview = app.preview_import(path)?;
    app.import_leads(&ImportRequest { path: path.into(), mapping: preview.mapping, target }, &mut |_| {})
}

fn lead_count(app: &App) -> u32 {
    app.app_info().expect("info").lead_count
}

fn outbox_len(app: &App) -> i64 {
    app.store().read(|r| ringdesk_store::outbox::pending_count(r)).expect("outbox")
}

const GOOD_AND_BAD: &str = "\u{feff}Name,Email,Phone,Company,Deal Value\r\n\
Ann Archer,ann@acme.com,(202) 555-0143,Acme,\"$1,200\"\r\n\
Bob,not-an-email,202-555-0144,Globex,\r\n\
\"Carol, Jr.\",,+44 20 7946 0958,\"Initech \"\"UK\"\"\",\r\n\
Dan,,call me,,\r\n\
Eve,,,,\r\n\
Ann A.,,202.555.0143,,\r\n\
Fay,fay@x.io,+12025550145,,ten\r\n";

#[test]
fn good_rows_are_imported_bad_rows_reported_by_line_and_duplicates_merged() {
    let (dir, app) = app();
    let path = write(&dir, "leads.csv", GOOD_AND_BAD.as_bytes());
    let preview = app.preview_import(&path).expect("preview");
    assert_eq!(
        preview.mapping,
        vec![
            Some(LeadField::Name),
            Some(LeadField::Email),
            Some(LeadField::Phone),
            Some(LeadField::Company),
            Some(LeadField::Value)
        ],
        "headers (after the BOM) are auto-mapped"
    );
    assert_eq!(preview.sample_rows[1][2], "202-555-0144", "sample rows are shown");

    let report = import(&app, &path, ImportTarget::NewList { name: "Spring".into() }).expect("import");
    assert_eq!((report.created, report.merged), (2, 1), "Ann and Carol created; Ann A. merged by number");
    let lines: Vec<(u32, &str)> = report.invalid.iter().map(|e| (e.line, e.reason.as_str())).collect();
    assert_eq!(lines.len(), 4, "four bad rows: {lines:?}");
    assert_eq!(report.invalid_total, 4, "count is complete");
    assert_eq!(lines[0].0, 3, "Bob's bad email is on line 3");
    assert!(lines[0].1.contains("not-an-email"), "reason names the value: {}", lines[0].1);
    assert_eq!(lines[1].0, 5, "Dan's bad number is on line 5");
    assert!(lines[1].1.contains("call me"), "reason names the number: {}", lines[1].1);
    assert_eq!(lines[2], (6, "no phone number or email"), "Eve has nothing to reach");
    assert_eq!(lines[3].0, 8, "Fay's value is on line 8");
    assert!(lines[3].1.contains("ten"), "reason names the value: {}", lines[3].1);

    let list_id = report.list_id.expect("a list was created");
    let lists = app.list_lists().expect("lists");
    assert_eq!((lists[0].name.as_str(), lists[0].member_count), ("Spring", 2), "the list holds both leads");
    let page = app.list_leads(&LeadQuery { list_id: Some(list_id), limit: 10, ..LeadQuery::default() }).expect("page");
    let ann = page.rows.iter().find(|r| r.phone_e164.as_deref() == Some("+12025550143")).expect("Ann present");
    assert_eq!(ann.name, "Ann A.", "the merge took the newer name");
    assert_eq!(ann.value, Some(1200.0), "currency value parsed and kept by the merge");
    assert_eq!(ann.phone_display.as_deref(), Some("(202) 555-0143"), "home numbers display nationally");
    let carol = page.rows.iter().find(|r| r.name == "Carol, Jr.").expect("quoted comma kept");
    assert_eq!(carol.company.as_deref(), Some("Initech \"UK\""), "escaped quotes kept");
    assert_eq!(carol.phone_display.as_deref(), Some("+44 20 7946 0958"), "foreign numbers display internationally");
}

#[test]
fn importing_the_same_file_twice_merges_instead_of_doubling() {
    let (dir, app) = app();
    let path = write(&dir, "leads.csv", GOOD_AND_BAD.as_bytes());
    import(&app, &path, ImportTarget::None).expect("first import");
    let second = import(&app, &path, ImportTarget::None).expect("second import");
    assert_eq!((second.created, second.merged), (0, 3), "every valid row merges the second time");
    assert_eq!(lead_count(&app), 2, "still two leads");
}

#[track_caller]
fn assert_nothing_imported(app: &App, err: &ringdesk_app::IpcError, code: ErrorCode, needle: &str) {
    assert_eq!(err.code, code, "error code for {:?}", err.message);
    assert!(err.message.contains(needle), "message {:?} should mention {needle:?}", err.message);
    assert_eq!(lead_count(app), 0, "no lead was imported");
    assert_eq!(app.list_lists().expect("lists").len(), 0, "no list was created");
    assert_eq!(outbox_len(app), 0, "no mutation was queued");
}

#[test]
fn a_file_that_is_not_utf8_is_refused_with_its_line() {
    let (dir, app) = app();
    let mut bytes = b"name,phone\n".to_vec();
    for i in 0..6 {
        bytes.extend_from_slice(format!("Lead {i},+1202555016{i}\n").as_bytes());
    }
    bytes.extend_from_slice(b"Ren\xe9,+12025550144\n"); // Latin-1 é on line 8, past the preview
    let path = write(&dir, "latin1.csv", &bytes);
    let preview = app.preview_import(&path).expect("the first rows are fine");
    let err = app
        .import_leads(
            &ImportRequest { path, mapping: preview.mapping, target: ImportTarget::NewList { name: "X".into() } },
            &mut |_| {},
        )
        .expect_err("latin-1 must be refused");
    assert_nothing_imported(&app, &err, ErrorCode::Csv, "Line 8 is not valid UTF-8");
}

#[test]
fn a_file_without_phone_or_email_columns_is_refused() {
    let (dir, app) = app();
    let path = write(&dir, "names.csv", b"name,company\nAnn,Acme\n");
    let err = import(&app, &path, ImportTarget::None).expect_err("no contact columns");
    assert_nothing_imported(&app, &err, ErrorCode::Csv, "no phone or email column");
}

#[test]
fn a_ten_megabyte_line_is_refused_with_its_line() {
    let (dir, app) = app();
    let mut text = String::from("name,phone,notes\nAnn,+12025550143,ok\nBob,+12025550144,");
    text.push_str(&"x".repeat(10 << 20));
    text.push('\n');
    let path = write(&dir, "huge.csv", text.as_bytes());
    let err = import(&app, &path, ImportTarget::None).expect_err("huge line");
    assert_nothing_imported(&app, &err, ErrorCode::Csv, "Line 3 is 10485");
}

#[test]
fn a_header_with_two_hundred_thousand_columns_is_refused() {
    let (dir, app) = app();
    let header = (0..200_000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
    let path = write(&dir, "wide.csv", format!("{header}\n").as_bytes());
    let err = app.preview_import(&path).expect_err("too wide");
    assert_nothing_imported(&app, &err, ErrorCode::Csv, "Line 1 has 200000 columns");
}

#[test]
fn cancelling_an_import_leaves_nothing_half_imported() {
    let (dir, app) = app();
    let mut text = String::from("name,phone\n");
    for i in 0..60_000u32 {
        text.push_str(&format!("Lead {i},+1202{:07}\n", 5_000_000 + i));
    }
    let path = write(&dir, "big.csv", text.as_bytes());
    let preview = app.preview_import(&path).expect("preview");
    let mut calls = 0;
    let err = app
        .import_leads(
            &ImportRequest { path, mapping: preview.mapping, target: ImportTarget::NewList { name: "Big".into() } },
            &mut |p| {
                calls += 1;
                assert!(p.bytes_read <= p.total_bytes, "progress never exceeds the file size");
                app.cancel_import();
            },
        )
        .expect_err("cancelled");
    assert!(calls >= 1, "progress was reported before the cancel");
    assert_nothing_imported(&app, &err, ErrorCode::Cancelled, "nothing was imported");
}

#[test]
fn first_and_last_name_columns_are_joined_and_semicolons_detected() {
    let (dir, app) = app();
    let path = write(&dir, "semi.csv", "First Name;Last Name;Mobile\nAnn;Archer;+12025550143\n".as_bytes());
    let report = import(&app, &path, ImportTarget::None).expect("import");
    assert_eq!(report.created, 1, "one lead");
    let page = app.list_leads(&LeadQuery { limit: 5, ..LeadQuery::default() }).expect("page");
    assert_eq!(page.rows[0].name, "Ann Archer", "first and last names joined");
}

#[test]
fn export_writes_every_lead_and_reimports_cleanly() {
    let (dir, app) = app();
    let path = write(&dir, "leads.csv", GOOD_AND_BAD.as_bytes());
    import(&app, &path, ImportTarget::None).expect("import");
    let out = dir.path().join("out.csv").display().to_string();
    let report = app.export_leads(&out, None).expect("export");
    assert_eq!(report.rows, 2, "both leads exported");
    let text = std::fs::read_to_string(&out).expect("read export");
    assert!(text.starts_with("name,email,phone,company"), "header row: {text}");
    assert!(text.contains("+442079460958"), "numbers exported in E.164: {text}");

    let (_dir2, fresh) = self::app();
    let again = import(&fresh, &out, ImportTarget::None).expect("re-import");
    assert_eq!((again.created, again.invalid_total), (2, 0), "an export imports back without errors");
}

#[test]
fn exported_cells_cannot_run_as_spreadsheet_formulas() {
    let (dir, app) = app();
    let path = write(&dir, "evil.csv", b"name,phone\n=HYPERLINK(\"x\"),+12025550143\n");
    import(&app, &path, ImportTarget::None).expect("import");
    let out = dir.path().join("out.csv").display().to_string();
    app.export_leads(&out, None).expect("export");
    let text = std::fs::read_to_string(&out).expect("read export");
    assert!(text.contains("'=HYPERLINK"), "formula cells are neutralised: {text}");
    assert!(text.contains(",+12025550143,"), "phone numbers are left alone: {text}");
}

#[test]
fn a_failure_in_the_writer_stops_a_large_import_without_hanging() {
    let (dir, app) = app();
    app.create_list("Taken", None).expect("list");
    let mut text = String::from("name,phone\n");
    for i in 0..50_000u32 {
        text.push_str(&format!("Lead {i},+1202{:07}\n", 5_000_000 + i));
    }
    let path = write(&dir, "big.csv", text.as_bytes());
    let err = import(&app, &path, ImportTarget::NewList { name: "taken".into() }).expect_err("list name taken");
    assert_eq!(err.code, ErrorCode::Conflict, "the conflict is reported: {}", err.message);
    assert_eq!(lead_count(&app), 0, "nothing imported");
}
