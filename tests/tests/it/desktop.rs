//! The desktop app in a real window, driven over WebDriver.
//!
//! A register is created with the `vanthu` CLI, then `vanthu-desktop` is started by tauri-driver
//! (which wraps WebKitWebDriver) and inspected like a clerk would: the rows are on screen with their
//! numbers and Vietnamese text, and a search typed without diacritics finds the right row. A screenshot
//! is kept in `target/e2e/register.png` for a human to look at the rendering (diacritics, no mojibake).
//!
//! Needs the `vanthu` and `vanthu-desktop` binaries and a tauri-driver listening at
//! `VANTHU_WEBDRIVER_URL` (default `http://127.0.0.1:4444`) on a display; `cargo xtask test` provides
//! all three. A missing piece fails the test: it never skips.
//!
//! The register's path reaches the app as `--db` in `tauri:options.args` (tauri-driver forwards
//! arguments, not environment variables), so one driver serves any number of registers.
//!
//! This module also holds the WebDriver session shared by `desktop_desk.rs` (the clerk's desk: setup,
//! sign-in, registration, handling, case files, printing, search, roles).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::support;

pub(crate) const NOW: &str = "2026-03-02T08:30:00+07:00";
pub(crate) const WAIT: Duration = Duration::from_secs(60);
/// The W3C key under which an element reference travels.
pub(crate) const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

struct IncomingCase {
    from: &'static str,
    number: &'static str,
    issued: &'static str,
    type_name: &'static str,
    subject: &'static str,
    /// Further `incoming add` arguments.
    extra: &'static [&'static str],
    /// The badge the row must show (urgency or secrecy label).
    badge: Option<&'static str>,
}

const INCOMING: [IncomingCase; 4] = [
    IncomingCase {
        from: "Sở Thông tin và Truyền thông",
        number: "136/TTr-STTTT",
        issued: "2019-10-07",
        type_name: "Tờ trình",
        subject: "Đề nghị phê duyệt kế hoạch ứng dụng công nghệ thông tin năm 2020",
        extra: &[],
        badge: None,
    },
    IncomingCase {
        from: "Sở Tài chính",
        number: "45/BC-STC",
        issued: "2019-10-01",
        type_name: "Báo cáo",
        subject: "Tình hình thực hiện dự toán ngân sách quý III",
        extra: &["--urgency", "hoa-toc", "--handler", "Phòng Kinh tế"],
        badge: Some("Hỏa tốc"),
    },
    IncomingCase {
        from: "Bộ Nội vụ",
        number: "2579/BNV-VTLTNN",
        issued: "2019-09-24",
        type_name: "Công văn",
        subject: "Hướng dẫn lập hồ sơ và nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan",
        extra: &["--secrecy", "mat"],
        badge: Some("Mật"),
    },
    // Cancelled after registration (see CANCELLED).
    IncomingCase {
        from: "Công an tỉnh Lào Cai",
        number: "12/GM-CAT",
        issued: "2019-10-08",
        type_name: "Giấy mời",
        subject: "Mời dự hội nghị tổng kết công tác năm 2019",
        extra: &[],
        badge: None,
    },
];

/// The index in INCOMING of the registration that is cancelled.
const CANCELLED: usize = 3;

const OUTGOING_SUBJECT: &str = "Ban hành Quy chế công tác văn thư của Ủy ban nhân dân tỉnh";
const OUTGOING_SIGNER: &str = "Đặng Xuân Phong";

/// One window at a time: tauri-driver serves one WebDriver session at once.
static WINDOW: Mutex<()> = Mutex::new(());

pub(crate) fn one_window() -> MutexGuard<'static, ()> {
    WINDOW.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
