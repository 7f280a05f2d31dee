//! The measurements, all through the façade ([`Desk`]) exactly as the desktop shell and the CLI call
//! it: durable registrations, register pages anywhere in the register, searches typed without
//! diacritics, the size on disk, and `check`.
//!
//! Registrations change the register, so they run on a working copy of the cached register; the copy
//! is removed afterwards and the cache stays as generated, for repeatable runs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use vanthu_app::{
    Book, Clock, Desk, Direction, ExportFormat, Filter, IncomingInput, ListQuery, OutgoingInput, RegisterPrint,
    SearchQuery,
};

use crate::corpus::{Corpus, Draft};
use crate::generate;

/// One line of the results table.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Row {
    /// What was measured.
    pub measure: String,
    /// The figure.
    pub figure: String,
    /// The goal from the issue, if any.
    pub goal: String,
    /// `ok`, `MISSED`, or empty when there is no goal.
    pub verdict: String,
}

impl Row {
    /// A row without a goal.
    pub fn info(measure: impl Into<String>, figure: impl Into<String>) -> Row {
        Row { measure: measure.into(), figure: figure.into(), goal: String::new(), verdict: String::new() }
    }

    fn with_goal(measure: impl Into<String>, figure: impl Into<String>, goal_ms: f64, p95: Duration) -> Row {
        let ok = p95.as_secs_f64() * 1000.0 <= goal_ms;
        Row {
            measure: measure.into(),
            figure: figure.into(),
            goal: format!("p95 ≤ {goal_ms:.0} ms"),
            verdict: if ok { "ok" } else { "MISSED" }.to_owned(),
        }
    }
}

/// Nearest-rank percentile of sorted durations (zero when there are none).
pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The calling thread's time on a CPU so far (`/proc/thread-self/schedstat`), when the kernel says.
pub fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

/// A `kB` field (`VmHWM:`, `VmRSS:`…) of a `/proc/…/status` text, in KiB.
pub fn status_kib(status: &str, field: &str) -> Option<u64> {
    let line = status.lines().find_map(|l| l.strip_prefix(field))?;
    line.split_whitespace().next()?.parse().ok()
}

/// Sorted samples.
struct Samples(Vec<Duration>);

impl Samples {
    fn new(mut v: Vec<Duration>) -> Samples {
        v.sort();
        Samples(v)
    }

    /// Nearest-rank percentile.
    fn pct(&self, p: f64) -> Duration {
        pct(&self.0, p)
    }

    fn max(&self) -> Duration {
        self.0.last().copied().unwrap_or_default()
    }

    fn summary(&self) -> String {
        format!("p50 {} · p95 {} · max {}", ms(self.pct(50.0)), ms(self.pct(95.0)), ms(self.max()))
    }
}

/// Timings in seconds, sorted: what every comparison of the bench reports.
pub struct Stats(Vec<f64>);

impl Stats {
    /// Sort the timings.
    pub fn new(mut v: Vec<f64>) -> Stats {
        v.sort_by(f64::total_cmp);
        Stats(v)
    }

    /// The median (0 for no timing).
    pub fn median(&self) -> f64 {
        let n = self.0.len();
        match n {
            0 => 0.0,
            _ if n % 2 == 1 => self.0[n / 2],
            _ => (self.0[n / 2 - 1] + self.0[n / 2]) / 2.0,
        }
    }

    /// The fastest.
    pub fn min(&self) -> f64 {
        self.0.first().copied().unwrap_or_default()
    }

    /// The slowest.
    pub fn max(&self) -> f64 {
        self.0.last().copied().unwrap_or_default()
    }

    /// `median 0.12 s · min 0.10 · max 0.15 (N runs)`.
    pub fn summary(&self) -> String {
        format!("median {:.2} s · min {:.2} · max {:.2} ({} runs)", self.median(), self.min(), self.max(), self.0.len())
    }

    /// `min–max s (N runs)`, to the millisecond.
    pub fn spread(&self) -> String {
        format!("{:.3}–{:.3} s ({} runs)", self.min(), self.max(), self.0.len())
    }
}

/// A duration in milliseconds, 2 significant decimals.
pub fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1000.0;
    if v < 10.0 { format!("{v:.2} ms") } else { format!("{v:.1} ms") }
}

