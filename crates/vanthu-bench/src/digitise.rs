//! The digitising figures of the issue, measured against the peer tool, `img2pdf`, on the same files
//! and the same machine in one run:
//!
//! 1. **100 scans → one PDF.** A hundred A4 colour scans at 200 dpi (JPEG) into one PDF/A-1b file:
//!    our CLI end to end (`vanthu digitise`, a process like `img2pdf` is) and in-process
//!    ([`vanthu_app::digitise::digitise_files`]), against `img2pdf --engine internal --nodate`. The
//!    goal is to be no slower than `img2pdf` *and* to keep every page's JPEG data byte for byte, which
//!    is checked by finding each input file verbatim in our output.
//! 2. **Raw pages → PDF on one core.** Pages as SANE delivers them (interleaved 8-bit RGB) compressed
//!    once ([`imaging::encode_raw`]) and added to an [`Assembler`], on one thread: pages per second.
//! 3. **Flat memory.** The peak resident memory of a child process assembling 30 and 300 pages (the
//!    assembler streams: a page's bytes go to the file and are forgotten), beside `vanthu digitise`'s
//!    and `img2pdf`'s peaks on the same pages.
//!
//! Why generated scans and not real ones: the benchmark must run anywhere without private documents,
//! and be repeatable. The pages are drawn from a fixed seed to look like a scanner's output where it
//! matters to a JPEG encoder and a PDF writer (off-white paper, sensor noise, soft-edged rows of text,
//! a red seal and a blue signature on some pages), compressed once with the capture crate's own
//! encoder, and cached under `target/bench/digitise/` (rebuilt when missing, or when the drawing or
//! the encoder's quality changes: both are in the folder's name).
//!
//! `img2pdf` is looked for in `$VANTHU_IMG2PDF`, then `target/oracles/venv/bin/img2pdf` (where `cargo
//! xtask` installs it), then on `PATH`; when it is missing the comparison rows say so and are
//! `MISSED`, never left out. The `vanthu` binary is built (`cargo build --release -p vanthu-cli`) into
//! the same target directory, so the CLI measured is the one of this source tree.
//!
//! Timings are medians over a few repetitions, runs of the three contenders interleaved so that load
//! from elsewhere on the machine falls on all of them alike; the inputs are read once first so that
//! every run finds them in the page cache.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use time::OffsetDateTime;
use time::macros::datetime;
use vanthu_capture::imaging::{self, RawPage};
use vanthu_pdf::assemble::{Assembler, Metadata, PageSpec, Rotation};

use crate::measure::{Row, Stats, size, thread_cpu};

/// The hidden flag that makes the bench binary a child assembling pages (see [`child_assemble`]).
pub const CHILD_FLAG: &str = "--child-assemble";

/// Scans in the cached set.
const SCANS: usize = 100;
/// A4 at 200 dpi, in pixels.
const WIDTH: usize = 1654;
const HEIGHT: usize = 2339;
const DPI: f32 = 200.0;
/// Bump when the drawing changes: the cache folder's name holds it.
const DRAWING: u32 = 2;
const SEED: u64 = 0x5343_414e_5330; // "SCANS0"

/// Repetitions of the 100-page runs (each contender), after one warm-up run each.
const RUNS: usize = 5;
/// Raw pages per timed run on one core, and runs.
const RAW_PAGES: usize = 30;
const RAW_RUNS: usize = 3;
/// Distinct raw pages cycled through (each is 11.6 MB of RGB).
const RAW_DISTINCT: usize = 4;
/// The documents of the memory measurement, in pages.
const SMALL: usize = 30;
const LARGE: usize = 300;
/// The goals of the issue.
const GOAL_PAGES_PER_SECOND: f64 = 20.0;
const GOAL_MEMORY_RATIO: f64 = 1.5;

/// The creation time written into our PDFs (fixed: same input, same bytes).
const AT: OffsetDateTime = datetime!(2025-03-14 09:30 +07:00);

/// Runs the three measurements; `target` is the workspace's target directory, `workspace` its root.
pub fn run(target: &Path, workspace: &Path) -> Result<Vec<Row>> {
    let base = target.join("bench").join("digitise");
    let scans_dir = scans_dir(target);
    let out = base.join("out");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let (scans, generated) = ensure_scans(&scans_dir)?;

    // Read every scan once: the runs below find them in the page cache.
    let jpegs = scans
        .iter()
        .map(|p| std::fs::read(p).with_context(|| format!("cannot read {}", p.display())))
        .collect::<Result<Vec<_>>>()?;
    let total: u64 = jpegs.iter().map(|j| j.len() as u64).sum();
    let mut rows = vec![Row::info(
        format!("digitise: {SCANS} generated scans, A4 200 dpi colour JPEG (q{})", imaging::JPEG_QUALITY),
        format!(
            "avg {:.0} KiB, {} in all ({}; {})",
            total as f64 / SCANS as f64 / 1024.0,
            size(total),
            scans_dir.display(),
            match generated {
                Some(seconds) => format!("generated in {seconds:.1} s"),
                None => "cached".to_owned(),
            }
        ),
    )];

    let img2pdf = find_img2pdf(workspace);
    let cli = build_cli(workspace, target, "digitise");
    if let Ok(cli) = &cli {
        eprintln!("vanthu-bench: digitise: our CLI is {}", cli.display());
    }
    match &img2pdf {
        Ok(p) => eprintln!("vanthu-bench: digitise: img2pdf is {}", p.display()),
        Err(e) => eprintln!("vanthu-bench: digitise: {e}"),
    }

    eprintln!("vanthu-bench: digitise: {SCANS} scans → PDF, {RUNS} runs each");
    rows.extend(hundred_scans(&scans, &jpegs, &out, cli.as_ref(), img2pdf.as_ref())?);
    drop(jpegs);

    eprintln!("vanthu-bench: digitise: raw pages on one core");
    rows.push(raw_pages(&out)?);

    eprintln!("vanthu-bench: digitise: peak memory, {SMALL} and {LARGE} pages");
    rows.extend(memory(&scans_dir, &scans, &out, cli.as_ref(), img2pdf.as_ref())?);

    std::fs::remove_dir_all(&out).ok();
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// 1. 100 scans → one PDF

/// Which of the three contenders a timed run is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Contender {
    Cli,
    Img2pdf,
    InProcess,
}

