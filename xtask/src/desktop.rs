//! The desktop part of `cargo xtask`: build the front end and the Tauri shell, run the app, give the
//! end-to-end tests a virtual display and a WebDriver (tauri-driver), and measure the app's launch.
//!
//! Processes started here are owned by a value ([`VirtualDisplay`], [`Driver`]) and stopped when it is
//! dropped, so an early `?` never leaves an Xvfb or a WebKitWebDriver behind. Nothing here sets
//! environment variables on the xtask process itself: callers pass `DISPLAY` and friends to children.

use std::ffi::OsStr;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

/// The port tauri-driver listens on by default (its own default); WebKitWebDriver gets the next one.
pub const DRIVER_PORT: u16 = 4444;

/// The CSS selector of a loaded register row in the window (see `ui/src/register.ts`).
const ROW_SELECTOR: &str = "[data-testid=register-row]";

/// Finds `tauri-driver`, installing it with `cargo install tauri-driver --locked --version ^2` when missing.
/// Also checks that WebKit's own driver (`WebKitWebDriver`, Debian package `webkit2gtk-driver`) exists.
pub fn ensure_tauri_driver() -> Result<PathBuf> {
    if which("WebKitWebDriver").is_none() {
        bail!("WebKitWebDriver is not installed: `apt-get install webkit2gtk-driver` (see docs/stack.md)");
    }
    if let Some(path) = which("tauri-driver") {
        return Ok(path);
    }
    let installed = cargo_home().join("bin").join("tauri-driver");
    if installed.exists() {
        return Ok(installed);
    }
    eprintln!("xtask: installing tauri-driver (about 2 minutes)…");
    // Tauri 2 only: tauri-driver 3 would follow Tauri 3.
    run(Command::new(cargo()).args(["install", "tauri-driver", "--locked", "--version", "^2"]))?;
    ensure!(installed.exists(), "cargo install tauri-driver succeeded but {} is missing", installed.display());
    Ok(installed)
}

/// Installs the front end's packages (`npm ci`, or `npm install` without a lock file; skipped when
/// `node_modules` is newer than the lock file) and builds `ui/dist`, which the shell embeds.
pub fn build_ui(root: &Path) -> Result<()> {
    let ui = root.join("ui");
    let lock = ui.join("package-lock.json");
    let installed = ui.join("node_modules").join(".package-lock.json");
    if !lock.exists() {
        run(Command::new("npm").arg("install").current_dir(&ui))?;
    } else if !is_newer(&installed, &lock) {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&ui))?;
    }
    run(Command::new("npm").args(["run", "build"]).current_dir(&ui))
}

/// Builds the front end, then `vanthu-desktop`; returns the path of the binary.
pub fn build_desktop(root: &Path, release: bool) -> Result<PathBuf> {
    build_ui(root)?;
    let mut cmd = Command::new(cargo());
    cmd.args(["build", "-p", "vanthu-desktop"]).current_dir(root);
    if release {
        cmd.arg("--release");
    }
    run(&mut cmd)?;
    let bin = target_dir(root).join(if release { "release" } else { "debug" }).join("vanthu-desktop");
    ensure!(bin.exists(), "the build succeeded but {} is missing", bin.display());
    Ok(bin)
}

/// Builds the app and runs it in the foreground on the default register (or `VANTHU_DB` if set).
pub fn start_app(root: &Path) -> Result<()> {
    let bin = build_desktop(root, false)?;
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!("no display: run it in a desktop session, or under `xvfb-run` (see docs/stack.md)");
    }
    run(&mut Command::new(&bin))
}

/// An X display for the window: the current one when `DISPLAY` is set and answers, otherwise a new
/// `Xvfb :99 -screen 0 1280x800x24` (or the next free number), stopped on drop.
pub struct VirtualDisplay {
    display: String,
    xvfb: Option<Child>,
}

