//! The exchange screens in real windows, as the "done when" asks: two desktop apps (a
//! province's office and a commune's) and one hub (`vanthu-hub serve`, TLS on loopback), the
//! commune's link through a proxy that the test unplugs and plugs back.
//!
//! In each window the clerk enters the hub account in Quản trị › Trục liên thông (the secret goes to
//! that desktop's keyring). The province sends a document with "Gửi qua trục"; the commune sees it in
//! the connection indicator, registers it from the exchange screen (an unsigned arrival needs a
//! reason), and the province sees "03 — Đã tiếp nhận" on its document. Then the commune's link is
//! unplugged: its document waits in the outbox and the indicator says the link is down; plugged
//! back, it leaves, the province registers it once, and the commune sees the recipient's status and
//! the status history on its document. The registers stay whole, with one registration each way.
//!
//! Each desktop's secret lives in a keyring of its own, so the test starts a tauri-driver per window
//! with a private D-Bus session and gnome-keyring in its environment (the app inherits it).
//! `VANTHU_TAURI_DRIVER` names the driver (`cargo xtask test` sets it), else `tauri-driver` on PATH.
//! The outgoing documents are registered with the CLI on the same register files (the desktop's
//! outgoing form has its own test); everything about the exchange is done in the windows.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vanthu_testkit::keyring;
use vanthu_testkit::proxy::Proxy;

use crate::desktop::{Session, WAIT, one_window};
use crate::desktop_desk::{Desktop, app};
use crate::exchange::{add_org, one_page_pdf, start_hub};
use crate::support;

/// The province's office.
const A: &str = "000.00.00.H24";
const A_NAME: &str = "Ủy ban nhân dân tỉnh Lào Cai";
/// The commune's office, on the patchy link.
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

/// A desktop station: its register, its keyring, its driver and its window.
struct Window {
    db: std::path::PathBuf,
    session: Session,
    _driver: Driver,
    _keyring: keyring::Session,
}

impl Window {
    /// Makes the register (CLI `init`) and opens the app on it, with a keyring of its own, on the
    /// system clock (the worker's backoff and the outbox's deferrals follow it).
    fn open(dir: &Path, organ_id: &str, name: &str) -> Window {
        let db = dir.join(format!("{organ_id}.sqlite3"));
        support::run_json(support::vanthu(&db, None).args([
            "init",
            "--org-id",
            organ_id,
            "--org-name",
            name,
            "--org-abbr",
            "UBND",
        ]));
        let keyring = keyring::Session::start();
        let mut envs = keyring.envs();
        envs.push(("DISPLAY", std::env::var("DISPLAY").expect("DISPLAY: run the tests with cargo xtask test")));
        let driver = Driver::start(&envs);
        let session = Session::start_on(&driver.url, &app(), &db, None);
        session.wait_for("[data-testid=link-indicator]");
        Window { db, session, _driver: driver, _keyring: keyring }
    }

    /// Enters the hub account in Quản trị › Trục liên thông and checks the connection.
    fn configure(&self, url: &str, secret: &str, ca: &Path, other: &str) {
        let s = &self.session;
        assert_eq!(s.wait_js("[data-testid=link-state]", |t| t.contains("chưa cấu hình")), "Trục: chưa cấu hình");
        s.click("[data-testid=nav-admin]");
        s.click("[data-testid=admin-tab-hub]");
        s.type_into("[data-testid=hub-url]", url);
        s.type_into("[data-testid=hub-secret]", secret);
        s.type_into("[data-testid=hub-ca]", ca.to_str().unwrap());
        s.click("[data-testid=hub-save]");
        let saved = s.wait_js("[data-testid=hub-state]", |t| t.starts_with("Đã cấu hình"));
        assert!(saved.contains("mã cơ quan"), "{saved}");
        assert_eq!(s.read("[data-testid=hub-secret]"), "", "the secret is not shown back");
        s.click("[data-testid=hub-test]");
        let directory = s.wait_js("[data-testid=hub-directory]", |t| t.contains("Kết nối được"));
        assert!(directory.contains(other), "the hub's directory lists {other}: {directory}");
    }

