//! The exchange screens in a real window: the desktop app as one station, the `vanthu` CLI as the
//! other, the reference hub between them over TLS, and the desktop's link through a proxy that the
//! test unplugs and plugs back, as a commune office's link does.
//!
//! The clerk enters the hub account in Quản trị › Trục liên thông (the secret goes to the desktop's
//! keyring), sees the arrival in the connection indicator, registers it from the exchange screen
//! (status 03 reaches the sender), sends an outgoing document through the hub while the link is
//! unplugged (it waits in the outbox, the indicator says the link is down), and sees it leave when
//! the link is back, then each recipient's status and the status history on the document.
//!
//! The desktop's secret must live in a keyring of its own, so this test starts its own tauri-driver
//! with a private D-Bus session and gnome-keyring in its environment (the app inherits it).
//! `VANTHU_TAURI_DRIVER` names the driver (`cargo xtask test` sets it), else `tauri-driver` on PATH.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vanthu_testkit::keyring;
use vanthu_testkit::proxy::Proxy;

use crate::desktop::{Session, WAIT, one_window};
use crate::desktop_desk::{Desktop, app};
use crate::exchange::{add_org, issue, one_page_pdf, start_hub, station_at, sync};
use crate::support;

/// The CLI station.
const A: &str = "000.00.00.H24";
const A_NAME: &str = "Ủy ban nhân dân tỉnh Lào Cai";
/// The desktop station.
const B: &str = "000.02.00.H24";
const B_NAME: &str = "Ủy ban nhân dân xã Bản Phiệt";

