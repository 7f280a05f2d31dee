//! The harness: a hub configuration in a temporary folder (TLS with a test CA, SQLite or a private
//! PostgreSQL cluster, three organisations added with `vanthu-hub org add`), hub processes started
//! from the built binary and read for their readiness line, and an HTTPS client per organisation.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use time::macros::{date, datetime};
use vanthu_edxml::vxp::{Agency, ListReply, ReceivedItem, SentItem};
use vanthu_edxml::*;
use vanthu_hub::store::Event;
use vanthu_hub::{Config, Store};
use vanthu_testkit::postgres::Cluster;
use vanthu_testkit::tls::TestTls;

/// Văn phòng Chính phủ: the usual sender.
pub const VPCP: &str = "000.00.00.G22";
/// UBND tỉnh Nghệ An.
pub const NGHE_AN: &str = "000.00.00.H41";
/// UBND tỉnh Hà Tĩnh.
pub const HA_TINH: &str = "000.00.00.H42";
/// Not in the directory.
pub const STRANGER: &str = "000.00.00.H99";
/// The organisations every setup adds.
pub const ORGANISATIONS: [(&str, &str); 3] =
    [(VPCP, "Văn phòng Chính phủ"), (NGHE_AN, "UBND tỉnh Nghệ An"), (HA_TINH, "UBND tỉnh Hà Tĩnh")];

/// Each organisation's secret in the tests.
pub fn secret(organ_id: &str) -> String {
    format!("mật-khẩu-{organ_id}")
}

/// Which store the hub runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A hub's folder: configuration, certificate, store (and the PostgreSQL cluster, kept alive).
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    /// The PostgreSQL cluster, kept running as long as the setup.
    _cluster: Option<Cluster>,
    ca_der: Vec<u8>,
}

impl Setup {
    /// TLS, the backend's store, the three organisations.
    pub fn new(backend: Backend) -> Setup {
        let setup = Setup::bare(backend, "");
        for (id, name) in ORGANISATIONS {
            setup.add_organisation(id, name);
        }
        setup
    }

    /// TLS and the backend's store, with `extra` top-level configuration lines; no organisation.
    pub fn bare(backend: Backend, extra: &str) -> Setup {
        let dir = tempfile::Builder::new().prefix("vanthu-hub-test-").tempdir().expect("temporary folder");
        let tls = TestTls::new();
        tls.write(dir.path());
        let ca_der = tls.ca_der;
        let (cluster, store) = match backend {
            Backend::Sqlite => (None, "sqlite = \"hub.sqlite3\"".to_owned()),
            Backend::Postgres => {
                let cluster = Cluster::start();
                let url = cluster.url();
                (Some(cluster), format!("postgres = \"{url}\""))
            }
        };
        let config = dir.path().join("hub.toml");
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:0\"\n{extra}\n[tls]\ncert = \"hub.crt.pem\"\nkey = \"hub.key.pem\"\n\n[store]\n{store}\n"
            ),
        )
        .expect("configuration");
        Setup { dir, config, _cluster: cluster, ca_der }
    }

    /// `vanthu-hub org add --secret-stdin` with [`secret`].
    pub fn add_organisation(&self, id: &str, name: &str) {
        let out = run_with_stdin(
            hub_command()
                .args(["org", "add", "--config"])
                .arg(&self.config)
                .args(["--id", id, "--name", name])
                .arg("--secret-stdin"),
            &format!("{}\n", secret(id)),
        );
        assert!(out.status.success(), "org add {id}: {}", text(&out));
    }

    /// Starts a hub process on this folder and waits for its readiness line.
    pub fn start(&self) -> Hub {
        Hub::start(&self.config, self.dir.path(), &self.ca_der)
    }

    /// The store, opened by the library (as the hub opens it).
    fn with_store<T>(&self, f: impl AsyncFnOnce(Store) -> T) -> T {
        let config = Config::load(&self.config).expect("configuration");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let store = Store::open(&config.store).await.expect("store");
            f(store).await
        })
    }

    /// The logged events, oldest first.
    pub fn events(&self) -> Vec<Event> {
        let mut events = self.with_store(async |s| s.events(10_000).await.expect("events"));
        events.reverse();
        events
    }

    /// The store's own check: every message whole (size, SHA-256, at least one delivery).
    pub fn check(&self) -> Vec<String> {
        self.with_store(async |s| s.check().await.expect("check"))
    }
}

