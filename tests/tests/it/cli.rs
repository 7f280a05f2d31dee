//! The `vanthu` command line's contract: the commands, flags and JSON keys other tools rely on, exit
//! codes, errors that write nothing, tamper detection, backup and restore.

use std::path::Path;
use std::process::Output;

use rusqlite::Connection;
use unicode_normalization::UnicodeNormalization;

use crate::support::{init_register as init, make_writable, run_json, vanthu};

fn pdf(dir: &Path, name: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("%PDF-1.4\n% {name}\n")).unwrap();
    p
}

fn add_incoming(db: &Path, now: &str, file: &Path, extra: &[&str]) -> Output {
    vanthu(db, Some(now))
        .args(["incoming", "add", "--from", "Sở Thông tin và Truyền thông", "--number", "136/TTr-STTTT"])
        .args(["--issued", "2019-10-07", "--type", "Tờ trình"])
        .args(["--subject", "Đề nghị ban hành Quy chế tiếp nhận, xử lý văn bản điện tử"])
        .arg("--file")
        .arg(file)
        .args(extra)
        .output()
        .unwrap()
}

fn count(db: &Path) -> i64 {
    Connection::open(db).unwrap().query_row("SELECT count(*) FROM document", [], |r| r.get(0)).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn incoming_registration_contract_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite3");
    let org = init(&db);
    assert_eq!(org["org_abbr"], "UBND");
    let f = pdf(dir.path(), "to-trinh.pdf");

    let out = add_incoming(&db, "2026-03-05T14:30:00+07:00", &f, &["--urgency", "khan"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["id"].is_string());
    assert_eq!(v["arrival_number"], 1, "an integer");
    assert_eq!(v["arrival_date"], "2026-03-05");
    assert_eq!(v["year"], 2026);

    // The same document again: refused with exit 3, naming the earlier registration; nothing written.
    let dup = add_incoming(&db, "2026-03-05T15:00:00+07:00", &f, &[]);
    assert_eq!(dup.status.code(), Some(3), "{}", stderr(&dup));
    let msg = stderr(&dup);
    assert_eq!(msg.trim_end().lines().count(), 1, "one line: {msg}");
    assert!(msg.contains("số đến 1") && msg.contains(v["id"].as_str().unwrap()), "{msg}");
    assert!(dup.stdout.is_empty());
    assert_eq!(count(&db), 1);

    let forced = add_incoming(&db, "2026-03-05T15:00:00+07:00", &f, &["--allow-duplicate"]);
    assert!(forced.status.success());
    let forced: serde_json::Value = serde_json::from_slice(&forced.stdout).unwrap();
    assert_eq!(forced["arrival_number"], 2);

    // Show and the history from the audit log.
    let shown = run_json(vanthu(&db, None).args(["show", v["id"].as_str().unwrap()]));
    assert_eq!(shown["document"]["code"], "136/TTr-STTTT");
    assert_eq!(shown["document"]["urgency"], "khan");
    assert_eq!(shown["files"][0]["name"], "to-trinh.pdf");
    assert_eq!(shown["history"][0]["action"], "incoming.register");

    // Cancel keeps the number, with the reason.
    let cancelled =
        run_json(vanthu(&db, None).args(["cancel", forced["id"].as_str().unwrap(), "--reason", "Đăng ký trùng"]));
    assert_eq!(cancelled["cancelled"], true);
    assert_eq!(cancelled["number"], 2);
    let next = add_incoming(&db, "2026-03-06T08:00:00+07:00", &f, &["--allow-duplicate"]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&next.stdout).unwrap()["arrival_number"], 3);
}

#[test]
fn the_same_code_issued_in_another_year_is_another_document() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite3");
    init(&db);
    let add = |from: &str, issued: Option<&str>| {
        let mut cmd = vanthu(&db, Some("2027-01-04T09:00:00+07:00"));
        cmd.args(["incoming", "add", "--from", from, "--number", "01/BCH-CT", "--type", "Báo cáo"]);
        cmd.args(["--subject", "Báo cáo đầu năm"]);
        if let Some(issued) = issued {
            cmd.args(["--issued", issued]);
        }
        cmd.output().unwrap()
    };
    assert!(add("Ban Chỉ huy quân sự huyện", Some("2026-01-05")).status.success());
    // Senders number from 1 every January: last year's 01 and this year's 01 are different documents.
    let this_year = add("Ban Chỉ huy quân sự huyện", Some("2027-01-02"));
    assert!(this_year.status.success(), "{}", stderr(&this_year));
    // Same year of issue, issuer written in capitals: the same document.
    assert_eq!(add("BAN CHỈ HUY QUÂN SỰ HUYỆN", Some("2027-01-02")).status.code(), Some(3));
    // Unknown date of issue: cannot tell, so warn.
    assert_eq!(add("Ban Chỉ huy quân sự huyện", None).status.code(), Some(3));
    assert_eq!(count(&db), 2);
}

