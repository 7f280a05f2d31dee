//! Signing with the organisation's token and verifying, through the CLI, judged by independent
//! oracles: pyHanko, poppler's pdfsig (NSS), qpdf. The token is SoftHSM2 with a test PKI made for
//! the run (`vanthu-testkit`); the timestamp authority is `openssl ts` on loopback.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use vanthu_testkit::oracles::{self, pdfsig, pyhanko_validate, qpdf_check};
use vanthu_testkit::pki::{PIN, Pki, SOFTHSM_MODULE, TOKEN_LABEL, Tsa};

use crate::support::{init_register, run_json, vanthu, vanthu_bin};

/// `vanthu sign` on the PKI's token, the PIN on standard input.
fn sign(pki: &Pki, db: Option<&Path>, input: &Path, output: &Path, key: &str, pin: &str, extra: &[&str]) -> Output {
    let mut command = pki.command(vanthu_bin());
    if let Some(db) = db {
        command.arg("--db").arg(db);
    } else {
        command.arg("--db").arg(pki.path("no-register.db"));
    }
    command
        .args(["--json", "sign", "--in"])
        .arg(input)
        .arg("--out")
        .arg(output)
        .args(["--module", SOFTHSM_MODULE, "--key-label", key, "--pin-stdin"])
        .args(if extra.contains(&"--token-label") { &[][..] } else { &["--token-label", TOKEN_LABEL][..] })
        .args(extra)
        .env_remove("VANTHU_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("vanthu starts");
    writeln!(child.stdin.take().expect("stdin"), "{pin}").expect("PIN written");
    child.wait_with_output().expect("vanthu ends")
}

fn ok(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

/// `vanthu verify --json` trusting the PKI's root, with its CRLs; (exit code, report).
fn verify(pki: &Pki, db: Option<&Path>, file: &Path) -> (i32, serde_json::Value) {
    let mut command = Command::new(vanthu_bin());
    match db {
        Some(db) => command.arg("--db").arg(db),
        None => command.arg("--db").arg(pki.path("no-register.db")),
    };
    command.args(["--json", "verify"]).arg(file).env_remove("VANTHU_DB");
    if db.is_none() {
        command.arg("--trust").arg(pki.root()).arg("--intermediate").arg(pki.path("sub.pem"));
        for crl in pki.crls() {
            command.arg("--crl").arg(crl);
        }
    }
    let out = command.output().expect("vanthu verify");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap_or(-1), report)
}

/// A one-page PDF/A-1b of our own (the separator sheet) to sign.
pub(crate) fn base_pdf(dir: &Path) -> PathBuf {
    let base = dir.join("base.pdf");
    run_json(Command::new(vanthu_bin()).args(["--json", "separator-sheet", "--out"]).arg(&base));
    base
}

/// A red round seal, transparent outside the ring, 425 px at 300 dpi (36 mm), made by ImageMagick,
/// written as `dir/name`.
pub(crate) fn seal_png(dir: &Path, name: &str) -> PathBuf {
    let seal = dir.join(name);
    let status = Command::new("convert")
        .args(["-size", "425x425", "xc:none", "-fill", "none", "-stroke", "rgb(220,0,0)", "-strokewidth", "14"])
        .args(["-draw", "circle 212,212 212,14", "-stroke", "none", "-fill", "rgb(220,0,0)"])
        .args(["-draw", "circle 212,212 212,190", "-units", "PixelsPerInch", "-density", "300"])
        .arg(format!("PNG32:{}", seal.display()))
        .status()
        .expect("ImageMagick convert");
    assert!(status.success());
    seal
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").args(["-layout"]).arg(pdf).arg("-").output().expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn field<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["signatures"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["field"] == name))
        .unwrap_or_else(|| panic!("no signature {name} in {report}"))
}

#[test]
fn an_issued_document_sealed_after_the_signer_keeps_both_signatures_valid() {
    let pki = Pki::new();
    let dir = pki.dir();
    let base = base_pdf(dir);
    // The competent person signs first, with pyHanko, a visible signature on page 1.
    let signed_by_person = dir.join("person.pdf");
    oracles::pyhanko_sign_visible(&pki, &base, &signed_by_person, "1/330,150,500,210/Sig1", "person");
    let seal = seal_png(dir, "seal.png");

    let sealed = dir.join("sealed.pdf");
    let out = sign(
        &pki,
        None,
        &signed_by_person,
        &sealed,
        "org-rsa",
        PIN,
        &[
            "--profile",
            "issued",
            "--number",
            "15",
            "--date",
            "2026-03-05",
            "--seal",
            seal.to_str().expect("utf-8"),
            "--organisation",
            "UBND xã Tân Phú",
        ],
    );
    let signed = ok(&out);
    assert_eq!(signed["field"], "Sig2");
    assert!(signed["signer"].as_str().expect("signer").contains("UBND xã Tân Phú"), "{signed}");

    // Appended, never rewritten.
    let before = std::fs::read(&signed_by_person).expect("read");
    let after = std::fs::read(&sealed).expect("read");
    assert!(after.len() > before.len() && after.starts_with(&before), "the signed bytes are a prefix");
    qpdf_check(&sealed).expect("qpdf --check");

    // pyHanko: the seal untouched and trusted; the person's signature intact, trusted, and what came
    // after it is only form filling (a signature with its widgets).
    let hanko = pyhanko_validate(&pki, &sealed);
    assert_eq!(hanko.len(), 2, "{hanko:?}");
    assert_eq!(hanko[1]["summary"], "INTACT:TRUSTED,UNTOUCHED", "{hanko:?}");
    assert_eq!(hanko[0]["intact"], true, "{hanko:?}");
    assert_eq!(hanko[0]["trusted"], true, "{hanko:?}");
    assert_eq!(hanko[0]["bottom_line"], true, "{hanko:?}");
    assert_eq!(hanko[0]["modification_level"], "FORM_FILLING", "{hanko:?}");

    // pdfsig (NSS): both valid and trusted, the seal covers the whole document. poppler 22.12 lists
    // a signature once per widget (the seal's field has three: seal, number, date) and validates it
    // again for each, where NSS reports "Unknown issue with Certificate" after the first: the first
    // entry of each field is the verdict.
    let poppler = pdfsig(&pki, &sealed);
    assert!(poppler.iter().all(|s| s.valid), "every entry: Signature is Valid. {poppler:?}");
    let first = |name: &str| poppler.iter().find(|s| s.field == name).unwrap_or_else(|| panic!("{name}: {poppler:?}"));
    assert!(first("Sig1").trusted && !first("Sig1").whole_document, "{poppler:?}");
    assert!(first("Sig2").trusted && first("Sig2").whole_document, "{poppler:?}");

    // The number and date are on page 1 as text.
    let text = pdftotext(&sealed);
    assert!(text.contains("ngày 05 tháng 3 năm 2026"), "{text}");

    // Our own verdict agrees.
    let (code, report) = verify(&pki, None, &sealed);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["verdict"], "valid");
    let person = field(&report, "Sig1");
    assert_eq!(person["verdict"], "valid", "{person}");
    assert_eq!(person["covers_whole_file"], false);
    assert!(person["modifications"].as_array().expect("list").iter().all(|m| m.as_str().is_some()));
    let seal = field(&report, "Sig2");
    assert_eq!(seal["intact"], true);
    assert_eq!(seal["trusted"], true);
    assert_eq!(seal["covers_whole_file"], true);
    assert_eq!(seal["subfilter"], "ETSI.CAdES.detached");
}