fn hundred_scans(
    scans: &[PathBuf],
    jpegs: &[Vec<u8>],
    out: &Path,
    cli: Result<&PathBuf, &String>,
    img2pdf: Result<&PathBuf, &String>,
) -> Result<Vec<Row>> {
    let ours_cli = out.join("ours-cli.pdf");
    let ours_lib = out.join("ours-lib.pdf");
    let theirs = out.join("img2pdf.pdf");
    let peer = match img2pdf.ok().map(|p| img2pdf_version(p)).filter(|v| !v.is_empty()) {
        Some(version) => format!("img2pdf {version}"),
        None => "img2pdf".to_owned(),
    };

    let once = |who: Contender| -> Result<Duration> {
        match who {
            Contender::Cli => {
                let cli = cli.map_err(|e| anyhow!("{e}"))?;
                timed(Command::new(cli).arg("digitise").arg("--out").arg(&ours_cli).args(scans))
            }
            Contender::Img2pdf => {
                let img2pdf = img2pdf.map_err(|e| anyhow!("{e}"))?;
                timed(&mut img2pdf_command(img2pdf, scans, &theirs))
            }
            Contender::InProcess => {
                let started = Instant::now();
                let done = vanthu_app::digitise::digitise_files(scans, &ours_lib, AT)?;
                let took = started.elapsed();
                ensure!(done.pages as usize == scans.len(), "digitise_files wrote {} pages", done.pages);
                Ok(took)
            }
        }
    };

    // Who can run at all; a contender that fails its warm-up run is reported, not timed.
    let mut contenders = Vec::new();
    let mut failures: Vec<(Contender, String)> = Vec::new();
    for who in [Contender::Cli, Contender::Img2pdf, Contender::InProcess] {
        match once(who) {
            Ok(_) => contenders.push(who),
            Err(e) => failures.push((who, format!("{e:#}"))),
        }
    }
    let mut samples: Vec<(Contender, Vec<f64>)> = contenders.iter().map(|&c| (c, Vec::new())).collect();
    for round in 0..RUNS {
        // Rotate the order from round to round.
        for k in 0..samples.len() {
            let i = (round + k) % samples.len();
            let took = once(samples[i].0)?;
            samples[i].1.push(took.as_secs_f64());
        }
    }
    let stats = |who: Contender| samples.iter().find(|(c, _)| *c == who).map(|(_, s)| Stats::new(s.clone()));
    let failure = |who: Contender| failures.iter().find(|(c, _)| *c == who).map(|(_, e)| e.clone());

    let theirs_stats = stats(Contender::Img2pdf);
    let mut rows = Vec::new();
    let goal = "≤ img2pdf's median; every JPEG byte for byte".to_owned();
    for (who, path, label) in [
        (Contender::Cli, &ours_cli, "`vanthu digitise` (CLI, end to end)"),
        (Contender::InProcess, &ours_lib, "digitise_files (in-process)"),
    ] {
        let measure = format!("digitise {SCANS} scans → PDF/A-1b: {label}");
        let Some(s) = stats(who) else {
            let why = failure(who).unwrap_or_default();
            rows.push(Row { measure, figure: format!("failed: {why}"), goal: goal.clone(), verdict: "MISSED".into() });
            continue;
        };
        let pdf = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let kept = verbatim(&pdf, jpegs);
        let comparison = match &theirs_stats {
            Some(t) => format!("{:.2}× img2pdf", s.median() / t.median()),
            None if img2pdf.is_err() => "img2pdf not found".to_owned(),
            None => "img2pdf failed".to_owned(),
        };
        let ok = kept == jpegs.len() && theirs_stats.as_ref().is_some_and(|t| s.median() <= t.median());
        rows.push(Row {
            measure,
            figure: format!(
                "{} ({comparison}); {kept}/{} JPEGs byte for byte; {}",
                s.summary(),
                jpegs.len(),
                size(pdf.len() as u64)
            ),
            goal: goal.clone(),
            verdict: if ok { "ok" } else { "MISSED" }.into(),
        });
    }
    rows.push(breakdown(scans, out)?);
    let measure = format!("  peer: {peer} --engine internal --nodate, same {SCANS} files");
    match (&theirs_stats, img2pdf) {
        (Some(t), _) => {
            let pdf = std::fs::read(&theirs).with_context(|| format!("cannot read {}", theirs.display()))?;
            let kept = verbatim(&pdf, jpegs);
            rows.push(Row::info(
                measure,
                format!(
                    "{}; {kept}/{} JPEGs byte for byte; {} (not PDF/A, no fsync)",
                    t.summary(),
                    jpegs.len(),
                    size(pdf.len() as u64)
                ),
            ));
        }
        (None, Err(why)) => rows.push(Row {
            measure,
            figure: why.clone(),
            goal: "a peer to compare with".into(),
            verdict: "MISSED".into(),
        }),
        (None, Ok(_)) => rows.push(Row {
            measure,
            figure: format!("failed: {}", failure(Contender::Img2pdf).unwrap_or_default()),
            goal: "a peer to compare with".into(),
            verdict: "MISSED".into(),
        }),
    }
    Ok(rows)
}