/// A duration in seconds or minutes.
pub fn human(seconds: f64) -> String {
    if seconds < 120.0 {
        format!("{seconds:.1} s")
    } else {
        format!("{} min {:02} s", (seconds / 60.0).floor() as u64, (seconds % 60.0).round() as u64)
    }
}

/// Bytes in MiB or GiB.
pub fn size(bytes: u64) -> String {
    let mib = bytes as f64 / (1024.0 * 1024.0);
    if mib < 1024.0 { format!("{mib:.1} MiB") } else { format!("{:.2} GiB", mib / 1024.0) }
}

/// Thousands separated by commas.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What to measure.
pub struct Plan {
    /// Durable registrations without files.
    pub registrations: usize,
    /// Durable registrations each with a scanned PDF of this many bytes.
    pub with_file: (usize, usize),
    /// Random register pages.
    pub pages: usize,
    /// Repetitions of each search query.
    pub search_repeats: usize,
    /// Run `check`.
    pub check: bool,
    /// Seed.
    pub seed: u64,
}

/// Searches a clerk types: diacritic-free, common and rare words, a sender's notation.
pub const QUERIES: &[&str] = &[
    "quyet dinh",
    "da nang",
    "ke hoach phong chong",
    "ttr stttt",
    "chuyen doi so bat xat",
    "thua thien hue",
    "giang seo",
    "y ty",
    "h5n1",
    "sa pa du lich cong dong",
];

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Runs every measurement on the register at `db` and returns the table rows.
pub fn run(db: &Path, documents: u64, plan: &Plan) -> Result<Vec<Row>> {
    let mut rows = Vec::new();

    // Size on disk of the register as generated (WAL checkpointed when the generator closed it).
    let (db_bytes, wal_bytes) = (file_size(db), file_size(&with_suffix(db, "-wal")));
    rows.push(Row::info(
        "database size on disk (db + wal)",
        format!(
            "{} + {} ({} bytes/document)",
            size(db_bytes),
            size(wal_bytes),
            count((db_bytes + wal_bytes) / documents.max(1))
        ),
    ));

    // A working copy for everything that writes.
    let work = db.with_extension("work.sqlite3");
    generate::remove(&work)?;
    let copying = Instant::now();
    std::fs::copy(db, &work).with_context(|| format!("cannot copy {} to {}", db.display(), work.display()))?;
    // Flush the copy to disk now: otherwise the first checkpoint's fsync during the registrations
    // would write out the whole freshly copied file and show up as a half-second "registration".
    std::fs::File::open(&work).and_then(|f| f.sync_all()).with_context(|| format!("cannot sync {}", work.display()))?;
    eprintln!("vanthu-bench: working copy made in {}", human(copying.elapsed().as_secs_f64()));
    let result = measure(&work, plan, &mut rows);
    generate::remove(&work)?;
    result?;
    Ok(rows)
}

