//! The store's integration tests (one binary): migrations three ways, numbering inside transactions,
//! the audit chain on disk, fixity, backup and restore, corrupt and too-new databases.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::datetime;
use vanthu_core::audit::{AuditEntry, GENESIS_HASH};
use vanthu_core::document::{IncomingDraft, OutgoingDraft, Urgency};
use vanthu_store::register::{self, NewIncoming, NewOutgoing, Organisation};
use vanthu_store::schema::{self, MIGRATIONS, SCHEMA_VERSION};
use vanthu_store::{Store, StoreError, backup, check};

fn org() -> Organisation {
    Organisation {
        org_id: "000.00.00.H24".into(),
        name: "Ủy ban nhân dân tỉnh Lào Cai".into(),
        abbreviation: "UBND".into(),
    }
}

fn new_store(dir: &Path) -> Store {
    let store = Store::open(dir.join("register.sqlite3")).unwrap();
    store.write(|tx| register::init_organisation(tx, &org(), datetime!(2026-01-02 08:00 +7), "test")).unwrap();
    store
}

fn incoming(store: &Store, at: OffsetDateTime, subject: &str) -> register::RegisterRow {
    let draft = IncomingDraft {
        organ_name: "Sở Thông tin và Truyền thông".into(),
        type_name: "Tờ trình".into(),
        subject: subject.into(),
        ..Default::default()
    };
    let id = format!(
        "in-{}",
        Sha256::digest(format!("{at}{subject}")).iter().take(8).map(|b| format!("{b:02x}")).collect::<String>()
    );
    register_draft(store, &id, at, &draft, &[], true)
}

/// Registers an incoming draft with its files in one transaction.
fn register_draft(
    store: &Store,
    id: &str,
    at: OffsetDateTime,
    draft: &IncomingDraft,
    files: &[register::Attachment],
    allow_duplicate: bool,
) -> register::RegisterRow {
    let doc = draft.validate().unwrap();
    store
        .write(|tx| {
            register::register_incoming(
                tx,
                &NewIncoming { id, at, actor: "test", doc: &doc, register_deadline: None, files, allow_duplicate },
            )
        })
        .unwrap()
}

/// A stored file attached as the document's main PDF.
fn main_pdf(file: &vanthu_store::files::StoredFile, name: &str) -> register::Attachment {
    register::Attachment { file: file.clone(), name: name.into(), media_type: "application/pdf".into(), main: true }
}

fn outgoing(store: &Store, at: OffsetDateTime, ty: &str, legal: bool, id: &str) -> register::RegisterRow {
    let doc = OutgoingDraft {
        type_name: ty.into(),
        legal,
        drafting_unit: Some("VP".into()),
        subject: "Về việc thử nghiệm".into(),
        signer: "Nguyễn Văn A".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    store
        .write(|tx| {
            register::register_outgoing(
                tx,
                &NewOutgoing { id, at, actor: "test", doc: &doc, files: &[], response_for: None, delivery: &[] },
            )
        })
        .unwrap()
}

#[test]
fn schema_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("r.sqlite3")).unwrap();
    let dump = store.read(schema::dump).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/schema.sql");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &dump).unwrap();
    }
    let expected = std::fs::read_to_string(&path).expect("snapshot exists (UPDATE_SNAPSHOTS=1 to write it)");
    assert_eq!(dump, expected, "schema changed: review, then UPDATE_SNAPSHOTS=1 cargo test -p vanthu-store");
}