/// Where `digitise_files`' time goes, the same steps timed one by one on the same pages (one run):
/// reading each file, taking it in (`pages_for_pdf`: the JPEG's markers and entropy-coded data are
/// walked to its end marker, to check it is whole, without decoding it; then it is passed through),
/// adding it to the document, and the fsync that makes the atomic write durable.
fn breakdown(scans: &[PathBuf], out: &Path) -> Result<Row> {
    let path = out.join("breakdown.pdf");
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut pdf = Assembler::new(BufWriter::with_capacity(1 << 20, file), metadata("breakdown"))?;
    let (mut read, mut take_in, mut assemble) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for scan in scans {
        let started = Instant::now();
        let bytes = std::fs::read(scan).with_context(|| format!("cannot read {}", scan.display()))?;
        let after_read = Instant::now();
        let pages = imaging::pages_for_pdf(&bytes)?;
        let after_take_in = Instant::now();
        for page in &pages {
            pdf.add_page(PageSpec { jpeg: &page.jpeg, dpi: Some(page.dpi), rotation: Rotation::None })?;
        }
        read += after_read - started;
        take_in += after_take_in - after_read;
        assemble += after_take_in.elapsed();
    }
    let started = Instant::now();
    let file = pdf.finish()?.into_inner().map_err(|e| anyhow!("cannot write {}: {}", path.display(), e.error()))?;
    assemble += started.elapsed();
    let started = Instant::now();
    file.sync_all().with_context(|| format!("cannot sync {}", path.display()))?;
    let sync = started.elapsed();
    drop(file);
    std::fs::remove_file(&path).ok();
    let s = |d: Duration| format!("{:.2} s", d.as_secs_f64());
    Ok(Row::info(
        "  where digitise_files' time goes (1 run, step by step)",
        format!(
            "read {} · walk each JPEG to its end marker {} · assemble {} · fsync {}",
            s(read),
            s(take_in),
            s(assemble),
            s(sync)
        ),
    ))
}

fn img2pdf_command(img2pdf: &Path, scans: &[PathBuf], out: &Path) -> Command {
    let mut command = Command::new(img2pdf);
    command.args(["--engine", "internal", "--nodate", "-o"]).arg(out).args(scans);
    command
}

fn img2pdf_version(img2pdf: &Path) -> String {
    Command::new(img2pdf)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().trim_start_matches("img2pdf").trim().to_owned())
        .unwrap_or_default()
}

