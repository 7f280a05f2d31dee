//! The exchange figures of the issue: 10,000 packages of about 100 KB from one station through the
//! hub to another on loopback, measured end to end, and set beside the link's own limit.
//!
//! **What runs.** The reference hub exactly as a province would run it: the release `vanthu-hub`
//! binary (`serve`, TLS with a test CA from `vanthu-testkit`, a fresh SQLite store), two
//! organisations registered with `vanthu-hub org add` and their secrets. Two stations, each a
//! register on disk opened through the façade ([`Desk`]): station A issues the documents (a one-page
//! PDF of about 100 KB of noise each: incompressible, like a scan) and queues each one to B with
//! [`Desk::send_outgoing`], which makes and stores its edXML package (the PDF in base64) as the app
//! does. That setup is not timed with the run; its own time is printed.
//!
//! **What is timed.** A and B then run passes concurrently, each on its own thread with its own
//! register connection, through [`Desk::sync_with`] with a [`VxpClient`] made here (the façade would
//! read the same account from the desktop's keyring): A until every package is sent, B until every
//! package is in its inbox. The engine is the app's, unchanged: B answers each arrival with a status
//! 01 that goes back on its next pass, A receives those, every step is durable. A [`Timed`] adapter
//! wraps each client, delegates every [`Hub`] call and notes two instants per DocumentId: when A's
//! `send_package` for it started, and when B acknowledged it (B acknowledges a package only once it
//! is stored in its register). From them: packages per second and MB/s from the first send to the
//! last arrival, the latency of each package from send to arrival (p50, p95, max; under a bulk
//! load this is mostly the time a package waits at the hub for B to reach it), the hub's peak memory
//! (`VmHWM`, read before it is stopped) and its store on disk.
//!
//! **The link's limit.** The same number of bytes (as many copies of one real package) written over
//! a loopback TCP connection to a thread that reads and discards them, with no processing at all;
//! then the same over TLS (rustls, the hub's provider and the test certificate). The best of a few
//! runs of each.
//!
//! **Nothing wrong is timed.** The run fails when a package is refused, when B's inbox does not hold
//! exactly the packages A queued (each DocumentId once) or A's outbox is not empty afterwards.
//!
//! The hub is built (`cargo build --release -p vanthu-hub`) into the same target directory, so the
//! hub measured is the one of this source tree; `$VANTHU_HUB_BIN` names another. Everything lives
//! under `target/bench/exchange/` (about 0.6 MB per package across the two registers and the hub:
//! 6 GB for 10,000), removed after a successful run and kept after a failed one.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use vanthu_app::exchange::PassReport;
use vanthu_app::{Clock, Desk, NewOrganisation, OutgoingDraft, OutgoingInput};
use vanthu_store::Store;
use vanthu_sync::hub::{Accepted, Agency, Delivery, MessageType, SentMessage};
use vanthu_sync::vxp::{VxpClient, VxpConfig};
use vanthu_sync::{Hub, HubError};
use vanthu_testkit::tls::TestTls;

use crate::measure::{Row, count, human, ms, pct, size, status_kib, thread_cpu};

/// Station A, the sender.
const A: (&str, &str) = ("000.00.00.H24", "Ủy ban nhân dân tỉnh Lào Cai");
/// Station B, the recipient.
const B: (&str, &str) = ("000.01.00.H24", "Sở Nội vụ tỉnh Lào Cai");
/// The hub secrets of the two stations.
const SECRET_A: &str = "bí-mật-trạm-A-bench";
const SECRET_B: &str = "bí-mật-trạm-B-bench";
/// The side of the PDF's noise image (8-bit grey): 320 × 320 = 100 KiB of incompressible pixels.
const IMAGE_SIDE: usize = 320;
/// How long a station may go without progress before the run is called stuck.
const STALL: Duration = Duration::from_secs(180);
/// How long one hub call may take (the façade's own bound).
const HUB_TIMEOUT: Duration = Duration::from_secs(60);
/// Runs of each link measurement (the best is kept).
const LINK_RUNS: usize = 3;
const SEED: u64 = 0x4558_4348_414e; // "EXCHAN"