/// Released migrations never change: their hashes are frozen here. Add a line for each new migration.
#[test]
fn applied_migrations_never_change() {
    let frozen: &[(&str, &str)] = &[
        ("0001_register.sql", "74f7085eb28ce8640dbf670072a0e1f3f46ca9aa654a412251a3400d38654c7d"),
        ("0002_search.sql", "47aa25f66126a84eb0cd790be7e3622154399cd54715354e262e1218a9818186"),
        ("0003_desk.sql", "5b56122e835f50205224161c721609488c9a46c3b9deda5b8f988ebb91db5e1b"),
        ("0004_digitise.sql", "4ee22010e019beab87258c990877776dfd7ce82d022d98ca42427220eca7fbb7"),
        ("0005_signing.sql", "1d8bf5cd4f866140ba9af8c9520a2a80b5203072993a1a6103c147115550b126"),
        ("0006_exchange.sql", "033b88587ba8e132835936d37c91dab1bd4f4a57135d3e1aa78e7ae9f4194ec9"),
    ];
    assert_eq!(MIGRATIONS.len(), frozen.len(), "a migration was added: freeze its hash here");
    for (m, (name, hash)) in MIGRATIONS.iter().zip(frozen) {
        assert_eq!(m.name, *name);
        let actual = hex(&Sha256::digest(m.sql.as_bytes()));
        assert_eq!(actual, *hash, "{name} was edited after release: add a new migration instead");
    }
    let on_disk: Vec<String> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    assert_eq!(on_disk.len(), MIGRATIONS.len(), "every file in migrations/ is listed in schema::MIGRATIONS");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Data written at schema version 1 (before the search index existed).
fn fill_version_1(conn: &Connection) {
    conn.execute(
        "INSERT INTO organisation (id, org_id, name, abbreviation, created_at)
         VALUES (1, '000.00.00.H24', 'Ủy ban nhân dân tỉnh Lào Cai', 'UBND', '2026-01-02T08:00:00+07:00')",
        [],
    )
    .unwrap();
    conn.execute("INSERT INTO series (id, series_key, year, last_number) VALUES (1, 'den', 2026, 2)", []).unwrap();
    conn.execute("INSERT INTO register_book (direction, year, last_row) VALUES ('incoming', 2026, 2)", []).unwrap();
    let mut prev = GENESIS_HASH.to_owned();
    for (n, subject) in [(1, "Quyết định về Đà Nẵng"), (2, "Kế hoạch phòng chống lụt bão")] {
        let entry = AuditEntry {
            seq: n,
            at: "2026-01-02T09:00:00+07:00".into(),
            actor: "v1".into(),
            action: "incoming.register".into(),
            entity: "document".into(),
            entity_id: format!("doc-{n}"),
            old_json: None,
            new_json: Some(format!("{{\"number\":{n}}}")),
        };
        let hash = entry.hash(&prev);
        conn.execute(
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, old_json, new_json, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                entry.seq,
                entry.at,
                entry.actor,
                entry.action,
                entry.entity,
                entry.entity_id,
                entry.old_json,
                entry.new_json,
                prev,
                hash
            ],
        )
        .unwrap();
        prev = hash;
        conn.execute(
            "INSERT INTO document (id, direction, year, position, series_id, number, registered_at, register_date,
                organ_name, organ_fold, type_name, subject, audit_seq)
             VALUES (?1, 'incoming', 2026, ?2, 1, ?2, '2026-01-02T09:00:00+07:00', '2026-01-02',
                'Sở Xây dựng', 'so xay dung', 'Công văn', ?3, ?2)",
            params![format!("doc-{n}"), n, subject],
        )
        .unwrap();
    }
}

#[test]
fn upgrade_from_every_earlier_version_keeps_data() {
    for from in 1..SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        {
            // Data written by version 1, then upgraded step by step to `from`, as a real register was.
            let mut conn = Connection::open(&path).unwrap();
            schema::migrate_to(&mut conn, 1).unwrap();
            fill_version_1(&conn);
            schema::migrate_to(&mut conn, from).unwrap_or_else(|e| panic!("building version {from}: {e}"));
            assert_eq!(schema::version(&conn).unwrap(), from);
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.read(schema::version).unwrap(), SCHEMA_VERSION);
        let page =
            store.read(|c| register::list(c, vanthu_core::document::Direction::Incoming, Some(2026), 0, 10)).unwrap();
        assert_eq!(page.items.iter().map(|r| r.number).collect::<Vec<_>>(), vec![2, 1], "from version {from}");
        // The search index was backfilled from the old rows.
        let found = store.read(|c| register::search(c, "da nang", None, 0, 10)).unwrap();
        assert_eq!(found.items.len(), 1, "from version {from}");
        assert_eq!(found.items[0].subject, "Quyết định về Đà Nẵng");
        // And numbering continues where it stopped.
        let next = incoming(&store, datetime!(2026-03-01 09:00 +7), "Sau nâng cấp");
        assert_eq!(next.number, 3);
        let report = store.read(|c| check::run(c, store.files())).unwrap();
        assert!(report.ok(), "from version {from}: {report:?}");
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3");
    drop(Store::open(&path).unwrap());
    Connection::open(&path).unwrap().pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION)
    );
    assert!(err.to_string().contains("mới hơn"), "{err}");
    assert!(path.exists(), "the newer database is left untouched");
}

