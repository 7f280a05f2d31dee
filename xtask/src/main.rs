//! `cargo xtask`: the project's own commands, so that a fresh Debian/Ubuntu machine needs only Rust and
//! the repository (rust-analyzer's xtask pattern: no Makefile, no shell scripts to keep in step).
//!
//! - `cargo xtask install` — the Debian packages, Node/npm check and tauri-driver (run first by the others);
//! - `cargo xtask start` — builds the front end and the desktop app and starts it on the default register;
//! - `cargo xtask test` — tidy, builds, then **every** test of the workspace, the end-to-end ones in a
//!   real window under Xvfb driven by tauri-driver, then the freshness of the generated bindings;
//! - `cargo xtask tidy` — formatting, clippy, architecture boundaries, crate doc comments;
//! - `cargo xtask bench [--quick] […]` — `vanthu-bench` on a generated register, then the desktop app's
//!   launch time and memory, in one table.
//!
//! Only `anyhow` and std here, plus what the desktop helpers (`desktop.rs`) need to speak WebDriver.
#![allow(clippy::print_stdout)]

mod desktop;
mod install;
mod oracles;
mod tidy;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask <command>

  install          install what is missing (Debian packages, tauri-driver); check Node/npm
  start            build and start the desktop app on the default register
  test             tidy, then every test (end-to-end ones under Xvfb), then the bindings check
  tidy             rustfmt, clippy, architecture boundaries, crate doc comments
  bench [ARGS]     benchmarks on a generated register of 1,000,000 documents, then the desktop app's
                   launch; ARGS go to vanthu-bench (--quick: 20,000 documents; --regenerate; --no-check;
                   --digitise-only: only digitising against img2pdf,
                   --signing-only: only signing and verifying against pyHanko,
                   --exchange-only: only the exchange through the hub against the link's limit;
                   --exchange-packages N: N packages instead of 10,000)";

fn main() -> ExitCode {
    let mut args = std::env::args();
    args.next(); // the program's own name
    let args: Vec<String> = args.collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let root = workspace_root()?;
    let Some(command) = args.first() else {
        println!("{USAGE}");
        return Ok(());
    };
    let rest = &args[1..];
    match command.as_str() {
        "install" => install::install(),
        "start" => start(&root),
        "test" => test(&root),
        "tidy" => tidy(&root),
        "bench" => bench(&root, rest),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}

/// The workspace root: the folder above `xtask/`.
pub fn workspace_root() -> Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.parent().context("xtask has no parent folder")?;
    root.canonicalize().with_context(|| format!("cannot resolve {}", root.display()))
}

/// The cargo running us (`CARGO`), else `cargo` from PATH.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The target directory (honours `CARGO_TARGET_DIR`, relative to the root if relative).
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// Runs `cargo ARGS` in `root`, echoing it; fails if it fails.
fn cargo_run(root: &Path, args: &[&str], envs: &[(&str, &str)]) -> Result<()> {
    eprintln!("$ cargo {}", args.join(" "));
    let mut cmd = Command::new(cargo());
    cmd.args(args).current_dir(root);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let status = cmd.status().context("cannot run cargo")?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

fn start(root: &Path) -> Result<()> {
    install::install()?;
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!(
            "no display (DISPLAY and WAYLAND_DISPLAY are unset): run this in a desktop session, or on a \
             headless machine start a virtual display first:\n\
             \x20 Xvfb :99 -screen 0 1280x800x24 & DISPLAY=:99 cargo xtask start\n\
             (screenshot it with `DISPLAY=:99 import -window root shot.png`)"
        );
    }
    desktop::start_app(root)
}

fn tidy(root: &Path) -> Result<()> {
    let outcomes = tidy::all(root)?;
    summarise("tidy", &outcomes)
}

/// Prints the outcomes and fails if any failed.
fn summarise(what: &str, outcomes: &[tidy::Outcome]) -> Result<()> {
    let failed: Vec<&str> = outcomes.iter().filter(|o| !o.ok()).map(|o| o.name.as_str()).collect();
    eprintln!();
    eprintln!("{what}: {} checks, {} failed", outcomes.len(), failed.len());
    for o in outcomes {
        eprintln!("  {:<70} {}", o.name, if o.ok() { "ok" } else { "FAILED" });
    }
    if failed.is_empty() { Ok(()) } else { bail!("{what} failed: {}", failed.join("; ")) }
}

fn test(root: &Path) -> Result<()> {
    let started = Instant::now();
    install::install()?;
    let mut outcomes = tidy::all(root)?;

    // The binaries the end-to-end tests drive.
    let built = cargo_run(root, &["build", "-p", "vanthu-cli", "-p", "vanthu-hub"], &[])
        .and_then(|()| desktop::build_desktop(root, false));
    match built {
        Err(e) => outcomes.push(failed("build vanthu-cli, vanthu-hub and vanthu-desktop", &e)),
        Ok(desktop_bin) => {
            outcomes.push(passed("build vanthu-cli, vanthu-hub and vanthu-desktop"));
            outcomes.extend(run_tests(root, &desktop_bin));
            // The desktop crate's tests regenerate the bindings: check them only now.
            outcomes.push(tidy::bindings_fresh(root)?);
        }
    }
    eprintln!("xtask: test took {:.0} s", started.elapsed().as_secs_f64());
    summarise("test", &outcomes)
}

