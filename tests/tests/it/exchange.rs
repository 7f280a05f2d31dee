//! Exchange through the hub, end to end with real processes: the reference hub (`vanthu-hub serve`,
//! TLS on loopback, SQLite), two stations (`vanthu` registers, each with its hub secret in a private
//! gnome-keyring), documents and statuses both ways, a rejection, a recall, and every register whole.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use vanthu_testkit::keyring;
use vanthu_testkit::tls::TestTls;

use crate::support::{built_binary, run_json, vanthu};

const A: &str = "000.00.00.H24";
const B: &str = "000.01.00.H24";
const NOW: &str = "2026-11-23T09:00:00+07:00";

/// A running hub: killed when dropped.
pub struct Hub {
    child: Child,
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    /// Its configuration file.
    pub config: PathBuf,
    /// The CA (here the self-signed certificate) stations trust.
    pub ca: PathBuf,
}

impl Hub {
    /// The address it listens on (for a proxy in front of it).
    pub fn socket(&self) -> std::net::SocketAddr {
        self.url.trim_start_matches("https://").parse().expect("the hub's URL is https://IP:PORT")
    }

    /// SIGKILL, and wait for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn hub_bin() -> PathBuf {
    built_binary("VANTHU_HUB_BIN", "vanthu-hub")
}

/// Writes a hub configuration (SQLite store in `dir`, TLS, a free port) and starts the hub.
pub fn start_hub(dir: &Path) -> Hub {
    let tls = TestTls::new().write(dir);
    let (ca, cert, key) = (tls.ca, tls.cert, tls.key);
    let config = dir.join("hub.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\n[tls]\ncert = \"{}\"\nkey = \"{}\"\n[store]\nsqlite = \"{}\"\n",
            cert.display(),
            key.display(),
            dir.join("hub.sqlite3").display()
        ),
    )
    .unwrap();
    spawn_hub(&config, &ca)
}

/// Starts the hub on an existing configuration and waits for its "listening on URL" line.
pub fn spawn_hub(config: &Path, ca: &Path) -> Hub {
    let mut child = Command::new(hub_bin())
        .args(["serve", "--config"])
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("vanthu-hub starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("hub said {line:?}")).to_owned();
    Hub { child, url, config: config.to_owned(), ca: ca.to_owned() }
}

/// `vanthu-hub org add` with the secret on stdin.
pub fn add_org(hub: &Hub, organ_id: &str, name: &str, secret: &str) {
    let out = with_stdin(
        Command::new(hub_bin()).args(["org", "add", "--config"]).arg(&hub.config).args([
            "--id",
            organ_id,
            "--name",
            name,
            "--secret-stdin",
        ]),
        secret,
    );
    assert!(out.status.success(), "org add: {}", String::from_utf8_lossy(&out.stderr));
}

/// Runs `cmd` with `line` on its standard input, and returns its output.
fn with_stdin(cmd: &mut Command, line: &str) -> std::process::Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{line}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A station: a register whose hub secret is in the private keyring.
pub struct Station<'k> {
    pub db: PathBuf,
    keyring: &'k keyring::Session,
    /// The fixed clock of its commands, or the system's.
    now: Option<&'static str>,
}

impl Station<'_> {
    /// `vanthu --db … --json [--now NOW] ARGS`, in the keyring's session.
    pub fn cmd(&self) -> Command {
        let mut cmd = vanthu(&self.db, self.now);
        self.keyring.apply(&mut cmd);
        cmd
    }

    pub fn json(&self, args: &[&str]) -> Value {
        run_json(self.cmd().args(args))
    }
}

/// Creates a station's register for `organ_id` and gives it the hub account.
pub fn station<'k>(
    dir: &Path,
    keyring: &'k keyring::Session,
    hub: &Hub,
    organ_id: &str,
    name: &str,
    secret: &str,
) -> Station<'k> {
    let mut station = station_at(dir, keyring, &hub.url, &hub.ca, organ_id, name, secret);
    station.now = Some(NOW);
    station
}