fn register_rows_show_and_search_folds_diacritics() {
    let _window = one_window();
    let app = support::built_binary("VANTHU_DESKTOP_BIN", "vanthu-desktop");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("so-dang-ky.db");
    let scan = dir.path().join("F.pdf");
    std::fs::write(&scan, minimal_pdf()).expect("the scan is written");

    // The register, as the CLI writes it.
    support::init_register(&db);
    let mut incoming = Vec::new();
    for case in &INCOMING {
        let out = support::run_json(
            support::vanthu(&db, Some(NOW))
                .args(["incoming", "add", "--file"])
                .arg(&scan)
                .args(["--from", case.from, "--number", case.number, "--issued", case.issued])
                .args(["--type", case.type_name, "--subject", case.subject])
                .args(case.extra),
        );
        incoming.push(out);
    }
    let cancelled_id = incoming[CANCELLED]["id"].as_str().expect("incoming JSON has an id").to_owned();
    support::run_json(support::vanthu(&db, Some(NOW)).args(["cancel", &cancelled_id, "--reason", "Đăng ký nhầm"]));
    let outgoing = support::run_json(
        support::vanthu(&db, Some(NOW))
            .args(["outgoing", "add", "--type", "QĐ", "--subject", OUTGOING_SUBJECT])
            .args(["--signer", OUTGOING_SIGNER, "--file"])
            .arg(&scan),
    );

    let session = Session::start(&app, &db);

    // The incoming register: every row, with its arrival number, its Vietnamese text and its marks.
    let rows = session.wait_rows(WAIT, |rows| rows.len() == INCOMING.len());
    for (i, (case, out)) in INCOMING.iter().zip(&incoming).enumerate() {
        let id = out["id"].as_str().expect("incoming JSON has an id");
        let arrival_number = out["arrival_number"].as_i64().expect("incoming JSON has an arrival_number");
        let row = rows
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("incoming {id} is not on screen; rows: {rows:#?}"));
        assert_eq!(row.number_value(), Some(arrival_number), "Số đến of {id}: {row:#?}");
        for expected in [case.from, case.number, case.type_name, case.subject] {
            assert!(row.text.contains(expected), "row {id} should show “{expected}”: {row:#?}");
        }
        let (y, m, d) = split_date(case.issued);
        assert!(row.text.contains(&format!("{d}/{m}/{y}")), "row {id} should show the issue date: {row:#?}");
        let badges: Vec<&str> = row.badges.iter().map(String::as_str).collect();
        let mut expected: Vec<&str> = case.badge.into_iter().collect();
        if i == CANCELLED {
            expected.push("Đã hủy");
        }
        assert_eq!(badges, expected, "badges of row {id}: {row:#?}");
        assert_eq!(row.cancelled, i == CANCELLED, "row {id} struck through iff cancelled: {row:#?}");
    }
    // Newest first: the last registered has the highest arrival number and comes first.
    let numbers: Vec<Option<i64>> = rows.iter().map(Row::number_value).collect();
    let mut sorted = numbers.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(numbers, sorted, "rows are newest first");
    let count = session.text_of("[data-testid=row-count]");
    assert!(count.contains(&INCOMING.len().to_string()), "the count shows every document: {count:?}");
    let org = session.text_of("[data-testid=org-title]");
    assert_eq!(org, "Ủy ban nhân dân tỉnh Lào Cai");

    save_screenshot(&session.screenshot(), "register-full.png");

    // The outgoing register.
    session.click("[data-testid=tab-outgoing]");
    let out_id = outgoing["id"].as_str().expect("outgoing JSON has an id");
    let rows = session.wait_rows(WAIT, |rows| rows.len() == 1 && rows[0].id == out_id);
    let notation = outgoing["code_notation"].as_str().expect("outgoing JSON has a code_notation");
    let number = match &outgoing["code_number"] {
        Value::String(n) => n.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("outgoing JSON has no code_number: {other}"),
    };
    let row = &rows[0];
    assert_eq!(row.direction, "outgoing");
    for expected in [notation, OUTGOING_SUBJECT, OUTGOING_SIGNER] {
        assert!(row.text.contains(expected), "outgoing row should show “{expected}”: {row:#?}");
    }
    assert!(
        row.text.contains(&format!("{number}/{notation}")),
        "outgoing row should show {number}/{notation}: {row:#?}"
    );

    // Back to the incoming register; search without diacritics.
    session.click("[data-testid=tab-incoming]");
    session.wait_rows(WAIT, |rows| rows.len() == INCOMING.len());
    let first_id = incoming[0]["id"].as_str().expect("an id");
    // Keyboard first: "/" and Ctrl+F from the list both land in the search box.
    session.send_keys("[data-testid=register-list]", "/");
    assert_eq!(session.active_testid(), "search-input", "“/” focuses the search box");
    session.click("[data-testid=tab-incoming]");
    session.send_keys("[data-testid=register-list]", "\u{E009}f\u{E000}");
    assert_eq!(session.active_testid(), "search-input", "Ctrl+F focuses the search box");
    session.send_keys("[data-testid=search-input]", "thong tin");
    let rows = session.wait_rows(WAIT, |rows| rows.len() == 1 && rows[0].id == first_id);
    assert!(rows[0].text.contains(INCOMING[0].subject), "{rows:#?}");
    let count = session.text_of("[data-testid=row-count]");
    assert!(count.contains("Tìm thấy 1"), "the count shows one hit: {count:?}");

    // What the clerk sees, for a human (and this test) to check.
    save_screenshot(&session.screenshot(), "register.png");

    // Escape clears the search and brings every row back.
    session.send_keys("[data-testid=search-input]", "\u{E00C}");
    session.wait_rows(WAIT, |rows| rows.len() == INCOMING.len());
}