#[test]
fn outgoing_numbers_and_notations() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite3");
    init(&db);
    let f = pdf(dir.path(), "qd.pdf");
    let now = "2026-03-05T09:00:00+07:00";
    let add = |args: &[&str]| {
        run_json(
            vanthu(&db, Some(now))
                .args(["outgoing", "add", "--signer", "Trịnh Xuân Trường", "--subject", "Về việc thử"])
                .arg("--file")
                .arg(&f)
                .args(args),
        )
    };
    let cases: &[(&[&str], &str, &str)] = &[
        (&["--type", "QĐ"], "01", "QĐ-UBND"),
        (&["--type", "Công văn", "--unit", "VP"], "02", "UBND-VP"),
        (&["--type", "QĐ", "--legal"], "01", "2026/QĐ-UBND"),
        (&["--type", "SY", "--unit", "VP"], "01", "SY-VP"),
        (&["--type", "TB", "--secrecy", "mat"], "01", "TB-UBND"),
        (&["--type", "Quyết định", "--to", "000.00.00.G22", "--to", "000.00.00.H41"], "03", "QĐ-UBND"),
    ];
    for (args, number, notation) in cases {
        let v = add(args);
        assert_eq!(
            (v["code_number"].as_str().unwrap(), v["code_notation"].as_str().unwrap()),
            (*number, *notation),
            "{args:?}"
        );
        assert_eq!(v["issued_date"], "2026-03-05");
        assert!(v["id"].is_string());
    }
    let listed = run_json(vanthu(&db, None).args(["list", "outgoing", "--year", "2026"]));
    assert_eq!(listed["total"], 6);
    assert_eq!(listed["items"][0]["code"], "03/QĐ-UBND", "newest first");
    assert_eq!(listed["items"][0]["recipients"], serde_json::json!(["000.00.00.G22", "000.00.00.H41"]));
    let page2 = run_json(vanthu(&db, None).args(["list", "outgoing", "--page", "2", "--page-size", "4"]));
    assert_eq!(page2["items"].as_array().unwrap().len(), 2);
    assert_eq!(page2["has_more"], false);
    let none = run_json(vanthu(&db, None).args(["list", "outgoing", "--year", "2025"]));
    assert_eq!(none["total"], 0);
}

