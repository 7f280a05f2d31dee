//! Signing in a real window, the "done when": a clerk seals an outgoing document and a copy
//! with the organisation's token from the app, and every incoming signed PDF shows its verdict before
//! it is registered.
//!
//! The token is SoftHSM2 holding a test PKI made for the run (`vanthu-testkit`). The app opens it
//! through `SOFTHSM2_CONF`, which it inherits from tauri-driver: `cargo xtask test` starts the driver
//! with `SOFTHSM2_CONF=<target>/e2e/softhsm2.conf` and tells this test the same path in
//! `VANTHU_E2E_SOFTHSM2_CONF`; the test writes the PKI's configuration there before the app opens the
//! token. The app runs on the real clock (the PKI's certificates are valid from a month ago).
//!
//! What is proved: the administrator sets the register up (first run), imports the root and the CRLs,
//! saves the token preferences and the seal in "Quản trị › Chữ ký số", creates the clerk; the clerk
//! registers an outgoing document already signed by the competent person and seals it from its detail
//! (a wrong PIN first: refused, the field emptied), the sealed file judged by pyHanko (both signatures
//! intact and trusted); an electronic arrival signed under a rogue CA shows "Chưa xác định được" and is
//! registered only with a reason, kept in its detail; a valid one shows "Hợp lệ", registers at once, and
//! is signed as a copy ("Ký sao y"), which pyHanko also accepts.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use vanthu_testkit::oracles::{self, pyhanko_sign_ec, pyhanko_validate, qpdf_check};
use vanthu_testkit::pki::{PIN, Pki, SOFTHSM_MODULE, TOKEN_LABEL, Tsa};

use crate::desktop::{Session, one_window};
use crate::desktop_desk::{ALT, Desktop, ENTER, PASSWORD, RELEASE, TAB, app};
use crate::signing::{base_pdf, seal_png};
use crate::support;

const CTRL: &str = "\u{E009}";
const ESCAPE: &str = "\u{E00C}";
const TEMPORARY: &str = "TamThoi2026";
const OVERRIDE: &str = "Đã xác minh qua điện thoại với Sở Nội vụ";
/// A timestamp authority nobody answers at: the office is offline.
const OFFLINE_TSA: &str = "http://127.0.0.1:9/";

/// Where the register keeps a stored file (`so.db` → `so.files/sha256/ab/abcd…`).
fn stored(db: &Path, sha256: &str) -> PathBuf {
    db.with_extension("files").join("sha256").join(&sha256[..2]).join(sha256)
}

/// The stored file of the newest signed copy listed in the open detail.
fn last_signed_copy(session: &Session, profile: &str) -> String {
    session.wait_for(&format!("[data-testid=signed-copy][data-profile={profile}]"));
    let sha = session.execute(&format!(
        "const all = document.querySelectorAll('[data-testid=detail-dialog] [data-testid=signed-copy][data-profile={profile}]');\
         return all.length ? all[all.length - 1].dataset.sha256 : '';"
    ));
    sha.as_str().unwrap_or_default().to_owned()
}

/// Chooses the channel of the incoming form like a clerk at the keyboard would (the select fires
/// `change`).
fn choose_channel(session: &Session, value: &str) {
    session.execute(&format!(
        "const s = document.querySelector('[data-testid=in-channel]'); s.value = '{value}';\
         s.dispatchEvent(new Event('change', {{bubbles: true}}));"
    ));
}

/// Opens the incoming form and types the App. VI fields (issuer, number, date, type, subject).
fn fill_incoming(session: &Session, number: &str, subject: &str) {
    session.keys(&format!("{ALT}d{RELEASE}"));
    session.wait_for("[data-testid=register-list]");
    session.keys(&format!("{ALT}n{RELEASE}"));
    session.wait_for("[data-testid=incoming-form]");
    session.keys("Sở Nội vụ tỉnh Lào Cai");
    for text in [number, "20/11/2026", "Công văn", subject] {
        session.keys(TAB);
        session.keys(text);
    }
}

/// Types the file's path and leaves the field: the form reads it and, for an electronic arrival,
/// verifies its signatures.
fn pick_file(session: &Session, pdf: &Path) {
    session.type_into("[data-testid=in-file]", &pdf.display().to_string());
    session.keys(TAB);
}