/// Runs the exchange measurement with `packages` packages; `target` is the workspace's target
/// directory, `workspace` its root.
pub fn run(target: &Path, workspace: &Path, packages: usize) -> Result<Vec<Row>> {
    ensure!(packages > 0, "--exchange-packages must be at least 1");
    let dir = target.join("bench").join("exchange");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let hub_bin = hub_binary(workspace, target)?;

    // The hub: TLS with a test CA, a fresh SQLite store, two organisations.
    let tls = TestTls::new();
    let hub = HubProcess::start(&hub_bin, &dir, &tls)?;
    hub.add_org(A, SECRET_A)?;
    hub.add_org(B, SECRET_B)?;
    let hub_at_start = hub.memory()?;
    eprintln!("vanthu-bench: exchange: hub {} at {} (pid {})", hub_bin.display(), hub.url, hub.pid());

    // The stations, and A's queue: the setup, timed apart.
    let a_db = dir.join("station-a.sqlite3");
    let b_db = dir.join("station-b.sqlite3");
    let a = station(&a_db, A, "Trịnh Xuân Trường")?;
    let b = station(&b_db, B, "Lò Thị Mai")?;
    let setup = Instant::now();
    let queued = queue(&a, &dir, packages)?;
    let setup = setup.elapsed();
    eprintln!(
        "vanthu-bench: exchange: {} documents issued and queued in {}",
        count(packages as u64),
        human(setup.as_secs_f64())
    );

    // The measured run.
    let a_hub = Timed::new(client(&hub.url, A.0, SECRET_A, &tls)?, queued.inodes.clone());
    let b_hub = Timed::new(client(&hub.url, B.0, SECRET_B, &tls)?, HashMap::new());
    let hub_cpu_before = hub.cpu();
    let started = Instant::now();
    let (a_side, b_side) = concurrently(&a, &a_hub, &b, &b_hub, packages)?;
    let took = started.elapsed();
    let hub_memory = hub.memory()?;
    let hub_cpu = hub.cpu().zip(hub_cpu_before).map(|(after, before)| after.saturating_sub(before));
    let hub_store = hub.store_bytes();
    hub.stop();
    drop((a, b));
    eprintln!("vanthu-bench: exchange: the run took {}; checking both registers", human(took.as_secs_f64()));

    // Nothing wrong is timed: B holds exactly what A queued, A holds nothing more to send.
    let calls = [a_hub.calls(), b_hub.calls()];
    let sends = a_hub.sends.into_inner().unwrap_or_else(PoisonError::into_inner);
    let arrivals = b_hub.arrivals.into_inner().unwrap_or_else(PoisonError::into_inner);
    let refused = b_hub.refused.into_inner().unwrap_or_else(PoisonError::into_inner);
    ensure!(refused.is_empty(), "B refused {} packages, e.g. {:?}", refused.len(), refused.first());
    let unmatched = a_hub.unmatched.load(Ordering::SeqCst);
    ensure!(unmatched == 0, "{unmatched} packages sent by A could not be told apart by their file");
    let checked = check(&a_db, &b_db, &queued.document_ids, &arrivals)?;
    let mut latencies = Vec::with_capacity(packages);
    for id in &queued.document_ids {
        let sent = sends.get(id).with_context(|| format!("no send noted for {id}"))?;
        let arrived = arrivals.get(id).with_context(|| format!("no arrival noted for {id}"))?;
        latencies.push(arrived.saturating_duration_since(*sent));
    }
    let first_send = sends.values().min().copied().context("nothing was sent")?;
    let last_send = sends.values().max().copied().unwrap_or(first_send);
    let first_arrival = arrivals.values().min().copied().context("nothing arrived")?;
    let last_arrival = arrivals.values().max().copied().unwrap_or(first_arrival);
    let wall = last_arrival.saturating_duration_since(first_send);
    latencies.sort();

    // The link's limit, with the hub stopped and the stations idle.
    let sample = std::fs::read(&queued.sample).with_context(|| format!("cannot read {}", queued.sample.display()))?;
    eprintln!("vanthu-bench: exchange: the link's limit, {LINK_RUNS} runs over TCP and over TLS");
    let plain = best_of(|| link(&sample, packages, None))?;
    let tls_link = best_of(|| link(&sample, packages, Some(&tls)));

    // The table.
    let n = packages as f64;
    let total = queued.bytes;
    let rate = |d: Duration| count((n / d.as_secs_f64().max(1e-9)).round() as u64);
    let mbps = |bytes: u64, d: Duration| bytes as f64 / 1e6 / d.as_secs_f64().max(1e-9);
    let link_total = sample.len() as u64 * packages as u64;
    let mut rows = vec![Row::info(
        format!("exchange: {} packages A → hub → B on loopback (release hub, TLS, SQLite)", count(packages as u64)),
        format!(
            "package {} on average in the request body ({} bytes: a {} bytes PDF in base64 edXML), {} in all",
            kib(total / packages as u64),
            count(total / packages as u64),
            count(queued.pdf_bytes),
            size(total)
        ),
    )];
    rows.push(Row::info(
        "  setup: issue and queue at A through the façade (not timed below)",
        format!(
            "{} ({} documents/s: register_outgoing + send_outgoing, each durable)",
            human(setup.as_secs_f64()),
            rate(setup)
        ),
    ));
    rows.push(Row {
        measure: "exchange throughput, A's first send → last package stored at B".into(),
        figure: format!(
            "{} packages/s, {:.1} MB/s ({} packages in {})",
            rate(wall),
            mbps(total, wall),
            count(packages as u64),
            human(wall.as_secs_f64())
        ),
        goal: "beside the link's limit".into(),
        verdict: String::new(),
    });
    let link_row = |label: &str, d: Duration| {
        Row::info(
            format!("  link's limit: same bytes over loopback {label}, no processing"),
            format!(
                "{} packages/s, {:.1} MB/s ({} in {:.3} s): the exchange runs at {:.2}% of it",
                rate(d),
                mbps(link_total, d),
                size(link_total),
                d.as_secs_f64(),
                100.0 * d.as_secs_f64() / wall.as_secs_f64().max(1e-9)
            ),
        )
    };
    rows.push(link_row("TCP", plain));
    rows.push(match tls_link {
        Ok(d) => link_row("TLS (rustls)", d),
        Err(e) => Row::info("  link's limit over loopback TLS (rustls)", format!("not measured: {e:#}")),
    });
    rows.push(Row::info(
        "exchange latency, A's send starts → package stored at B",
        format!(
            "p50 {} · p95 {} · max {} (under the bulk load: mostly waiting at the hub for B)",
            span(pct(&latencies, 50.0)),
            span(pct(&latencies, 95.0)),
            span(latencies.last().copied().unwrap_or_default())
        ),
    ));
    let sending = last_send.saturating_duration_since(first_send);
    let arriving = last_arrival.saturating_duration_since(first_arrival);
    rows.push(Row::info(
        "  A's sends / B's arrivals",
        format!(
            "A's sends over {} ({}/s, {} passes), B's arrivals over {} ({}/s, {} passes)",
            human(sending.as_secs_f64()),
            rate(sending),
            a_side.passes,
            human(arriving.as_secs_f64()),
            rate(arriving),
            b_side.passes
        ),
    ));
    for ((who, side), (calls, in_calls)) in [("A", &a_side), ("B", &b_side)].into_iter().zip(calls) {
        rows.push(Row::info(
            format!("  station {who}: time in hub calls / its own work"),
            format!(
                "{} of {} in passes waiting on the hub ({calls}); {} its own (register, files, fsync); CPU {}",
                human(in_calls.as_secs_f64()),
                human(side.wall.as_secs_f64()),
                human(side.wall.saturating_sub(in_calls).as_secs_f64()),
                cpu(side.cpu)
            ),
        ));
    }
    rows.push(Row::info(
        "hub: peak memory (VmHWM)",
        format!(
            "{} (RSS {} at the end, {} before the run); CPU {} over the run's {} on {} cores",
            size(hub_memory.peak),
            size(hub_memory.rss),
            size(hub_at_start.rss),
            cpu(hub_cpu),
            human(took.as_secs_f64()),
            std::thread::available_parallelism().map_or(1, |p| p.get())
        ),
    ));
    rows.push(Row::info(
        "hub: store on disk (SQLite db + wal)",
        format!(
            "{} ({} per package; it holds {} packages and the {} status packets B sent)",
            size(hub_store),
            kib(hub_store / packages as u64),
            count(packages as u64),
            count(u64::from(b_side.report.sent))
        ),
    ));
    let problems = [&a_side.errors, &b_side.errors]
        .iter()
        .zip(["A", "B"])
        .filter(|(e, _)| !e.is_empty())
        .map(|(e, who)| format!("{who}: {} passes cut short, first: {}", e.len(), e[0]))
        .collect::<Vec<_>>();
    rows.push(Row::info(
        "  check",
        format!(
            "{checked}; A sent {} (already held {}), B received {} (repeated {}){}",
            count(u64::from(a_side.report.sent)),
            a_side.report.already_held,
            count(u64::from(b_side.report.received)),
            b_side.report.repeated,
            if problems.is_empty() { String::new() } else { format!("; {}", problems.join("; ")) }
        ),
    ));

    std::fs::remove_dir_all(&dir).ok();
    Ok(rows)
}