/// A tauri-driver of this test's own, stopped (SIGTERM, so it stops its WebKitWebDriver) on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(envs: &[(&str, String)]) -> Driver {
        let program = std::env::var("VANTHU_TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".to_owned());
        let port = free_pair();
        let child = Command::new(&program)
            .args(["--port", &port.to_string(), "--native-port", &(port + 1).to_string()])
            .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e} (cargo xtask test installs it)"));
        Driver { child, url: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two consecutive free ports (tauri-driver's and its WebKitWebDriver's).
fn free_pair() -> u16 {
    (4700..4900)
        .step_by(2)
        .find(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok() && TcpListener::bind(("127.0.0.1", *p + 1)).is_ok())
        .expect("a free pair of ports between 4700 and 4900")
}

fn socket_of(url: &str) -> SocketAddr {
    url.trim_start_matches("https://").parse().expect("the hub listens on IP:PORT")
}

/// Waits until `done` holds, asking the worker for a pass now and then (the button a clerk would press).
fn until(session: &Session, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT * 2;
    let mut last_push = Instant::now();
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not reached after {:?}", WAIT * 2);
        if last_push.elapsed() > Duration::from_secs(3) {
            session.invoke("sync_now", serde_json::json!({}));
            last_push = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn attr(session: &Session, css: &str, name: &str) -> String {
    let script = format!(
        "const e = document.querySelector({}); return e ? e.getAttribute({}) : null;",
        serde_json::to_string(css).unwrap_or_default(),
        serde_json::to_string(name).unwrap_or_default()
    );
    session.execute(&script).as_str().unwrap_or_default().to_owned()
}

fn codes_from(exchange: &Value, organ: &str) -> Vec<String> {
    exchange["history"]
        .as_array()
        .expect("a history")
        .iter()
        .filter(|s| s["way"] == "in" && s["organ_id"] == organ)
        .filter_map(|s| s["code"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn the_desktop_exchanges_with_the_hub_through_an_unplugged_link() {
    let _window = one_window();
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(dir.path());
    add_org(&hub, A, A_NAME, "bí-mật-A");
    add_org(&hub, B, B_NAME, "bí-mật-B");
    let proxy = Proxy::start(socket_of(&hub.url), 20261122);

    // Station A: the CLI, with its own keyring.
    let cli_keyring = keyring::Session::start();
    // The system clock at both stations, so that the statuses' times follow each other.
    let a = station_at(dir.path(), &cli_keyring, &hub.url, &hub.ca, A, A_NAME, "bí-mật-A");
    let pdf = dir.path().join("cong-van.pdf");
    one_page_pdf(&pdf);
    let to_b = issue(&a, &pdf, "Về việc báo cáo tình hình thiệt hại do mưa lũ");
    a.json(&["outgoing", "send", &to_b, "--to", B]);
    assert_eq!(sync(&a)["sent"], 1, "A's package is at the hub");

    // Station B: the desktop app, its register made by the CLI, its account entered in the window.
    let desktop_keyring = keyring::Session::start();
    let db = dir.path().join("ban-phiet.sqlite3");
    support::run_json(support::vanthu(&db, None).args([
        "init",
        "--org-id",
        B,
        "--org-name",
        B_NAME,
        "--org-abbr",
        "UBND",
    ]));
    let mut envs = desktop_keyring.envs();
    envs.push(("DISPLAY", std::env::var("DISPLAY").expect("DISPLAY: run the tests with cargo xtask test")));
    let driver = Driver::start(&envs);
    // The real clock: the worker's backoff and the outbox's deferrals follow it.
    let session = Session::start_on(&driver.url, &app(), &db, None);

    session.wait_for("[data-testid=link-indicator]");
    assert_eq!(session.wait_js("[data-testid=link-state]", |t| t.contains("chưa cấu hình")), "Trục: chưa cấu hình");

    session.click("[data-testid=nav-admin]");
    session.click("[data-testid=admin-tab-hub]");
    session.type_into("[data-testid=hub-url]", &format!("https://{}", proxy.addr()));
    session.type_into("[data-testid=hub-secret]", "bí-mật-B");
    session.type_into("[data-testid=hub-ca]", hub.ca.to_str().unwrap());
    session.click("[data-testid=hub-save]");
    let saved = session.wait_js("[data-testid=hub-state]", |t| t.starts_with("Đã cấu hình"));
    assert!(saved.contains(B), "the account is ours: {saved}");
    assert_eq!(session.read("[data-testid=hub-secret]"), "", "the secret is not shown back");
    session.click("[data-testid=hub-test]");
    let directory = session.wait_js("[data-testid=hub-directory]", |t| t.contains("Kết nối được"));
    assert!(directory.contains(A_NAME), "the hub's directory lists A: {directory}");

    // Saving woke the worker: A's package arrives and waits for the clerk.
    until(&session, "the arrival in the indicator", || {
        attr(&session, "[data-testid=inbox-count]", "data-count") == "1"
    });
    assert_eq!(attr(&session, "[data-testid=link-indicator]", "data-state"), "online");
    session.shot("exchange-indicator.png");

    session.click("[data-testid=link-indicator]");
    let row = session.read("[data-testid=inbox-row]");
    assert!(row.contains(A_NAME) && row.contains("mưa lũ"), "the package on the exchange screen: {row}");
    assert_eq!(session.read("[data-testid=inbox-verdict]"), "Không có chữ ký số");
    session.shot("exchange-inbox.png");

    // Registering an unsigned arrival needs the clerk's reason.
    session.click("[data-testid=inbox-register]");
    session.type_into("[data-testid=inbox-handler]", "Văn phòng");
    session.click("[data-testid=inbox-register-confirm]");
    assert_eq!(session.read("[data-testid=inbox-override-error]"), "Phải ghi lý do.");
    session.type_into("[data-testid=inbox-override]", "Bản gửi qua trục của cơ quan cấp trên, đã gọi điện xác nhận");
    session.click("[data-testid=inbox-register-confirm]");
    let toast = session.wait_js("[data-testid=toast]", |t| t.starts_with("Đã vào sổ"));
    assert!(toast.contains("số đến 1"), "{toast}");
    session.wait_for("[data-testid=inbox-empty]");
    until(&session, "the outbox emptied (01, 03 sent)", || {
        attr(&session, "[data-testid=outbox-count]", "data-count") == "0"
    });

    // A hears 01 and 03.
    sync(&a);
    assert_eq!(codes_from(&a.json(&["exchange", &to_b]), B), ["01", "03"], "A's history of its document at B");

    // The link goes down. B issues a document and sends it: it waits in the outbox.
    proxy.set_unplugged(true);
    let outgoing = support::run_json(
        support::vanthu(&db, None)
            .args(["outgoing", "add", "--type", "Báo cáo", "--signer", "Lò Văn Pháo"])
            .args(["--subject", "Báo cáo thiệt hại do mưa lũ trên địa bàn xã", "--file"])
            .arg(&pdf),
    );
    let to_a = outgoing["id"].as_str().unwrap().to_owned();
    session.click("[data-testid=nav-outgoing]");
    session.wait_rows(WAIT, |rows| rows.iter().any(|r| r.id == to_a));
    session.click(&format!("[data-testid=register-row][data-id=\"{to_a}\"]"));
    assert_eq!(session.read("[data-testid=exchange-not-sent]"), "Chưa gửi qua trục.");
    session.click("[data-testid=send-hub]");
    session.type_into("[data-testid=send-organ-id]", A);
    session.click("[data-testid=send-confirm]");
    session.wait_for("[data-testid=exchange-recipient]");
    assert!(!session.exists("[data-testid=send-hub]"), "a document is sent through the hub once");
    session.click("[data-testid=detail-dialog-close]");
    until(&session, "the link reported down", || {
        attr(&session, "[data-testid=link-indicator]", "data-state") == "offline"
    });
    assert_eq!(attr(&session, "[data-testid=outbox-count]", "data-count"), "1", "the package waits in the outbox");
    assert_eq!(session.read("[data-testid=link-state]"), "Trục: mất kết nối");
    session.shot("exchange-offline.png");

    // The link is back: the package leaves, A receives it once and registers it.
    proxy.set_unplugged(false);
    until(&session, "the link back up", || attr(&session, "[data-testid=link-indicator]", "data-state") == "online");
    until(&session, "the outbox emptied", || attr(&session, "[data-testid=outbox-count]", "data-count") == "0");
    sync(&a);
    let waiting = a.json(&["inbox", "list"])["items"].as_array().unwrap().clone();
    assert_eq!(waiting.len(), 1, "A received B's document once: {waiting:?}");
    let inbox_id = waiting[0]["id"].to_string();
    a.json(&["inbox", "register", &inbox_id, "--override-signature", "Đã xác nhận qua điện thoại"]);
    sync(&a);

    // B sees A's 01 and 03 on its document: the recipient's row and the history.
    let recipient = "[data-testid=exchange-recipient]";
    until(&session, "A's 03 on B's document", || {
        session.execute("window.dispatchEvent(new Event('vanthu-changed'));");
        // The detail re-reads on its own reload only: close and open it again.
        if session.exists("[data-testid=detail-dialog]") {
            session.click("[data-testid=detail-dialog-close]");
        }
        session.click(&format!("[data-testid=register-row][data-id=\"{to_a}\"]"));
        session.wait_for(recipient);
        attr(&session, recipient, "data-code") == "03"
    });
    assert_eq!(attr(&session, recipient, "data-delivery"), "sent");
    let line = session.read(recipient);
    assert!(line.contains("03 — Đã tiếp nhận") && line.contains(A), "{line}");
    let history = session.texts("[data-testid=exchange-history] li");
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history[0].contains("01 — Đã đến") && history[1].contains("03 — Đã tiếp nhận"), "{history:?}");
    session.shot("exchange-document.png");

    // Nothing lost, nothing doubled: one registration each way, and both registers whole.
    drop(session);
    drop(driver);
    let b_exchange = support::run_json(support::vanthu(&db, None).args(["exchange", &to_a]));
    assert_eq!(codes_from(&b_exchange, A), ["01", "03"]);
    for register in [&a.db, &db as &Path] {
        let incoming = support::run_json(support::vanthu(register, None).args(["list", "incoming"]));
        assert_eq!(incoming["total"], 1, "one incoming registration in {}: {incoming}", register.display());
        support::run_json(support::vanthu(register, None).arg("check"));
    }
}