#[test]
fn copies_are_signed_with_every_key_type_and_a_timestamp_when_reachable() {
    let pki = Pki::new();
    let dir = pki.dir();
    let base = base_pdf(dir);
    let tsa = Tsa::start(&pki);
    for (key, extra) in [("org-rsa", vec![]), ("org-pss", vec!["--rsa-pss"]), ("org-ec", vec![])] {
        let out_path = dir.join(format!("copy-{key}.pdf"));
        let mut args = vec!["--profile", "copy", "--organisation", "UBND xã Tân Phú"];
        let url = tsa.url();
        if key == "org-rsa" {
            args.extend(["--tsa", url.as_str()]);
        }
        args.extend(extra.iter().copied());
        let signed = ok(&sign(&pki, None, &base, &out_path, key, PIN, &args));
        if key == "org-rsa" {
            assert!(signed["timestamp_at"].is_string(), "B-T expected: {signed}");
        }
        qpdf_check(&out_path).expect("qpdf --check");
        let hanko = pyhanko_validate(&pki, &out_path);
        let expected = if key == "org-rsa" {
            "INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>,UNTOUCHED"
        } else {
            "INTACT:TRUSTED,UNTOUCHED"
        };
        assert_eq!(hanko[0]["summary"], expected, "{key}: {hanko:?}");
        let poppler = pdfsig(&pki, &out_path);
        assert!(poppler[0].valid && poppler[0].trusted && poppler[0].whole_document, "{key}: {poppler:?}");
        let text = pdftotext(&out_path);
        assert!(text.contains("SAO Y") && text.contains("UBND xã Tân Phú"), "{key}: {text}");
        assert!(text.contains("+07:00"), "the signing time in ISO 8601 with the Vietnam offset: {text}");
        let (code, report) = verify(&pki, None, &out_path);
        assert_eq!(code, 0, "{key}: {report}");
        let only = &report["signatures"][0];
        if key == "org-rsa" {
            assert_eq!(only["time_source"], "timestamp", "{only}");
        }
    }

    // The timestamp authority unreachable: signed B-B all the same, and said so.
    let offline = dir.join("copy-offline.pdf");
    let signed =
        ok(&sign(&pki, None, &base, &offline, "org-rsa", PIN, &["--profile", "copy", "--tsa", "http://127.0.0.1:9/"]));
    assert!(signed["timestamp_at"].is_null() && signed["timestamp_error"].is_string(), "{signed}");
    assert_eq!(pyhanko_validate(&pki, &offline)[0]["summary"], "INTACT:TRUSTED,UNTOUCHED");
}