/// One pass after another on two threads, A sending and B receiving, until B holds `packages`
/// packages. When one side fails the other stops too.
fn concurrently(a: &Desk, a_hub: &Timed, b: &Desk, b_hub: &Timed, packages: usize) -> Result<(Side, Side)> {
    let stop = &AtomicBool::new(false);
    let stopping = move |result: Result<Side>| {
        if result.is_err() {
            stop.store(true, Ordering::SeqCst);
        }
        result
    };
    std::thread::scope(|s| {
        let pusher =
            s.spawn(move || stopping(passes(a, a_hub, stop, |r| r.sent as usize + r.failed as usize >= packages)));
        let puller = s.spawn(move || stopping(passes(b, b_hub, stop, |_| b_hub.packages_stored() >= packages)));
        let mut shown = Instant::now();
        while !(pusher.is_finished() && puller.is_finished()) {
            std::thread::sleep(Duration::from_millis(100));
            if shown.elapsed() >= Duration::from_secs(15) {
                shown = Instant::now();
                eprintln!(
                    "vanthu-bench: exchange: {} sent by A, {} stored by B",
                    a_hub.packages_sent(),
                    b_hub.packages_stored()
                );
            }
        }
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<Side>>| {
            h.join().map_err(|_| anyhow!("a station's thread panicked")).and_then(|r| r)
        };
        let (a_side, b_side) = (join(pusher), join(puller));
        Ok((a_side.context("station A")?, b_side.context("station B")?))
    })
}