/// Runs a process to its end, its output captured; fails when it fails.
fn timed(command: &mut Command) -> Result<Duration> {
    let started = Instant::now();
    let output = command.stdin(Stdio::null()).output().with_context(|| format!("cannot run {command:?}"))?;
    let took = started.elapsed();
    if !output.status.success() {
        bail!(
            "{:?} failed ({}): {}",
            command.get_program(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(took)
}

/// How many of `jpegs` occur verbatim in `pdf`. Pages are in order, so each search starts where the
/// previous file was found (one pass over the PDF), and from the start again if that fails.
fn verbatim(pdf: &[u8], jpegs: &[Vec<u8>]) -> usize {
    let mut from = 0;
    let mut kept = 0;
    for jpeg in jpegs {
        if let Some(at) = find(pdf, jpeg, from).or_else(|| find(pdf, jpeg, 0)) {
            kept += 1;
            from = at + jpeg.len();
        }
    }
    kept
}

/// The first occurrence of `needle` in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (&first, _) = needle.split_first()?;
    let last = haystack.len().checked_sub(needle.len())?;
    let mut i = from;
    while i <= last {
        i += haystack[i..=last].iter().position(|&b| b == first)?;
        if haystack[i..i + needle.len()] == *needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

// ---------------------------------------------------------------------------------------------
// 2. Raw pages on one core

fn raw_pages(out: &Path) -> Result<Row> {
    let raws: Vec<RawPage> = (0..RAW_DISTINCT).map(|i| raw_page(SCANS + i)).collect();
    let path = out.join("raw.pdf");
    let mut rates = Vec::new();
    let mut cpu_rates = Vec::new();
    let mut bytes = 0;
    for _ in 0..RAW_RUNS {
        let cpu = thread_cpu();
        let started = Instant::now();
        let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut pdf = Assembler::new(BufWriter::with_capacity(1 << 20, file), metadata("raw"))?;
        for i in 0..RAW_PAGES {
            let page = imaging::encode_raw(&raws[i % raws.len()])?;
            pdf.add_page(PageSpec { jpeg: &page.jpeg, dpi: Some(page.dpi), rotation: Rotation::None })?;
        }
        pdf.finish()?.flush()?;
        let took = started.elapsed().as_secs_f64();
        rates.push(RAW_PAGES as f64 / took);
        if let (Some(before), Some(after)) = (cpu, thread_cpu()) {
            cpu_rates.push(RAW_PAGES as f64 / (after - before).as_secs_f64().max(1e-9));
        }
        bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    }
    std::fs::remove_file(&path).ok();
    let wall = Stats::new(rates);
    let cpu = if cpu_rates.is_empty() {
        String::new()
    } else {
        format!("; {:.1} pages/s of this thread's CPU time", Stats::new(cpu_rates).median())
    };
    Ok(Row {
        measure: format!(
            "raw RGB pages (A4 200 dpi) → PDF/A-1b, one thread: encode_raw + add_page ({RAW_PAGES} pages)"
        ),
        figure: format!(
            "median {:.1} pages/s · min {:.1} · max {:.1} ({RAW_RUNS} runs{cpu}); {:.0} KiB/page",
            wall.median(),
            wall.min(),
            wall.max(),
            bytes as f64 / RAW_PAGES as f64 / 1024.0
        ),
        goal: format!("≥ {GOAL_PAGES_PER_SECOND:.0} pages/s"),
        verdict: if wall.median() >= GOAL_PAGES_PER_SECOND { "ok" } else { "MISSED" }.into(),
    })
}

fn metadata(title: &str) -> Metadata {
    Metadata { title: title.to_owned(), producer: "vanthu-bench".to_owned(), created: AT, document_id: [0x5a; 16] }
}

// ---------------------------------------------------------------------------------------------
// 3. Peak memory

fn memory(
    scans_dir: &Path,
    scans: &[PathBuf],
    out: &Path,
    cli: Result<&PathBuf, &String>,
    img2pdf: Result<&PathBuf, &String>,
) -> Result<Vec<Row>> {
    let exe = std::env::current_exe().context("cannot find the bench's own binary")?;
    let cyclic = |n: usize| scans.iter().cycle().take(n).cloned().collect::<Vec<_>>();
    let pdf = out.join("memory.pdf");
    let mut rows = Vec::new();

    let child = |n: usize| -> Result<u64> {
        let output = Command::new(&exe)
            .arg(CHILD_FLAG)
            .arg(n.to_string())
            .arg(scans_dir)
            .arg(&pdf)
            .stdin(Stdio::null())
            .output()
            .context("cannot re-run the bench binary")?;
        ensure!(output.status.success(), "the child failed: {}", String::from_utf8_lossy(&output.stderr).trim());
        let text = String::from_utf8_lossy(&output.stdout);
        let kib = text
            .lines()
            .find_map(|l| l.strip_prefix("vmhwm_kib "))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .with_context(|| format!("the child said {text:?}"))?;
        std::fs::remove_file(&pdf).ok();
        Ok(kib * 1024)
    };
    let (small, large) = (child(SMALL)?, child(LARGE)?);
    let ratio = large as f64 / small.max(1) as f64;
    rows.push(Row {
        measure: format!("peak memory assembling {SMALL} / {LARGE} pages (Assembler, child process, VmHWM)"),
        figure: format!("{} / {} (×{ratio:.2})", size(small), size(large)),
        goal: format!("{LARGE} pages ≤ {GOAL_MEMORY_RATIO}× {SMALL} pages"),
        verdict: if ratio <= GOAL_MEMORY_RATIO { "ok" } else { "MISSED" }.into(),
    });

    let how = if Path::new(TIME).is_file() { "max RSS by /usr/bin/time" } else { "VmHWM polled" };
    let peers = |label: String, command: &dyn Fn(&[PathBuf]) -> Command| -> Row {
        let peaks = [SMALL, LARGE].map(|n| peak_rss(command(&cyclic(n))));
        std::fs::remove_file(&pdf).ok();
        match peaks {
            [Ok(s), Ok(l)] => {
                Row::info(label, format!("{} / {} (×{:.2}; {how})", size(s), size(l), l as f64 / s.max(1) as f64))
            }
            [Err(e), _] | [_, Err(e)] => {
                Row { measure: label, figure: format!("failed: {e:#}"), goal: String::new(), verdict: "MISSED".into() }
            }
        }
    };
    match cli {
        Ok(cli) => rows.push(peers(format!("  `vanthu digitise` {SMALL} / {LARGE} pages"), &|files| {
            let mut c = Command::new(cli);
            c.arg("digitise").arg("--out").arg(&pdf).args(files);
            c
        })),
        Err(why) => rows.push(Row {
            measure: format!("  `vanthu digitise` {SMALL} / {LARGE} pages"),
            figure: why.clone(),
            goal: String::new(),
            verdict: "MISSED".into(),
        }),
    }
    match img2pdf {
        Ok(img2pdf) => rows.push(peers(format!("  peer: img2pdf {SMALL} / {LARGE} pages"), &|files| {
            img2pdf_command(img2pdf, files, &pdf)
        })),
        Err(why) => rows.push(Row {
            measure: format!("  peer: img2pdf {SMALL} / {LARGE} pages"),
            figure: why.clone(),
            goal: "a peer to compare with".into(),
            verdict: "MISSED".into(),
        }),
    }
    Ok(rows)
}

const TIME: &str = "/usr/bin/time";

/// The peak resident memory of a process run to its end, in bytes: GNU time's `%M` when it is
/// installed, else the child's `VmHWM` read from `/proc` until it exits.
fn peak_rss(mut command: Command) -> Result<u64> {
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    if Path::new(TIME).is_file() {
        let report = tempfile_path("time");
        let mut timed = Command::new(TIME);
        timed.args(["-f", "%M", "-o"]).arg(&report).arg(command.get_program()).args(command.get_args());
        let output = timed.stdin(Stdio::null()).output().with_context(|| format!("cannot run {command:?}"))?;
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        std::fs::remove_file(&report).ok();
        ensure!(
            output.status.success(),
            "{:?} failed: {}",
            command.get_program(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
        let kib: u64 = text.lines().last().and_then(|l| l.trim().parse().ok()).context("no %M from time")?;
        return Ok(kib * 1024);
    }
    let mut child = command.spawn().with_context(|| format!("cannot run {command:?}"))?;
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Some(kib) = std::fs::read_to_string(&status).ok().as_deref().and_then(vm_hwm_kib) {
            peak = peak.max(kib);
        }
        if let Some(exit) = child.try_wait()? {
            ensure!(exit.success(), "{:?} failed ({exit})", command.get_program());
            return Ok(peak * 1024);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn tempfile_path(what: &str) -> PathBuf {
    std::env::temp_dir().join(format!("vanthu-bench-{what}-{}", std::process::id()))
}

/// `VmHWM` of a `/proc/…/status` text, in KiB.
fn vm_hwm_kib(status: &str) -> Option<u64> {
    crate::measure::status_kib(status, "VmHWM:")
}

/// The child of the memory measurement: `--child-assemble N DIR OUT` assembles N pages from the
/// cached scans in DIR (cyclically, each file read, added and dropped) into OUT, then prints its own
/// peak resident memory as `vmhwm_kib K`.
pub fn child_assemble(args: &[String]) -> Result<()> {
    let [n, dir, out] = args else {
        bail!("usage: vanthu-bench {CHILD_FLAG} PAGES SCANS_DIR OUT.pdf");
    };
    let n: usize = n.parse().with_context(|| format!("{n}: not a number of pages"))?;
    let scans = scan_paths(Path::new(dir));
    let file = File::create(out).with_context(|| format!("cannot create {out}"))?;
    let mut pdf = Assembler::new(BufWriter::with_capacity(1 << 20, file), metadata("memory"))?;
    for path in scans.iter().cycle().take(n) {
        let jpeg = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        pdf.add_page(PageSpec { jpeg: &jpeg, dpi: None, rotation: Rotation::None })?;
    }
    pdf.finish()?.flush()?;
    let status = std::fs::read_to_string("/proc/self/status").context("cannot read /proc/self/status")?;
    let kib = vm_hwm_kib(&status).context("no VmHWM in /proc/self/status")?;
    println!("vmhwm_kib {kib}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Finding the tools

/// `img2pdf`: `$VANTHU_IMG2PDF`, the oracles' venv, `PATH`; the error says where it looked.
fn find_img2pdf(workspace: &Path) -> Result<PathBuf, String> {
    let mut looked = Vec::new();
    if let Some(p) = std::env::var_os("VANTHU_IMG2PDF") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        looked.push(format!("$VANTHU_IMG2PDF={}", p.display()));
    } else {
        looked.push("$VANTHU_IMG2PDF (unset)".to_owned());
    }
    let venv = workspace.join("target/oracles/venv/bin/img2pdf");
    if venv.is_file() {
        return Ok(venv);
    }
    looked.push(venv.display().to_string());
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).map(|d| d.join("img2pdf")).find(|p| p.is_file()));
    if let Some(Some(p)) = on_path {
        return Ok(p);
    }
    looked.push("PATH".to_owned());
    Err(format!("img2pdf not found (looked at {}; `cargo xtask install` puts it in the venv)", looked.join(", ")))
}

/// The `vanthu` CLI of this tree, built in release into the same target directory; `bench` names the
/// benchmark in the messages.
pub(crate) fn build_cli(workspace: &Path, target: &Path, bench: &str) -> Result<PathBuf, String> {
    let binary = target.join("release").join(format!("vanthu{}", std::env::consts::EXE_SUFFIX));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("vanthu-bench: {bench}: building the vanthu CLI (release)");
    let built = Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", "vanthu-cli", "--bin", "vanthu"])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(workspace)
        .stdin(Stdio::null())
        .status();
    match built {
        Ok(s) if s.success() && binary.is_file() => Ok(binary),
        _ if binary.is_file() => {
            eprintln!("vanthu-bench: {bench}: could not rebuild the CLI; measuring {}", binary.display());
            Ok(binary)
        }
        Ok(s) => Err(format!("vanthu CLI not found: `cargo build --release -p vanthu-cli` failed ({s})")),
        Err(e) => Err(format!("vanthu CLI not found: cannot run cargo ({e})")),
    }
}

// ---------------------------------------------------------------------------------------------
// The generated scans

/// Where the generated scans are cached: the drawing's version and the encoder's quality are in the
/// folder's name.
fn scans_dir(target: &Path) -> PathBuf {
    target.join("bench").join("digitise").join(format!("scans-d{DRAWING}-q{}", imaging::JPEG_QUALITY))
}

/// The generated scans (drawn into the cache where missing), for the other benchmarks.
pub(crate) fn scans(target: &Path) -> Result<Vec<PathBuf>> {
    Ok(ensure_scans(&scans_dir(target))?.0)
}

/// The cached scans' paths, in page order.
fn scan_paths(dir: &Path) -> Vec<PathBuf> {
    (0..SCANS).map(|i| dir.join(format!("page-{i:03}.jpg"))).collect()
}

/// The scans, generated into `dir` where missing; with the seconds it took when any was.
fn ensure_scans(dir: &Path) -> Result<(Vec<PathBuf>, Option<f64>)> {
    let paths = scan_paths(dir);
    let missing: Vec<usize> =
        (0..SCANS).filter(|&i| std::fs::metadata(&paths[i]).map(|m| m.len() == 0).unwrap_or(true)).collect();
    if missing.is_empty() {
        return Ok((paths, None));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    eprintln!("vanthu-bench: digitise: drawing {} scans into {}", missing.len(), dir.display());
    let started = Instant::now();
    for i in missing {
        let page = imaging::encode_raw(&raw_page(i))?;
        // Written under another name and renamed: an interrupted run leaves no truncated scan.
        let part = paths[i].with_extension("jpg.part");
        std::fs::write(&part, &page.jpeg).with_context(|| format!("cannot write {}", part.display()))?;
        std::fs::rename(&part, &paths[i]).with_context(|| format!("cannot write {}", paths[i].display()))?;
    }
    Ok((paths, Some(started.elapsed().as_secs_f64())))
}

/// Page `index` of the generated set as a scanner delivers it. Every third page opens a document
/// (the two header blocks and a title), every third closes one (a blue signature under a red seal).
fn raw_page(index: usize) -> RawPage {
    let mut rng = StdRng::seed_from_u64(SEED ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut ink = vec![0u8; WIDTH * HEIGHT];
    let (left, right, top, bottom) = (236, WIDTH - 140, 160, HEIGHT - 170);
    let mut y = top;
    if index.is_multiple_of(3) {
        // Two header blocks (the organ, the national motto), bold and centred in their halves.
        let half = WIDTH / 2;
        for (x0, x1) in [(left - 90, half - 60), (half - 20, right + 60)] {
            let mut yy = y + 30;
            for (scale, width) in [(1.0, 0.75), (1.05, 0.9), (0.95, 0.6)] {
                let w = ((x1 - x0) as f32 * width) as usize;
                let start = x0 + (x1 - x0 - w) / 2;
                text_line(&mut ink, &mut rng, start, start + w, yy, scale, true);
                yy += 46;
            }
        }
        y += 250;
        // The document's type and subject, centred.
        text_line(&mut ink, &mut rng, WIDTH / 2 - 260, WIDTH / 2 + 260, y, 1.3, true);
        text_line(&mut ink, &mut rng, WIDTH / 2 - 420, WIDTH / 2 + 420, y + 56, 1.0, true);
        y += 140;
    }
    let closing = index % 3 == 2;
    let body_end = if closing { HEIGHT * 55 / 100 } else { bottom };
    // Paragraphs: first line indented, the last one ragged.
    let mut baseline = y + 40;
    while baseline < body_end {
        let lines = rng.random_range(2..=7);
        for line in 0..lines {
            if baseline >= body_end {
                break;
            }
            let start = if line == 0 { left + 90 } else { left };
            let end = if line + 1 == lines { left + (right - left) * rng.random_range(30..=95) / 100 } else { right };
            text_line(&mut ink, &mut rng, start, end, baseline, 1.0, false);
            baseline += 50;
        }
        baseline += rng.random_range(0..=14);
    }
    if closing {
        // The signer's title and name under the signature, centred on the right.
        let cx = WIDTH * 3 / 4 - 40;
        text_line(&mut ink, &mut rng, cx - 200, cx + 200, body_end + 80, 1.0, true);
        text_line(&mut ink, &mut rng, cx - 160, cx + 160, body_end + 360, 1.0, true);
        // "Nơi nhận" on the left.
        for k in 0..4 {
            text_line(&mut ink, &mut rng, left, left + 380 - k * 40, body_end + 80 + k * 36, 0.75, false);
        }
    }
    soften(&mut ink);

    // Paper: off-white, a little darker towards the sides (the lamp), toner ink near black.
    let paper = [243 - rng.random_range(0..6), 241 - rng.random_range(0..6), 233 - rng.random_range(0..8)];
    let toner = [38, 37, 42];
    let mut rgb = vec![0u8; WIDTH * HEIGHT * 3];
    let columns: Vec<[i32; 3]> = (0..WIDTH)
        .map(|x| {
            let t = (x as f32 - WIDTH as f32 / 2.0) / (WIDTH as f32 / 2.0);
            let dim = 1.0 - 0.02 * t * t;
            paper.map(|c| (c as f32 * dim) as i32)
        })
        .collect();
    for (i, px) in rgb.chunks_exact_mut(3).enumerate() {
        let a = i32::from(ink[i]);
        let col = &columns[i % WIDTH];
        for c in 0..3 {
            px[c] = (col[c] - ((col[c] - toner[c]) * a + 127) / 255) as u8;
        }
    }
    drop(ink);
    if closing {
        let cx = WIDTH * 3 / 4 - 40;
        signature(&mut rgb, &mut rng, cx - 150, body_end + 140);
        seal(&mut rgb, &mut rng, cx - 170, body_end + 210);
    }
    sensor_noise(&mut rgb, &mut rng);
    RawPage { width: WIDTH as u32, height: HEIGHT as u32, dpi: DPI, rgb }
}

/// A line of text-like glyphs from `x0` to at most `x1` on `baseline`: stems, bowls, bars, dots and
/// the diacritics of Vietnamese, in words; `scale` 1 is 13-point type at 200 dpi.
fn text_line(ink: &mut [u8], rng: &mut StdRng, x0: usize, x1: usize, baseline: usize, scale: f32, bold: bool) {
    let s = |v: f32| (v * scale).round() as usize;
    let (xh, asc, desc) = (s(17.0), s(25.0), s(7.0));
    let stroke = if bold { s(4.0).max(2) } else { s(3.0).max(1) };
    let mut x = x0;
    'words: while x < x1 {
        let letters = rng.random_range(1..=7);
        for _ in 0..letters {
            let w = s(rng.random_range(9..=15) as f32);
            if x + w > x1 {
                break 'words;
            }
            let top = baseline - xh;
            match rng.random_range(0..6) {
                // o: a box
                0 => {
                    rect(ink, x, top, x + w, top + stroke);
                    rect(ink, x, baseline - stroke, x + w, baseline);
                    rect(ink, x, top, x + stroke, baseline);
                    rect(ink, x + w - stroke, top, x + w, baseline);
                }
                // n: two stems and a shoulder
                1 => {
                    rect(ink, x, top, x + stroke, baseline);
                    rect(ink, x, top, x + w, top + stroke);
                    rect(ink, x + w - stroke, top, x + w, baseline);
                }
                // l, h, d: an ascender, sometimes a bowl
                2 => {
                    rect(ink, x + w / 2, baseline - asc, x + w / 2 + stroke, baseline);
                    if rng.random_bool(0.5) {
                        rect(ink, x, top + xh / 2, x + w, top + xh / 2 + stroke);
                        rect(ink, x, top + xh / 2, x + stroke, baseline);
                    }
                }
                // p, g, y: a descender
                3 => {
                    rect(ink, x, top, x + stroke, baseline + desc);
                    rect(ink, x, top, x + w, top + stroke);
                    rect(ink, x + w - stroke, top, x + w, baseline - xh / 3);
                }
                // e, c: three bars and a stem
                4 => {
                    rect(ink, x, top, x + stroke, baseline);
                    rect(ink, x, top, x + w, top + stroke);
                    rect(ink, x, top + xh / 2, x + w, top + xh / 2 + stroke);
                    rect(ink, x, baseline - stroke, x + w, baseline);
                }
                // i: a stem and a dot
                _ => {
                    rect(ink, x + w / 3, top, x + w / 3 + stroke, baseline);
                    rect(ink, x + w / 3, top - s(7.0), x + w / 3 + stroke, top - s(4.0));
                }
            }
            if rng.random_bool(0.3) {
                // A tone mark or a circumflex above.
                let y = top - s(9.0);
                rect(ink, x + w / 4, y, x + w * 3 / 4, y + stroke.min(3));
            }
            x += w + s(3.0);
        }
        x += s(10.0);
    }
}

/// Fills a rectangle of the ink mask (clipped to the page).
fn rect(ink: &mut [u8], x0: usize, y0: usize, x1: usize, y1: usize) {
    let (x1, y1) = (x1.min(WIDTH), y1.min(HEIGHT));
    for y in y0.min(y1)..y1 {
        ink[y * WIDTH + x0.min(x1)..y * WIDTH + x1].fill(255);
    }
}

/// Softens the ink's edges as a scanner's optics do: a [1 2 1] blur across and down.
fn soften(ink: &mut [u8]) {
    let mut row = vec![0u8; WIDTH];
    for line in ink.chunks_exact_mut(WIDTH) {
        row.copy_from_slice(line);
        for x in 1..WIDTH - 1 {
            line[x] = ((u16::from(row[x - 1]) + 2 * u16::from(row[x]) + u16::from(row[x + 1]) + 2) / 4) as u8;
        }
    }
    let mut above = ink[..WIDTH].to_vec();
    for y in 1..HEIGHT - 1 {
        let current = ink[y * WIDTH..(y + 1) * WIDTH].to_vec();
        for x in 0..WIDTH {
            let below = u16::from(ink[(y + 1) * WIDTH + x]);
            ink[y * WIDTH + x] = ((u16::from(above[x]) + 2 * u16::from(current[x]) + below + 2) / 4) as u8;
        }
        above = current;
    }
}

/// Darkens a pixel with ink of `colour` at coverage `a` (0–1), as ink on paper does (multiply).
fn blend(rgb: &mut [u8], x: usize, y: usize, colour: [f32; 3], a: f32) {
    if x >= WIDTH || y >= HEIGHT || a <= 0.0 {
        return;
    }
    let i = (y * WIDTH + x) * 3;
    for c in 0..3 {
        let v = f32::from(rgb[i + c]);
        rgb[i + c] = (v * (1.0 - a + a * colour[c] / 255.0)).round() as u8;
    }
}

/// A round red seal (two rings, a ring of lettering, a star), unevenly inked, top left at (x, y).
fn seal(rgb: &mut [u8], rng: &mut StdRng, x: usize, y: usize) {
    let red = [205.0, 35.0, 45.0];
    let r = 170.0f32;
    let band = |d: f32, inner: f32, outer: f32| (d - inner + 0.5).min(outer - d + 0.5).clamp(0.0, 1.0);
    for dy in 0..(2.0 * r) as usize + 2 {
        for dx in 0..(2.0 * r) as usize + 2 {
            let (fx, fy) = (dx as f32 - r, dy as f32 - r);
            let d = (fx * fx + fy * fy).sqrt();
            let angle = fy.atan2(fx);
            let letters = if (angle * 24.0).sin() > 0.1 && (angle * 3.0).cos() > -0.8 { 1.0 } else { 0.0 };
            let star = if d < 34.0 * (0.6 + 0.4 * (angle * 5.0).cos().abs()) { 1.0 } else { 0.0 };
            let cover =
                band(d, r - 9.0, r).max(band(d, r - 58.0, r - 52.0)).max(band(d, 120.0, 146.0) * letters).max(star);
            if cover > 0.0 {
                let pressure = 0.7 + 0.25 * rng.random::<f32>();
                blend(rgb, x + dx, y + dy, red, cover * pressure);
            }
        }
    }
}

/// A blue ballpoint signature, a fast looping stroke from (x, y).
fn signature(rgb: &mut [u8], rng: &mut StdRng, x: usize, y: usize) {
    let blue = [30.0, 50.0, 150.0];
    let (a, b) = (rng.random_range(9.0..15.0f32), rng.random_range(20.0..32.0f32));
    let mut mask = vec![0f32; 420 * 200];
    let steps = 6000;
    for k in 0..steps {
        let t = k as f32 / steps as f32;
        let px = 20.0 + 360.0 * t + 18.0 * (t * 40.0).cos();
        let py = 100.0 + 45.0 * (t * a).sin() + 22.0 * (t * b + 1.0).sin();
        for oy in -2i32..=2 {
            for ox in -2i32..=2 {
                let d = ((ox * ox + oy * oy) as f32).sqrt();
                let cover = (2.2 - d).clamp(0.0, 1.0);
                let (mx, my) = ((px as i32 + ox) as usize, (py as i32 + oy) as usize);
                if mx < 420 && my < 200 {
                    let m = &mut mask[my * 420 + mx];
                    *m = m.max(cover);
                }
            }
        }
    }
    for (i, &cover) in mask.iter().enumerate() {
        blend(rgb, x + i % 420, y + i / 420, blue, cover * 0.9);
    }
}

/// The sensor's noise: a luminance grain of up to ±3 levels (σ ≈ 1.2) and ±1 in each channel; with it
/// the pages compress to ~550 KB, like real 200-dpi colour scans of typed pages.
fn sensor_noise(rgb: &mut [u8], rng: &mut StdRng) {
    let mut random = vec![0u8; WIDTH * 2];
    for line in rgb.chunks_exact_mut(WIDTH * 3) {
        rng.fill_bytes(&mut random);
        for (px, r) in line.chunks_exact_mut(3).zip(random.chunks_exact(2)) {
            // Binomial: six fair bits less three, σ ≈ 1.2.
            let grain = (r[0] & 0x3f).count_ones() as i16 - 3;
            for (c, v) in px.iter_mut().enumerate() {
                let channel = match (r[1] >> (2 * c)) & 3 {
                    0 => -1,
                    3 => 1,
                    _ => 0,
                };
                *v = (i16::from(*v) + grain + channel).clamp(0, 255) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_locates_needles_from_an_offset() {
        let hay = b"xxJPEGyyJPEGzz";
        assert_eq!(find(hay, b"JPEG", 0), Some(2));
        assert_eq!(find(hay, b"JPEG", 3), Some(8));
        assert_eq!(find(hay, b"JPEG", 9), None);
        assert_eq!(find(hay, b"", 0), None);
        assert_eq!(find(b"JP", b"JPEG", 0), None);
    }

    #[test]
    fn verbatim_counts_each_file_found() {
        let pdf = b"head AAAA mid BBBB tail".to_vec();
        let files = vec![b"AAAA".to_vec(), b"BBBB".to_vec(), b"CCCC".to_vec()];
        assert_eq!(verbatim(&pdf, &files), 2);
    }

    #[test]
    fn vm_hwm_is_read_from_a_status_text() {
        assert_eq!(vm_hwm_kib("Name:\tx\nVmPeak:\t 10 kB\nVmHWM:\t    2048 kB\n"), Some(2048));
        assert_eq!(vm_hwm_kib("Name:\tx\n"), None);
    }

    #[test]
    fn generated_pages_are_deterministic_a4_at_200_dpi() {
        let (a, b) = (raw_page(2), raw_page(2));
        assert_eq!((a.width, a.height, a.dpi), (1654, 2339, 200.0));
        assert_eq!(a.rgb.len(), 1654 * 2339 * 3);
        assert!(a.rgb == b.rgb, "same index, same pixels");
        assert!(a.rgb != raw_page(3).rgb, "another index, another page");
    }
}