/// Signs from the open detail with the dialog; returns the result panel's text.
fn sign_in_dialog(session: &Session, button: &str, pin: &str) -> String {
    session.click(&format!("[data-testid={button}]"));
    session.wait_for("[data-testid=sign-dialog]");
    // The token and the key come from the saved preferences; the focus is on the PIN.
    session.wait_value("[data-testid=sign-token]", |v| v == TOKEN_LABEL);
    assert_eq!(session.wait_value("[data-testid=sign-key]", |v| !v.is_empty()), "org-rsa");
    assert_eq!(session.wait_value("[data-testid=sign-tsa]", |v| !v.is_empty()), OFFLINE_TSA);
    assert_eq!(session.active_testid(), "sign-pin");
    session.keys(&format!("{pin}{ENTER}"));
    session.wait_js("[data-testid=sign-result]", |t| t.contains("Đã ký số"))
}

#[test]
fn a_clerk_seals_outgoing_and_copies_and_sees_every_arrivals_verdict() {
    let conf =
        PathBuf::from(std::env::var("VANTHU_E2E_SOFTHSM2_CONF").expect(
            "VANTHU_E2E_SOFTHSM2_CONF names the SOFTHSM2_CONF tauri-driver was started with (cargo xtask test)",
        ));
    let _window = one_window();
    let pki = Pki::new();
    std::fs::create_dir_all(conf.parent().expect("a folder")).expect("the e2e folder");
    std::fs::copy(pki.softhsm_conf(), &conf).expect("the token's configuration for the app");

    // The files of the scenario: the competent person's signed draft, an arrival signed under a CA
    // nobody trusts, and one signed by a trusted organisation (ECDSA), all made with pyHanko.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let base = base_pdf(dir.path());
    let person = dir.path().join("quyet-dinh-da-ky.pdf");
    oracles::pyhanko_sign_visible(&pki, &base, &person, "1/330,150,500,210/Sig1", "person");
    let rogue = dir.path().join("cong-van-khong-ro-nguon.pdf");
    oracles::pyhanko_sign(&pki, &base, &rogue, "Sig1", "rogue", true);
    let good = dir.path().join("cong-van-hop-le.pdf");
    pyhanko_sign_ec(&pki, &base, &good, "org-ec");
    let seal = seal_png(dir.path(), "con-dau.png");
    let db = dir.path().join("so.db");

    let session = Session::start_at(&app(), &db, None);

    // First run: the organisation, a unit and the administrator.
    session.type_into("[data-testid=org-name]", "Ủy ban nhân dân xã Tân Phú");
    session.type_into("[data-testid=org-id]", "000.00.12.H24");
    session.type_into("[data-testid=org-abbr]", "UBND");
    session.type_into("[data-testid=unit-abbr-0]", "VP");
    session.type_into("[data-testid=unit-name-0]", "Văn phòng");
    session.type_into("[data-testid=admin-username]", "quantri");
    session.type_into("[data-testid=admin-fullname]", "Lê Văn Quản");
    session.type_into("[data-testid=admin-password]", PASSWORD);
    session.type_into("[data-testid=admin-password2]", PASSWORD);
    session.click("[data-testid=setup-submit]");
    assert_eq!(session.wait_js("[data-testid=user-name]", |t| !t.is_empty()), "Lê Văn Quản");

    // Quản trị › Chữ ký số: the trust anchor, the CRLs, the token (never the PIN), the seal.
    session.click("[data-testid=nav-admin]");
    session.click("[data-testid=admin-tab-signing]");
    session.type_into("[data-testid=anchor-file]", &pki.root().display().to_string());
    session.click("[data-testid=anchor-import]");
    session.wait_js("[data-testid=anchor-msg]", |t| t.contains("Đã nhập 1 chứng thư gốc"));
    assert_eq!(session.texts("[data-testid=anchor-row]").len(), 1);
    for crl in pki.crls() {
        session.clear("[data-testid=crl-file]");
        session.type_into("[data-testid=crl-file]", &crl.display().to_string());
        session.send_keys("[data-testid=crl-file]", ENTER);
        session.wait_js("[data-testid=crl-msg]", |t| t.contains("Đã nhập danh sách thu hồi"));
        session.execute("document.querySelector('[data-testid=crl-msg]').textContent = '';");
    }
    let crls = session.wait_js("[data-testid=crls]", |t| t.matches("Nhập từ tệp").count() == 2);
    assert!(!crls.contains("Chưa có"), "{crls}");
    session.type_into("[data-testid=tok-module]", SOFTHSM_MODULE);
    session.type_into("[data-testid=tok-token]", TOKEN_LABEL);
    session.type_into("[data-testid=tok-key]", "org-rsa");
    session.type_into("[data-testid=tok-tsa]", OFFLINE_TSA);
    session.click("[data-testid=tok-save]");
    let saved = session.wait_js("[data-testid=tok-msg]", |t| t.contains("Đã lưu"));
    assert!(saved.contains("thiết lập token"), "{saved}");
    session.type_into("[data-testid=seal-file]", &seal.display().to_string());
    session.click("[data-testid=seal-save]");
    let size = session.wait_js("[data-testid=seal-msg]", |t| !t.is_empty());
    assert!(size.contains("36.0 × 36.0 mm"), "the seal at its real size, from the PNG's resolution: {size}");
    session.wait_for("[data-testid=seal-image]");
    session.shot("signing-settings.png");

    // The clerk's account; the clerk signs in and changes the initial password.
    session.click("[data-testid=admin-tab-users]");
    session.type_into("[data-testid=new-user-username]", "vanthu");
    session.type_into("[data-testid=new-user-fullname]", "Đỗ Thị Văn Thư");
    session.type_into("[data-testid=new-user-password]", TEMPORARY);
    session.click("[data-testid=new-user-submit]");
    session.wait_js("[data-testid=users-table]", |t| t.contains("Đỗ Thị Văn Thư"));
    session.click("[data-testid=sign-out]");
    session.wait_for("[data-testid=signin-username]");
    session.type_into("[data-testid=signin-username]", "vanthu");
    session.send_keys("[data-testid=signin-password]", &format!("{TEMPORARY}{ENTER}"));
    session.wait_for("[data-testid=pw-form]");
    session.type_into("[data-testid=pw-old]", TEMPORARY);
    session.type_into("[data-testid=pw-new]", PASSWORD);
    session.send_keys("[data-testid=pw-again]", &format!("{PASSWORD}{ENTER}"));
    assert_eq!(session.wait_js("[data-testid=user-name]", |t| !t.is_empty()), "Đỗ Thị Văn Thư");

    // An outgoing decision, signed by the chairman (the PDF), registered: its number is fixed now.
    session.click("[data-testid=nav-outgoing]");
    session.click("[data-testid=new-document]");
    session.wait_for("[data-testid=outgoing-form]");
    session.type_into("[data-testid=out-type]", "Quyết định");
    session.type_into("[data-testid=out-subject]", "Ban hành Quy chế công tác văn thư, lưu trữ");
    session.type_into("[data-testid=out-signer]", "Đặng Xuân Phong");
    session.type_into("[data-testid=out-position]", "Chủ tịch");
    session.type_into("[data-testid=out-rcp-name-0]", "Các phòng, ban thuộc UBND xã");
    session.type_into("[data-testid=out-file]", &person.display().to_string());
    session.send_keys("[data-testid=out-file]", TAB);
    session.send_keys("[data-testid=out-subject]", &format!("{CTRL}{ENTER}{RELEASE}"));
    let code = session.wait_js("[data-testid=out-code]", |t| !t.is_empty());
    assert_eq!(code, "01/QĐ-UBND");
    session.click("[data-testid=out-open]");
    session.wait_for("[data-testid=detail-signatures]");
    session.wait_for("[data-testid=signed-none]");

    // "Ký số": a wrong PIN is refused by the token and the field is emptied; the right one seals.
    session.keys(&format!("{ALT}k{RELEASE}"));
    session.wait_for("[data-testid=sign-dialog]");
    session.wait_value("[data-testid=sign-token]", |v| v == TOKEN_LABEL);
    session.send_keys("[data-testid=sign-pin]", &format!("9999{ENTER}"));
    let refused = session.wait_js("[data-testid=sign-pin-error]", |t| !t.is_empty());
    assert!(refused.contains("PIN"), "{refused}");
    assert_eq!(session.wait_value("[data-testid=sign-pin]", |_| true), "", "the PIN is not kept in the page");
    assert_eq!(session.active_testid(), "sign-pin");
    session.keys(ESCAPE);
    session.wait_gone("[data-testid=sign-dialog]");
    let result = sign_in_dialog(&session, "sign-issued", PIN);
    assert!(session.read("[data-testid=sign-signer]").contains("Tân Phú"), "{result}");
    assert!(
        session.read("[data-testid=sign-timestamp]").contains("chưa có dấu thời gian, sẽ bổ sung khi có mạng"),
        "{result}"
    );
    assert_eq!(session.texts("[data-testid=sign-dialog] [data-testid=signed-copy]").len(), 1);
    session.shot("signing-sealed.png");
    session.keys(ENTER);
    session.wait_gone("[data-testid=sign-dialog]");
    let sealed_sha = last_signed_copy(&session, "issued");
    let sealed = stored(&db, &sealed_sha);
    assert!(sealed.is_file(), "{}", sealed.display());
    let history = session.read("[data-testid=detail-history]");
    assert!(history.contains("Ký số bằng khóa của cơ quan"), "the use of the key is in the history: {history}");
    session.keys(ESCAPE);
    session.wait_gone("[data-testid=detail-dialog]");

    // The sealed file, judged by pyHanko: the chairman's signature intact and trusted, followed only by
    // form filling (our signature and its widgets); ours intact, trusted, covering the whole file.
    qpdf_check(&sealed).expect("qpdf --check");
    let hanko = pyhanko_validate(&pki, &sealed);
    assert_eq!(hanko.len(), 2, "{hanko:?}");
    assert_eq!(hanko[0]["intact"], true, "{hanko:?}");
    assert_eq!(hanko[0]["trusted"], true, "{hanko:?}");
    assert_eq!(hanko[0]["modification_level"], "FORM_FILLING", "{hanko:?}");
    assert_eq!(hanko[1]["summary"], "INTACT:TRUSTED,UNTOUCHED", "{hanko:?}");
    let original = std::fs::read(&person).expect("read");
    let after = std::fs::read(&sealed).expect("read");
    assert!(after.starts_with(&original) && after.len() > original.len(), "appended, never rewritten");

    // An electronic arrival signed under a CA nobody trusts: its verdict shows before saving.
    fill_incoming(&session, "12/SNV-VP", "Về việc kiểm tra công tác văn thư năm 2026");
    choose_channel(&session, "electronic");
    pick_file(&session, &rogue);
    assert_eq!(session.wait_js("[data-testid=sig-verdict]", |t| !t.is_empty()), "Chưa xác định được");
    assert_eq!(session.read("[data-testid=sig-integrity]"), "Toàn vẹn");
    assert_eq!(session.read("[data-testid=sig-trust]"), "Không xác định được");
    assert_eq!(session.read("[data-testid=sig-coverage]"), "Toàn bộ tệp");
    assert_eq!(session.read("[data-testid=sig-item-verdict]"), "Chưa xác định được");
    assert!(!session.read("[data-testid=sig-reason]").is_empty());
    assert!(!session.read("[data-testid=sig-signer]").is_empty());
    let when = session.read("[data-testid=sig-time]");
    assert!(
        when.len() >= 16 && when.as_bytes()[2] == b'/' && when.as_bytes()[5] == b'/' && when.as_bytes()[13] == b':',
        "dd/mm/yyyy HH:MM: {when}"
    );
    session.shot("signing-verdict-indeterminate.png");

    // Saving is refused; "Đăng ký với lý do…" wants a reason; with one it registers.
    session.click("[data-testid=in-save]");
    let refusal = session.wait_js("[data-testid=sig-refusal-message]", |t| !t.is_empty());
    assert!(refusal.contains("Chữ ký số"), "{refusal}");
    assert_eq!(session.active_testid(), "sig-override");
    let none = support::run_json(
        support::vanthu(&db, None).args(["--user", "vanthu", "list", "incoming"]).env("VANTHU_PASSWORD", PASSWORD),
    );
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0), "nothing registered: {none}");
    session.keys(&format!("{ALT}l{RELEASE}"));
    assert_eq!(session.active_testid(), "sig-override-reason");
    session.keys(ENTER);
    assert_eq!(session.read("[data-testid=sig-override-reason-error]"), "Phải ghi lý do.");
    session.keys(&format!("{OVERRIDE}{ENTER}"));
    assert_eq!(session.wait_js("[data-testid=arrival-number]", |t| !t.is_empty()), "1");
    session.click("[data-testid=in-open]");
    let kept = session.wait_js("[data-testid=detail-verdict]", |t| t.contains("Chưa xác định được"));
    assert!(kept.contains("Không xác định được"), "{kept}");
    assert!(session.read("[data-testid=verdict-override]").contains(OVERRIDE));
    session.shot("signing-detail-override.png");
    session.keys(ESCAPE);
    session.wait_gone("[data-testid=detail-dialog]");

    // A valid arrival: "Hợp lệ", registered at once.
    fill_incoming(&session, "13/SNV-VP", "Về việc cử cán bộ tham gia tập huấn");
    choose_channel(&session, "electronic");
    pick_file(&session, &good);
    assert_eq!(session.wait_js("[data-testid=sig-verdict]", |t| !t.is_empty()), "Hợp lệ");
    assert_eq!(session.read("[data-testid=sig-trust]"), "Tin cậy");
    assert_eq!(session.read("[data-testid=sig-integrity]"), "Toàn vẹn");
    session.shot("signing-verdict-valid.png");
    session.click("[data-testid=in-save]");
    assert_eq!(session.wait_js("[data-testid=arrival-number]", |t| !t.is_empty()), "2");
    assert_eq!(session.read("[data-testid=registered-verdict]"), "Chữ ký số: Hợp lệ");

    // Its detail keeps the verdict; "Ký sao y" signs a copy of it with the organisation's key.
    session.click("[data-testid=in-open]");
    session.wait_js("[data-testid=detail-verdict]", |t| t.contains("Hợp lệ"));
    assert!(!session.exists("[data-testid=sign-issued]"), "an incoming document is only signed as a copy");
    let copied = sign_in_dialog(&session, "sign-copy", PIN);
    assert!(copied.contains("bản sao y"), "{copied}");
    session.keys(ENTER);
    session.wait_gone("[data-testid=sign-dialog]");
    let copy = stored(&db, &last_signed_copy(&session, "copy"));
    session.shot("signing-copy.png");
    let hanko = pyhanko_validate(&pki, &copy);
    assert_eq!(hanko.len(), 2, "{hanko:?}");
    assert_eq!(hanko[0]["intact"], true, "{hanko:?}");
    assert_eq!(hanko[0]["trusted"], true, "{hanko:?}");
    assert_eq!(hanko[1]["summary"], "INTACT:TRUSTED,UNTOUCHED", "{hanko:?}");
    let text = Command::new("pdftotext").arg(&copy).arg("-").output().expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("SAO Y") && text.contains("Tân Phú"), "{text}");
    session.keys(ESCAPE);
    session.wait_gone("[data-testid=detail-dialog]");

    // Back online: the clerk names a reachable authority in "Chữ ký số" and adds the timestamps owed
    // to both files signed offline.
    let tsa = Tsa::start(&pki);
    session.click("[data-testid=nav-signing]");
    session.wait_value("[data-testid=tok-tsa]", |v| v == OFFLINE_TSA);
    assert!(!session.exists("[data-testid=seal-form]"), "only an administrator replaces the seal");
    session.clear("[data-testid=tok-tsa]");
    session.send_keys("[data-testid=tok-tsa]", &format!("{}{ENTER}", tsa.url()));
    session.wait_js("[data-testid=tok-msg]", |t| t.contains("Đã lưu"));
    session.click("[data-testid=ts-upgrade]");
    assert_eq!(session.wait_js("[data-testid=ts-msg]", |t| !t.is_empty()), "Đã bổ sung 2 bản; còn chờ 0.");
    session.shot("signing-clerk-screen.png");

    // The register: two verdicts (one overridden), two uses of the key, each audited; check passes.
    let conn = rusqlite::Connection::open(&db).expect("the register");
    let verdicts: Vec<(String, Option<String>)> = conn
        .prepare("SELECT verdict, override_reason FROM signature_verdict ORDER BY id")
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(verdicts, [("indeterminate".to_owned(), Some(OVERRIDE.to_owned())), ("valid".to_owned(), None)]);
    let uses: Vec<String> = conn
        .prepare("SELECT profile FROM signed_copy ORDER BY id")
        .expect("sql")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(uses, ["issued", "copy"]);
    let audited: i64 =
        conn.query_row("SELECT count(*) FROM audit_log WHERE action = 'key.sign'", [], |r| r.get(0)).expect("audit");
    assert_eq!(audited, 2);
    let upgraded: Vec<String> = conn
        .prepare("SELECT result_sha256 FROM timestamp_queue WHERE done_at IS NOT NULL ORDER BY signed_copy_id")
        .expect("sql")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(upgraded.len(), 2, "both offline signatures got their timestamp");
    let stamped = std::fs::read(stored(&db, &upgraded[0])).expect("the sealed file with its timestamp");
    assert!(stamped.starts_with(&after), "the timestamp is appended to the sealed file");
    assert!(stamped.windows(12).any(|w| w == b"ETSI.RFC3161"), "a document timestamp");
    // The token preferences, when this machine has no Secret Service, are in the register: never a PIN.
    let token: Option<String> =
        conn.query_row("SELECT value FROM setting WHERE key = 'signing.token'", [], |r| r.get(0)).ok();
    if let Some(token) = token {
        let token: Value = serde_json::from_str(&token).expect("JSON");
        let mut keys: Vec<&str> = token.as_object().expect("an object").keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["key_label", "module", "token_label", "tsa_url"], "{token}");
    }
    let checked: Value = support::run_json(
        support::vanthu(&db, None).args(["--user", "quantri", "check"]).env("VANTHU_PASSWORD", PASSWORD),
    );
    assert_eq!(checked["ok"], true, "{checked}");
}