/// What one station's passes did.
#[derive(Default)]
struct Side {
    passes: u32,
    /// The passes' reports, added up.
    report: PassReport,
    /// Why passes were cut short (the hub's answers), in order.
    errors: Vec<String>,
    /// The thread's CPU time.
    cpu: Option<Duration>,
    /// The time its passes took in all.
    wall: Duration,
}

/// Runs `desk`'s passes with `hub` until `done` (given the reports so far) or `stop`. A pass that
/// moves nothing waits a moment before the next; [`STALL`] without progress is an error.
fn passes(desk: &Desk, hub: &Timed, stop: &AtomicBool, done: impl Fn(&PassReport) -> bool) -> Result<Side> {
    let cpu_before = thread_cpu();
    let started = Instant::now();
    let mut side = Side::default();
    let mut progress = Instant::now();
    while !done(&side.report) {
        if stop.load(Ordering::SeqCst) {
            bail!("stopped: the other station failed");
        }
        let r = desk.sync_with(hub)?;
        side.passes += 1;
        let total = &mut side.report;
        total.sent += r.sent;
        total.already_held += r.already_held;
        total.failed += r.failed;
        total.received += r.received;
        total.statuses += r.statuses;
        total.repeated += r.repeated;
        total.refused += r.refused;
        ensure!(r.failed == 0 && r.refused == 0, "the pass had messages refused for good: {r:?}");
        if let Some(e) = r.error {
            side.errors.push(e);
        }
        if r.sent + r.received + r.statuses > 0 {
            progress = Instant::now();
        } else {
            ensure!(progress.elapsed() < STALL, "no progress for {} s: {:?}", STALL.as_secs(), side.errors.last());
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    side.cpu = thread_cpu().zip(cpu_before).map(|(after, before)| after.saturating_sub(before));
    side.wall = started.elapsed();
    Ok(side)
}

// ---------------------------------------------------------------------------------------------
// The timing adapter

/// A [`Hub`] that delegates every call and notes when each package left and arrived.
struct Timed {
    hub: VxpClient,
    /// The queued packages' files, by (device, inode): which DocumentId a `send_package` carries.
    inodes: HashMap<(u64, u64), String>,
    /// When the first `send_package` of each DocumentId started.
    sends: Mutex<HashMap<String, Instant>>,
    /// Packages sent whose file was not among `inodes`.
    unmatched: AtomicUsize,
    /// The packages listed for us: hub id → DocumentId.
    listed: Mutex<HashMap<String, String>>,
    /// When each DocumentId was first acknowledged, i.e. stored in the register.
    arrivals: Mutex<HashMap<String, Instant>>,
    /// Refusals we sent the hub.
    refused: Mutex<Vec<String>>,
    /// Calls by kind: how many, and the time spent in them.
    calls: Mutex<HashMap<&'static str, (u32, Duration)>>,
}

impl Timed {
    fn new(hub: VxpClient, inodes: HashMap<(u64, u64), String>) -> Timed {
        Timed {
            hub,
            inodes,
            sends: Mutex::default(),
            unmatched: AtomicUsize::new(0),
            listed: Mutex::default(),
            arrivals: Mutex::default(),
            refused: Mutex::default(),
            calls: Mutex::default(),
        }
    }

    /// Packages whose first send started.
    fn packages_sent(&self) -> usize {
        self.sends.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Packages stored (acknowledged).
    fn packages_stored(&self) -> usize {
        self.arrivals.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Runs one delegated call of kind `what`, counting it and its time.
    fn call<T>(&self, what: &'static str, f: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = f();
        let took = started.elapsed();
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = calls.entry(what).or_default();
        entry.0 += 1;
        entry.1 += took;
        result
    }

    /// `kind N × avg ms = total s` for each kind of call made, most time first; and the time in all.
    fn calls(&self) -> (String, Duration) {
        let calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        let mut kinds: Vec<_> = calls.iter().collect();
        kinds.sort_by_key(|(_, (_, took))| std::cmp::Reverse(*took));
        let text = kinds
            .iter()
            .map(|(what, (n, took))| format!("{what} {} × {}", count(u64::from(*n)), ms(*took / (*n).max(1))))
            .collect::<Vec<_>>()
            .join(", ");
        (text, calls.values().map(|(_, took)| *took).sum())
    }
}

impl Hub for Timed {
    fn send_package(&self, body: File) -> Result<Accepted, HubError> {
        let started = Instant::now();
        let id = body.metadata().ok().and_then(|m| self.inodes.get(&(m.dev(), m.ino())));
        match id {
            Some(id) => {
                self.sends.lock().unwrap_or_else(PoisonError::into_inner).entry(id.clone()).or_insert(started);
            }
            None => {
                self.unmatched.fetch_add(1, Ordering::SeqCst);
            }
        }
        self.call("send package", || self.hub.send_package(body))
    }

    fn send_status(&self, body: File) -> Result<Accepted, HubError> {
        self.call("send status", || self.hub.send_status(body))
    }

    fn list_received(&self, limit: u32) -> Result<Vec<Delivery>, HubError> {
        let listed = self.call("list", || self.hub.list_received(limit))?;
        let mut known = self.listed.lock().unwrap_or_else(PoisonError::into_inner);
        for d in listed.iter().filter(|d| d.messagetype == MessageType::Edoc) {
            known.insert(d.hub_id.clone(), d.document_id.clone());
        }
        Ok(listed)
    }

    fn fetch(&self, hub_id: &str, into: &mut dyn Write) -> Result<u64, HubError> {
        self.call("fetch", || self.hub.fetch(hub_id, into))
    }

    fn acknowledge(&self, hub_id: &str, refusal: Option<&str>) -> Result<(), HubError> {
        let stored = Instant::now();
        let document_id = self.listed.lock().unwrap_or_else(PoisonError::into_inner).get(hub_id).cloned();
        if let Some(id) = document_id {
            match refusal {
                None => {
                    self.arrivals.lock().unwrap_or_else(PoisonError::into_inner).entry(id).or_insert(stored);
                }
                Some(why) => self.refused.lock().unwrap_or_else(PoisonError::into_inner).push(format!("{id}: {why}")),
            }
        }
        self.call("acknowledge", || self.hub.acknowledge(hub_id, refusal))
    }

    fn sent(&self, document_id: &str) -> Result<Vec<SentMessage>, HubError> {
        self.call("ask", || self.hub.sent(document_id))
    }

    fn directory(&self) -> Result<Vec<Agency>, HubError> {
        self.call("directory", || self.hub.directory())
    }
}

/// A client of the hub at `url` for `organ_id`, trusting the test CA only.
fn client(url: &str, organ_id: &str, secret: &str, tls: &TestTls) -> Result<VxpClient> {
    let config = VxpConfig {
        url: url.to_owned(),
        organ_id: organ_id.to_owned(),
        user: organ_id.to_owned(),
        secret: secret.to_owned(),
        ca_pem: Some(tls.ca_pem.clone().into_bytes()),
        timeout: HUB_TIMEOUT,
    };
    VxpClient::new(&config).map_err(|e| anyhow!("hub client for {organ_id}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// The stations

/// A station's register at `db`, set up as `vanthu init` does (open mode: no accounts).
fn station(db: &Path, (org_id, name): (&str, &str), clerk: &str) -> Result<Desk> {
    let desk = Desk::open(db, Clock::System)?.with_actor(clerk);
    desk.init(&NewOrganisation { org_id: org_id.to_owned(), name: name.to_owned(), abbreviation: "UBND".to_owned() })?;
    Ok(desk)
}

/// What A queued.
struct Queued {
    /// Each package's DocumentId, in order.
    document_ids: Vec<String>,
    /// Each package file's (device, inode) → its DocumentId.
    inodes: HashMap<(u64, u64), String>,
    /// The packages' bytes in all.
    bytes: u64,
    /// One PDF's size.
    pdf_bytes: u64,
    /// One package's file (for the link's limit).
    sample: PathBuf,
}

/// Issues `packages` outgoing documents at station A, each with its own PDF of noise, and queues
/// each one to B: the façade's `register_outgoing` and `send_outgoing`, as the clerk's two clicks.
fn queue(a: &Desk, dir: &Path, packages: usize) -> Result<Queued> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let pdf_path = dir.join("cong-van.pdf");
    let mut queued = Queued {
        document_ids: Vec::with_capacity(packages),
        inodes: HashMap::with_capacity(packages),
        bytes: 0,
        pdf_bytes: 0,
        sample: PathBuf::new(),
    };
    let started = Instant::now();
    for i in 0..packages {
        let pdf = noise_pdf(&mut rng);
        queued.pdf_bytes = pdf.len() as u64;
        std::fs::write(&pdf_path, &pdf).with_context(|| format!("cannot write {}", pdf_path.display()))?;
        let draft = OutgoingDraft {
            type_name: "Công văn".to_owned(),
            drafting_unit: Some("VP".to_owned()),
            subject: format!("Về việc báo cáo số liệu công tác văn thư, lưu trữ, đợt {}", i + 1),
            signer: "Trịnh Xuân Trường".to_owned(),
            signer_position: Some("Phó Chủ tịch".to_owned()),
            recipients: vec![B.1.to_owned()],
            ..Default::default()
        };
        let issued =
            a.register_outgoing(&OutgoingInput { draft, files: vec![pdf_path.clone()], ..Default::default() })?;
        let message = a.send_outgoing(&issued.id, &[B.0.to_owned()])?;
        let file = a.stored_file(&message.sha256)?;
        let meta = std::fs::metadata(&file).with_context(|| format!("cannot read {}", file.display()))?;
        queued.inodes.insert((meta.dev(), meta.ino()), message.document_id.clone());
        queued.document_ids.push(message.document_id);
        queued.bytes += message.size;
        if i == 0 {
            queued.sample = file;
        }
        if (i + 1) % 1000 == 0 {
            eprintln!(
                "vanthu-bench: exchange: {} of {} queued ({:.0}/s)",
                count(i as u64 + 1),
                count(packages as u64),
                (i + 1) as f64 / started.elapsed().as_secs_f64().max(1e-9)
            );
        }
    }
    std::fs::remove_file(&pdf_path).ok();
    ensure!(queued.inodes.len() == packages, "two packages share a file");
    Ok(queued)
}

/// A one-page PDF whose page is a 320 × 320 image of grey noise (uncompressed): 100 KiB that no
/// compression shrinks, a little more with its objects.
fn noise_pdf(rng: &mut StdRng) -> Vec<u8> {
    let mut pixels = vec![0u8; IMAGE_SIDE * IMAGE_SIDE];
    rng.fill_bytes(&mut pixels);
    vanthu_testkit::pdf::classic(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >> \
          /Contents 4 0 R >>"
            .to_vec(),
        vanthu_testkit::pdf::stream("", b"q 595 0 0 842 0 0 cm /Im0 Do Q"),
        vanthu_testkit::pdf::stream(
            &format!(
                "/Type /XObject /Subtype /Image /Width {IMAGE_SIDE} /Height {IMAGE_SIDE} /ColorSpace /DeviceGray \
                 /BitsPerComponent 8"
            ),
            &pixels,
        ),
    ])
}

/// Checks both registers after the run: A's outbox empty and nothing failed; B's inbox holds
/// exactly the packages A queued, each DocumentId once, each from A. Returns what was checked.
fn check(a_db: &Path, b_db: &Path, document_ids: &[String], arrivals: &HashMap<String, Instant>) -> Result<String> {
    let a = Store::open(a_db)?;
    let counts = a.read(vanthu_store::exchange::counts)?;
    ensure!(counts.outbox == 0 && counts.failed == 0, "A's outbox is not empty after the run: {counts:?}");
    let b = Store::open(b_db)?;
    let counts = b.read(vanthu_store::exchange::counts)?;
    let distinct: HashSet<&String> = document_ids.iter().collect();
    ensure!(distinct.len() == document_ids.len(), "A queued a DocumentId twice");
    ensure!(
        counts.inbox as usize == document_ids.len(),
        "B's inbox holds {} packages, A queued {}",
        counts.inbox,
        document_ids.len()
    );
    let missing = b.read(|c| {
        let mut missing = Vec::new();
        for id in document_ids {
            if vanthu_store::exchange::inbox_by_key(c, A.0, id, "edoc:0")?.is_none() {
                missing.push(id.clone());
            }
        }
        Ok(missing)
    })?;
    ensure!(missing.is_empty(), "{} packages are not in B's inbox, e.g. {}", missing.len(), missing[0]);
    ensure!(
        arrivals.len() == document_ids.len(),
        "B acknowledged {} packages, A queued {}",
        arrivals.len(),
        document_ids.len()
    );
    Ok(format!(
        "B's inbox holds exactly the {} DocumentIds A queued; A's outbox empty",
        count(document_ids.len() as u64)
    ))
}

// ---------------------------------------------------------------------------------------------
// The hub

/// The release `vanthu-hub` of this source tree (built now), or `$VANTHU_HUB_BIN`.
fn hub_binary(workspace: &Path, target: &Path) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("VANTHU_HUB_BIN") {
        return Ok(PathBuf::from(path));
    }
    let binary = target.join("release").join(format!("vanthu-hub{}", std::env::consts::EXE_SUFFIX));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("vanthu-bench: exchange: building the hub (release)");
    let built = Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", "vanthu-hub", "--bin", "vanthu-hub"])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(workspace)
        .stdin(Stdio::null())
        .status()
        .context("cannot run cargo to build vanthu-hub")?;
    ensure!(built.success() && binary.is_file(), "`cargo build --release -p vanthu-hub` failed ({built})");
    Ok(binary)
}

/// A running `vanthu-hub serve`: killed when dropped.
struct HubProcess {
    child: Child,
    bin: PathBuf,
    config: PathBuf,
    /// `https://127.0.0.1:PORT`.
    url: String,
    /// Its SQLite store.
    store: PathBuf,
}

/// A process's memory, in bytes.
struct Memory {
    /// `VmHWM`: the peak resident set.
    peak: u64,
    /// `VmRSS`: the resident set now.
    rss: u64,
}

impl HubProcess {
    /// Writes the configuration (TLS, SQLite in `dir`, any free loopback port) and starts the hub;
    /// returns once it said where it listens. Its log goes to `dir/hub.log`.
    fn start(bin: &Path, dir: &Path, tls: &TestTls) -> Result<HubProcess> {
        let (cert, key, store) = (dir.join("hub.crt.pem"), dir.join("hub.key.pem"), dir.join("hub.sqlite3"));
        let config = dir.join("hub.toml");
        let log = dir.join("hub.log");
        for (path, text) in [
            (&cert, tls.cert_pem.clone()),
            (&key, tls.key_pem.clone()),
            (
                &config,
                format!(
                    "listen = \"127.0.0.1:0\"\n[tls]\ncert = \"{}\"\nkey = \"{}\"\n[store]\nsqlite = \"{}\"\n",
                    cert.display(),
                    key.display(),
                    store.display()
                ),
            ),
        ] {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        }
        let mut child = Command::new(bin)
            .args(["serve", "--config"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&log).with_context(|| format!("cannot create {}", log.display()))?)
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut line).context("cannot read the hub's first line")?;
        }
        let mut hub = HubProcess { child, bin: bin.to_owned(), config, url: String::new(), store };
        match line.trim().strip_prefix("listening on ") {
            Some(url) if url.starts_with("https://") => hub.url = url.to_owned(),
            _ => bail!(
                "the hub said {line:?} instead of `listening on https://…`: {}",
                std::fs::read_to_string(&log).unwrap_or_default().trim()
            ),
        }
        Ok(hub)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `vanthu-hub org add` with the secret on standard input.
    fn add_org(&self, (id, name): (&str, &str), secret: &str) -> Result<()> {
        let mut child = Command::new(&self.bin)
            .args(["org", "add", "--config"])
            .arg(&self.config)
            .args(["--id", id, "--name", name, "--secret-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot run vanthu-hub org add")?;
        if let Some(mut stdin) = child.stdin.take() {
            writeln!(stdin, "{secret}").context("cannot give vanthu-hub org add the secret")?;
        }
        let output = child.wait_with_output().context("cannot run vanthu-hub org add")?;
        ensure!(output.status.success(), "vanthu-hub org add {id}: {}", String::from_utf8_lossy(&output.stderr).trim());
        Ok(())
    }

    /// Its memory, from `/proc/PID/status`.
    fn memory(&self) -> Result<Memory> {
        let path = format!("/proc/{}/status", self.pid());
        let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
        let field = |name: &str| -> Result<u64> {
            Ok(status_kib(&status, name).with_context(|| format!("no {name} in {path}"))? * 1024)
        };
        Ok(Memory { peak: field("VmHWM:")?, rss: field("VmRSS:")? })
    }

    /// Its CPU time so far, user and system, all threads (`/proc/PID/stat`, in the kernel's fixed
    /// 100 ticks per second).
    fn cpu(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).ok()?;
        // The fields after the command's name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(Duration::from_millis(ticks * 10))
    }

    /// Its store's size on disk: the database and its write-ahead log.
    fn store_bytes(&self) -> u64 {
        ["", "-wal"]
            .iter()
            .map(|suffix| {
                let mut path = self.store.clone().into_os_string();
                path.push(suffix);
                std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
            })
            .sum()
    }

    /// Stops it as a service manager would (SIGTERM, then SIGKILL after 10 s).
    fn stop(mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The link's limit

/// The fastest of [`LINK_RUNS`] runs.
fn best_of(mut f: impl FnMut() -> Result<Duration>) -> Result<Duration> {
    let mut best: Option<Duration> = None;
    for _ in 0..LINK_RUNS {
        let took = f()?;
        best = Some(best.map_or(took, |b| b.min(took)));
    }
    best.context("no run")
}

/// Writes `packages` copies of `package` over one loopback connection (TLS with the test
/// certificate when `tls` is given) to a thread that reads and discards them; the time from
/// connecting to the reader's end of stream.
fn link(package: &[u8], packages: usize, tls: Option<&TestTls>) -> Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot listen on loopback")?;
    let addr = listener.local_addr()?;
    let expected = package.len() as u64 * packages as u64;
    let configs = tls.map(tls_configs).transpose()?;
    let started = Instant::now();
    let tcp = TcpStream::connect(addr).context("cannot connect on loopback")?;
    std::thread::scope(|s| {
        let server = configs.as_ref().map(|(server, _)| Arc::clone(server));
        let reader = s.spawn(move || -> Result<u64> {
            let (tcp, _) = listener.accept()?;
            match server {
                None => discard(tcp),
                Some(config) => discard(rustls::StreamOwned::new(rustls::ServerConnection::new(config)?, tcp)),
            }
        });
        let written = match &configs {
            None => write_copies(tcp, package, packages, |tcp| Ok(tcp.shutdown(Shutdown::Write)?)),
            Some((_, client)) => {
                let name = ServerName::try_from("127.0.0.1")?.to_owned();
                let stream = rustls::StreamOwned::new(rustls::ClientConnection::new(Arc::clone(client), name)?, tcp);
                write_copies(stream, package, packages, |mut stream| {
                    stream.conn.send_close_notify();
                    stream.flush()?;
                    stream.sock.shutdown(Shutdown::Write)?;
                    // What the server sent after the handshake (session tickets) is read, not left
                    // unread: closing over unread bytes would reset the connection under the reader.
                    discard(&mut stream.sock)?;
                    Ok(())
                })
            }
        };
        let read = reader.join().map_err(|_| anyhow!("the reading thread panicked"))?;
        let took = started.elapsed();
        written?;
        let read = read?;
        ensure!(read == expected, "the reader got {read} bytes of {expected}");
        Ok(took)
    })
}

/// Writes the copies, then closes the stream with `close`.
fn write_copies<W: Write>(
    mut out: W,
    package: &[u8],
    packages: usize,
    close: impl FnOnce(W) -> Result<()>,
) -> Result<()> {
    for _ in 0..packages {
        out.write_all(package)?;
    }
    close(out)
}

/// Reads to the end of the stream and forgets; the bytes read.
fn discard(mut input: impl Read) -> Result<u64> {
    let mut buffer = vec![0u8; 256 << 10];
    let mut total = 0u64;
    loop {
        match input.read(&mut buffer) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// The server's and the client's TLS configurations: the hub's (ring, TLS 1.2 and 1.3) with the
/// test certificate, the client trusting the test CA only.
fn tls_configs(tls: &TestTls) -> Result<(Arc<rustls::ServerConfig>, Arc<rustls::ClientConfig>)> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cert = CertificateDer::from_pem_slice(tls.cert_pem.as_bytes()).map_err(|e| anyhow!("test certificate: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(tls.key_pem.as_bytes()).map_err(|e| anyhow!("test key: {e}"))?;
    let server = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)?;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(tls.ca_der.clone()))?;
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok((Arc::new(server), Arc::new(client)))
}

// ---------------------------------------------------------------------------------------------
// Figures

/// A latency: milliseconds below a second, else seconds.
fn span(d: Duration) -> String {
    if d < Duration::from_secs(1) { ms(d) } else { format!("{:.2} s", d.as_secs_f64()) }
}

/// A CPU time, or why not.
fn cpu(d: Option<Duration>) -> String {
    d.map_or_else(|| "?".to_owned(), |d| human(d.as_secs_f64()))
}

/// Bytes in KiB.
fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(pct(&d, 50.0), Duration::from_millis(50));
        assert_eq!(pct(&d, 95.0), Duration::from_millis(95));
        assert_eq!(pct(&[], 95.0), Duration::ZERO);
    }

    #[test]
    fn the_noise_pdf_is_about_100_kib_and_does_not_compress() {
        let pdf = noise_pdf(&mut StdRng::seed_from_u64(1));
        assert!(pdf.starts_with(b"%PDF-1.7"));
        assert!((100 * 1024..101 * 1024).contains(&pdf.len()), "{}", pdf.len());
    }

    #[test]
    fn the_link_carries_every_byte_over_tcp_and_tls() {
        let package = vec![7u8; 10_000];
        link(&package, 20, None).expect("plain TCP");
        link(&package, 20, Some(&TestTls::new())).expect("TLS");
    }
}