#[test]
fn a_corrupt_database_is_moved_aside_and_not_silently_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.sqlite3");
    std::fs::write(&path, b"this is not an SQLite database, it is a damaged file".repeat(100)).unwrap();
    let err = Store::open(&path).unwrap_err();
    let StoreError::Corrupt { moved_to, .. } = &err else { panic!("expected Corrupt, got {err:?}") };
    assert!(moved_to.exists(), "the damaged file is kept");
    assert!(!path.exists());
    assert!(err.to_string().contains("vanthu restore"), "tells how to restore: {err}");
    // Opening again must not start a fresh register (numbering would restart at 1).
    let again = Store::open(&path).unwrap_err();
    assert!(matches!(again, StoreError::Quarantined { .. }), "{again:?}");
}

#[test]
fn numbers_run_per_series_and_year_and_restart_on_1_january_vietnam_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    let cases: &[(OffsetDateTime, &str, bool, &str)] = &[
        (datetime!(2025-12-31 23:59:58 +7), "QĐ", false, "01/QĐ-UBND"),
        (datetime!(2025-12-31 23:59:59 +7), "Công văn", false, "02/UBND-VP"),
        (datetime!(2025-12-31 23:59:59 +7), "QĐ", true, "01/2025/QĐ-UBND"),
        // 17:00 UTC on 31 December is midnight in Vietnam: a new year, numbers from 1.
        (datetime!(2025-12-31 17:00:00 UTC), "QĐ", false, "01/QĐ-UBND"),
        (datetime!(2026-01-01 00:00:00 +7), "SY", false, "01/SY-VP"),
        (datetime!(2026-01-01 00:00:01 +7), "QĐ", true, "01/2026/QĐ-UBND"),
        (datetime!(2026-01-01 08:00:00 +7), "TB", false, "02/TB-UBND"),
    ];
    for (i, &(at, ty, legal, code)) in cases.iter().enumerate() {
        let row = outgoing(&store, at, ty, legal, &format!("out-{i}"));
        assert_eq!(row.code, code, "case {i}: {ty} at {at}");
    }
    let a = incoming(&store, datetime!(2025-12-31 23:59:59 +7), "a");
    let b = incoming(&store, datetime!(2026-01-01 00:00:00 +7), "b");
    assert_eq!((a.year, a.number, a.arrival_date.as_deref()), (2025, 1, Some("2025-12-31")));
    assert_eq!((b.year, b.number, b.arrival_date.as_deref()), (2026, 1, Some("2026-01-01")));
    assert!(store.read(|c| check::run(c, store.files())).unwrap().ok());
}

#[test]
fn a_failed_transaction_gives_back_nothing_and_leaves_no_gap() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    incoming(&store, datetime!(2026-02-01 09:00 +7), "một");
    let failed: Result<(), StoreError> = store.write(|tx| {
        let (_, n) = register::draw_number(tx, &vanthu_core::numbering::SeriesKey::Incoming, 2026)?;
        assert_eq!(n, 2);
        Err(StoreError::Invalid("simulated failure after drawing a number".into()))
    });
    assert!(failed.is_err());
    let next = incoming(&store, datetime!(2026-02-01 09:01 +7), "hai");
    assert_eq!(next.number, 2, "the rolled-back number is given again: no gap");
}

