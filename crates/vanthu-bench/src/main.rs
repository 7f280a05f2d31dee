//! `vanthu-bench`: the register's figures on a register the size of a busy province's after two years
//! (1,000,000 documents), printed beside the goals of the foundation issue.
//!
//! Why a program and not `#[bench]`s: the interesting figures need a large, realistic register on disk
//! (full of Vietnamese text, with a real audit chain and search index) and the façade exactly as the app
//! calls it, with durable commits. Tests never assert timings; this prints them.
//!
//! The register is generated once from a fixed seed and cached (`target/bench/register-1m.sqlite3`);
//! `--regenerate` rebuilds it. `--quick` works on 20,000 documents for a smoke run. `--report FILE`
//! also writes the table as JSON (for `cargo xtask bench`, which adds the desktop app's figures).
//!
//! The digitising figures (100 scans into one PDF against `img2pdf`, raw pages per second on one core,
//! peak memory of a long document) follow the register's, from generated scans cached under
//! `target/bench/digitise/`; `--digitise-only` measures them alone, without the register (about a
//! minute). See the `digitise` module.
//!
//! The signing figures (a 20-page scanned PDF signed PAdES on a SoftHSM2 token and verified, against
//! pyHanko with the same file and key) follow, on a test PKI and token made for the run by
//! `vanthu-testkit`; `--signing-only` measures them alone (under a minute). See the `signing` module.
//!
//! The exchange figures (10,000 packages of about 100 KB from one station through the reference hub
//! to another on loopback: packages per second, latency from send to arrival, the hub's peak memory,
//! beside the same bytes copied over loopback with no processing) come last, on two registers and a
//! hub started for the run under `target/bench/exchange/`; `--exchange-only` measures them alone
//! (setting up 10,000 queued documents takes minutes), `--exchange-packages N` sends N packages
//! instead. See the `exchange` module.
//!
//! What it must not do: bypass the store's registration functions to go faster, or measure anything
//! but the façade for the user-facing figures.
#![allow(clippy::print_stdout)]

mod corpus;
mod digitise;
mod exchange;
mod generate;
mod measure;
mod signing;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use measure::{Plan, Row, count, human};
use serde_json::json;

