//! Digitising in a real window, the issue's "done when": a clerk feeds a 12-sheet batch through the
//! scanner (SANE's `test` backend: the feeder holds 10 sheets, so 10 then 2 more into the same draft),
//! splits it into three documents, turns a page that was fed upside down, and registers each with its
//! archive copy stamped "ĐẾN" and printed (CUPS, cups-pdf) — by keyboard wherever the screen allows.
//!
//! Needs what `cargo xtask test` provides: the desktop binary, tauri-driver on a display, a
//! `SANE_CONFIG_DIR` with the `test` backend in tauri-driver's environment (the app inherits it), and
//! `VANTHU_TEST_PRINTER` / `VANTHU_TEST_PRINT_DIR` for CUPS. A missing piece fails the test.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::desktop::{Session, WAIT, one_window};
use crate::desktop_desk::{Desktop, ENTER, PASSWORD, Register, app, clerk};

const CTRL: &str = "\u{E009}";
const RELEASE: &str = "\u{E000}";
const ESCAPE: &str = "\u{E00C}";
const TAB: &str = "\u{E004}";

/// The ids of the drafts in the queue, in the order shown.
fn draft_ids(session: &Session) -> Vec<i64> {
    let ids = session.execute(
        "return Array.from(document.querySelectorAll('[data-testid^=dg-draft-]')).map(e => e.dataset.testid.slice(9));",
    );
    ids.as_array().map(|a| a.iter().filter_map(|v| v.as_str()?.parse().ok()).collect()).unwrap_or_default()
}

fn page_count(session: &Session) -> usize {
    session.execute("return document.querySelectorAll('[data-testid^=dg-page-]').length;").as_u64().unwrap_or(0)
        as usize
}

fn wait_pages(session: &Session, n: usize) {
    let deadline = Instant::now() + WAIT;
    while page_count(session) != n {
        assert!(Instant::now() < deadline, "the draft shows {} pages, not {n}", page_count(session));
        std::thread::sleep(Duration::from_millis(150));
    }
}

fn choose_draft(session: &Session, id: i64, pages: usize) {
    session.click(&format!("[data-testid=dg-draft-{id}]"));
    session.wait_js("[data-testid=dg-draft-title]", |t| t.contains(&format!("#{id}")));
    wait_pages(session, pages);
}