    /// Registers an outgoing document (CLI, on this register) and returns its id.
    fn outgoing(&self, pdf: &Path, type_name: &str, subject: &str) -> String {
        let out = support::run_json(
            support::vanthu(&self.db, None)
                .args(["outgoing", "add", "--type", type_name, "--signer", "Lò Văn Pháo", "--subject", subject])
                .arg("--file")
                .arg(pdf),
        );
        out["id"].as_str().unwrap().to_owned()
    }

    /// Opens the document's detail from the outgoing register.
    fn open_outgoing(&self, id: &str) {
        let s = &self.session;
        if s.exists("[data-testid=detail-dialog]") {
            s.click("[data-testid=detail-dialog-close]");
        }
        s.click("[data-testid=nav-outgoing]");
        s.wait_rows(WAIT, |rows| rows.iter().any(|r| r.id == id));
        s.click(&format!("[data-testid=register-row][data-id=\"{id}\"]"));
        s.wait_for("[data-testid=detail-exchange] h4");
    }

    /// "Gửi qua trục" to `organ_id`, typed as the clerk would; the dialog closed after.
    fn send(&self, id: &str, organ_id: &str) {
        let s = &self.session;
        self.open_outgoing(id);
        assert_eq!(s.read("[data-testid=exchange-not-sent]"), "Chưa gửi qua trục.");
        s.click("[data-testid=send-hub]");
        s.type_into("[data-testid=send-organ-id]", organ_id);
        s.click("[data-testid=send-confirm]");
        s.wait_for("[data-testid=exchange-recipient]");
        assert!(!s.exists("[data-testid=send-hub]"), "a document is sent through the hub once");
        s.click("[data-testid=detail-dialog-close]");
    }

    /// Registers the one package waiting, from the exchange screen; returns the toast.
    fn register_arrival(&self, sender: &str, subject: &str) -> String {
        let s = &self.session;
        self.until("the arrival in the indicator", || self.attr("[data-testid=inbox-count]", "data-count") == "1");
        if s.exists("[data-testid=detail-dialog]") {
            s.click("[data-testid=detail-dialog-close]");
        }
        s.click("[data-testid=link-indicator]");
        let row = s.read("[data-testid=inbox-row]");
        assert!(row.contains(sender) && row.contains(subject), "the package on the exchange screen: {row}");
        assert_eq!(s.read("[data-testid=inbox-verdict]"), "Không có chữ ký số");
        s.click("[data-testid=inbox-register]");
        s.type_into("[data-testid=inbox-handler]", "Văn phòng");
        s.click("[data-testid=inbox-register-confirm]");
        assert_eq!(
            s.read("[data-testid=inbox-override-error]"),
            "Phải ghi lý do.",
            "an unsigned arrival needs a reason"
        );
        s.type_into("[data-testid=inbox-override]", "Bản gửi qua trục, đã gọi điện xác nhận với nơi gửi");
        s.click("[data-testid=inbox-register-confirm]");
        let toast = s.wait_js("[data-testid=toast]", |t| t.starts_with("Đã vào sổ"));
        s.wait_for("[data-testid=inbox-empty]");
        self.until("the outbox emptied (01, 03 sent)", || self.attr("[data-testid=outbox-count]", "data-count") == "0");
        toast
    }

    /// Waits until the recipient's row on document `id` shows status `code`.
    fn wait_recipient(&self, id: &str, code: &str) -> String {
        let recipient = "[data-testid=exchange-recipient]";
        self.until(&format!("status {code} on {id}"), || {
            // The detail reads its exchange when opened: open it again.
            self.open_outgoing(id);
            self.session.wait_for(recipient);
            self.attr(recipient, "data-code") == code
        });
        assert_eq!(self.attr(recipient, "data-delivery"), "sent");
        self.session.read(recipient)
    }