/// `cargo test` for the whole workspace with a display and a WebDriver for the end-to-end tests.
fn run_tests(root: &Path, desktop_bin: &Path) -> Vec<tidy::Outcome> {
    let display = match desktop::VirtualDisplay::start() {
        Ok(d) => d,
        Err(e) => return vec![failed("virtual display (Xvfb)", &e)],
    };
    // The scanner of the tests: SANE's `test` backend only (its virtual devices test:0 and test:1), for
    // the CLI and for the desktop app that tauri-driver starts (it inherits the driver's environment).
    let sane = match oracles::sane_test_config(root) {
        Ok(dir) => dir.to_string_lossy().into_owned(),
        Err(e) => return vec![failed("SANE test backend configuration", &e)],
    };
    // The signing token of the desktop tests: SoftHSM2 reads this configuration, which the test writes
    // (pointing at the test PKI's token) before the app opens the token; the app inherits it.
    let softhsm = target_dir(root).join("e2e").join("softhsm2.conf").to_string_lossy().into_owned();
    let driver = match desktop::Driver::start([
        ("DISPLAY", display.display()),
        ("SANE_CONFIG_DIR", sane.as_str()),
        ("SOFTHSM2_CONF", softhsm.as_str()),
    ]) {
        Ok(d) => d,
        Err(e) => return vec![failed("tauri-driver", &e)],
    };
    let cups = match oracles::Cups::start() {
        Ok(c) => c,
        Err(e) => return vec![failed("CUPS with the VanthuPDF printer", &e)],
    };
    let (pdfium, python) = match (oracles::pdfium(root), oracles::python_oracles(root)) {
        (Ok(p), Ok(b)) => (p, b),
        (Err(e), _) | (_, Err(e)) => return vec![failed("pdfium and the python oracles", &e)],
    };
    // The exchange's desktop test starts a driver of its own (with a private keyring in its environment).
    let tauri_driver = match desktop::ensure_tauri_driver() {
        Ok(p) => p.to_string_lossy().into_owned(),
        Err(e) => return vec![failed("tauri-driver", &e)],
    };
    let vanthu_bin = target_dir(root).join("debug").join("vanthu");
    let hub_bin = target_dir(root).join("debug").join("vanthu-hub").to_string_lossy().into_owned();
    let bin = desktop_bin.to_string_lossy().into_owned();
    let cli = vanthu_bin.to_string_lossy().into_owned();
    let url = driver.url();
    let pdfium = pdfium.to_string_lossy().into_owned();
    let img2pdf = python.join("img2pdf").to_string_lossy().into_owned();
    let print_dir = oracles::Cups::output_dir().to_string_lossy().into_owned();
    let envs = [
        ("DISPLAY", display.display()),
        ("VANTHU_DESKTOP_BIN", bin.as_str()),
        ("VANTHU_WEBDRIVER_URL", url.as_str()),
        ("VANTHU_BIN", cli.as_str()),
        ("VANTHU_HUB_BIN", hub_bin.as_str()),
        ("VANTHU_PDFIUM", pdfium.as_str()),
        ("VANTHU_IMG2PDF", img2pdf.as_str()),
        ("VANTHU_TEST_PRINTER", oracles::TEST_PRINTER),
        ("VANTHU_TEST_PRINT_DIR", print_dir.as_str()),
        ("SANE_CONFIG_DIR", sane.as_str()),
        ("VANTHU_E2E_SOFTHSM2_CONF", softhsm.as_str()),
        ("VANTHU_TAURI_DRIVER", tauri_driver.as_str()),
    ];
    eprintln!("xtask: tests run with DISPLAY={} VANTHU_WEBDRIVER_URL={url}", display.display());
    let mut outcomes = Vec::new();
    let name = "cargo test --workspace --all-targets";
    outcomes.push(match cargo_run(root, &["test", "--workspace", "--all-targets"], &envs) {
        Ok(()) => passed(name),
        Err(e) => failed(name, &e),
    });
    // `--all-targets` leaves out documentation tests: run them too, so that nothing is skipped.
    let name = "cargo test --workspace --doc";
    outcomes.push(match cargo_run(root, &["test", "--workspace", "--doc"], &envs) {
        Ok(()) => passed(name),
        Err(e) => failed(name, &e),
    });
    drop(driver);
    drop(display);
    drop(cups);
    outcomes
}

fn passed(name: &str) -> tidy::Outcome {
    tidy::Outcome::new(name, Vec::new())
}