#[test]
fn an_unopenable_register_shows_why_in_vietnamese() {
    let _window = one_window();
    let app = support::built_binary("VANTHU_DESKTOP_BIN", "vanthu-desktop");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("hong.db");
    std::fs::write(&db, b"this is not a database, it is a damaged file\n".repeat(100)).expect("written");
    let session = Session::start(&app, &db);
    let message = session.wait_text("[data-testid=fatal-message]", |t| !t.is_empty());
    assert!(message.contains("hỏng"), "the message says the register is damaged: {message:?}");
    let title = session.text_of("[data-testid=fatal-error] h1");
    assert_eq!(title, "Không mở được sổ đăng ký");
}

/// One register row as the window shows it.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) id: String,
    direction: String,
    number: String,
    /// The cells' text, joined with " | ".
    pub(crate) text: String,
    /// The badges' labels, in order.
    badges: Vec<String>,
    /// Whether the row is struck through.
    cancelled: bool,
}

impl Row {
    fn number_value(&self) -> Option<i64> {
        self.number.trim().parse().ok()
    }
}

/// A WebDriver session on tauri-driver, deleted (and the app closed) on drop, even when a check fails.
pub(crate) struct Session {
    agent: ureq::Agent,
    pub(crate) base: String,
}

impl Session {
    pub(crate) fn start(app: &Path, db: &Path) -> Session {
        Session::start_at(app, db, Some(NOW))
    }

    /// Like [`Session::start`], with the clock fixed at `now` (RFC 3339) or, when `None`, the real
    /// clock (needed where certificates made for the run must be valid at the app's "now").
    pub(crate) fn start_at(app: &Path, db: &Path, now: Option<&str>) -> Session {
        let url = std::env::var("VANTHU_WEBDRIVER_URL").unwrap_or_else(|_| "http://127.0.0.1:4444".to_owned());
        Session::start_on(&url, app, db, now)
    }

