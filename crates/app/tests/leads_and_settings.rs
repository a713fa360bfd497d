//! Lead edits, number lookup and settings, through the same facade the UI and CLI use.

use std::sync::Arc;

use ringdesk_app::ipc::{LeadPatch, LeadQuery, SecretKind, SettingsUpdate, SipTransport};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_app::{App, ErrorCode};
use ringdesk_store::leads::{self, NewLead};

fn app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = App::open(&dir.path().join("ringdesk.db"), Arc::new(MemorySecretStore::default())).expect("app opens");
    (dir, app)
}

fn seed(app: &App) -> String {
    app.store()
        .write(|w| {
            leads::insert(
                w,
                &NewLead {
                    name: "Ann".into(),
                    phone: Some("202-555-0143".into()),
                    phone_e164: Some("+12025550143".into()),
                    email: Some("ann@acme.com".into()),
                    ..NewLead::default()
                },
            )
        })
        .expect("seed")
        .id
}

#[test]
fn an_edit_with_one_bad_field_changes_nothing() {
    let (_d, app) = app();
    let id = seed(&app);
    let patch = LeadPatch { company: Some("Acme".into()), email: Some("nope".into()), ..LeadPatch::default() };
    let err = app.update_lead(&id, &patch).expect_err("bad email");
    assert_eq!(err.code, ErrorCode::InvalidInput, "invalid input code");
    assert!(err.message.contains("nope"), "message names the value: {}", err.message);
    let lead = app.get_lead(&id).expect("lead");
    assert_eq!((lead.company, lead.email.as_deref()), (None, Some("ann@acme.com")), "nothing was written");
}

#[test]
fn editing_the_phone_renormalizes_it() {
    let (_d, app) = app();
    let id = seed(&app);
    let lead = app
        .update_lead(
            &id,
            &LeadPatch { phone: Some("+44 20 7946 0958".into()), value: Some("1,500".into()), ..LeadPatch::default() },
        )
        .expect("update");
    assert_eq!(lead.phone_e164.as_deref(), Some("+442079460958"), "E.164 updated");
    assert_eq!(lead.phone_display.as_deref(), Some("+44 20 7946 0958"), "display updated");
    assert_eq!(lead.value, Some(1500.0), "value parsed");
    let err =
        app.update_lead(&id, &LeadPatch { phone: Some("12".into()), ..LeadPatch::default() }).expect_err("too short");
    assert!(err.message.starts_with("Phone \"12\""), "specific message: {}", err.message);
}

#[test]
fn unknown_leads_are_not_found() {
    let (_d, app) = app();
    let err = app.get_lead("0190-nope").expect_err("missing");
    assert_eq!(err.code, ErrorCode::NotFound, "not found code");
}

#[test]
fn number_lookup_normalizes_typed_numbers_and_tel_links_and_finds_the_lead() {
    let (_d, app) = app();
    seed(&app);
    let typed = app.lookup_number("(202) 555-0143").expect("lookup");
    assert_eq!(typed.e164.as_deref(), Some("+12025550143"), "typed number normalized");
    assert_eq!(typed.lead.map(|l| l.name).as_deref(), Some("Ann"), "lead matched");
    let link = app.lookup_number("tel:+1-202-555-0143;ext=12").expect("lookup");
    assert_eq!(link.display.as_deref(), Some("(202) 555-0143"), "tel: link normalized");
    let bad = app.lookup_number("tel:555;ext=x").expect("lookup answers");
    assert_eq!(bad.error.as_deref(), Some("The ;ext= value \"x\" is not an extension (digits only)"), "specific error");
    let gb = app
        .update_settings(&SettingsUpdate { default_region: Some("gb".into()), ..SettingsUpdate::default() })
        .expect("region");
    assert_eq!(gb.default_region, "GB", "region saved upper-case");
    let local = app.lookup_number("020 7946 0958").expect("lookup");
    assert_eq!(local.e164.as_deref(), Some("+442079460958"), "national numbers use the default region");
}