#[test]
fn search_finds_vietnamese_without_diacritics_whatever_the_input_form() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite3");
    init(&db);
    let nfd_subject: String = "Quyết định hỗ trợ thành phố Đà Nẵng".nfd().collect();
    let v = run_json(vanthu(&db, None).args([
        "incoming",
        "add",
        "--from",
        "Bộ Nội vụ",
        "--type",
        "Quyết định",
        "--subject",
        &nfd_subject,
    ]));
    assert_eq!(v["document"]["subject"], "Quyết định hỗ trợ thành phố Đà Nẵng", "stored as NFC");
    run_json(vanthu(&db, None).args([
        "incoming",
        "add",
        "--from",
        "Sở Y tế",
        "--type",
        "Báo cáo",
        "--subject",
        "Báo cáo tình hình dịch bệnh",
    ]));
    for (query, hits) in [
        (vec!["quyet", "dinh"], 1),
        (vec!["da nang"], 1),
        (vec!["ĐÀ"], 1),
        (vec!["Bo", "noi", "vu"], 1),
        (vec!["bao cao"], 1),
        (vec!["ha noi"], 0),
    ] {
        let found = run_json(vanthu(&db, None).arg("search").args(&query));
        assert_eq!(found["items"].as_array().unwrap().len(), hits, "{query:?}");
    }
    let nfd_query: String = "Quyết định".nfd().collect();
    let found = run_json(vanthu(&db, None).args(["search", &nfd_query]));
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_input_gives_one_clear_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite3");

    // Before init: registering is refused with a hint.
    let f = pdf(dir.path(), "a.pdf");
    let out = add_incoming(&db, "2026-03-05T09:00:00+07:00", &f, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("vanthu init"), "{}", stderr(&out));
    init(&db);

    let empty = dir.path().join("empty.pdf");
    std::fs::write(&empty, b"").unwrap();
    let long_subject = "ư".repeat(501);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--file".into(), dir.path().join("missing.pdf").display().to_string()], "không tồn tại"),
        (vec!["--file".into(), empty.display().to_string()], "rỗng"),
        (vec!["--subject".into(), long_subject], "500"),
        (vec!["--number".into(), "TTr-STTTT".into()], "số/ký hiệu"),
        (vec!["--from-id".into(), "abc".into()], "Mã định danh"),
        (vec!["--due".into(), "2019-01-01".into()], "Hạn xử lý"),
    ];
    for (extra, expected) in cases {
        let mut cmd = vanthu(&db, Some("2026-03-05T09:00:00+07:00"));
        cmd.args(["incoming", "add", "--from", "Sở Tài chính", "--type", "Công văn", "--issued", "2019-10-07"]);
        if !extra.contains(&"--subject".to_owned()) {
            cmd.args(["--subject", "Thử"]);
        }
        let out = cmd.args(&extra).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{extra:?}: one line: {err}");
        assert!(err.contains(expected), "{extra:?}: {err}");
    }
    for (args, expected) in [
        (vec!["outgoing", "add", "--type", "CV", "--subject", "x", "--signer", "y"], "CV"),
        (vec!["outgoing", "add", "--type", "Công văn", "--legal", "--subject", "x", "--signer", "y"], "quy phạm"),
        (vec!["cancel", "khong-co", "--reason", "x"], "Không tìm thấy"),
    ] {
        let out = vanthu(&db, None).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(expected), "{args:?}: {}", stderr(&out));
    }
    // Usage errors (clap): exit 2.
    let out = vanthu(&db, None).args(["incoming", "add", "--issued", "31/02/2026"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = vanthu(&db, None).args(["--now", "hôm qua", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(count(&db), 0, "nothing was half-written");
    assert_eq!(run_json(vanthu(&db, None).arg("check"))["ok"], true);
}

#[test]
fn tampering_with_the_audit_log_or_a_stored_file_is_found_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite3");
    init(&db);
    let f = pdf(dir.path(), "a.pdf");
    for i in 0..3 {
        let out = add_incoming(&db, &format!("2026-03-0{}T09:00:00+07:00", i + 1), &f, &["--allow-duplicate"]);
        assert!(out.status.success());
    }
    assert_eq!(run_json(vanthu(&db, None).arg("check"))["ok"], true);
    assert!(vanthu(&db, None).args(["audit", "verify"]).output().unwrap().status.success());

    let backup = dir.path().join("backup");
    run_json(vanthu(&db, None).arg("backup").arg("--to").arg(&backup));

    // An edited audit entry.
    {
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET new_json = replace(new_json, 'Sở Thông tin', 'Sở Khác') WHERE seq = 3;",
        )
        .unwrap();
    }
    let out = vanthu(&db, None).args(["audit", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let out = vanthu(&db, None).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert!(report["report"]["audit"]["error"].is_object(), "{report}");

    // Restore from the verified backup; then damage a stored file.
    let restored = run_json(vanthu(&db, None).arg("restore").arg("--from").arg(&backup));
    assert_eq!(restored["manifest"]["documents"], 3);
    assert_eq!(run_json(vanthu(&db, None).arg("check"))["ok"], true);
    let files = dir.path().join("r.files/sha256");
    let stored = std::fs::read_dir(&files)
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .next()
        .unwrap()
        .unwrap()
        .path();
    make_writable(&stored);
    std::fs::write(&stored, b"%PDF-1.4 altered").unwrap();
    let out = vanthu(&db, None).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["report"]["files"][0]["state"], "altered");
}

#[test]
fn a_damaged_backup_is_refused_and_a_newer_database_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite3");
    init(&db);
    let backup = dir.path().join("backup");
    run_json(vanthu(&db, None).arg("backup").arg("--to").arg(&backup));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], "vanthu-backup/1");
    // Damage the backed-up database: restore refuses, the register is untouched.
    let copy = backup.join("register.sqlite3");
    let mut bytes = std::fs::read(&copy).unwrap();
    let last = bytes.len() - 10;
    bytes[last] ^= 0xFF;
    std::fs::write(&copy, bytes).unwrap();
    let out = vanthu(&db, None).arg("restore").arg("--from").arg(&backup).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("sao lưu không hợp lệ"), "{}", stderr(&out));
    assert_eq!(run_json(vanthu(&db, None).arg("check"))["ok"], true);

    Connection::open(&db).unwrap().pragma_update(None, "user_version", 999).unwrap();
    let out = vanthu(&db, None).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("phiên bản 999"), "{}", stderr(&out));
}