    /// Like [`Session::start_at`], on the tauri-driver at `url` (a test's own driver, started with
    /// an environment of its own).
    pub(crate) fn start_on(url: &str, app: &Path, db: &Path, now: Option<&str>) -> Session {
        let url = url.trim_end_matches('/').to_owned();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let mut args = vec![json!("--db"), json!(db)];
        if let Some(now) = now {
            args.extend([json!("--now"), json!(now)]);
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {
            "application": app,
            "args": args,
        }}}});
        // A transport error is retried briefly: a freshly started tauri-driver drops connections until its
        // WebKitWebDriver is up. Then it is a failure, never a skip.
        let deadline = Instant::now() + Duration::from_secs(15);
        let answer = loop {
            match agent.post(format!("{url}/session")).send_json(&caps) {
                Ok(mut response) => {
                    let status = response.status();
                    let body: Value = response.body_mut().read_json().unwrap_or(Value::Null);
                    assert!(status.is_success(), "tauri-driver refused the session ({status}): {body}");
                    break body;
                }
                Err(e) if Instant::now() >= deadline => panic!(
                    "no WebDriver at {url} ({e}): start tauri-driver (with DISPLAY set) or run `cargo xtask test`"
                ),
                Err(_) => std::thread::sleep(Duration::from_millis(250)),
            }
        };
        let id = answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no sessionId in {answer}"));
        Session { base: format!("{url}/session/{id}"), agent }
    }

    pub(crate) fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let result = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self.agent.post(&url).send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut response = result.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let answer: Value = response.body_mut().read_json().unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path} failed ({status}): {answer}");
        answer["value"].clone()
    }

    pub(crate) fn execute(&self, script: &str) -> Value {
        self.command("POST", "/execute/sync", Some(json!({"script": script, "args": []})))
    }

    pub(crate) fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.command("POST", "/elements", Some(json!({"using": "css selector", "value": css})));
            if let Some(id) = found.get(0).and_then(|e| e[ELEMENT_KEY].as_str()) {
                return id.to_owned();
            }
            assert!(Instant::now() < deadline, "no element matches {css} after {WAIT:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub(crate) fn click(&self, css: &str) {
        let id = self.find(css);
        self.command("POST", &format!("/element/{id}/click"), None);
    }

    pub(crate) fn send_keys(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.command("POST", &format!("/element/{id}/value"), Some(json!({"text": text})));
    }

    pub(crate) fn clear(&self, css: &str) {
        let id = self.find(css);
        self.command("POST", &format!("/element/{id}/clear"), None);
    }

    pub(crate) fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.command("POST", &format!("/element/{id}/click"), None);
        self.command("POST", &format!("/element/{id}/value"), Some(json!({"text": text})));
    }

    pub(crate) fn text_of(&self, css: &str) -> String {
        let id = self.find(css);
        self.command("GET", &format!("/element/{id}/text"), None).as_str().unwrap_or_default().to_owned()
    }

    /// The `data-testid` of the focused element.
    pub(crate) fn active_testid(&self) -> String {
        let value = self.execute("return document.activeElement && document.activeElement.dataset.testid || '';");
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Polls an element's visible text until `done` accepts it.
    pub(crate) fn wait_text(&self, css: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.text_of(css);
            if done(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "{css} still reads {text:?} after {WAIT:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The loaded rows on screen, read in one go (the list re-renders while it scrolls or loads).
    pub(crate) fn rows(&self) -> Vec<Row> {
        let value = self.execute(
            "return Array.from(document.querySelectorAll('[data-testid=register-row]'))\
               .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))\
               .map(r => ({id: r.dataset.id, direction: r.dataset.direction, number: r.dataset.number,\
                           text: Array.from(r.children).map(c => c.textContent).join(' | '),\
                           badges: Array.from(r.querySelectorAll('.badge')).map(b => b.textContent),\
                           cancelled: r.classList.contains('cancelled') &&\
                             getComputedStyle(r.querySelector('.text')).textDecorationLine.includes('line-through')}));",
        );
        let field = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
        value
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|r| Row {
                        id: field(r, "id"),
                        direction: field(r, "direction"),
                        number: field(r, "number"),
                        text: field(r, "text"),
                        badges: r["badges"]
                            .as_array()
                            .map(|b| b.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                            .unwrap_or_default(),
                        cancelled: r["cancelled"].as_bool().unwrap_or(false),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Polls until the rows satisfy `done`; fails with what is on screen (fatal error included).
    pub(crate) fn wait_rows(&self, timeout: Duration, done: impl Fn(&[Row]) -> bool) -> Vec<Row> {
        let deadline = Instant::now() + timeout;
        loop {
            let rows = self.rows();
            if done(&rows) {
                return rows;
            }
            if Instant::now() >= deadline {
                let page = self.execute("return document.getElementById('app').innerText;");
                panic!("the rows did not settle within {timeout:?}; rows: {rows:#?}\nwindow text: {page}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub(crate) fn screenshot(&self) -> Vec<u8> {
        // Let the page paint what the last step changed: the DOM can be ahead of the composited frame.
        self.command(
            "POST",
            "/execute/async",
            Some(json!({
                "script": "const done = arguments[arguments.length - 1];\
                           requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                "args": []
            })),
        );
        let data = self.command("GET", "/screenshot", None);
        let data = data.as_str().expect("the screenshot is a base64 string");
        base64::engine::general_purpose::STANDARD.decode(data).expect("the screenshot is valid base64")
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Closes the app. Errors are ignored: a failing test must report its own panic.
        let _ = self.agent.delete(&self.base).call();
    }
}

/// Checks a screenshot and keeps it in `target/e2e/` for a human to look at.
pub(crate) fn save_screenshot(png: &[u8], name: &str) {
    assert_valid_png(png);
    let dir = support::target_dir().join("e2e");
    std::fs::create_dir_all(&dir).expect("target/e2e is created");
    let path = dir.join(name);
    std::fs::write(&path, png).expect("the screenshot is saved");
    eprintln!("screenshot: {}", path.display());
}

/// A PNG signature, an IHDR of a window-sized image, and enough bytes to hold more than a blank frame.
fn assert_valid_png(png: &[u8]) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 20_000, "the screenshot is suspiciously small ({} bytes)", png.len());
    assert_eq!(&png[12..16], b"IHDR", "the first chunk is IHDR");
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    assert!(width >= 640 && height >= 400, "the screenshot is {width}×{height}");
}

fn split_date(iso: &str) -> (&str, &str, &str) {
    let mut parts = iso.split('-');
    let mut next = || parts.next().expect("a YYYY-MM-DD date");
    (next(), next(), next())
}

/// A one-page, structurally valid PDF (correct xref offsets), as a stand-in for a scan.
pub(crate) fn minimal_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        "<< /Length 8 >>\nstream\n0 0 m S\n\nendstream",
    ];
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    pdf
}