fn failed(name: &str, e: &anyhow::Error) -> tidy::Outcome {
    tidy::Outcome::new(name, vec![format!("{e:#}")])
}

/// One row of the combined benchmark table.
struct BenchRow {
    measure: String,
    figure: String,
    goal: String,
    verdict: String,
}

fn bench(root: &Path, args: &[String]) -> Result<()> {
    install::install()?;
    let report = target_dir(root).join("bench").join("report.json");
    let _ = std::fs::remove_file(&report);
    let mut bench_args: Vec<&str> = vec!["run", "--release", "-p", "vanthu-bench", "--"];
    bench_args.extend(args.iter().map(String::as_str));
    let report_arg = report.to_string_lossy().into_owned();
    bench_args.extend(["--report", report_arg.as_str()]);
    // The peer of the digitising rows, from the oracles' environment that `install` made.
    let img2pdf = oracles::python_oracles(root)?.join("img2pdf").to_string_lossy().into_owned();
    cargo_run(root, &bench_args, &[("VANTHU_IMG2PDF", img2pdf.as_str())])?;
    // The partial runs (no generated register): only their rows are printed.
    let only = ["--digitise-only", "--signing-only", "--exchange-only"];
    let partial = args.iter().any(|a| only.contains(&a.as_str()));

    let text = std::fs::read_to_string(&report).with_context(|| format!("cannot read {}", report.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).context("vanthu-bench's report is not JSON")?;
    let db = PathBuf::from(value["db"].as_str().context("no db in the report")?);
    let documents = value["documents"].as_u64().unwrap_or(0);
    let field = |row: &serde_json::Value, key: &str| row[key].as_str().unwrap_or_default().to_owned();
    let mut rows: Vec<BenchRow> = value["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| BenchRow {
                    measure: field(r, "measure"),
                    figure: field(r, "figure"),
                    goal: field(r, "goal"),
                    verdict: field(r, "verdict"),
                })
                .collect()
        })
        .unwrap_or_default();

    // The desktop app on the same register (desktop::bench_launch builds it in release).
    eprintln!("xtask: measuring the desktop app's launch on {} (release build)", db.display());
    if partial {
        // No register was generated: print the partial runs' rows alone.
        println!();
        let parts = [("--digitise-only", "digitising"), ("--signing-only", "signing"), ("--exchange-only", "exchange")];
        let parts: Vec<&str> = parts.iter().filter(|(flag, _)| args.iter().any(|a| a == flag)).map(|p| p.1).collect();
        println!("Vanthu benchmarks: {}", parts.join(" and "));
        println!("{}", table(&rows));
        return Ok(());
    }
    let launch = desktop::bench_launch(root, &db);
    let info = |measure: &str, figure: String| BenchRow {
        measure: measure.to_owned(),
        figure,
        goal: String::new(),
        verdict: String::new(),
    };
    let launch_ok = launch.is_ok();
    match launch {
        Ok(f) => {
            let mib = |b: u64| format!("{:.0} MiB", b as f64 / (1024.0 * 1024.0));
            rows.push(info(
                "desktop (release): launch → first register row on screen",
                format!("{:.2} s ({} rows in the DOM)", f.launch_to_rows.as_secs_f64(), f.rows_in_dom),
            ));
            rows.push(info(
                "desktop (release): memory at rest, app + WebKit",
                format!(
                    "{} PSS / {} RSS over {} processes (app alone {} RSS)",
                    mib(f.pss_bytes),
                    mib(f.rss_bytes),
                    f.processes,
                    mib(f.app_rss_bytes)
                ),
            ));
        }
        Err(e) => rows.push(BenchRow {
            measure: "desktop (release): launch and memory".to_owned(),
            figure: format!("{e:#}"),
            goal: String::new(),
            verdict: "FAILED".to_owned(),
        }),
    }

    println!();
    println!("Vanthu benchmarks: register of {documents} documents at {}", db.display());
    println!("{}", table(&rows));
    if !launch_ok {
        bail!("the desktop launch could not be measured");
    }
    Ok(())
}

fn table(rows: &[BenchRow]) -> String {
    let cells = |r: &BenchRow| [r.measure.clone(), r.figure.clone(), r.goal.clone(), r.verdict.clone()];
    let header = ["measure", "figure", "goal", "verdict"].map(str::to_owned);
    let all: Vec<[String; 4]> = std::iter::once(header).chain(rows.iter().map(cells)).collect();
    let mut widths = [0usize; 4];
    for row in &all {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |row: &[String; 4]| {
        let mut s = String::new();
        for (c, w) in row.iter().zip(widths) {
            s.push_str(c);
            s.push_str(&" ".repeat(w - c.chars().count() + 2));
        }
        s.trim_end().to_owned()
    };
    let mut out = vec![line(&all[0])];
    out.push(widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "));
    out.extend(all[1..].iter().map(line));
    out.join("\n")
}