#[test]
fn cancellation_keeps_the_number_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    let row = incoming(&store, datetime!(2026-02-01 09:00 +7), "sẽ hủy");
    let at = datetime!(2026-02-01 10:00 +7);
    let cancelled = store.write(|tx| register::cancel(tx, &row.id, "Đăng ký nhầm", at, "test")).unwrap();
    assert!(cancelled.cancelled);
    assert_eq!(cancelled.number, row.number);
    assert_eq!(cancelled.cancel_reason.as_deref(), Some("Đăng ký nhầm"));
    let again = store.write(|tx| register::cancel(tx, &row.id, "lần hai", at, "test"));
    assert!(matches!(again, Err(StoreError::AlreadyCancelled(_))));
    let next = incoming(&store, datetime!(2026-02-01 11:00 +7), "tiếp");
    assert_eq!(next.number, 2, "a cancelled number is never reused");
    let history = store.read(|c| vanthu_store::audit::history(c, "document", &row.id)).unwrap();
    assert_eq!(history.iter().map(|h| h.action.as_str()).collect::<Vec<_>>(), ["incoming.register", "document.cancel"]);
    assert!(store.read(|c| check::run(c, store.files())).unwrap().ok());
}

#[test]
fn pages_run_newest_first_across_years() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    for i in 0..7 {
        incoming(&store, datetime!(2025-06-01 09:00 +7) + time::Duration::days(i), &format!("cũ {i}"));
    }
    for i in 0..5 {
        incoming(&store, datetime!(2026-06-01 09:00 +7) + time::Duration::days(i), &format!("mới {i}"));
    }
    let numbers = |year: Option<i32>, page: u32| {
        let p = store.read(|c| register::list(c, vanthu_core::document::Direction::Incoming, year, page, 4)).unwrap();
        (p.items.iter().map(|r| (r.year, r.number)).collect::<Vec<_>>(), p.total, p.has_more)
    };
    assert_eq!(numbers(None, 0), (vec![(2026, 5), (2026, 4), (2026, 3), (2026, 2)], Some(12), true));
    assert_eq!(numbers(None, 1), (vec![(2026, 1), (2025, 7), (2025, 6), (2025, 5)], Some(12), true));
    assert_eq!(numbers(None, 2), (vec![(2025, 4), (2025, 3), (2025, 2), (2025, 1)], Some(12), false));
    assert_eq!(numbers(None, 3), (vec![], Some(12), false));
    assert_eq!(numbers(Some(2025), 1), (vec![(2025, 3), (2025, 2), (2025, 1)], Some(7), false));
}

#[test]
fn search_folds_vietnamese_whatever_the_input_form() {
    use unicode_normalization::UnicodeNormalization;
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    let nfd: String = "Quyết định về việc hỗ trợ Đà Nẵng".nfd().collect();
    let stored = incoming(&store, datetime!(2026-02-01 09:00 +7), &nfd);
    assert_eq!(stored.subject, "Quyết định về việc hỗ trợ Đà Nẵng", "stored NFC");
    incoming(&store, datetime!(2026-02-01 09:01 +7), "Kế hoạch phòng chống thiên tai");
    let hits = |q: &str| store.read(|c| register::search(c, q, None, 0, 10)).unwrap().items.len();
    for (query, expected) in [
        ("quyet dinh", 1),
        ("QUYẾT ĐỊNH", 1),
        ("da nang", 1),
        ("Đà", 1),
        ("đa nang", 1),
        ("ke hoach phong", 1),
        ("ke hoach phong chong thien tai", 1),
        ("hoach", 1),
        ("nẵng quyết", 1),
        ("tờ trình", 2),
        ("so thong tin", 2),
        ("ha noi", 0),
        ("", 0),
    ] {
        assert_eq!(hits(query), expected, "{query:?}");
    }
    let nfd_query: String = "Đà Nẵng".nfd().collect();
    assert_eq!(hits(&nfd_query), 1);
}