#[test]
fn a_wrong_pin_a_missing_token_or_an_expired_certificate_write_nothing() {
    let pki = Pki::new();
    let dir = pki.dir();
    let base = base_pdf(dir);
    let out_path = dir.join("never.pdf");
    let cases: [(&str, &str, Vec<&str>, &str); 3] = [
        ("org-rsa", "9999", vec![], "Mã PIN không đúng"),
        ("expired", PIN, vec![], "đã hết hạn"),
        ("org-rsa", PIN, vec!["--token-label", "KhongCo"], "Không tìm thấy thiết bị ký số"),
    ];
    for (key, pin, extra, expected) in cases {
        let mut args = vec!["--profile", "copy"];
        args.extend(extra.iter().copied());
        let out = sign(&pki, None, &base, &out_path, key, pin, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{key}/{pin} must fail");
        assert!(stderr.contains(expected), "{key}: expected «{expected}» in: {stderr}");
        assert!(!stderr.contains(PIN) || pin != PIN, "the PIN is never echoed: {stderr}");
        assert!(!out_path.exists(), "nothing written after: {stderr}");
    }
}

#[test]
fn an_electronic_arrival_is_verified_before_it_is_registered() {
    let pki = Pki::new();
    let dir = pki.dir();
    let db = dir.join("so.db");
    init_register(&db);
    // The organisation trusts the root and, as the government CA's bundle does, its issuing CA.
    run_json(vanthu(&db, None).args(["trust", "add"]).arg(pki.root()));
    run_json(vanthu(&db, None).args(["trust", "add"]).arg(pki.path("sub.pem")));
    for crl in pki.crls() {
        run_json(vanthu(&db, None).args(["trust", "crl"]).arg(crl));
    }
    let base = base_pdf(dir);
    let good = dir.join("good.pdf");
    oracles::pyhanko_sign(&pki, &base, &good, "Sig1", "org-rsa", true);
    let rogue = dir.join("rogue.pdf");
    oracles::pyhanko_sign(&pki, &base, &rogue, "Sig1", "rogue", true);
    let add = |file: &Path, extra: &[&str]| {
        let number = format!("{}/SNV-VP", file.file_stem().map(|s| s.len()).unwrap_or(0) + extra.len());
        vanthu(&db, None)
            .args(["incoming", "add", "--from", "Sở Nội vụ", "--number", &number, "--type", "Công văn"])
            .args(["--subject", "Về việc kiểm tra công tác văn thư", "--channel", "electronic", "--file"])
            .arg(file)
            .args(extra)
            .output()
            .expect("vanthu")
    };
    // Valid and trusted: registered, the verdict kept with the record.
    let registered = ok(&add(&good, &[]));
    let id = registered["id"].as_str().expect("id").to_owned();
    // Untrusted: refused with the reason, exit 7, nothing registered.
    let refused = add(&rogue, &[]);
    assert_eq!(refused.status.code(), Some(7), "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("Chữ ký số"));
    // Registered anyway only with a reason, and the override is in the audit log.
    let overridden = ok(&add(&rogue, &["--override-signature", "Đã xác minh qua điện thoại với Sở Nội vụ"]));
    let conn = rusqlite::Connection::open(&db).expect("db");
    let verdicts: Vec<(String, Option<String>)> = conn
        .prepare("SELECT verdict, override_reason FROM signature_verdict ORDER BY id")
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        verdicts,
        [
            ("valid".to_string(), None),
            ("indeterminate".to_string(), Some("Đã xác minh qua điện thoại với Sở Nội vụ".to_string()))
        ]
    );
    let kept: i64 =
        conn.query_row("SELECT count(*) FROM verdict_certificate", [], |r| r.get(0)).expect("certificates kept");
    assert!(kept >= 2, "the signers' certificates are kept with the verdicts");
    let override_audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'signature.override' AND entity_id = ?1",
            [overridden["id"].as_str().expect("id")],
            |r| r.get(0),
        )
        .expect("audit");
    assert_eq!(override_audited, 1);
    assert_ne!(id, overridden["id"].as_str().expect("id"));

    // The organisation seals a copy of the registered document: the use of the key is audited.
    let copy = dir.join("copy.pdf");
    ok(&sign(&pki, Some(&db), &good, &copy, "org-ec", PIN, &["--profile", "copy"]));
    let uses: Vec<(String, String)> = conn
        .prepare("SELECT entity_id, new_json FROM audit_log WHERE action = 'key.sign'")
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(uses.len(), 1);
    assert_eq!(uses[0].0, id, "logged against the document the file belongs to");
    assert!(uses[0].1.contains("certificate_sha256") && uses[0].1.contains("\"profile\":\"copy\""), "{}", uses[0].1);
    // The register's own trust verifies it, and `check` stays whole.
    let (code, report) = verify(&pki, Some(&db), &copy);
    assert_eq!(code, 0, "{report}");
    run_json(vanthu(&db, None).arg("check"));
}