const USAGE: &str =
    "usage: vanthu-bench [--quick | --documents N] [--regenerate] [--db PATH] [--report FILE] [--no-check]
                    [--digitise-only] [--signing-only] [--exchange-only] [--exchange-packages N]

  --quick          20,000 documents (a smoke run)
  --documents N    N documents (default 1,000,000)
  --regenerate     rebuild the cached register even if present
  --db PATH        the register to generate or reuse (default target/bench/register-1m.sqlite3)
  --report FILE    also write the results as JSON
  --no-check       skip the timing of `check`
  --digitise-only  only the digitising figures (scans → PDF against img2pdf, raw pages/s, peak
                   memory), without generating or measuring the register
  --signing-only   only the signing figures (PAdES sign and verify of a 20-page scan on a SoftHSM2
                   token, against pyHanko), without the register
  --exchange-only  only the exchange figures (packages from one station through the reference hub
                   to another on loopback, against the link's limit), without the register; the
                   --…-only flags combine
  --exchange-packages N
                   packages sent in the exchange figures (default 10,000)";

const SEED: u64 = 0x5641_4e54_4855; // "VANTHU"

struct Options {
    documents: u64,
    regenerate: bool,
    db: Option<PathBuf>,
    report: Option<PathBuf>,
    check: bool,
    digitise_only: bool,
    signing_only: bool,
    exchange_only: bool,
    exchange_packages: usize,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options> {
    let mut o = Options {
        documents: 1_000_000,
        regenerate: false,
        db: None,
        report: None,
        check: true,
        digitise_only: false,
        signing_only: false,
        exchange_only: false,
        exchange_packages: 10_000,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value\n\n{USAGE}"));
        match arg.as_str() {
            "--quick" => o.documents = 20_000,
            "--documents" => {
                let v = value("--documents")?.replace(['_', ','], "");
                o.documents = v.parse().with_context(|| format!("--documents {v}: not a number"))?;
            }
            "--regenerate" => o.regenerate = true,
            "--db" => o.db = Some(value("--db")?.into()),
            "--report" => o.report = Some(value("--report")?.into()),
            "--no-check" => o.check = false,
            "--digitise-only" => o.digitise_only = true,
            "--signing-only" => o.signing_only = true,
            "--exchange-only" => o.exchange_only = true,
            "--exchange-packages" => {
                let v = value("--exchange-packages")?.replace(['_', ','], "");
                o.exchange_packages = v.parse().with_context(|| format!("--exchange-packages {v}: not a number"))?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    if o.documents == 0 {
        bail!("--documents must be at least 1");
    }
    if o.exchange_packages == 0 {
        bail!("--exchange-packages must be at least 1");
    }
    Ok(o)
}

/// `1m`, `20k`, or the number itself: the cached register's name.
fn label(documents: u64) -> String {
    if documents.is_multiple_of(1_000_000) {
        format!("{}m", documents / 1_000_000)
    } else if documents.is_multiple_of(1000) {
        format!("{}k", documents / 1000)
    } else {
        documents.to_string()
    }
}

/// The workspace's root folder.
fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The workspace's target directory (honours `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    let root = workspace_root();
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn main() -> Result<()> {
    let all: Vec<String> = std::env::args().collect();
    if all.get(1).map(String::as_str) == Some(digitise::CHILD_FLAG) {
        // The digitising benchmark re-runs this binary to measure one assembly's peak memory alone.
        return digitise::child_assemble(&all[2..]);
    }
    let mut args = all.into_iter();
    args.next(); // the program's own name
    let o = parse(args)?;
    let db =
        o.db.clone()
            .unwrap_or_else(|| target_dir().join("bench").join(format!("register-{}.sqlite3", label(o.documents))));
    if o.digitise_only || o.signing_only || o.exchange_only {
        let mut rows = Vec::new();
        let mut parts = Vec::new();
        if o.digitise_only {
            rows.extend(digitise::run(&target_dir(), &workspace_root())?);
            parts.push("digitising");
        }
        if o.signing_only {
            rows.extend(signing::run(&target_dir(), &workspace_root())?);
            parts.push("signing");
        }
        if o.exchange_only {
            rows.extend(exchange::run(&target_dir(), &workspace_root(), o.exchange_packages)?);
            parts.push("exchange");
        }
        println!();
        println!("Vanthu benchmark: {}", parts.join(" and "));
        println!("{}", table(&rows));
        return write_report(o.report.as_deref(), &db, o.documents, &rows);
    }

    let generated = match generate::cached(&db, o.documents) {
        Some(g) if !o.regenerate => {
            eprintln!("vanthu-bench: using the cached register {}", db.display());
            g
        }
        _ => {
            eprintln!("vanthu-bench: generating {} documents into {}", count(o.documents), db.display());
            generate::generate(&db, o.documents, SEED)?
        }
    };
    let mut rows = vec![Row::info(
        format!("generation of {} documents (batches of 5,000 per transaction)", count(generated.documents)),
        format!(
            "{} ({} documents/s){}",
            human(generated.seconds),
            count((generated.documents as f64 / generated.seconds.max(1e-9)) as u64),
            if generated.fresh { "" } else { ", cached from an earlier run" }
        ),
    )];
    let plan = Plan {
        registrations: 300,
        with_file: (50, 256 * 1024),
        pages: 300,
        search_repeats: 10,
        check: o.check,
        seed: SEED,
    };
    rows.extend(measure::run(&db, o.documents, &plan)?);
    rows.extend(digitise::run(&target_dir(), &workspace_root())?);
    rows.extend(signing::run(&target_dir(), &workspace_root())?);
    rows.extend(exchange::run(&target_dir(), &workspace_root(), o.exchange_packages)?);

    println!();
    println!("Vanthu benchmark: register of {} documents ({})", count(o.documents), db.display());
    println!("{}", table(&rows));
    write_report(o.report.as_deref(), &db, o.documents, &rows)
}

/// Writes the rows as JSON to `report`, when asked (`--report`), for `cargo xtask bench`.
fn write_report(report: Option<&Path>, db: &Path, documents: u64, rows: &[Row]) -> Result<()> {
    let Some(report) = report else {
        return Ok(());
    };
    if let Some(dir) = report.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let value = json!({ "db": db, "documents": documents, "rows": rows });
    std::fs::write(report, serde_json::to_string_pretty(&value)?)
        .with_context(|| format!("cannot write {}", report.display()))?;
    Ok(())
}

/// The rows as an aligned text table.
fn table(rows: &[Row]) -> String {
    let width = |f: fn(&Row) -> &str, title: &str| {
        rows.iter().map(|r| f(r).chars().count()).chain([title.chars().count()]).max().unwrap_or(0)
    };
    let w = [
        width(|r| &r.measure, "measure"),
        width(|r| &r.figure, "figure"),
        width(|r| &r.goal, "goal"),
        width(|r| &r.verdict, "verdict"),
    ];
    let line = |cells: [&str; 4]| {
        let mut s = String::new();
        for (cell, w) in cells.iter().zip(w) {
            s.push_str(cell);
            s.push_str(&" ".repeat(w - cell.chars().count() + 2));
        }
        s.trim_end().to_owned()
    };
    let mut out = vec![line(["measure", "figure", "goal", "verdict"])];
    out.push(w.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "));
    for r in rows {
        out.push(line([&r.measure, &r.figure, &r.goal, &r.verdict]));
    }
    out.join("\n")
}