#[test]
fn a_twelve_sheet_batch_is_scanned_split_turned_registered_stamped_and_printed() {
    let _printer = crate::support::one_printer();
    let printed_to = PathBuf::from(
        std::env::var("VANTHU_TEST_PRINT_DIR").expect("VANTHU_TEST_PRINT_DIR (run through `cargo xtask test`)"),
    );
    std::env::var("SANE_CONFIG_DIR").expect("SANE_CONFIG_DIR names the test backend's configuration");
    let since = SystemTime::now() - Duration::from_secs(2);
    let _window = one_window();
    let register = Register::new(&[clerk()]);
    let session = Session::start(&app(), &register.db);
    session.sign_in("vanthu", PASSWORD);

    // Alt+G: Số hoá. The scanner list comes from SANE.
    session.keys(&format!("\u{E00A}g{RELEASE}"));
    session.wait_js("[data-testid=dg-device]", |t| t.contains("test:0"));
    let started = Instant::now();
    session.execute("const s = document.querySelector('[data-testid=dg-source]'); s.value = 'feeder';");

    // The feeder takes 10 sheets; the clerk reloads it and scans 2 more into the same draft.
    session.click("[data-testid=dg-scan]");
    session.wait_js("[data-testid=dg-notice]", |t| t.contains("Đã quét 10 trang"));
    wait_pages(&session, 10);
    session.click("[data-testid=dg-append]");
    session.type_into("[data-testid=dg-pages]", "2");
    session.execute("document.querySelector('[data-testid=dg-notice]').textContent = '';");
    session.keys(&format!("{CTRL}q{RELEASE}"));
    session.wait_js("[data-testid=dg-notice]", |t| t.contains("Đã quét 2 trang"));
    wait_pages(&session, 12);
    let drafts = draft_ids(&session);
    assert_eq!(drafts.len(), 1, "one draft of 12 pages: {drafts:?}");
    session.shot("digitise-queue.png");

    // Split before page 5 and, in the new draft, before its page 5: three documents of 4 pages.
    session.click("[data-testid=dg-page-5]");
    session.keys("t");
    session.wait_js("[data-testid=dg-notice]", |t| t.contains("Đã tách"));
    wait_pages(&session, 4);
    let drafts = draft_ids(&session);
    assert_eq!(drafts.len(), 2, "{drafts:?}");
    choose_draft(&session, drafts[1], 8);
    session.click("[data-testid=dg-page-5]");
    session.keys("t");
    wait_pages(&session, 4);
    let drafts = draft_ids(&session);
    assert_eq!(drafts.len(), 3, "{drafts:?}");

    // Page 2 of the first document was fed upside down: R twice on it.
    choose_draft(&session, drafts[0], 4);
    session.click("[data-testid=dg-page-2]");
    session.keys("r");
    session.wait_js("[data-testid=dg-page-2]", |t| t.contains("xoay 90°"));
    session.keys("r");
    session.wait_js("[data-testid=dg-page-2]", |t| t.contains("xoay 180°"));

    // Each document: Ctrl+Enter opens the incoming form with the assembled PDF; Enter registers; Enter
    // on "Đóng dấu đến" opens the stamp over page 1; Enter stamps; Ctrl+P prints; Escape closes.
    let mut numbers = Vec::new();
    for (i, draft) in drafts.iter().enumerate() {
        choose_draft(&session, *draft, 4);
        session.click(&format!("[data-testid=dg-draft-{draft}]"));
        session.keys(&format!("{CTRL}{ENTER}{RELEASE}"));
        session.wait_for("[data-testid=incoming-form]");
        session.wait_js("[data-testid=in-preview-info]", |t| t.contains("4 trang"));
        assert_eq!(session.active_testid(), "in-organ");
        session.keys("Sở Nội vụ tỉnh Lào Cai");
        for text in [format!("{}/SNV-VP", 120 + i), "20/11/2026".to_owned(), "Công văn".to_owned()] {
            session.keys(TAB);
            session.keys(&text);
        }
        session.keys(TAB);
        session.keys(&format!("Về việc số hoá hồ sơ lưu trữ đợt {}", i + 1));
        session.keys(ENTER);
        let number = session.wait_js("[data-testid=arrival-number]", |t| !t.is_empty());
        numbers.push(number.clone());
        assert_eq!(session.active_testid(), "in-stamp");
        session.keys(ENTER);
        session.wait_js("[data-testid=stamp-status]", |t| t.contains("Enter"));
        session.keys(ENTER);
        session.wait_js("[data-testid=stamp-status]", |t| t.contains("Đã đóng dấu đến"));
        if i == 0 {
            session.shot("digitise-stamped.png");
        }
        session.keys(&format!("{CTRL}p{RELEASE}"));
        session.wait_js("[data-testid=stamp-status]", |t| t.contains("Đã gửi lệnh in"));
        session.keys(ESCAPE);
        session.wait_gone("[data-testid=stamp-dialog]");
    }
    let took = started.elapsed();
    eprintln!(
        "digitise e2e: 12 sheets scanned, split into 3, a page turned, 3 registered, stamped and printed in {:.1} s",
        took.as_secs_f64()
    );
    assert_eq!(numbers, ["1", "2", "3"]);
    session.wait_for("[data-testid=dg-empty]");

    // The register: three documents, each with its archive copy and its print in the history.
    let list = register.cli(&["list", "incoming"]);
    let rows: Vec<Value> = list["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 3, "{list}");
    for row in &rows {
        let shown = register.cli(&["show", row["id"].as_str().unwrap()]);
        let actions: Vec<&str> =
            shown["history"].as_array().unwrap().iter().filter_map(|h| h["action"].as_str()).collect();
        assert!(actions.contains(&"document.archive_copy") && actions.contains(&"document.print"), "{actions:?}");
    }
    // And the printer's output: three jobs.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let printed = std::fs::read_dir(&printed_to)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().starts_with("vanthu-den-2026-"))
                    .filter(|e| e.metadata().is_ok_and(|m| m.modified().is_ok_and(|t| t >= since)))
                    .count()
            })
            .unwrap_or(0);
        if printed >= 3 {
            break;
        }
        assert!(Instant::now() < deadline, "{printed} of 3 printouts in {}", printed_to.display());
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The scan folder in the window: the clerk names it, the app watches it (notify), a scanner's file
/// dropped there appears in the queue by itself, and an unreadable one is set aside with the count shown.
#[test]
fn the_scan_folder_fills_the_queue_while_the_window_is_open() {
    let _window = one_window();
    let register = Register::new(&[clerk()]);
    let folder = register.dir.join("Máy quét tầng 1");
    std::fs::create_dir(&folder).unwrap();
    let session = Session::start(&app(), &register.db);
    session.sign_in("vanthu", PASSWORD);
    session.keys(&format!("\u{E00A}g{RELEASE}"));
    session.wait_for("[data-testid=dg-folder]");
    session.type_into("[data-testid=dg-folder]", &folder.display().to_string());
    session.click("[data-testid=dg-folder-save]");
    session.wait_js("[data-testid=dg-folder-state]", |t| t.contains("Đang theo dõi"));

    // A network scanner writes its file: it is taken once it has settled (2 s), then leaves the folder.
    let scan = register.dir.join("scan.jpg");
    let status = std::process::Command::new("convert")
        .args(["-size", "1654x2339", "xc:#fbfbf8", "-fill", "#1c2a55", "-draw", "rectangle 200,300 1450,340"])
        .args(["-units", "PixelsPerInch", "-density", "200", "-quality", "88"])
        .arg(format!("jpeg:{}", scan.display()))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::copy(&scan, folder.join("SCAN0001.JPG")).unwrap();
    std::fs::write(folder.join("SCAN0002.JPG"), b"\xFF\xD8\xFF\xE0 cut short").unwrap();
    let deadline = Instant::now() + WAIT;
    while draft_ids(&session).len() != 1 {
        assert!(Instant::now() < deadline, "the scan did not reach the queue");
        std::thread::sleep(Duration::from_millis(200));
    }
    session.wait_js("[data-testid=dg-draft-title]", |t| t.contains("SCAN0001.JPG"));
    wait_pages(&session, 1);
    let deadline = Instant::now() + WAIT;
    while folder.join("SCAN0001.JPG").exists() || folder.join("SCAN0002.JPG").exists() {
        assert!(Instant::now() < deadline, "the folder still holds the files");
        std::thread::sleep(Duration::from_millis(200));
    }
    let reason = std::fs::read_to_string(folder.join("Không đọc được").join("SCAN0002.JPG.ly-do.txt")).unwrap();
    assert!(reason.contains("hỏng"), "{reason}");
    // Reopening the screen shows the quarantined file's count.
    session.keys(&format!("\u{E00A}h{RELEASE}"));
    session.keys(&format!("\u{E00A}g{RELEASE}"));
    session.wait_js("[data-testid=dg-folder-state]", |t| t.contains("1 tệp không đọc được"));
    session.shot("digitise-folder.png");
}