#[test]
fn audit_tampering_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    for i in 0..4 {
        incoming(&store, datetime!(2026-02-01 09:00 +7) + time::Duration::minutes(i), &format!("văn bản {i}"));
    }
    assert!(store.read(|c| check::run(c, store.files())).unwrap().ok());
    let path = store.path().to_owned();
    drop(store);
    let tamper = |sql: &str| {
        let copy = dir.path().join("copy.sqlite3");
        let _ = std::fs::remove_file(&copy);
        Connection::open(&path).unwrap().execute("VACUUM INTO ?1", [copy.to_str().unwrap()]).unwrap();
        let conn = Connection::open(&copy).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF; DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        )
        .unwrap();
        conn.execute_batch(sql).unwrap();
        drop(conn);
        let store = Store::open(&copy).unwrap();
        let report = store.read(|c| check::run(c, store.files())).unwrap();
        assert!(!report.ok(), "not detected: {sql}");
        report
    };
    let r = tamper("UPDATE audit_log SET actor = 'ai đó' WHERE seq = 3");
    assert!(r.audit.error.is_some());
    tamper("DELETE FROM audit_log WHERE seq = 2");
    tamper(
        "UPDATE audit_log SET seq = seq + 100 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 104",
    );
    // The tail: the chain itself still holds, but a document points at an entry that is gone.
    let r = tamper("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)");
    assert!(r.audit.error.is_none() && !r.audit_links.is_empty(), "{r:?}");
    let r = tamper("UPDATE document SET number = 9 WHERE number = 2");
    assert!(!r.numbering.is_empty());
}

#[test]
fn files_are_content_addressed_and_fixity_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    let a = store.files().put_bytes(b"%PDF-1.4 one").unwrap();
    let again = store.files().put_bytes(b"%PDF-1.4 one").unwrap();
    assert_eq!(a, again, "the same bytes are stored once");
    assert_eq!(a.sha256, hex(&Sha256::digest(b"%PDF-1.4 one")));
    let draft = IncomingDraft {
        organ_name: "Sở Tài chính".into(),
        type_name: "Công văn".into(),
        subject: "Có tệp".into(),
        urgency: Some(Urgency::Khan),
        ..Default::default()
    };
    let at = datetime!(2026-02-01 09:00 +7);
    register_draft(&store, "with-file", at, &draft, &[main_pdf(&a, "văn bản.pdf")], false);
    assert!(store.read(|c| check::run(c, store.files())).unwrap().ok());
    let path = store.files().path_of(&a.sha256);
    assert!(std::fs::metadata(&path).unwrap().permissions().readonly(), "stored files are read-only");
    make_writable(&path);
    std::fs::write(&path, b"%PDF-1.4 two").unwrap();
    let report = store.read(|c| check::run(c, store.files())).unwrap();
    assert_eq!(report.files.len(), 1);
    assert_eq!(report.files[0].state, vanthu_store::files::FixityState::Altered);
    std::fs::remove_file(&path).unwrap();
    let report = store.read(|c| check::run(c, store.files())).unwrap();
    assert_eq!(report.files[0].state, vanthu_store::files::FixityState::Missing);
}

#[test]
fn backup_verifies_and_restore_refuses_a_damaged_backup() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    let file = store.files().put_bytes(b"%PDF-1.4 archived").unwrap();
    let draft = IncomingDraft {
        organ_name: "Sở Nội vụ".into(),
        type_name: "Công văn".into(),
        subject: "Sao lưu".into(),
        ..Default::default()
    };
    register_draft(&store, "b1", datetime!(2026-02-01 09:00 +7), &draft, &[main_pdf(&file, "a.pdf")], false);
    let dest = dir.path().join("backup-1");
    let manifest = backup::backup(&store, &dest, "2026-02-01T10:00:00+07:00").unwrap();
    assert_eq!(manifest.documents, 1);
    assert_eq!(manifest.files.len(), 1);
    backup::verify(&dest).unwrap();
    // Refuses to write into a folder that has data.
    assert!(backup::backup(&store, &dest, "x").is_err());
    // After the backup, the register moves on; restore brings back the backed-up state.
    incoming(&store, datetime!(2026-02-02 09:00 +7), "sau sao lưu");
    let db = store.path().to_owned();
    drop(store);

    // A damaged copy of the backup is refused, and nothing is changed.
    let damaged = dir.path().join("backup-damaged");
    copy_dir(&dest, &damaged);
    let f = damaged.join(&manifest.files[0].path);
    make_writable(&f);
    std::fs::write(&f, b"%PDF-1.4 tampered").unwrap();
    assert!(matches!(backup::restore(&damaged, &db), Err(StoreError::BackupInvalid(_))));
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.read(|c| register::list(c, vanthu_core::document::Direction::Incoming, None, 0, 10)).unwrap().total,
        Some(2)
    );
    drop(store);

    let restored = backup::restore(&dest, &db).unwrap();
    assert!(restored.previous_moved_to.as_ref().is_some_and(|p| p.exists()), "the replaced register is kept");
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.read(|c| register::list(c, vanthu_core::document::Direction::Incoming, None, 0, 10)).unwrap().total,
        Some(1)
    );
    assert!(store.read(|c| check::run(c, store.files())).unwrap().ok());
}