#[test]
fn settings_are_validated_and_secrets_only_reported_as_set() {
    let (dir, app) = app();
    let err = app
        .update_settings(&SettingsUpdate { sip_registrar: Some("sip example com".into()), ..SettingsUpdate::default() })
        .expect_err("bad registrar");
    assert_eq!(err.code, ErrorCode::InvalidInput, "invalid registrar");
    let err = app
        .update_settings(&SettingsUpdate {
            backend_url: Some("http://evil.example.com".into()),
            ..SettingsUpdate::default()
        })
        .expect_err("plain http refused");
    assert!(err.message.contains("https://"), "message says what is expected: {}", err.message);
    // Credentials anywhere in the URL, look-alike loopback names and TLS-less PostgreSQL to
    // another machine are refused, and nothing is stored.
    for (url, says) in [
        ("postgres://agent@db.example.com/crm?password=hunter2", "password out"),
        ("http://localhost.evil.tld", "unencrypted"),
        ("postgres://agent@db.example.com/crm?sslmode=prefer", "sslmode=prefer"),
    ] {
        let err = app
            .update_settings(&SettingsUpdate { backend_url: Some(url.into()), ..SettingsUpdate::default() })
            .expect_err(url);
        assert_eq!(err.code, ErrorCode::InvalidInput, "{url}: {err:?}");
        assert!(err.message.contains(says), "{url}: {}", err.message);
        assert!(!err.message.contains("hunter2"), "the refusal does not repeat the secret: {}", err.message);
        assert_eq!(app.get_settings().expect("settings").backend_url, "", "{url}: nothing stored");
    }
    for url in ["http://127.0.0.1:54321", "postgres://agent@db.example.com/crm?sslmode=verify-full"] {
        let s = app
            .update_settings(&SettingsUpdate { backend_url: Some(url.into()), ..SettingsUpdate::default() })
            .unwrap_or_else(|e| panic!("{url}: {e:?}"));
        assert_eq!(s.backend_url, url, "accepted");
    }
    app.update_settings(&SettingsUpdate { backend_url: Some(String::new()), ..SettingsUpdate::default() })
        .expect("cleared");
    let s = app
        .update_settings(&SettingsUpdate {
            sip_registrar: Some("sip.example.com:5061".into()),
            sip_username: Some("agent7".into()),
            sip_transport: Some(SipTransport::Tls),
            signalwire_project_id: Some("12345678-90ab-cdef-1234-567890abcdef".into()),
            ..SettingsUpdate::default()
        })
        .expect("valid settings");
    assert_eq!((s.sip_registrar.as_str(), s.sip_transport), ("sip.example.com:5061", SipTransport::Tls), "saved");
    assert!(!s.sip_password_set, "no password yet");

    let s = app.set_secret(SecretKind::SipPassword, "correct horse battery staple").expect("secret saved");
    assert!(s.sip_password_set, "reported as set");
    let json = serde_json::to_string(&s).expect("settings serialize");
    assert!(!json.contains("correct horse"), "the secret never crosses IPC: {json}");
    drop(app);
    for entry in std::fs::read_dir(dir.path()).expect("list") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read file");
        let hay = String::from_utf8_lossy(&bytes);
        assert!(!hay.contains("correct horse"), "the secret is in no file of the data folder");
    }
}

#[test]
fn lists_need_unique_names() {
    let (_d, app) = app();
    app.create_list("Hot", None).expect("first");
    let err = app.create_list("hot", None).expect_err("duplicate");
    assert_eq!(err.code, ErrorCode::Conflict, "duplicate names conflict");
    let err = app.create_list("  ", None).expect_err("blank");
    assert_eq!(err.code, ErrorCode::InvalidInput, "blank names refused");
    let page = app.list_leads(&LeadQuery { limit: 0, ..LeadQuery::default() }).expect("limit clamps");
    assert_eq!(page.total, 0, "empty");
}