/// [`station`] reaching the hub at `url` (a proxy in front of it), trusting `ca`, on the system clock.
pub fn station_at<'k>(
    dir: &Path,
    keyring: &'k keyring::Session,
    url: &str,
    ca: &Path,
    organ_id: &str,
    name: &str,
    secret: &str,
) -> Station<'k> {
    let station = Station { db: dir.join(format!("{organ_id}.sqlite3")), keyring, now: None };
    station.json(&["init", "--org-id", organ_id, "--org-name", name, "--org-abbr", "UBND"]);
    let out =
        with_stdin(station.cmd().args(["hub", "set", "--url", url, "--ca"]).arg(ca).arg("--secret-stdin"), secret);
    assert!(out.status.success(), "hub set: {}", String::from_utf8_lossy(&out.stderr));
    station
}

/// A one-page PDF.
pub fn one_page_pdf(path: &Path) {
    let pdf = vanthu_testkit::pdf::classic(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
    ]);
    std::fs::write(path, pdf).unwrap();
}

pub fn issue(station: &Station<'_>, file: &Path, subject: &str) -> String {
    let out = station.json(&[
        "outgoing",
        "add",
        "--type",
        "Công văn",
        "--signer",
        "Trịnh Xuân Trường",
        "--subject",
        subject,
        "--file",
        file.to_str().unwrap(),
    ]);
    out["id"].as_str().unwrap().to_owned()
}

pub fn sync(station: &Station<'_>) -> Value {
    station.json(&["sync", "--once"])
}

fn waiting(station: &Station<'_>) -> Vec<Value> {
    station.json(&["inbox", "list"])["items"].as_array().unwrap().clone()
}