fn make_writable(path: &Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The review queue: pages keep their order through moves, deletions, splits and joins; a registered
/// draft leaves the queue in the registration's transaction; a file is recognised by its hash.
#[test]
fn review_queue_orders_splits_and_registers_drafts() {
    use vanthu_store::capture::{self, CaptureSource, NewPage};
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    let at = datetime!(2026-11-22 09:00 +7);
    // Ten pages; pages 4 and 8 are blank sheets between three letters.
    let files: Vec<_> = (0..10).map(|i| store.files().put_bytes(format!("page {i}").as_bytes()).unwrap()).collect();
    let draft = store
        .write(|tx| {
            let d = capture::create_draft(tx, CaptureSource::Scanner, "test:0", None, at, "clerk")?;
            for (i, f) in files.iter().enumerate() {
                let blank = i == 3 || i == 7;
                let page = NewPage {
                    file: f,
                    thumb: None,
                    width: 1654,
                    height: 2339,
                    dpi: 200.0,
                    ink: if blank { 0.0 } else { 0.05 },
                    blank,
                    separator: false,
                    passthrough: false,
                };
                capture::add_page(tx, d, &page, at)?;
            }
            Ok(d)
        })
        .unwrap();
    let order = |d: i64| -> Vec<String> {
        store
            .read(|c| capture::pages(c, d))
            .unwrap()
            .into_iter()
            .map(|p| files.iter().position(|f| f.sha256 == p.sha256).unwrap().to_string())
            .collect()
    };
    assert_eq!(order(draft).join(","), "0,1,2,3,4,5,6,7,8,9");

    let drafts = store.write(|tx| capture::split_at_blanks(tx, draft, at, "clerk")).unwrap();
    assert_eq!(drafts.len(), 3);
    let orders: Vec<String> = drafts.iter().map(|&d| order(d).join(",")).collect();
    assert_eq!(orders, ["0,1,2", "4,5,6", "8,9"]);

    // Move page 6 to the front of its draft, rotate it twice, delete page 5.
    let second = store.read(|c| capture::pages(c, drafts[1])).unwrap();
    store.write(|tx| capture::move_page(tx, second[2].id, 1)).unwrap();
    assert_eq!(order(drafts[1]).join(","), "6,4,5");
    assert_eq!(store.write(|tx| capture::rotate_page(tx, second[2].id, 1)).unwrap(), 90);
    assert_eq!(store.write(|tx| capture::rotate_page(tx, second[2].id, -2)).unwrap(), 270);
    store.write(|tx| capture::delete_page(tx, second[1].id)).unwrap();
    assert_eq!(order(drafts[1]).join(","), "6,4");
    let positions: Vec<u32> =
        store.read(|c| capture::pages(c, drafts[1])).unwrap().iter().map(|p| p.position).collect();
    assert_eq!(positions, [1, 2]);

    // Split the first draft before its second page, then join it back.
    let first = store.read(|c| capture::pages(c, drafts[0])).unwrap();
    let cut = store.write(|tx| capture::split_before(tx, first[1].id, at, "clerk")).unwrap();
    assert_eq!((order(drafts[0]).join(","), order(cut).join(",")), ("0".to_owned(), "1,2".to_owned()));
    assert!(store.write(|tx| capture::split_before(tx, first[0].id, at, "clerk")).is_err(), "nothing before page 1");
    store.write(|tx| capture::join_drafts(tx, drafts[0], cut, at)).unwrap();
    assert_eq!(order(drafts[0]).join(","), "0,1,2");
    let open: Vec<i64> = store.read(capture::open_drafts).unwrap().iter().map(|d| d.id).collect();
    assert_eq!(open, drafts);

    // A registration that fails leaves the draft open; one that succeeds closes it in the same transaction.
    let doc = IncomingDraft {
        organ_name: "Sở Nội vụ".into(),
        type_name: "Công văn".into(),
        subject: "Về việc số hoá".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let register = |tx: &rusqlite::Transaction<'_>| {
        register::register_incoming(
            tx,
            &NewIncoming {
                id: "in-q1",
                at,
                actor: "clerk",
                doc: &doc,
                register_deadline: None,
                files: &[],
                allow_duplicate: true,
            },
        )
    };
    let failed = store.write(|tx| {
        register(tx)?;
        capture::mark_registered(tx, 999, "in-q1", at)
    });
    assert!(failed.is_err());
    let count = |c: &Connection| -> vanthu_store::Result<i64> {
        Ok(c.query_row("SELECT COUNT(*) FROM document WHERE id = 'in-q1'", [], |r| r.get(0))?)
    };
    assert_eq!(store.read(count).unwrap(), 0, "rolled back with the draft");
    store
        .write(|tx| {
            register(tx)?;
            capture::mark_registered(tx, drafts[2], "in-q1", at)
        })
        .unwrap();
    let open: Vec<i64> = store.read(capture::open_drafts).unwrap().iter().map(|d| d.id).collect();
    assert_eq!(open, drafts[..2]);
    assert!(
        store
            .write(|tx| capture::add_page(
                tx,
                drafts[2],
                &NewPage {
                    file: &files[0],
                    thumb: None,
                    width: 10,
                    height: 10,
                    dpi: 200.0,
                    ink: 0.0,
                    blank: false,
                    separator: false,
                    passthrough: false
                },
                at
            ))
            .is_err(),
        "a registered draft takes no more pages"
    );

    // The same bytes taken twice are recognised.
    assert_eq!(store.read(|c| capture::taken_before(c, &files[0].sha256)).unwrap(), None);
    store
        .write(|tx| capture::record_source(tx, &files[0].sha256, "scan-1.jpg", CaptureSource::Folder, Some(draft), at))
        .unwrap();
    let before = store.read(|c| capture::taken_before(c, &files[0].sha256)).unwrap().unwrap();
    assert_eq!((before.name.as_str(), before.draft_id), ("scan-1.jpg", Some(draft)));
}

/// The exchange tables hold their invariants whatever the caller does: secret documents never enter
/// the outbox, a queued message never changes, a message key is queued once, a repeated delivery is
/// kept once, a status delivered twice is recorded once, and a package is decided once.
#[test]
fn exchange_tables_refuse_secrets_changes_and_repeats() {
    use vanthu_core::document::Secrecy;
    use vanthu_store::exchange::{self, InboxState, MessageType, NewArrival, NewMessage, StatusRecord};
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path());
    let at = datetime!(2026-11-23 09:00 +7);
    let file = store.files().put_bytes(b"<edXML/>").unwrap();
    let message = |document: Option<&'static str>, kind: &'static str| {
        let file = file.clone();
        move |tx: &rusqlite::Transaction<'_>| {
            exchange::enqueue(
                tx,
                &NewMessage {
                    document,
                    messagetype: MessageType::Edoc,
                    document_id: "000.00.00.H24,2026/11/23,01/UBND",
                    kind,
                    recipients: &["000.01.00.H24".to_owned()],
                    file: &file,
                    at,
                    actor: "test",
                },
            )
        }
    };
    // A secret document is refused by the trigger, with a Vietnamese message.
    let secret = outgoing_with(&store, at, "sec", Some(Secrecy::Mat));
    let secret_id: &'static str = Box::leak(secret.id.into_boxed_str());
    let refused = store.write(message(Some(secret_id), "edoc:0")).unwrap_err();
    assert!(matches!(&refused, StoreError::Conflict(m) if m.contains("mật")), "{refused:?}");
    assert_eq!(store.read(exchange::counts).unwrap().outbox, 0);
    // Written past the store's functions, the trigger refuses it all the same.
    let bypass = store.write(|tx| {
        Ok(tx.execute(
            "INSERT INTO outbox (document_rowid, messagetype, document_id, kind, recipients, sha256, size, created_at,
                                 created_by)
             SELECT rowid, 'edoc', 'x', 'edoc:0', '[]', ?1, 8, 'now', 'test' FROM document WHERE id = ?2",
            params![file.sha256, secret_id],
        )?)
    });
    assert!(bypass.unwrap_err().to_string().contains("never sent through a hub"));
    // The same key twice is one message.
    let first = store.write(message(None, "edoc:0")).unwrap();
    assert!(first.is_some());
    assert_eq!(store.write(message(None, "edoc:0")).unwrap(), None);
    assert_eq!(store.read(exchange::counts).unwrap().outbox, 1);
    // What a message is never changes; it is never deleted.
    let id = first.unwrap();
    for sql in ["UPDATE outbox SET kind = 'edoc:3' WHERE id = ?1", "DELETE FROM outbox WHERE id = ?1"] {
        let e = store.write(|tx| Ok(tx.execute(sql, [id])?)).unwrap_err();
        assert!(e.to_string().contains("outbox"), "{sql}: {e}");
    }
    // A message is marked sent once: a second mark does nothing.
    store.write(|tx| exchange::mark_sent(tx, id, "hub-1", at)).unwrap();
    store.write(|tx| exchange::mark_sent(tx, id, "hub-2", at)).unwrap();
    let sent = store.read(|c| exchange::message(c, id)).unwrap().unwrap();
    assert_eq!(sent.hub_doc_id.as_deref(), Some("hub-1"));
    assert_eq!(store.read(exchange::counts).unwrap().outbox, 0);
    // A repeated delivery is kept once; a package is decided once.
    let metadata = serde_json::json!({});
    let arrival = |tx: &rusqlite::Transaction<'_>| {
        exchange::insert_arrival(
            tx,
            &NewArrival {
                hub_doc_id: "hub-9",
                sender: "000.01.00.H24",
                sender_name: "Sở Nội vụ",
                document_id: "000.01.00.H24,2026/11/22,05/SNV",
                kind: "edoc:0",
                package: &file,
                code: Some("05/SNV"),
                subject: "Về việc thử",
                type_name: None,
                priority: 0,
                promulgation_date: None,
                reason: None,
                metadata: &metadata,
                files: &[],
                verdict: None,
                at,
            },
        )
    };
    let kept = store.write(arrival).unwrap().unwrap();
    assert_eq!(store.write(arrival).unwrap(), None);
    assert_eq!(store.read(exchange::counts).unwrap().inbox, 1);
    store.write(|tx| exchange::decide(tx, kept, InboxState::Rejected, None, Some("sai"), at, "test")).unwrap();
    let again = store.write(|tx| exchange::decide(tx, kept, InboxState::Registered, None, None, at, "test"));
    assert!(matches!(again, Err(StoreError::Conflict(_))));
    // A status delivered twice is recorded once.
    let status = StatusRecord {
        document_id: "000.00.00.H24,2026/11/23,01/UBND".into(),
        document: None,
        way: "in".into(),
        organ_id: "000.01.00.H24".into(),
        organ_name: None,
        code: "03".into(),
        description: None,
        at: "2026-11-23T09:05:00+07:00".into(),
        recorded_at: "2026-11-23T09:06:00+07:00".into(),
    };
    assert!(store.write(|tx| exchange::record_status(tx, &status)).unwrap());
    assert!(!store.write(|tx| exchange::record_status(tx, &status)).unwrap());
    assert_eq!(store.read(|c| exchange::statuses(c, &status.document_id)).unwrap().len(), 1);
}

fn outgoing_with(
    store: &Store,
    at: OffsetDateTime,
    id: &str,
    secrecy: Option<vanthu_core::document::Secrecy>,
) -> register::RegisterRow {
    let draft = OutgoingDraft {
        type_name: "Công văn".into(),
        subject: "Về việc thử".into(),
        signer: "Nguyễn Văn A".into(),
        secrecy,
        ..Default::default()
    };
    let doc = draft.validate().unwrap();
    store
        .write(|tx| {
            register::register_outgoing(
                tx,
                &NewOutgoing { id, at, actor: "test", doc: &doc, files: &[], response_for: None, delivery: &[] },
            )
        })
        .unwrap()
}