#[test]
fn a_signature_made_offline_gets_its_timestamp_when_the_link_returns() {
    let pki = Pki::new();
    let dir = pki.dir();
    let db = dir.join("so.db");
    init_register(&db);
    run_json(vanthu(&db, None).args(["trust", "add"]).arg(pki.root()));
    let base = base_pdf(dir);
    // Offline: the authority does not answer; the file is signed B-B and the upgrade queued.
    let offline = dir.join("offline.pdf");
    let signed = ok(&sign(
        &pki,
        Some(&db),
        &base,
        &offline,
        "org-rsa",
        PIN,
        &["--profile", "copy", "--tsa", "http://127.0.0.1:9/"],
    ));
    assert!(signed["timestamp_error"].is_string(), "{signed}");
    let conn = rusqlite::Connection::open(&db).expect("db");
    let queued: i64 =
        conn.query_row("SELECT count(*) FROM timestamp_queue WHERE done_at IS NULL", [], |r| r.get(0)).expect("queue");
    assert_eq!(queued, 1);
    // Still offline: the run fails softly and the upgrade stays queued.
    let run = run_json(vanthu(&db, None).args(["timestamps", "--tsa", "http://127.0.0.1:9/"]));
    assert_eq!((run["done"].as_u64(), run["waiting"].as_u64()), (Some(0), Some(1)), "{run}");
    // The link is back: a document timestamp is appended, the signed bytes stay the prefix.
    let tsa = Tsa::start(&pki);
    let run = run_json(vanthu(&db, None).args(["timestamps", "--tsa"]).arg(tsa.url()));
    assert_eq!((run["done"].as_u64(), run["waiting"].as_u64()), (Some(1), Some(0)), "{run}");
    let (signed_sha, upgraded_sha): (String, String) = conn
        .query_row(
            "SELECT s.sha256, q.result_sha256 FROM timestamp_queue q JOIN signed_copy s ON s.id = q.signed_copy_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("upgraded");
    let store = dir.join("so.files").join("sha256");
    let path_of = |sha: &str| store.join(&sha[..2]).join(sha);
    let before = std::fs::read(path_of(&signed_sha)).expect("signed file");
    let after = std::fs::read(path_of(&upgraded_sha)).expect("upgraded file");
    assert!(after.len() > before.len() && after.starts_with(&before));
    let upgraded = dir.join("upgraded.pdf");
    std::fs::write(&upgraded, &after).expect("copy out");
    qpdf_check(&upgraded).expect("qpdf --check");
    let hanko = pyhanko_validate(&pki, &upgraded);
    assert_eq!(hanko.len(), 2, "the signature and the document timestamp: {hanko:?}");
    assert!(hanko.iter().all(|h| h["intact"] == true && h["trusted"] == true), "{hanko:?}");
    let (code, report) = verify(&pki, None, &upgraded);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["signatures"][1]["subfilter"], "ETSI.RFC3161");
    let audited: i64 = conn
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'key.timestamp_upgrade'", [], |r| r.get(0))
        .expect("audit");
    assert_eq!(audited, 1);
}
