//! Leads: search-as-you-type, paging, merging imports and the outbox written with every change.

use ringdesk_store::leads::{self, Change, Imported, NewLead, PageQuery, SortField, TextColumn};
use ringdesk_store::{Store, StoreError, lists, outbox};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("t.db")).expect("opens");
    (dir, store)
}

fn lead(name: &str, company: &str, email: &str, e164: &str) -> NewLead {
    NewLead {
        name: name.into(),
        company: Some(company.into()),
        email: (!email.is_empty()).then(|| email.into()),
        phone: (!e164.is_empty()).then(|| e164.into()),
        phone_e164: (!e164.is_empty()).then(|| e164.into()),
        ..NewLead::default()
    }
}

fn names(store: &Store, search: &str) -> Vec<String> {
    let q = PageQuery { search: Some(search), limit: 50, ..PageQuery::default() };
    let (rows, total) = store.read(|r| leads::page(r, &q)).expect("search runs");
    assert_eq!(rows.len() as i64, total, "total matches the rows for small results ({search:?})");
    rows.into_iter().map(|l| l.name).collect()
}

#[test]
fn search_matches_name_company_email_prefixes_and_phone_digits_anywhere() {
    let (_d, store) = store();
    store
        .write(|w| {
            leads::insert(w, &lead("Ann Archer", "Acme Corp", "ann@acme.com", "+12025550143"))?;
            leads::insert(w, &lead("Bob Brown", "Globex", "bob@globex.io", "+442079460958"))?;
            leads::insert(w, &lead("Zoë Zimmer", "Initech", "", "+4930901820"))?;
            Ok::<_, ringdesk_store::StoreError>(())
        })
        .expect("seed");
    assert_eq!(names(&store, "an"), vec!["Ann Archer"], "name prefix");
    assert_eq!(names(&store, "glob"), vec!["Bob Brown"], "company prefix");
    assert_eq!(names(&store, "ann@acme"), vec!["Ann Archer"], "email");
    assert_eq!(names(&store, "0143"), vec!["Ann Archer"], "trailing digits of the number");
    assert_eq!(names(&store, "(202) 555"), vec!["Ann Archer"], "formatted digits");
    assert_eq!(names(&store, "7946"), vec!["Bob Brown"], "digits in the middle");
    assert_eq!(names(&store, "zoe"), vec!["Zoë Zimmer"], "diacritics are folded");
    assert_eq!(names(&store, "ann globex"), Vec::<String>::new(), "all words must match");
    assert_eq!(names(&store, "\"*)("), Vec::<String>::new(), "syntax-looking input is not an error");
}

#[test]
fn pages_sort_and_filter_by_list() {
    let (_d, store) = store();
    let list = store
        .write(|w| {
            let list = lists::create(w, "Hot", None)?;
            for (i, n) in ["Carol", "alice", "Bob", "dave"].iter().enumerate() {
                let l = leads::insert(w, &lead(n, "Co", "", &format!("+1202555014{i}")))?;
                if i % 2 == 0 {
                    lists::add_member(w, &list, &l.id)?;
                }
            }
            Ok::<_, ringdesk_store::StoreError>(list)
        })
        .expect("seed");
    let q = PageQuery { limit: 2, offset: 1, sort: SortField::Name, ..PageQuery::default() };
    let (rows, total) = store.read(|r| leads::page(r, &q)).expect("page");
    assert_eq!(total, 4, "total counts every lead");
    assert_eq!(
        rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        vec!["Bob", "Carol"],
        "case-insensitive name order, offset 1"
    );
    let q = PageQuery { limit: 10, list_id: Some(&list), descending: true, ..PageQuery::default() };
    let (rows, total) = store.read(|r| leads::page(r, &q)).expect("page");
    assert_eq!(total, 2, "list filter");
    assert_eq!(
        rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        vec!["Carol", "Bob"],
        "descending within the list"
    );
    let lists = store.read(|r| lists::all(r)).expect("lists");
    assert_eq!(lists[0].member_count, 2, "member count");
}

#[test]
fn imports_merge_by_phone_or_email_and_never_erase() {
    let (_d, store) = store();
    let first = store
        .write(|w| leads::import_one(w, &lead("Ann", "Acme", "ann@acme.com", "+12025550143"), None))
        .expect("import");
    let Imported::Created(id) = first else { panic!("first import creates: {first:?}") };
    let mut by_phone = lead("Ann A.", "", "", "+12025550143");
    by_phone.company = None;
    by_phone.position = Some("CTO".into());
    let second = store.write(|w| leads::import_one(w, &by_phone, None)).expect("import");
    assert_eq!(second, Imported::Merged(id.clone()), "same number merges");
    let by_email = lead("Ann", "Acme Inc", "ANN@acme.com", "");
    let third = store.write(|w| leads::import_one(w, &by_email, None)).expect("import");
    assert_eq!(third, Imported::Merged(id.clone()), "same email (any case) merges");
    let l = store.read(|r| leads::get(r, &id)).expect("lead");
    assert_eq!(l.position.as_deref(), Some("CTO"), "new values fill in");
    assert_eq!(l.company.as_deref(), Some("Acme Inc"), "non-empty values replace");
    assert_eq!(l.phone_e164.as_deref(), Some("+12025550143"), "blank cells never erase the number");
    assert_eq!(store.read(|r| leads::count(r)).expect("count"), 1, "no duplicate lead");
}