impl VirtualDisplay {
    /// Uses the current display or starts Xvfb.
    pub fn start() -> Result<VirtualDisplay> {
        if let Some(current) = std::env::var_os("DISPLAY") {
            let current = current.to_string_lossy().into_owned();
            if display_answers(&current) {
                return Ok(VirtualDisplay { display: current, xvfb: None });
            }
            eprintln!("xtask: DISPLAY={current} does not answer; starting Xvfb");
        }
        let number = (99..200)
            .find(|n| !x_socket(*n).exists() && !Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .context("no free X display number between :99 and :199")?;
        let display = format!(":{number}");
        let mut xvfb = Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start Xvfb: `apt-get install xvfb`")?;
        let deadline = Instant::now() + Duration::from_secs(15);
        while !display_answers(&display) {
            if let Some(status) = xvfb.try_wait()? {
                bail!("Xvfb {display} exited with {status}");
            }
            if Instant::now() > deadline {
                let _ = xvfb.kill();
                let _ = xvfb.wait();
                bail!("Xvfb {display} did not come up within 15 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(VirtualDisplay { display, xvfb: Some(xvfb) })
    }

    /// The value to pass as `DISPLAY`.
    pub fn display(&self) -> &str {
        &self.display
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        if let Some(xvfb) = &mut self.xvfb {
            stop(xvfb);
        }
    }
}

/// A running `tauri-driver`, which starts WebKitWebDriver, which starts the app for each session.
/// The app inherits the driver's environment: pass `DISPLAY` (and `VANTHU_DB`, `VANTHU_NOW`… if wanted)
/// in `envs`. Stopped (with its WebKitWebDriver) on drop.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Starts tauri-driver on [`DRIVER_PORT`] (WebKitWebDriver on the next port) and waits until it
    /// answers. When that pair of ports is taken (another run on this machine), the next free pair is
    /// used instead: [`Driver::url`] tells which.
    pub fn start<K, V>(envs: impl IntoIterator<Item = (K, V)>) -> Result<Driver>
    where
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        let port = (DRIVER_PORT..DRIVER_PORT + 200)
            .step_by(2)
            .find(|p| port_free(*p) && port_free(*p + 1))
            .context("no free pair of ports for tauri-driver between 4444 and 4643")?;
        Driver::start_on(port, envs)
    }

    /// Starts tauri-driver on `port` (WebKitWebDriver on `port + 1`).
    pub fn start_on<K, V>(port: u16, envs: impl IntoIterator<Item = (K, V)>) -> Result<Driver>
    where
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        let driver = ensure_tauri_driver()?;
        for p in [port, port + 1] {
            ensure!(port_free(p), "port {p} is taken: another tauri-driver or WebKitWebDriver is running");
        }
        let native_port = (port + 1).to_string();
        let child = Command::new(&driver)
            .args(["--port", &port.to_string(), "--native-port", &native_port])
            .envs(envs)
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", driver.display()))?;
        let mut driver = Driver { child, port };
        // Listening is not enough: tauri-driver accepts connections before WebKitWebDriver is up, and
        // drops them until it is. Ready means `GET /status` answers through both.
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let status_url = format!("{}/status", driver.url());
        let agent: ureq::Agent =
            ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(2))).build().into();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
                && agent.get(&status_url).call().is_ok()
            {
                return Ok(driver);
            }
            if let Some(status) = driver.child.try_wait()? {
                bail!("tauri-driver exited with {status} before answering on {port}");
            }
            ensure!(Instant::now() < deadline, "tauri-driver did not answer on {port} within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The WebDriver URL, for `VANTHU_WEBDRIVER_URL`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM first: tauri-driver then stops its WebKitWebDriver; SIGKILL would orphan it.
        stop(&mut self.child);
    }
}

/// What `cargo xtask bench` prints for the desktop app.
#[derive(Clone, Debug)]
pub struct LaunchFigures {
    /// From asking for a window to the first register row in the DOM.
    pub launch_to_rows: Duration,
    /// Register rows present when measured (a screenful, not the register's size: the list is virtual).
    pub rows_in_dom: usize,
    /// Processes measured: the app and its WebKit children.
    pub processes: usize,
    /// Sum of their resident set sizes after ~5 s idle (shared pages counted in each process).
    pub rss_bytes: u64,
    /// Sum of their proportional set sizes (shared pages split): the fairer figure.
    pub pss_bytes: u64,
    /// The app process alone (RSS).
    pub app_rss_bytes: u64,
}

impl std::fmt::Display for LaunchFigures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        write!(
            f,
            "launch → rows visible: {:.2} s ({} rows in the DOM); memory at rest: {:.0} MiB RSS / {:.0} MiB PSS \
             over {} processes (app alone {:.0} MiB RSS)",
            self.launch_to_rows.as_secs_f64(),
            self.rows_in_dom,
            mib(self.rss_bytes),
            mib(self.pss_bytes),
            self.processes,
            mib(self.app_rss_bytes),
        )
    }
}

