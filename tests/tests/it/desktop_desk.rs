//! The clerk's desk in a real window: first-run setup, sign-in and lockout, registering by keyboard
//! alone, the duplicate warning, assignment and progress, outgoing numbering, case files and their
//! export, a register printed to PDF and read back, search without diacritics, and a clerk kept out of
//! the administration screens (not shown, and refused by the backend when called directly).
//!
//! Accounts are seeded through the façade (`vanthu_app::Desk`, in this process, closed before the app
//! starts); documents through the `vanthu` CLI with `--user` and `VANTHU_PASSWORD`, at the app's fixed
//! clock (`--now`). Each test starts the app once and keeps a screenshot in `target/e2e/<name>.png`.
//! Nothing sleeps for a fixed time: every wait polls with a timeout.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vanthu_app::{Clock, Desk, FirstRun, NewAccountInput, NewOrganisation, NewUnit, Role};

use crate::desktop::{ELEMENT_KEY, NOW, Session, WAIT, minimal_pdf, one_window, save_screenshot};
use crate::support;

pub(crate) const PASSWORD: &str = "MatKhau2026";
const ORG: &str = "Ủy ban nhân dân tỉnh Lào Cai";
pub(crate) const TAB: &str = "\u{E004}";
pub(crate) const ENTER: &str = "\u{E007}";
pub(crate) const ALT: &str = "\u{E00A}";
pub(crate) const RELEASE: &str = "\u{E000}";

/// A register with an organisation (two units), its administrator `quantri` and the given accounts,
/// each with `PASSWORD` already changed from the initial one (so no password change is asked).
pub(crate) struct Register {
    _dir: tempfile::TempDir,
    pub(crate) db: PathBuf,
    pub(crate) dir: PathBuf,
}

impl Register {
    pub(crate) fn new(accounts: &[(&str, &str, Role, Option<&str>)]) -> Register {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("so.db");
        let desk = Desk::open(&db, Clock::System).expect("the register opens");
        desk.setup(&FirstRun {
            organisation: NewOrganisation {
                org_id: "000.00.00.H24".to_owned(),
                name: ORG.to_owned(),
                abbreviation: "UBND".to_owned(),
            },
            units: vec![
                NewUnit { abbreviation: "VP".to_owned(), name: "Văn phòng".to_owned() },
                NewUnit { abbreviation: "TC".to_owned(), name: "Phòng Tài chính".to_owned() },
            ],
            admin: NewAccountInput {
                username: "quantri".to_owned(),
                full_name: "Trần Quản Trị".to_owned(),
                password: PASSWORD.to_owned(),
                role: Some(Role::Admin),
                ..NewAccountInput::default()
            },
        })
        .expect("setup");
        let units = desk.units().expect("units");
        let unit_id = |abbr: &str| units.iter().find(|u| u.abbreviation == abbr).map(|u| u.id);
        let first = "TamThoi2026";
        for (username, full_name, role, unit) in accounts {
            desk.create_account(&NewAccountInput {
                username: (*username).to_owned(),
                full_name: (*full_name).to_owned(),
                position: None,
                role: Some(*role),
                unit_id: unit.and_then(unit_id),
                password: first.to_owned(),
            })
            .expect("an account");
        }
        for (username, ..) in accounts {
            desk.sign_out().expect("sign out");
            desk.sign_in(username, first).expect("first sign-in");
            desk.change_password(first, PASSWORD).expect("password changed");
        }
        desk.sign_out().expect("sign out");
        drop(desk);
        Register { db, dir: dir.path().to_owned(), _dir: dir }
    }

    /// `vanthu … --user vanthu` at the app's clock, answering JSON.
    pub(crate) fn cli(&self, args: &[&str]) -> Value {
        support::run_json(
            support::vanthu(&self.db, Some(NOW)).args(["--user", "vanthu"]).env("VANTHU_PASSWORD", PASSWORD).args(args),
        )
    }

    fn incoming(&self, from: &str, number: &str, type_name: &str, subject: &str) -> Value {
        self.cli(&[
            "incoming",
            "add",
            "--from",
            from,
            "--number",
            number,
            "--issued",
            "2026-02-26",
            "--type",
            type_name,
            "--subject",
            subject,
        ])
    }