    fn attr(&self, css: &str, name: &str) -> String {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.getAttribute({}) : null;",
            serde_json::to_string(css).unwrap_or_default(),
            serde_json::to_string(name).unwrap_or_default()
        );
        self.session.execute(&script).as_str().unwrap_or_default().to_owned()
    }

    /// Waits until `done` holds, asking the worker for a pass now and then (as a clerk would press
    /// "Đồng bộ ngay").
    fn until(&self, what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + WAIT * 2;
        let mut last_push = Instant::now();
        while !done() {
            assert!(Instant::now() < deadline, "{what}: not reached after {:?}", WAIT * 2);
            if last_push.elapsed() > Duration::from_secs(3) {
                self.session.invoke("sync_now", serde_json::json!({}));
                last_push = Instant::now();
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }
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
fn two_desktops_exchange_through_the_hub_and_an_unplugged_link() {
    let _window = one_window();
    let dir = tempfile::tempdir().unwrap();
    let hub = start_hub(dir.path());
    add_org(&hub, A, A_NAME, "bí-mật-A");
    add_org(&hub, B, B_NAME, "bí-mật-B");
    // The commune's link.
    let proxy = Proxy::start(hub.socket(), 20261122);
    let pdf = dir.path().join("cong-van.pdf");
    one_page_pdf(&pdf);

    let a = Window::open(dir.path(), A, A_NAME);
    let b = Window::open(dir.path(), B, B_NAME);
    a.configure(&hub.url, "bí-mật-A", &hub.ca, B_NAME);
    b.configure(&format!("https://{}", proxy.addr()), "bí-mật-B", &hub.ca, A_NAME);

    // The province sends; the commune registers; the province sees 03.
    let to_b = a.outgoing(&pdf, "Công văn", "Về việc báo cáo tình hình thiệt hại do mưa lũ");
    a.send(&to_b, B);
    a.until("A's package sent", || a.attr("[data-testid=outbox-count]", "data-count") == "0");
    b.session.shot("exchange-indicator.png");
    let toast = b.register_arrival(A_NAME, "mưa lũ");
    assert!(toast.contains("số đến 1"), "{toast}");
    b.session.shot("exchange-registered.png");
    let line = a.wait_recipient(&to_b, "03");
    assert!(line.contains("03 — Đã tiếp nhận") && line.contains(B), "{line}");

    // The commune's link goes down: its document waits in the outbox, the indicator says so.
    proxy.set_unplugged(true);
    let to_a = b.outgoing(&pdf, "Báo cáo", "Báo cáo thiệt hại do mưa lũ trên địa bàn xã");
    b.send(&to_a, A);
    b.until("the link reported down", || b.attr("[data-testid=link-indicator]", "data-state") == "offline");
    assert_eq!(b.attr("[data-testid=outbox-count]", "data-count"), "1", "the package waits in the outbox");
    assert_eq!(b.session.read("[data-testid=link-state]"), "Trục: mất kết nối");
    b.session.shot("exchange-offline.png");

    // Plugged back: it leaves, the province registers it once, the commune sees 01 and 03.
    proxy.set_unplugged(false);
    b.until("the link back up", || b.attr("[data-testid=link-indicator]", "data-state") == "online");
    b.until("the outbox emptied", || b.attr("[data-testid=outbox-count]", "data-count") == "0");
    let toast = a.register_arrival(B_NAME, "trên địa bàn xã");
    assert!(toast.contains("số đến 1"), "{toast}");
    let line = b.wait_recipient(&to_a, "03");
    assert!(line.contains("03 — Đã tiếp nhận") && line.contains(A), "{line}");
    let history = b.session.texts("[data-testid=exchange-history] li");
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history[0].contains("01 — Đã đến") && history[1].contains("03 — Đã tiếp nhận"), "{history:?}");
    b.session.shot("exchange-document.png");
    a.session.shot("exchange-province.png");

    // Nothing lost, nothing doubled: one registration each way, every status home, both registers whole.
    let (a_db, b_db) = (a.db.clone(), b.db.clone());
    drop(a);
    drop(b);
    let a_side = support::run_json(support::vanthu(&a_db, None).args(["exchange", &to_b]));
    assert_eq!(codes_from(&a_side, B), ["01", "03"], "B's statuses on A's document");
    let b_side = support::run_json(support::vanthu(&b_db, None).args(["exchange", &to_a]));
    assert_eq!(codes_from(&b_side, A), ["01", "03"], "A's statuses on B's document");
    for register in [&a_db, &b_db] {
        let incoming = support::run_json(support::vanthu(register, None).args(["list", "incoming"]));
        assert_eq!(incoming["total"], 1, "one incoming registration in {}: {incoming}", register.display());
        support::run_json(support::vanthu(register, None).arg("check"));
    }
}