fn measure(work: &Path, plan: &Plan, rows: &mut Vec<Row>) -> Result<()> {
    let opening = Instant::now();
    let desk = Desk::open(work, Clock::Fixed(generate::END))?.with_actor("Nguyễn Thị Thu Hà");
    rows.push(Row::info("open the register (Desk::open)", ms(opening.elapsed())));
    let mut rng = StdRng::seed_from_u64(plan.seed ^ 0x5eed);
    let today = generate::END.date();

    // Registrations: each one its own transaction, committed with synchronous=FULL.
    let mut corpus = Corpus::new(StdRng::seed_from_u64(plan.seed ^ 0xbe4c), 50_000);
    let register = |corpus: &mut Corpus, files: Vec<PathBuf>| -> Result<Duration> {
        let draft = corpus.draft(today);
        let started = Instant::now();
        match draft {
            Draft::Incoming(draft) => {
                desk.register_incoming(&IncomingInput { draft, files, ..Default::default() })?;
            }
            Draft::Outgoing(draft) => {
                desk.register_outgoing(&OutgoingInput { draft, files, ..Default::default() })?;
            }
        }
        Ok(started.elapsed())
    };
    let mut samples = Vec::with_capacity(plan.registrations);
    for _ in 0..plan.registrations {
        samples.push(register(&mut corpus, Vec::new())?);
    }
    let first = samples.first().copied().unwrap_or_default();
    let s = Samples::new(samples);
    rows.push(Row::with_goal(
        format!("registration, durable ({} × metadata only)", plan.registrations),
        format!("{} (first {})", s.summary(), ms(first)),
        20.0,
        s.pct(95.0),
    ));

    let (n, bytes) = plan.with_file;
    if n > 0 {
        let scans = work.with_extension("scans");
        std::fs::create_dir_all(&scans)?;
        let mut samples = Vec::with_capacity(n);
        for i in 0..n {
            let path = scans.join(format!("scan-{i:03}.pdf"));
            let mut content = b"%PDF-1.7\n".to_vec();
            content.extend((0..bytes).map(|_| rng.random::<u8>()));
            std::fs::write(&path, &content)?;
            samples.push(register(&mut corpus, vec![path])?);
        }
        std::fs::remove_dir_all(&scans)?;
        let s = Samples::new(samples);
        rows.push(Row::with_goal(
            format!("registration, durable ({n} × with a {} KiB PDF)", bytes / 1024),
            s.summary(),
            20.0,
            s.pct(95.0),
        ));
    }

    // Register pages anywhere in the register, newest first, 50 rows.
    let mut samples = Vec::with_capacity(plan.pages);
    let mut deepest = 0;
    let totals = [Direction::Incoming, Direction::Outgoing]
        .map(|direction| desk.list(&ListQuery { direction, year: None, page: 0, page_size: 50 }));
    let [incoming_total, outgoing_total] = totals.map(|t| t.map(|p| p.total.unwrap_or(0)));
    let (incoming_total, outgoing_total) = (incoming_total?, outgoing_total?);
    for _ in 0..plan.pages {
        let (direction, total) = if rng.random_bool(0.7) {
            (Direction::Incoming, incoming_total)
        } else {
            (Direction::Outgoing, outgoing_total)
        };
        let pages = total.div_ceil(50).max(1) as u32;
        let page = rng.random_range(0..pages);
        deepest = deepest.max(page);
        let started = Instant::now();
        let got = desk.list(&ListQuery { direction, year: None, page, page_size: 50 })?;
        samples.push(started.elapsed());
        anyhow::ensure!(!got.items.is_empty(), "page {page} of {direction:?} is empty");
    }
    let s = Samples::new(samples);
    rows.push(Row::with_goal(
        format!("register page, 50 rows ({} random pages, deepest {})", plan.pages, count(u64::from(deepest))),
        s.summary(),
        20.0,
        s.pct(95.0),
    ));

    // Searches, first page of 50 (what the search box shows).
    let mut all = Vec::new();
    let mut per_query = Vec::new();
    for query in QUERIES {
        let mut samples = Vec::with_capacity(plan.search_repeats);
        let mut shown = 0;
        let mut more = false;
        for _ in 0..plan.search_repeats {
            let started = Instant::now();
            let got =
                desk.search(&SearchQuery { text: (*query).to_owned(), direction: None, page: 0, page_size: 50 })?;
            samples.push(started.elapsed());
            shown = got.items.len();
            more = got.has_more;
        }
        all.extend(samples.iter().copied());
        let s = Samples::new(samples);
        per_query.push(Row::info(
            format!("  search \"{query}\""),
            format!(
                "p50 {} · max {} (page 1: {shown}{} {})",
                ms(s.pct(50.0)),
                ms(s.max()),
                if more { "+" } else { "" },
                if shown == 1 && !more { "row" } else { "rows" }
            ),
        ));
    }
    let s = Samples::new(all);
    rows.push(Row::with_goal(
        format!("search, first page of 50 ({} queries × {})", QUERIES.len(), plan.search_repeats),
        s.summary(),
        50.0,
        s.pct(95.0),
    ));
    rows.extend(per_query);

    // A deep search page (OFFSET) for a common word.
    let started = Instant::now();
    desk.search(&SearchQuery { text: "quyet dinh".to_owned(), direction: None, page: 20, page_size: 50 })?;
    rows.push(Row::info("  search \"quyet dinh\", page 21", ms(started.elapsed())));

    // The desk's other reads over the whole register: the home screen, filtered searches, a printed
    // month of the incoming register, an exported result list.
    let timed = |f: &dyn Fn() -> Result<String>| -> Result<(Duration, String)> {
        let started = Instant::now();
        let what = f()?;
        Ok((started.elapsed(), what))
    };
    let mut samples = Vec::new();
    for _ in 0..plan.search_repeats {
        samples.push(timed(&|| Ok(desk.dashboard().map(|d| d.arrived_today.len().to_string())?))?.0);
    }
    let s = Samples::new(samples);
    rows.push(Row::with_goal(
        "home screen (arrived today, urgent, due, overdue, per handler)",
        s.summary(),
        50.0,
        s.pct(95.0),
    ));
    let filters = [
        (
            "urgent incoming of the year",
            Filter {
                direction: Some(Direction::Incoming),
                year: Some(today.year()),
                any_urgent: true,
                ..Default::default()
            },
        ),
        (
            "\"ke hoach\" from an issuer, one quarter",
            Filter {
                text: Some("ke hoach".into()),
                organ: Some("so tai chinh".into()),
                date_from: today.replace_month(time::Month::January).ok(),
                date_to: today.replace_month(time::Month::March).ok(),
                ..Default::default()
            },
        ),
        (
            "type Quyết định, this year",
            Filter { type_name: Some("quyet dinh".into()), year: Some(today.year()), ..Default::default() },
        ),
    ];
    let mut all = Vec::new();
    for (label, filter) in &filters {
        let mut samples = Vec::new();
        let mut shown = 0;
        for _ in 0..plan.search_repeats {
            let started = Instant::now();
            shown = desk.find(filter, 0, 50)?.items.len();
            samples.push(started.elapsed());
        }
        all.extend(samples.iter().copied());
        let s = Samples::new(samples);
        rows.push(Row::info(
            format!("  filtered search: {label}"),
            format!("p50 {} · max {} ({shown} rows)", ms(s.pct(50.0)), ms(s.max())),
        ));
    }
    let s = Samples::new(all);
    rows.push(Row::with_goal("filtered search, first page of 50", s.summary(), 50.0, s.pct(95.0)));
    let month_start = today.replace_day(1).unwrap_or(today);
    let (took, what) = timed(&|| {
        let e =
            desk.print_register(&RegisterPrint { book: Book::Incoming, from: month_start, to: today, volume: None })?;
        let size = std::fs::metadata(&e.path).map(|m| m.len()).unwrap_or(0);
        std::fs::remove_file(&e.path).ok();
        Ok(format!("{} rows, {}", count(e.rows), self::size(size)))
    })?;
    rows.push(Row::info(
        "print the incoming register, one month (PDF)",
        format!("{} ({what})", human(took.as_secs_f64())),
    ));
    let (took, what) = timed(&|| {
        let e = desk.export_results(
            &Filter { text: Some("quyet dinh".into()), year: Some(today.year()), ..Default::default() },
            &[],
            ExportFormat::Xlsx,
        )?;
        std::fs::remove_file(&e.path).ok();
        Ok(format!("{} rows", count(e.rows)))
    })?;
    rows.push(Row::info(
        "export \"quyet dinh\" of the year to .xlsx",
        format!("{} ({what})", human(took.as_secs_f64())),
    ));

    if plan.check {
        let started = Instant::now();
        let report = desk.check()?;
        rows.push(Row::info(
            "check (integrity, audit chain, numbering, fixity)",
            format!(
                "{} over {} documents: {}",
                human(started.elapsed().as_secs_f64()),
                count(report.documents),
                if report.ok() { "ok" } else { "PROBLEMS FOUND" }
            ),
        ));
        anyhow::ensure!(report.ok(), "check failed on the benchmark register: {report:?}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_spreads() {
        let s = Stats::new(vec![3.0, 1.0, 2.0]);
        assert_eq!(s.median(), 2.0);
        assert_eq!(s.spread(), "1.000–3.000 s (3 runs)");
        assert_eq!(Stats::new(vec![1.0, 2.0]).median(), 1.5);
    }
}