/// Launches the release build on the register `db` under a virtual display and measures the time to
/// the first register row on screen, then the memory of the app and its WebKit processes at rest.
pub fn bench_launch(root: &Path, db: &Path) -> Result<LaunchFigures> {
    ensure!(db.exists(), "no register at {}", db.display());
    let bin = build_desktop(root, true)?;
    let display = VirtualDisplay::start()?;
    let driver = Driver::start([("DISPLAY", display.display())])?;
    let client = WebDriver::new(&driver.url());

    let started = Instant::now();
    let session = client.new_session(&bin, &["--db".into(), db.display().to_string()])?;
    let deadline = started + Duration::from_secs(120);
    let rows_in_dom = loop {
        let rows = session.count(ROW_SELECTOR)?;
        if rows > 0 {
            break rows;
        }
        ensure!(Instant::now() < deadline, "no register row appeared within 120 s");
        std::thread::sleep(Duration::from_millis(10));
    };
    let launch_to_rows = started.elapsed();

    std::thread::sleep(Duration::from_secs(5));
    let app = find_app_process(&bin).context("the app's process was not found in /proc")?;
    let mut pids = vec![app];
    pids.extend(descendants(app));
    let mut figures = LaunchFigures {
        launch_to_rows,
        rows_in_dom,
        processes: 0,
        rss_bytes: 0,
        pss_bytes: 0,
        app_rss_bytes: status_kib(app, "VmRSS:").unwrap_or(0) * 1024,
    };
    for pid in pids {
        let Some(rss) = status_kib(pid, "VmRSS:") else { continue };
        figures.processes += 1;
        figures.rss_bytes += rss * 1024;
        figures.pss_bytes += pss_kib(pid).unwrap_or(rss) * 1024;
    }
    drop(session);
    drop(driver);
    drop(display);
    Ok(figures)
}

// ---------- a minimal WebDriver client ----------

struct WebDriver {
    agent: ureq::Agent,
    url: String,
}

struct Session<'a> {
    client: &'a WebDriver,
    base: String,
}

impl WebDriver {
    fn new(url: &str) -> WebDriver {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        WebDriver { agent, url: url.trim_end_matches('/').to_owned() }
    }

    fn post(&self, url: &str, body: &Value) -> Result<Value> {
        let mut response = self.agent.post(url).send_json(body).with_context(|| format!("POST {url}"))?;
        let status = response.status();
        let answer: Value = response.body_mut().read_json().with_context(|| format!("POST {url}: not JSON"))?;
        ensure!(status.is_success(), "POST {url} failed ({status}): {answer}");
        Ok(answer["value"].clone())
    }

    fn new_session(&self, app: &Path, args: &[String]) -> Result<Session<'_>> {
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {
            "application": app, "args": args,
        }}}});
        let value = self.post(&format!("{}/session", self.url), &caps)?;
        let id = value["sessionId"].as_str().with_context(|| format!("no sessionId in {value}"))?;
        Ok(Session { client: self, base: format!("{}/session/{id}", self.url) })
    }
}

impl Session<'_> {
    fn count(&self, css: &str) -> Result<usize> {
        let found =
            self.client.post(&format!("{}/elements", self.base), &json!({"using": "css selector", "value": css}))?;
        Ok(found.as_array().map_or(0, Vec::len))
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self.client.agent.delete(&self.base).call();
    }
}

// ---------- /proc ----------

/// The newest process whose executable is `bin`.
fn find_app_process(bin: &Path) -> Option<u32> {
    let bin = bin.canonicalize().ok()?;
    pids().into_iter().filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).ok().as_deref() == Some(&bin)).max()
}

/// Every process below `root` (WebKit's web, network and GPU processes).
fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = pids().into_iter().filter_map(|pid| Some((pid, parent(pid)?))).collect();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let current = found[i];
        found.extend(parents.iter().filter(|(_, ppid)| *ppid == current).map(|(pid, _)| *pid));
        i += 1;
    }
    found.remove(0);
    found
}

fn pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|dir| dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses: the fields after the last ')' are fixed.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    kib_field(&status, key)
}

fn pss_kib(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    kib_field(&rollup, "Pss:")
}

fn kib_field(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

// ---------- small helpers ----------

fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("cannot run {cmd:?}"))?;
    ensure!(status.success(), "{cmd:?} failed with {status}");
    Ok(())
}

/// Asks a child to stop (SIGTERM), then kills it after 3 s.
fn stop(child: &mut Child) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn cargo_home() -> PathBuf {
    match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"),
    }
}

fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

fn is_newer(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(a), modified(b)), (Some(a), Some(b)) if a >= b)
}

fn port_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// The socket of local display `:n`.
fn x_socket(n: u32) -> PathBuf {
    PathBuf::from(format!("/tmp/.X11-unix/X{n}"))
}

/// Whether a local display (`:N` or `:N.S`) accepts connections; other forms are trusted as given.
fn display_answers(display: &str) -> bool {
    let Some(number) = display.strip_prefix(':') else { return true };
    let Ok(n) = number.split('.').next().unwrap_or_default().parse::<u32>() else { return true };
    std::os::unix::net::UnixStream::connect(x_socket(n)).is_ok()
}