    fn pdf(&self) -> PathBuf {
        let path = self.dir.join("van-ban.pdf");
        std::fs::write(&path, minimal_pdf()).expect("the PDF is written");
        path
    }
}

pub(crate) fn clerk() -> (&'static str, &'static str, Role, Option<&'static str>) {
    ("vanthu", "Nguyễn Thị Văn Thư", Role::Clerk, Some("VP"))
}

pub(crate) fn app() -> PathBuf {
    support::built_binary("VANTHU_DESKTOP_BIN", "vanthu-desktop")
}

/// What the desk tests need beyond the shared session.
pub(crate) trait Desktop {
    fn exists(&self, css: &str) -> bool;
    fn wait_for(&self, css: &str);
    fn wait_gone(&self, css: &str);
    fn keys(&self, text: &str);
    fn sign_in(&self, username: &str, password: &str);
    fn invoke(&self, command: &str, args: Value) -> Value;
    fn texts(&self, css: &str) -> Vec<String>;
    fn wait_value(&self, css: &str, done: impl Fn(&str) -> bool) -> String;
    fn read(&self, css: &str) -> String;
    fn wait_js(&self, css: &str, done: impl Fn(&str) -> bool) -> String;
    fn shot(&self, name: &str);
}

impl Desktop for Session {
    fn exists(&self, css: &str) -> bool {
        let found = self.command("POST", "/elements", Some(json!({"using": "css selector", "value": css})));
        found.as_array().is_some_and(|a| !a.is_empty())
    }

    fn wait_for(&self, css: &str) {
        self.find(css);
    }

    fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        while self.exists(css) {
            assert!(Instant::now() < deadline, "{css} is still there after {WAIT:?}");
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Types into whatever has the focus, like a clerk at the keyboard (no element is clicked).
    fn keys(&self, text: &str) {
        let active = self.execute("return document.activeElement;");
        let id = active[ELEMENT_KEY].as_str().unwrap_or_else(|| panic!("no focused element: {active}")).to_owned();
        self.command("POST", &format!("/element/{id}/value"), Some(json!({"text": text})));
    }

    fn sign_in(&self, username: &str, password: &str) {
        self.wait_for("[data-testid=signin-username]");
        self.type_into("[data-testid=signin-username]", username);
        self.type_into("[data-testid=signin-password]", password);
        self.click("[data-testid=signin-submit]");
        self.wait_for("[data-testid=user-name]");
    }

    /// Calls a shell command directly, as a curious user with the web inspector could.
    fn invoke(&self, command: &str, args: Value) -> Value {
        let script = "const done = arguments[arguments.length - 1];\
            window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])\
              .then(v => done({ok: v === undefined ? null : v}), e => done({err: e}));";
        self.command("POST", "/execute/async", Some(json!({"script": script, "args": [command, args]})))
    }

    fn texts(&self, css: &str) -> Vec<String> {
        let script = format!(
            "return Array.from(document.querySelectorAll({})).map(e => e.innerText);",
            serde_json::to_string(css).unwrap_or_default()
        );
        self.execute(&script)
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    fn wait_value(&self, css: &str, done: impl Fn(&str) -> bool) -> String {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.value : null;",
            serde_json::to_string(css).unwrap_or_default()
        );
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self.execute(&script).as_str().unwrap_or_default().to_owned();
            if done(&value) {
                return value;
            }
            assert!(Instant::now() < deadline, "{css} still has the value {value:?} after {WAIT:?}");
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// The visible text of the first match, read in the page (no element reference to go stale
    /// while the screen re-renders); fails if nothing matches within the timeout.
    fn read(&self, css: &str) -> String {
        self.wait_for(css);
        let script = format!(
            "const e = document.querySelector({}); if (!e) return null;\
             return e instanceof HTMLSelectElement ? Array.from(e.options).map(o => o.text).join('\\n') : e.innerText;",
            serde_json::to_string(css).unwrap_or_default()
        );
        self.execute(&script).as_str().unwrap_or_default().trim().to_owned()
    }

    fn wait_js(&self, css: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.read(css);
            if done(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "{css} still reads {text:?} after {WAIT:?}");
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn shot(&self, name: &str) {
        save_screenshot(&self.screenshot(), name);
    }
}

#[test]
fn first_run_setup() {
    let _window = one_window();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("moi.db");
    let session = Session::start(&app(), &db);

    // An empty form is refused field by field, before anything reaches the backend.
    session.click("[data-testid=setup-submit]");
    assert_eq!(session.read("[data-testid=org-name-error]"), "Vui lòng nhập tên cơ quan.");

    session.type_into("[data-testid=org-name]", "Sở Tư pháp tỉnh Lào Cai");
    session.type_into("[data-testid=org-id]", "abc");
    session.type_into("[data-testid=org-abbr]", "STP");
    // A second unit, added with its shortcut.
    session.send_keys("[data-testid=unit-name-0]", &format!("{ALT}u{RELEASE}"));
    session.keys("BTP");
    session.type_into("[data-testid=unit-name-1]", "Phòng Bổ trợ tư pháp");
    session.type_into("[data-testid=admin-username]", "quantri");
    session.type_into("[data-testid=admin-fullname]", "Lê Văn Quản");
    session.type_into("[data-testid=admin-password]", PASSWORD);
    session.type_into("[data-testid=admin-password2]", "KhongKhop1");
    session.click("[data-testid=setup-submit]");
    assert_eq!(session.read("[data-testid=admin-password2-error]"), "Hai lần nhập mật khẩu không khớp.");

    session.clear("[data-testid=admin-password2]");
    session.send_keys("[data-testid=admin-password2]", PASSWORD);
    session.click("[data-testid=setup-submit]");
    // The backend refuses the bad organisation id, and says so in Vietnamese; nothing is saved.
    let error = session.wait_js("[data-testid=setup-error]", |t| !t.is_empty());
    assert!(error.contains("abc"), "the backend's message names the bad id: {error:?}");
    session.shot("setup.png");

    session.clear("[data-testid=org-id]");
    session.send_keys("[data-testid=org-id]", "000.00.40.H24");
    session.click("[data-testid=setup-submit]");
    // The administrator is signed in on the home screen, with the administration menu.
    assert_eq!(session.wait_js("[data-testid=user-name]", |t| !t.is_empty()), "Lê Văn Quản");
    assert_eq!(session.read("[data-testid=user-role]"), "Quản trị");
    assert_eq!(session.read("[data-testid=org-title]"), "Sở Tư pháp tỉnh Lào Cai");
    session.click("[data-testid=nav-admin]");
    // No number given yet this year.
    session.click("[data-testid=admin-tab-series]");
    session.wait_for("[data-testid=series-empty]");
    session.click("[data-testid=admin-tab-units]");
    let units = session.wait_js("[data-testid=units-table]", |t| t.contains("BTP"));
    assert!(units.contains("Văn phòng") && units.contains("Phòng Bổ trợ tư pháp"), "{units}");
    session.shot("setup-done.png");

    // The administrator creates a clerk's account (the clerk changes the password at first sign-in).
    session.click("[data-testid=admin-tab-users]");
    session.type_into("[data-testid=new-user-username]", "vanthu");
    session.type_into("[data-testid=new-user-fullname]", "Đỗ Thị Văn Thư");
    session.type_into("[data-testid=new-user-password]", "TamThoi2026");
    session.click("[data-testid=new-user-submit]");
    session.wait_js("[data-testid=users-table]", |t| t.contains("Đỗ Thị Văn Thư"));

    // A backup now, into a chosen folder; the result shows in the status bar.
    let backups = dir.path().join("sao-luu");
    std::fs::create_dir_all(&backups).expect("the backup folder");
    session.click("[data-testid=admin-tab-backup]");
    session.type_into("[data-testid=backup-folder]", &backups.display().to_string());
    session.click("[data-testid=backup-now]");
    let done = session.wait_js("[data-testid=backup-last]", |t| t.contains("thành công"));
    assert!(done.contains(&backups.display().to_string()), "{done}");
    session.wait_js("[data-testid=backup-status]", |t| t.contains("thành công"));
    session.shot("backup.png");
    let made = std::fs::read_dir(&backups).expect("backups").filter_map(Result::ok).map(|e| e.path()).next();
    let made = made.expect("one backup folder was made");

    // Restored from it: the desk is reopened and everyone signs in again.
    session.type_into("[data-testid=restore-folder]", &made.display().to_string());
    session.click("[data-testid=restore-start]");
    session.click("[data-testid=restore-confirm]");
    let notice = session.wait_js("[data-testid=signin-notice]", |t| !t.is_empty());
    assert!(notice.contains("Đã khôi phục"), "{notice}");
    // The clerk (kept by the backup) signs in with the initial password and must change it first.
    session.type_into("[data-testid=signin-username]", "vanthu");
    session.send_keys("[data-testid=signin-password]", &format!("TamThoi2026{ENTER}"));
    session.wait_for("[data-testid=pw-form]");
    session.type_into("[data-testid=pw-old]", "TamThoi2026");
    session.type_into("[data-testid=pw-new]", PASSWORD);
    session.send_keys("[data-testid=pw-again]", &format!("{PASSWORD}{ENTER}"));
    assert_eq!(session.wait_js("[data-testid=user-name]", |t| !t.is_empty()), "Đỗ Thị Văn Thư");
    assert_eq!(session.read("[data-testid=user-role]"), "Văn thư");
    assert_eq!(session.read("[data-testid=org-title]"), "Sở Tư pháp tỉnh Lào Cai");
}

#[test]
fn sign_in_wrong_password_and_lockout() {
    let _window = one_window();
    let register = Register::new(&[clerk()]);
    let session = Session::start(&app(), &register.db);

    session.wait_for("[data-testid=signin-username]");
    session.type_into("[data-testid=signin-username]", "vanthu");
    // One attempt: the password field empties when the answer has come.
    let attempt = |password: &str| {
        session.send_keys("[data-testid=signin-password]", &format!("{password}{ENTER}"));
        session.wait_value("[data-testid=signin-password]", str::is_empty);
        session.read("[data-testid=signin-error]")
    };
    let error = attempt("SaiMatKhau1");
    assert!(error.contains("không đúng") && error.contains("Còn 4 lần"), "{error:?}");
    for left in [3, 2, 1] {
        let error = attempt("SaiMatKhau1");
        assert!(error.contains(&format!("Còn {left} lần")), "{error:?}");
    }
    let locked = attempt("SaiMatKhau1");
    assert!(locked.contains("Tài khoản tạm khóa"), "the fifth failure locks the account: {locked:?}");
    // Locked: even the right password is refused now.
    let refused = attempt(PASSWORD);
    assert!(refused.contains("tạm khóa"), "{refused:?}");
    assert!(!session.exists("[data-testid=user-name]"), "a locked account does not get in");
    session.shot("signin-locked.png");

    // Another account signs in, sees its name and role, and signs out with Alt+X.
    session.clear("[data-testid=signin-username]");
    session.send_keys("[data-testid=signin-username]", "quantri");
    session.send_keys("[data-testid=signin-password]", &format!("{PASSWORD}{ENTER}"));
    assert_eq!(session.wait_js("[data-testid=user-name]", |t| !t.is_empty()), "Trần Quản Trị");
    session.keys(&format!("{ALT}x{RELEASE}"));
    session.wait_for("[data-testid=signin-username]");
}

#[test]
fn incoming_by_keyboard_only() {
    let _window = one_window();
    let register = Register::new(&[clerk()]);
    let session = Session::start(&app(), &register.db);

    // Sign in without the mouse: the name field has the focus.
    session.wait_for("[data-testid=signin-username]");
    assert_eq!(session.active_testid(), "signin-username");
    session.keys("vanthu");
    session.keys(TAB);
    session.keys(&format!("{PASSWORD}{ENTER}"));
    session.wait_for("[data-testid=user-name]");

    // Alt+D: the incoming register; Alt+N: a new registration, the issuer field focused.
    session.keys(&format!("{ALT}d{RELEASE}"));
    session.wait_for("[data-testid=register-list]");
    session.keys(&format!("{ALT}n{RELEASE}"));
    session.wait_for("[data-testid=incoming-form]");
    assert_eq!(session.active_testid(), "in-organ");
    session.keys("Sở Tài chính tỉnh Lào Cai");
    for (text, field) in [
        ("45/BC-STC", "in-code"),
        ("26/02/2026", "in-issued"),
        ("Báo cáo", "in-type"),
        ("Tình hình thực hiện dự toán ngân sách quý I", "in-subject"),
    ] {
        session.keys(TAB);
        assert_eq!(session.active_testid(), field, "Tab goes to {field}");
        session.keys(text);
    }
    session.keys(ENTER);
    let number = session.wait_js("[data-testid=arrival-number]", |t| !t.is_empty());
    assert_eq!(number, "1");
    let size = session.execute(
        "return parseFloat(getComputedStyle(document.querySelector('[data-testid=arrival-number]')).fontSize);",
    );
    assert!(size.as_f64().unwrap_or(0.0) >= 48.0, "the number is shown large: {size}");
    session.shot("incoming-keyboard.png");

    // Enter: the next registration, with the issuer and type remembered; Escape closes it.
    assert_eq!(session.active_testid(), "in-next");
    session.keys(ENTER);
    session.wait_for("[data-testid=incoming-form]");
    let remembered = session.execute(
        "return [document.querySelector('[data-testid=in-organ]').value, document.querySelector('[data-testid=in-type]').value];",
    );
    assert_eq!(remembered, json!(["Sở Tài chính tỉnh Lào Cai", "Báo cáo"]));
    session.keys("\u{E00C}");
    session.wait_gone("[data-testid=incoming-form]");
    let rows = session.wait_rows(WAIT, |rows| rows.len() == 1);
    assert!(rows[0].text.contains("Tình hình thực hiện dự toán"), "{rows:#?}");
}

#[test]
fn duplicate_warning() {
    let _window = one_window();
    let register = Register::new(&[clerk()]);
    let earlier = register.incoming("Sở Nội vụ", "12/TB-SNV", "Thông báo", "Lịch tiếp công dân tháng 3");
    let session = Session::start(&app(), &register.db);
    session.sign_in("vanthu", PASSWORD);
    session.click("[data-testid=nav-incoming]");
    session.click("[data-testid=new-document]");
    session.type_into("[data-testid=in-organ]", "Sở Nội vụ");
    session.type_into("[data-testid=in-code]", "12/TB-SNV");
    session.type_into("[data-testid=in-type]", "Thông báo");
    session.type_into("[data-testid=in-subject]", "Lịch tiếp công dân tháng 3, bản chuyển lại");
    // The file, by its path; page 1 is previewed (pdf.js, bundled).
    session.type_into("[data-testid=in-file]", &format!("{}{TAB}", register.pdf().display()));
    session.wait_js("[data-testid=in-preview-info]", |t| t == "Trang 1 / 1");
    session.click("[data-testid=in-save]");

    // The warning comes before anything is saved, naming the earlier registration.
    let warning = session.wait_js("[data-testid=dup-earlier]", |t| !t.is_empty());
    assert!(warning.contains("12/TB-SNV") && warning.contains("Lịch tiếp công dân tháng 3"), "{warning}");
    let earlier_number = earlier["arrival_number"].as_i64().expect("an arrival number");
    assert!(warning.contains(&format!("{earlier_number} ngày")), "{warning}");
    session.shot("duplicate.png");
    let list = session.invoke("list_register", json!({"direction": "incoming", "page": 0, "pageSize": 10}));
    assert_eq!(list["ok"]["items"].as_array().map(Vec::len), Some(1), "nothing saved yet: {list}");

    session.click("[data-testid=dup-confirm]");
    assert_eq!(session.wait_js("[data-testid=arrival-number]", |t| !t.is_empty()), "2");
}

#[test]
fn assignment_and_progress() {
    let _window = one_window();
    let register = Register::new(&[
        clerk(),
        ("lanhdao", "Phạm Lãnh Đạo", Role::Leader, None),
        ("chuyenvien", "Hoàng Chuyên Viên", Role::Specialist, Some("TC")),
    ]);
    let doc = register.incoming("Bộ Tài chính", "99/BTC-NSNN", "Công văn", "Hướng dẫn lập dự toán ngân sách năm 2027");
    let id = doc["id"].as_str().expect("an id").to_owned();
    let session = Session::start(&app(), &register.db);

    // The leader assigns: lead unit, deadline suggested from the calendar, directions.
    session.sign_in("lanhdao", PASSWORD);
    session.click("[data-testid=nav-incoming]");
    session.wait_rows(WAIT, |rows| rows.len() == 1);
    session.click(&format!("[data-testid=register-row][data-id=\"{id}\"]"));
    session.wait_for("[data-testid=assign-form]");
    let suggested = session.wait_value("[data-testid=assign-deadline]", |v| !v.is_empty());
    assert!(suggested.ends_with("/2026 17:00"), "deadline prefilled from the calendar: {suggested}");
    session.execute(
        "const s = document.querySelector('[data-testid=assign-lead]');\
         s.value = Array.from(s.options).find(o => o.text.includes('Phòng Tài chính')).value;",
    );
    session.type_into("[data-testid=assign-directions]", "Phòng Tài chính chủ trì, báo cáo trước hạn.");
    session.click("[data-testid=assign-save]");
    assert_eq!(session.wait_js("[data-testid=handling-status]", |t| t == "Đã giao"), "Đã giao");
    assert_eq!(session.read("[data-testid=handling-lead]"), "Phòng Tài chính");
    session.click("[data-testid=print-slip]");
    let slip = session.wait_js("[data-testid=slip-output] [data-testid=exported-path]", |t| t.ends_with(".pdf"));
    assert!(std::fs::read(&slip).is_ok_and(|b| b.starts_with(b"%PDF-")), "{slip} is a PDF");
    session.keys("\u{E00C}");
    session.wait_gone("[data-testid=detail-dialog]");
    session.click("[data-testid=sign-out]");

    // The specialist of that unit sees it on the home screen, and reports it done.
    session.sign_in("chuyenvien", PASSWORD);
    session.wait_js("[data-testid=home-handlers]", |t| t.contains("Phòng Tài chính"));
    session.shot("home.png");
    session.click("[data-testid=nav-incoming]");
    session.wait_rows(WAIT, |rows| rows.len() == 1);
    session.click(&format!("[data-testid=register-row][data-id=\"{id}\"]"));
    session.wait_for("[data-testid=progress-form]");
    assert!(!session.exists("[data-testid=assign-form]"), "a specialist cannot assign");
    session.execute("document.querySelector('[data-testid=progress-status]').value = 'done';");
    session.type_into("[data-testid=progress-note]", "Đã lập dự toán và gửi Sở Tài chính.");
    session.click("[data-testid=progress-save]");
    assert_eq!(session.wait_js("[data-testid=handling-status]", |t| t == "Đã giải quyết"), "Đã giải quyết");
    let progress = session.read("[data-testid=handling-progress]");
    assert!(progress.contains("Đã lập dự toán"), "{progress}");
    let history = session.read("[data-testid=detail-history]");
    for step in ["Đăng ký văn bản đến", "Phân công giải quyết", "Cập nhật tiến độ"] {
        assert!(history.contains(step), "history shows “{step}”: {history}");
    }
    session.shot("handling.png");
}

#[test]
fn outgoing_number_previewed_then_fixed() {
    let _window = one_window();
    let register = Register::new(&[clerk()]);
    register.cli(&[
        "outgoing",
        "add",
        "--type",
        "QĐ",
        "--subject",
        "Quyết định thứ nhất",
        "--signer",
        "Đặng Xuân Phong",
    ]);
    let session = Session::start(&app(), &register.db);
    session.sign_in("vanthu", PASSWORD);
    session.click("[data-testid=nav-outgoing]");
    session.click("[data-testid=new-document]");
    session.wait_for("[data-testid=outgoing-form]");
    session.type_into("[data-testid=out-type]", "Quyết định");
    assert_eq!(session.wait_js("[data-testid=out-preview-code]", |t| t.contains('/')), "02/QĐ-UBND");
    session.type_into("[data-testid=out-subject]", "Ban hành Quy chế làm việc của Văn phòng");
    session.type_into("[data-testid=out-signer]", "Đặng Xuân Phong");
    session.type_into("[data-testid=out-position]", "Chủ tịch");
    session.type_into("[data-testid=out-rcp-name-0]", "Sở Nội vụ");
    session.type_into("[data-testid=out-copies]", "5");
    session.shot("outgoing-preview.png");
    session.send_keys("[data-testid=out-copies]", &format!("\u{E009}{ENTER}{RELEASE}"));
    assert_eq!(session.wait_js("[data-testid=out-code]", |t| !t.is_empty()), "02/QĐ-UBND");
    session.shot("outgoing.png");
    // The administrative series (decisions that are not legal normative) has given two numbers this year.
    let series = session.invoke("series", json!({"year": 2026}));
    let decisions = series["ok"].as_array().and_then(|all| all.iter().find(|s| s["key"] == "di").cloned());
    assert_eq!(decisions.map(|s| s["lastNumber"].clone()), Some(json!(2)), "{series}");

    // Recalled with a reason: the record shows frozen.
    session.click("[data-testid=out-open]");
    session.click("[data-testid=recall-document]");
    session.send_keys("[data-testid=reason-input]", &format!("Ban hành nhầm đối tượng{ENTER}"));
    let frozen = session.wait_js("[data-testid=detail-frozen]", |t| !t.is_empty());
    assert!(frozen.contains("thu hồi"), "{frozen}");
    assert!(!session.exists("[data-testid=recall-document]"), "a recalled record cannot be recalled again");
}

#[test]
fn case_file_and_its_export() {
    let _window = one_window();
    let register = Register::new(&[clerk()]);
    let doc = register.incoming("Sở Xây dựng", "07/KH-SXD", "Kế hoạch", "Kế hoạch kiểm tra công trình năm 2026");
    let id = doc["id"].as_str().expect("an id").to_owned();
    let session = Session::start(&app(), &register.db);
    session.sign_in("vanthu", PASSWORD);

    session.click("[data-testid=nav-casefiles]");
    session.type_into("[data-testid=cf-notation]", "01.XD");
    session.type_into("[data-testid=cf-title]", "Hồ sơ kiểm tra công trình xây dựng năm 2026");
    session.click("[data-testid=cf-open]");
    session.wait_js("[data-testid=cf-detail-title]", |t| t.contains("01.XD"));

    session.click("[data-testid=nav-incoming]");
    session.wait_rows(WAIT, |rows| rows.len() == 1);
    session.click(&format!("[data-testid=register-row][data-id=\"{id}\"]"));
    session.wait_js("[data-testid=casefile-pick]", |t| t.contains("01.XD"));
    session.execute("const s = document.querySelector('[data-testid=casefile-pick]'); s.value = s.options[1].value;");
    session.click("[data-testid=casefile-add]");
    session.wait_js("[data-testid=detail-casefiles]", |t| t.contains("01.XD"));
    session.click("[data-testid=detail-dialog-close]");

    session.click("[data-testid=nav-casefiles]");
    session.click("[data-testid=cf-row]");
    session.wait_js("[data-testid=cf-documents]", |t| t.contains("Kế hoạch kiểm tra công trình"));
    session.click("[data-testid=cf-export-xml]");
    let xml_path = session.wait_js("[data-testid=exported-path]", |t| t.ends_with(".xml"));
    let xml = std::fs::read_to_string(&xml_path).unwrap_or_else(|e| panic!("{xml_path}: {e}"));
    assert!(xml.contains("Kế hoạch kiểm tra công trình năm 2026") && xml.contains("07/KH-SXD"), "{xml}");
    session.click("[data-testid=cf-export-pdf]");
    let pdf_path = session.wait_js("[data-testid=exported-path]", |t| t.ends_with(".pdf"));
    assert!(std::fs::read(&pdf_path).is_ok_and(|b| b.starts_with(b"%PDF-")), "{pdf_path} is a PDF");
    session.shot("casefile.png");
}

#[test]
fn register_printed_to_pdf() {
    let _window = one_window();
    let register = Register::new(&[clerk()]);
    let scan = register.pdf();
    register.cli(&[
        "incoming",
        "add",
        "--file",
        &scan.display().to_string(),
        "--from",
        "Sở Y tế",
        "--number",
        "31/BC-SYT",
        "--issued",
        "2026-02-27",
        "--type",
        "Báo cáo",
        "--subject",
        "Phòng chống dịch bệnh",
    ]);
    let session = Session::start(&app(), &register.db);
    session.sign_in("vanthu", PASSWORD);
    session.click("[data-testid=nav-print]");
    session.wait_for("[data-testid=print-form]");
    session.click("[data-testid=print-submit]");
    let path = session.wait_js("[data-testid=exported-path]", |t| t.ends_with(".pdf"));
    session.shot("print.png");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", &path, "-"])
        .output()
        .expect("pdftotext runs (poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for header in ["Ngày đến", "Số đến", "Tác giả", "Ghi chú", "Phòng chống dịch bệnh", "31/BC-SYT"]
    {
        assert!(flat.contains(header), "the printed register has “{header}”:\n{text}");
    }
}

#[test]
fn search_without_diacritics() {
    let _window = one_window();
    let register = Register::new(&[clerk()]);
    register.incoming("Sở Nội vụ", "15/QĐ-SNV", "Quyết định", "Quyết định khen thưởng tập thể");
    register.incoming("Sở Y tế", "16/TB-SYT", "Thông báo", "Lịch trực tết");
    let session = Session::start(&app(), &register.db);
    session.sign_in("vanthu", PASSWORD);
    session.keys(&format!("{ALT}t{RELEASE}"));
    session.wait_for("[data-testid=find-text]");
    session.send_keys("[data-testid=find-text]", &format!("quyet dinh{ENTER}"));
    session.wait_js("[data-testid=find-count]", |t| t.contains("Tìm thấy 1 "));
    let rows = session.texts("[data-testid=find-row]");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("Quyết định khen thưởng tập thể"), "{rows:?}");
    // Saved, it comes back by name.
    session.type_into("[data-testid=saved-name]", "Quyết định");
    session.click("[data-testid=saved-save]");
    session.wait_js("[data-testid=saved-list]", |t| t.contains("Quyết định"));
    session.shot("search.png");
    // Exported to Excel: a workbook (a zip) with the result.
    session.click("[data-testid=export-xlsx]");
    let xlsx = session.wait_js("[data-testid=exported-path]", |t| t.ends_with(".xlsx"));
    assert!(std::fs::read(&xlsx).is_ok_and(|b| b.starts_with(b"PK")), "{xlsx} is a workbook");
}

#[test]
fn a_clerk_cannot_reach_the_administration() {
    let _window = one_window();
    let register = Register::new(&[clerk()]);
    let session = Session::start(&app(), &register.db);
    session.sign_in("vanthu", PASSWORD);
    assert_eq!(session.read("[data-testid=user-role]"), "Văn thư");
    assert!(session.exists("[data-testid=nav-incoming]"));
    assert!(!session.exists("[data-testid=nav-admin]"), "no administration menu for a clerk");
    // Alt+Q does nothing either.
    session.keys(&format!("{ALT}q{RELEASE}"));
    assert!(!session.exists("[data-testid=users-table]"));
    // And the backend refuses the command itself.
    for (command, args) in [
        ("accounts", json!({})),
        (
            "create_account",
            json!({"username": "ke.gian", "fullName": "Kẻ Gian", "role": "admin", "password": "KeGian2026"}),
        ),
        ("backup_now", json!({"folder": register.dir.display().to_string()})),
    ] {
        let answer = session.invoke(command, args);
        assert_eq!(answer["err"]["code"], "forbidden", "{command}: {answer}");
        assert!(answer["err"]["message"].as_str().is_some_and(|m| m.contains("quản trị")), "{answer}");
    }
    session.shot("clerk-no-admin.png");
}