fn recipient_code(station: &Station<'_>, id: &str, organ: &str) -> Option<String> {
    let exchange = station.json(&["exchange", id]);
    exchange["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["organ_id"] == organ)
        .and_then(|r| r["last_code"].as_str().map(str::to_owned))
}

#[test]
fn two_stations_exchange_documents_and_statuses_both_ways_through_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = keyring::Session::start();
    let hub = start_hub(dir.path());
    add_org(&hub, A, "Ủy ban nhân dân tỉnh Lào Cai", "bí-mật-A");
    add_org(&hub, B, "Sở Nội vụ tỉnh Lào Cai", "bí-mật-B");
    let a = station(dir.path(), &keyring, &hub, A, "Ủy ban nhân dân tỉnh Lào Cai", "bí-mật-A");
    let b = station(dir.path(), &keyring, &hub, B, "Sở Nội vụ tỉnh Lào Cai", "bí-mật-B");
    let pdf = dir.path().join("cong-van.pdf");
    one_page_pdf(&pdf);

    // A issues a document and sends it to B: queued, then sent by the pass.
    let doc = issue(&a, &pdf, "Về việc báo cáo công tác văn thư năm 2026");
    let queued = a.json(&["outgoing", "send", &doc, "--to", B]);
    assert_eq!(queued["state"], "pending");
    assert_eq!(a.json(&["hub", "show"])["counts"]["outbox"], 1);
    let pass = sync(&a);
    assert_eq!(pass["sent"], 1, "{pass}");
    assert_eq!(a.json(&["hub", "show"])["counts"]["outbox"], 0);

    // B receives it: one package waiting, answered with 01 in the same pass's transaction.
    let pass = sync(&b);
    assert_eq!(pass["received"], 1, "{pass}");
    let items = waiting(&b);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["subject"], "Về việc báo cáo công tác văn thư năm 2026");
    assert_eq!(items[0]["sender"], A);
    assert_eq!(items[0]["verdict"], "unsigned", "an unsigned PDF is said so");
    // A second pass receives nothing more.
    assert_eq!(sync(&b)["received"], 0);
    assert_eq!(waiting(&b).len(), 1);
    // B's 01 goes out on its next pass (it was queued); A sees it on the recipient.
    sync(&b);
    sync(&a);
    assert_eq!(recipient_code(&a, &doc, B).as_deref(), Some("01"));

    // B registers it (the clerk answers for the missing signature): 03 goes back.
    let inbox_id = items[0]["id"].as_i64().unwrap().to_string();
    let refused = b.cmd().args(["inbox", "register", &inbox_id]).output().unwrap();
    assert_eq!(refused.status.code(), Some(7), "an unsigned arrival needs the clerk's reason");
    let registered =
        b.json(&["inbox", "register", &inbox_id, "--override-signature", "Văn bản thử nghiệm, chưa ký số"]);
    let b_doc = registered["id"].as_str().unwrap().to_owned();
    assert_eq!(registered["document"]["organ_id"], A);
    assert_eq!(registered["document"]["channel"], "electronic");
    assert!(waiting(&b).is_empty());
    sync(&b);
    sync(&a);
    assert_eq!(recipient_code(&a, &doc, B).as_deref(), Some("03"));
    let history = a.json(&["exchange", &doc])["history"].as_array().unwrap().clone();
    let codes: Vec<&str> = history.iter().map(|s| s["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["01", "03"], "{history:?}");

    // The other way: B answers with a document of its own, A rejects it with a reason (02).
    let reply = issue(&b, &pdf, "Báo cáo công tác văn thư");
    b.json(&["outgoing", "send", &reply, "--to", A]);
    sync(&b);
    sync(&a);
    let at_a = waiting(&a);
    assert_eq!(at_a.len(), 1);
    let rejected =
        a.json(&["inbox", "reject", &at_a[0]["id"].as_i64().unwrap().to_string(), "--reason", "Thiếu phụ lục"]);
    assert_eq!(rejected["state"], "rejected");
    sync(&a);
    sync(&b);
    assert_eq!(recipient_code(&b, &reply, A).as_deref(), Some("02"));
    let b_history = b.json(&["exchange", &reply])["history"].clone();
    assert!(b_history.to_string().contains("Thiếu phụ lục"), "the reason reached the sender: {b_history}");

    // A recalls its document: B's registration is cancelled (number and history kept), 15 comes back.
    a.json(&["recall", &doc, "--reason", "Ban hành nhầm"]);
    sync(&a);
    let pass = sync(&b);
    assert_eq!(pass["recalls"], 1, "{pass}");
    let shown = b.json(&["show", &b_doc]);
    assert_eq!(shown["document"]["cancelled"], true);
    assert!(shown["document"]["cancel_reason"].as_str().unwrap().contains("Ban hành nhầm"));
    sync(&b);
    sync(&a);
    assert_eq!(recipient_code(&a, &doc, B).as_deref(), Some("15"));

    // A station with the wrong secret is refused with a clear message (exit 8), the hub logs the
    // refusal, and nothing it queued is lost: it waits in the outbox.
    let c = station(dir.path(), &keyring, &hub, "000.02.00.H24", "UBND huyện Bát Xát", "sai-mật-khẩu");
    let queued = issue(&c, &pdf, "Văn bản của trạm sai mật khẩu");
    c.json(&["outgoing", "send", &queued, "--to", A]);
    let refused = c.cmd().args(["sync", "--once"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(8), "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("từ chối tài khoản"));
    assert_eq!(c.json(&["hub", "show"])["counts"]["outbox"], 1);
    let events = Command::new(hub_bin()).args(["events", "--config"]).arg(&hub.config).output().unwrap();
    let events = String::from_utf8_lossy(&events.stdout);
    assert!(events.contains("AUTH") && events.contains("000.02.00.H24"), "the hub logged it: {events}");

    // Nothing is left to send, and both registers are whole.
    for s in [&a, &b] {
        let show = s.json(&["hub", "show"]);
        assert_eq!(show["counts"]["outbox"], 0, "{show}");
        assert_eq!(show["counts"]["failed"], 0, "{show}");
        assert_eq!(s.json(&["check"])["ok"], true);
    }
}