/// A register set up with accounts is closed: every command signs in, the role decides, and the
/// leader's assignment and the specialist's progress reach the printed handling register.
#[test]
fn accounts_close_the_register_and_roles_decide() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite3");
    let now = "2026-11-16T09:00:00+07:00";
    let as_user = |user: &str, password: &str| {
        let mut cmd = vanthu(&db, Some(now));
        cmd.args(["--user", user]).env("VANTHU_PASSWORD", password);
        cmd
    };
    run_json(
        vanthu(&db, Some(now))
            .args([
                "setup",
                "--org-id",
                "000.00.12.H24",
                "--org-name",
                "Ủy ban nhân dân xã Tả Phìn",
                "--org-abbr",
                "UBND",
            ])
            .args([
                "--unit",
                "VP=Văn phòng",
                "--unit",
                "TC=Ban Tài chính",
                "--admin",
                "quantri",
                "--admin-name",
                "Nguyễn Văn Quản",
            ])
            .env("VANTHU_NEW_PASSWORD", "quantri2026"),
    );
    // Nobody signed in: refused with exit 6, nothing shown.
    let out = vanthu(&db, Some(now)).args(["list", "incoming"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("--user"), "{}", stderr(&out));
    let out = as_user("quantri", "sai-mat-khau-9").args(["list", "incoming"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(stderr(&out).contains("Còn 4 lần thử"), "{}", stderr(&out));
    for (user, role, unit) in
        [("vanthu", "clerk", None), ("lanhdao", "leader", None), ("chuyenvien", "specialist", Some("VP"))]
    {
        let mut cmd = as_user("quantri", "quantri2026");
        cmd.args(["user", "add", "--username", user, "--full-name", &format!("Người {user}"), "--role", role]);
        if let Some(u) = unit {
            cmd.args(["--unit", u]);
        }
        run_json(cmd.env("VANTHU_NEW_PASSWORD", "tamthoi123"));
        // The first password must be changed before any work.
        let out = as_user(user, "tamthoi123").args(["list", "incoming"]).output().unwrap();
        assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
        run_json(as_user(user, "tamthoi123").arg("password").env("VANTHU_NEW_PASSWORD", format!("{user}2026x")));
    }
    let file = pdf(dir.path(), "cv.pdf");
    let registered = run_json(
        as_user("vanthu", "vanthu2026x")
            .args(["incoming", "add", "--from", "Sở Tài chính", "--number", "45/BC-STC", "--type", "Báo cáo"])
            .args(["--subject", "Tình hình thực hiện dự toán ngân sách quý III", "--file"])
            .arg(&file),
    );
    let id = registered["id"].as_str().unwrap().to_owned();
    // A clerk cannot assign, a leader cannot register.
    let out = as_user("vanthu", "vanthu2026x").args(["assign", &id, "--lead", "user:chuyenvien"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(stderr(&out).contains("Chỉ lãnh đạo"), "{}", stderr(&out));
    let out = as_user("lanhdao", "lanhdao2026x")
        .args(["incoming", "add", "--from", "A", "--type", "Công văn", "--subject", "B", "--file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    let handling = run_json(
        as_user("lanhdao", "lanhdao2026x")
            .args(["assign", &id, "--lead", "user:chuyenvien", "--co", "unit:TC", "--days", "3"])
            .args(["--directions", "Tổng hợp, báo cáo trước thứ Năm"]),
    );
    assert_eq!(handling["deadline"], "2026-11-19T17:00:00+07:00");
    run_json(as_user("chuyenvien", "chuyenvien2026x").args([
        "progress",
        &id,
        "--status",
        "done",
        "--note",
        "Đã báo cáo",
    ]));
    let printed = run_json(as_user("vanthu", "vanthu2026x").args([
        "print",
        "--book",
        "handling",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
    ]));
    let pdf_path = printed["path"].as_str().unwrap();
    let text = std::process::Command::new("pdftotext").args(["-layout", pdf_path, "-"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    for needle in [
        "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
        "45/BC-STC",
        "Người chuyenvien",
        "Đã giải quyết",
        "In từ hệ thống Vanthu",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the printed register:\n{text}");
    }
}