#[test]
fn a_row_without_a_name_merges_without_renaming_and_creates_a_lead_named_by_its_email() {
    let (_d, store) = store();
    let first = store.write(|w| leads::import_one(w, &lead("Ann Real", "", "ann@acme.com", ""), None)).expect("import");
    let Imported::Created(id) = first else { panic!("first import creates: {first:?}") };
    let nameless = lead("", "", "ann@acme.com", "");
    assert_eq!(
        store.write(|w| leads::import_one(w, &nameless, None)).expect("import"),
        Imported::Merged(id.clone()),
        "the same email merges"
    );
    let l = store.read(|r| leads::get(r, &id)).expect("lead");
    assert_eq!(l.name, "Ann Real", "a row without a name leaves the lead's name as it was");
    let Imported::Created(other) =
        store.write(|w| leads::import_one(w, &lead("", "", "bo@acme.com", ""), None)).expect("import")
    else {
        panic!("a new email creates a lead")
    };
    assert_eq!(store.read(|r| leads::get(r, &other)).expect("lead").name, "bo@acme.com", "named by its email");
}

#[test]
fn every_change_writes_its_outbox_mutation_in_the_same_transaction() {
    let (_d, store) = store();
    let l = store.write(|w| leads::insert(w, &lead("Ann", "Acme", "", "+12025550143"))).expect("insert");
    let updated = store
        .write(|w| {
            leads::update(
                w,
                &l.id,
                &[Change::Status("qualified".into()), Change::Text(TextColumn::Company, Some("Acme".into()))],
            )
        })
        .expect("update");
    assert_eq!(updated.status, "qualified", "status changed");
    let pending = store.read(|r| outbox::pending(r, 10)).expect("outbox");
    assert_eq!(pending.len(), 2, "one mutation per change (the unchanged company is dropped)");
    assert_eq!(pending[0].op, "insert", "insert first");
    assert_eq!(pending[1].args["set"], serde_json::json!({"status": "qualified"}), "only changed columns");
    assert_eq!(pending[1].args["old"], serde_json::json!({"status": "new"}), "old values for compare-and-set");
    assert!(pending[0].mutation_id < pending[1].mutation_id, "ids increase");

    let failed: Result<(), _> = store.write(|w| {
        leads::update(w, &l.id, &[Change::Name("Changed".into())])?;
        Err(ringdesk_store::StoreError::Conflict("abort".into()))
    });
    assert!(failed.is_err(), "aborted");
    assert_eq!(store.read(|r| outbox::pending_count(r)).expect("count"), 2, "no mutation without its change");
    assert_eq!(store.read(|r| leads::get(r, &l.id)).expect("lead").name, "Ann", "no change without commit");
}

#[test]
fn edits_are_searchable_immediately() {
    let (_d, store) = store();
    let l = store.write(|w| leads::insert(w, &lead("Ann", "Acme", "", ""))).expect("insert");
    store
        .write(|w| leads::update(w, &l.id, &[Change::Text(TextColumn::Company, Some("Umbrella".into()))]))
        .expect("update");
    assert_eq!(names(&store, "umbrella"), vec!["Ann"], "new company found");
    assert!(names(&store, "acme").is_empty(), "old company forgotten");
}

#[test]
fn a_commit_that_queued_a_sync_mutation_signals_its_listeners_and_nothing_else_does() {
    let (_d, store) = store();
    let signals = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = signals.clone();
    store.on_outbox_commit(move || {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    let count = || signals.load(std::sync::atomic::Ordering::SeqCst);
    store.write(|w| leads::import_one(w, &lead("Ann", "Acme", "ann@acme.com", ""), None)).expect("import");
    assert_eq!(count(), 1, "a new lead queues a mutation: one signal, after the commit");
    store.write(|w| leads::count(w).map(drop)).expect("a write that changes nothing");
    assert_eq!(count(), 1, "a transaction without a mutation signals nothing");
    let failed: Result<(), StoreError> = store.write(|w| {
        leads::import_one(w, &lead("Bo", "", "bo@acme.com", ""), None)?;
        Err(StoreError::NotFound { what: "test", id: "rolled back on purpose".into() })
    });
    assert!(failed.is_err(), "the closure's error rolls the transaction back");
    assert_eq!(count(), 1, "a rolled-back mutation signals nothing");
}