/// The built binary.
pub fn hub_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vanthu-hub"))
}

/// Runs a command with `input` on stdin.
pub fn run_with_stdin(cmd: &mut Command, input: &str) -> Output {
    use std::io::Write as _;
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait")
}

/// A command's stdout and stderr, for failure messages.
pub fn text(out: &Output) -> String {
    format!("stdout: {}\nstderr: {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

static HUBS: AtomicUsize = AtomicUsize::new(0);

/// A running `vanthu-hub serve`; killed (SIGKILL) when dropped.
pub struct Hub {
    child: Child,
    /// The base URL from the readiness line.
    pub url: String,
    agent: ureq::Agent,
    stderr: PathBuf,
    _stdout: BufReader<ChildStdout>,
}

impl Hub {
    fn start(config: &Path, dir: &Path, ca_der: &[u8]) -> Hub {
        let n = HUBS.fetch_add(1, Ordering::SeqCst);
        let stderr = dir.join(format!("hub-{n}.stderr.log"));
        let mut child = hub_command()
            .args(["serve", "--config"])
            .arg(config)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("vanthu-hub serve");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let read = stdout.read_line(&mut line).expect("readiness line");
        let url = line.trim().strip_prefix("listening on ").map(str::to_owned).unwrap_or_else(|| {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "no readiness line ({read} bytes: {line:?}); stderr:\n{}",
                std::fs::read_to_string(&stderr).unwrap_or_default()
            )
        });
        Hub { child, url, agent: agent(ca_der), stderr, _stdout: stdout }
    }

    /// A client signed in as `organ_id` with its secret.
    pub fn client(&self, organ_id: &str) -> Client {
        self.client_with(organ_id, &secret(organ_id))
    }

    /// A client with any credentials.
    pub fn client_with(&self, organ_id: &str, secret: &str) -> Client {
        Client {
            agent: self.agent.clone(),
            url: self.url.clone(),
            authorization: Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{organ_id}:{secret}"))
            )),
        }
    }

    /// A client without credentials.
    pub fn anonymous(&self) -> Client {
        Client { agent: self.agent.clone(), url: self.url.clone(), authorization: None }
    }

    /// What the hub wrote on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// SIGKILL, and wait.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends `signal` (`TERM`, `INT`) and waits for the exit.
    pub fn stop_with(mut self, signal: &str) -> ExitStatus {
        let sent = Command::new("kill").arg(format!("-{signal}")).arg(self.child.id().to_string()).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{signal}");
        self.child.wait().expect("wait for the hub")
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTPS client trusting only the test CA; HTTP error statuses are replies, not errors.
fn agent(ca_der: &[u8]) -> ureq::Agent {
    let ca = ureq::tls::Certificate::from_der(ca_der).to_owned();
    let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![ca]))).build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// A JSON reply with its HTTP status.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub json: Value,
}

impl Reply {
    /// `ErrorCode`.
    pub fn code(&self) -> &str {
        self.json["ErrorCode"].as_str().unwrap_or_default()
    }

    /// `DocId` (panics if absent).
    pub fn doc_id(&self) -> String {
        self.json["DocId"].as_str().unwrap_or_else(|| panic!("no DocId in {self:?}")).to_owned()
    }

    /// `duplicate`.
    pub fn duplicate(&self) -> bool {
        self.json["duplicate"].as_bool().unwrap_or_else(|| panic!("no duplicate in {self:?}"))
    }

    /// Asserts a refusal: the code, its HTTP status, `status: FAIL` and a Vietnamese description.
    #[track_caller]
    pub fn assert_refused(&self, code: &str, http: u16) {
        assert_eq!((self.status, self.code()), (http, code), "{self:?}");
        assert_eq!(self.json["status"], "FAIL", "{self:?}");
        assert!(!self.json["ErrorDesc"].as_str().unwrap_or_default().is_empty(), "{self:?}");
    }
}

/// One organisation's calls to a hub.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    url: String,
    authorization: Option<String>,
}

fn reply(mut response: ureq::http::Response<ureq::Body>) -> Reply {
    let status = response.status().as_u16();
    let bytes = response.body_mut().read_to_vec().expect("reply body");
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("reply {status} is not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    Reply { status, json }
}

impl Client {
    fn get(&self, path: &str) -> ureq::RequestBuilder<ureq::typestate::WithoutBody> {
        let request = self.agent.get(format!("{}{path}", self.url));
        match &self.authorization {
            Some(a) => request.header("authorization", a),
            None => request,
        }
    }

    fn post(&self, path: &str) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        let request = self.agent.post(format!("{}{path}", self.url));
        match &self.authorization {
            Some(a) => request.header("authorization", a),
            None => request,
        }
    }

    /// `sendEdoc` with the usual headers, `from` being `from`.
    pub fn send(&self, from: &str, message_type: &str, body: &[u8]) -> Reply {
        self.send_with(&[("from", from), ("servicetype", "eDoc"), ("messagetype", message_type)], body)
    }

    /// `sendEdoc` that may fail in transport (the hub killed mid-request): `None` then.
    pub fn try_send(&self, from: &str, message_type: &str, body: &[u8]) -> Option<Reply> {
        let request = self
            .post("/vxp/sendEdoc")
            .header("from", from)
            .header("servicetype", "eDoc")
            .header("messagetype", message_type);
        let mut response = request.send(body).ok()?;
        let status = response.status().as_u16();
        let bytes = response.body_mut().read_to_vec().ok()?;
        let json = serde_json::from_slice(&bytes).ok()?;
        Some(Reply { status, json })
    }

    /// `sendEdoc` with exactly these headers.
    pub fn send_with(&self, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut request = self.post("/vxp/sendEdoc");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        reply(request.send(body).expect("sendEdoc"))
    }

    /// `getReceivedEdocList` as a raw reply.
    pub fn received_reply(&self, query: &[(&str, &str)]) -> Reply {
        reply(self.get("/vxp/getReceivedEdocList").query_pairs(query.iter().copied()).call().expect("list"))
    }

    /// `getReceivedEdocList`.
    pub fn received(&self, query: &[(&str, &str)]) -> Vec<ReceivedItem> {
        let r = self.received_reply(query);
        assert_eq!((r.status, r.code()), (200, "0"), "{r:?}");
        serde_json::from_value::<ListReply<ReceivedItem>>(r.json).expect("ReceivedItem list").data
    }

    /// `getEdoc`: the HTTP status, the content type and the bytes.
    pub fn fetch(&self, doc_id: &str) -> (u16, String, Vec<u8>) {
        let mut response = self.get("/vxp/getEdoc").query("docId", doc_id).call().expect("getEdoc");
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let status = response.status().as_u16();
        let bytes = response.body_mut().with_config().limit(64 << 20).read_to_vec().expect("getEdoc body");
        (status, content_type, bytes)
    }

    /// `updateStatus`.
    pub fn acknowledge(&self, doc_id: &str, status: &str, reason: Option<&str>) -> Reply {
        let mut body = serde_json::json!({ "docId": doc_id, "status": status });
        if let Some(reason) = reason {
            body["reason"] = reason.into();
        }
        self.acknowledge_raw(&serde_json::to_vec(&body).expect("JSON"))
    }

    /// `updateStatus` with any body.
    pub fn acknowledge_raw(&self, body: &[u8]) -> Reply {
        reply(self.post("/vxp/updateStatus").header("content-type", "application/json").send(body).expect("ack"))
    }

    /// `getSentEdocList`.
    pub fn sent(&self, query: &[(&str, &str)]) -> Vec<SentItem> {
        let r = reply(self.get("/vxp/getSentEdocList").query_pairs(query.iter().copied()).call().expect("sent"));
        assert_eq!((r.status, r.code()), (200, "0"), "{r:?}");
        serde_json::from_value::<ListReply<SentItem>>(r.json).expect("SentItem list").data
    }

    /// `getAgenciesList` as a raw reply.
    pub fn agencies_reply(&self) -> Reply {
        reply(self.get("/vxp/getAgenciesList").call().expect("agencies"))
    }

    /// `getAgenciesList`.
    pub fn agencies(&self) -> Vec<Agency> {
        let r = self.agencies_reply();
        assert_eq!((r.status, r.code()), (200, "0"), "{r:?}");
        serde_json::from_value::<ListReply<Agency>>(r.json).expect("Agency list").data
    }

    /// `/health`: status and body.
    pub fn health(&self) -> (u16, String) {
        let mut response = self.agent.get(format!("{}/health", self.url)).call().expect("health");
        (response.status().as_u16(), response.body_mut().read_to_string().expect("health body"))
    }
}

fn organization(organ_id: &str) -> Organization {
    let name = ORGANISATIONS.iter().find(|(id, _)| *id == organ_id).map_or("Cơ quan lạ", |(_, name)| name);
    Organization { organ_id: organ_id.into(), organ_name: name.into(), ..Organization::default() }
}

/// A package from `from` to `to`, document number `number`, of business type `doc_type`, with a
/// PDF attachment of `attachment_bytes` bytes.
pub fn package_of(from: &str, to: &[&str], number: u32, doc_type: BusinessDocType, attachment_bytes: usize) -> Package {
    let code = Code { number: Some(number.to_string()), notation: Some("VPCP-TTĐT".into()) };
    let promulgated = date!(2026 - 11 - 20);
    let document_id = document_id(from, promulgated, &code);
    let mut package = Package {
        header: MessageHeader {
            from: organization(from),
            to: to.iter().map(|t| organization(t)).collect(),
            document_id: document_id.clone(),
            code,
            promulgation: PromulgationInfo { place: Some("Hà Nội".into()), date: promulgated },
            document_type: Some(DocumentType { kind: 2, detail: 7, name: Some("Công văn".into()) }),
            subject: format!("V/v thử nghiệm trục liên thông, văn bản số {number}"),
            content: None,
            signer: None,
            due_date: None,
            other: OtherInfo::default(),
            response_for: Vec::new(),
            steering_type: None,
            to_places: Vec::new(),
        },
        traces: vec![TraceHeader { organ_id: from.into(), timestamp: datetime!(2026 - 11 - 20 09:00:00) }],
        business: Business { document_id, doc_type, ..Business::default() },
        signature: None,
        manifest: Vec::new(),
        attachments: Vec::new(),
    };
    if doc_type == BusinessDocType::Replace {
        package.business.replacements =
            vec![ReplacementInfo { document_id: package.header.document_id.clone(), organ_ids: vec![to[0].into()] }];
    }
    if attachment_bytes > 0 {
        package.add_attachment(AttachmentMeta {
            content_id: "cid:1".into(),
            attachment_name: format!("{number}-VPCP-TTĐT.pdf"),
            description: None,
            content_type: "application/pdf".into(),
        });
    }
    package
}

/// The attachment's bytes for document `number`: distinct per document.
pub fn attachment_bytes(number: u32, len: usize) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.4\n% văn bản {number}\n").into_bytes();
    bytes.extend((0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).wrapping_add(number).to_le_bytes()[3]));
    bytes.truncate(len.max(1));
    bytes
}

/// A package written: (DocumentId, bytes).
pub fn package(from: &str, to: &[&str], number: u32) -> (String, Vec<u8>) {
    package_sized(from, to, number, 3_000)
}

/// A package with an attachment of about `len` bytes: (DocumentId, bytes).
pub fn package_sized(from: &str, to: &[&str], number: u32, len: usize) -> (String, Vec<u8>) {
    let p = package_of(from, to, number, BusinessDocType::New, len);
    let attachment = attachment_bytes(number, len);
    let bytes = if len > 0 { package_to_vec(&p, &[("cid:1", &attachment)]) } else { package_to_vec(&p, &[]) }
        .expect("package written");
    (p.header.document_id, bytes)
}

/// A status packet from `from` about `document_id` of `about`, code `code`, at `second` past 10:00.
pub fn status(from: &str, about: &str, document_id: &str, code: StatusCode, second: u8) -> Vec<u8> {
    let status = Status {
        response_for: ResponseFor {
            organ_id: Some(about.into()),
            code: Some("1/VPCP-TTĐT".into()),
            promulgation_date: Some(date!(2026 - 11 - 20)),
            document_id: Some(document_id.into()),
        },
        from: organization(from),
        code,
        description: Some(format!("Trạng thái {}", code.code())),
        timestamp: datetime!(2026 - 11 - 21 10:00:00).replace_second(second).expect("second"),
        staff: StaffInfo::default(),
    };
    write_status(&status).expect("status written")
}

/// Lower-case hex SHA-256.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Runs `scenario` on both backends, as two tests named `sqlite` and `postgres`.
macro_rules! on_both_stores {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[test]
            fn sqlite() {
                super::$scenario($crate::support::Backend::Sqlite)
            }

            #[test]
            fn postgres() {
                super::$scenario($crate::support::Backend::Postgres)
            }
        }
    )*};
}
pub(crate) use on_both_stores;
