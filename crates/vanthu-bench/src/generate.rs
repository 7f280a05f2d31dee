//! Writing the benchmark register: N documents over two working years (2025–2026), through the same
//! store functions the app uses (`register_incoming` / `register_outgoing` inside [`Store::write`]), so
//! that numbering, the duplicate check, the audit chain and the search index are all real.
//!
//! Speed comes only from batching: thousands of registrations per transaction instead of one. The file
//! is written under a temporary name and renamed when complete, so an interrupted run is never taken
//! for a cached register.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime, Time};
use vanthu_core::VIETNAM_OFFSET;
use vanthu_core::calendar::WorkingCalendar;
use vanthu_core::document::registration_rule;
use vanthu_store::register::{self, NewIncoming, NewOutgoing, Organisation};
use vanthu_store::{Store, StoreError};

use crate::corpus::{Corpus, Draft};

/// Registrations per transaction.
const BATCH: u64 = 5_000;

/// The clerks who registered the generated documents (recorded in the audit log).
const CLERKS: &[&str] = &["Nguyễn Thị Thu Hà", "Lò Thị Mai", "Phạm Văn Đức"];

/// The organisation whose register the benchmark builds.
pub fn organisation() -> Organisation {
    Organisation {
        org_id: "000.00.00.H24".to_owned(),
        name: "Ủy ban nhân dân tỉnh Lào Cai".to_owned(),
        abbreviation: "UBND".to_owned(),
    }
}

/// The last instant of the generated period; the benchmark's clock starts just after it.
pub const END: OffsetDateTime = datetime!(2026-12-31 17:05:00 +7);

/// What a generation took, kept beside the register (`register-1m.json`).
#[derive(Clone, Debug)]
pub struct Generated {
    /// Documents written.
    pub documents: u64,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Whether this run wrote it (false: read from the cache).
    pub fresh: bool,
}

fn meta_path(db: &Path) -> PathBuf {
    db.with_extension("json")
}

/// The cached register's generation record, if the register exists.
pub fn cached(db: &Path, documents: u64) -> Option<Generated> {
    if !db.exists() {
        return None;
    }
    let text = std::fs::read_to_string(meta_path(db)).ok()?;
    let meta: serde_json::Value = serde_json::from_str(&text).ok()?;
    let found = meta["documents"].as_u64()?;
    (found == documents).then(|| Generated {
        documents,
        seconds: meta["seconds"].as_f64().unwrap_or(0.0),
        fresh: false,
    })
}

/// Removes a register and everything beside it (WAL, shared memory, file store, record).
pub fn remove(db: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    let files = vanthu_store::files::dir_for(db);
    if files.exists() {
        make_writable(&files);
        std::fs::remove_dir_all(&files).with_context(|| format!("cannot remove {}", files.display()))?;
    }
    let meta = meta_path(db);
    if meta.exists() {
        std::fs::remove_file(&meta)?;
    }
    Ok(())
}

/// Stored files are read-only; their folders may be too.
fn make_writable(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if let Ok(meta) = entry.metadata() {
            let mut perms = meta.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            let _ = std::fs::set_permissions(&path, perms);
            if meta.is_dir() {
                make_writable(&path);
            }
        }
    }
}

/// The working days of 2025 and 2026 (Vietnamese public holidays off) and the office sessions.
struct Timeline {
    days: Vec<Date>,
    sessions: Vec<(Time, Time)>,
    seconds_per_day: i64,
}

impl Timeline {
    fn new(calendar: &WorkingCalendar) -> Timeline {
        let mut days = Vec::new();
        let mut day = date!(2025 - 01 - 01);
        while day <= date!(2026 - 12 - 31) {
            if calendar.is_working_day(day) {
                days.push(day);
            }
            day = day.next_day().unwrap_or(day);
        }
        let sessions = calendar.office_hours().to_vec();
        let seconds_per_day = sessions.iter().map(|(a, b)| (*b - *a).whole_seconds()).sum();
        Timeline { days, sessions, seconds_per_day }
    }

    /// When document `i` of `n` arrives: evenly over the working time of the two years, in order.
    fn at(&self, i: u64, n: u64) -> OffsetDateTime {
        let position = (i as f64 + 0.5) / n as f64 * self.days.len() as f64;
        let day_index = (position.floor() as usize).min(self.days.len() - 1);
        let mut millis = ((position - day_index as f64) * self.seconds_per_day as f64 * 1000.0) as i64;
        let day = self.days[day_index];
        for (start, end) in &self.sessions {
            let length = (*end - *start).whole_milliseconds() as i64;
            if millis < length {
                return day.with_time(*start).assume_offset(VIETNAM_OFFSET) + time::Duration::milliseconds(millis);
            }
            millis -= length;
        }
        day.with_time(self.sessions[self.sessions.len() - 1].1).assume_offset(VIETNAM_OFFSET)
    }
}

/// A UUID v7 for `at`, with the random bits from `rng` (the app uses `Uuid::now_v7`; same shape).
pub fn uuid_v7(at: OffsetDateTime, rng: &mut StdRng) -> String {
    let ms = (at.unix_timestamp_nanos() / 1_000_000) as u64 & 0xFFFF_FFFF_FFFF;
    let a: u16 = rng.random::<u16>() & 0x0FFF;
    let b: u16 = (rng.random::<u16>() & 0x3FFF) | 0x8000;
    let c: u64 = rng.random::<u64>() & 0xFFFF_FFFF_FFFF;
    format!("{:08x}-{:04x}-7{a:03x}-{b:04x}-{c:012x}", ms >> 16, ms & 0xFFFF)
}

/// Writes a register of `documents` documents at `db` (replacing any), from `seed`.
pub fn generate(db: &Path, documents: u64, seed: u64) -> Result<Generated> {
    ensure!(documents > 0, "nothing to generate");
    let partial = db.with_extension("partial.sqlite3");
    remove(&partial)?;
    remove(db)?;
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let started = Instant::now();
    let store = Store::open(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
    store.write(|tx| register::init_organisation(tx, &organisation(), datetime!(2025-01-01 07:00 +7), CLERKS[0]))?;

    let calendar = WorkingCalendar::vietnam(2024..=2027);
    let timeline = Timeline::new(&calendar);
    let mut corpus = Corpus::new(StdRng::seed_from_u64(seed), 0);
    let mut ids = StdRng::seed_from_u64(seed.wrapping_add(1));
    let mut written = 0u64;
    let mut last_report = Instant::now();
    while written < documents {
        let batch_end = (written + BATCH).min(documents);
        store.write(|tx| {
            for i in written..batch_end {
                let at = timeline.at(i, documents);
                let id = uuid_v7(at, &mut ids);
                let actor = CLERKS[(i % CLERKS.len() as u64) as usize];
                let day = at.to_offset(VIETNAM_OFFSET).date();
                match corpus.draft(day) {
                    Draft::Incoming(draft) => {
                        let doc = draft.validate().map_err(|e| StoreError::Invalid(e.to_string()))?;
                        let rule = registration_rule(doc.urgency, doc.channel);
                        let deadline = calendar.registration_deadline(at, rule).ok();
                        register::register_incoming(
                            tx,
                            &NewIncoming {
                                id: &id,
                                at,
                                actor,
                                doc: &doc,
                                register_deadline: deadline,
                                files: &[],
                                allow_duplicate: false,
                            },
                        )?;
                    }
                    Draft::Outgoing(draft) => {
                        let doc = draft.validate().map_err(|e| StoreError::Invalid(e.to_string()))?;
                        register::register_outgoing(
                            tx,
                            &NewOutgoing {
                                id: &id,
                                at,
                                actor,
                                doc: &doc,
                                files: &[],
                                response_for: None,
                                delivery: &[],
                            },
                        )?;
                    }
                }
            }
            Ok(())
        })?;
        written = batch_end;
        if last_report.elapsed().as_secs() >= 10 || written == documents {
            last_report = Instant::now();
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "vanthu-bench: {written} / {documents} documents ({:.0} s, {:.0} documents/s)",
                secs,
                written as f64 / secs
            );
        }
    }
    drop(store); // the last connection checkpoints the WAL into the database and removes it
    let seconds = started.elapsed().as_secs_f64();
    std::fs::rename(&partial, db)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), db.display()))?;
    remove(&partial)?;
    let meta = json!({ "documents": documents, "seconds": seconds, "seed": seed });
    std::fs::write(meta_path(db), serde_json::to_string_pretty(&meta)?)?;
    Ok(Generated { documents, seconds, fresh: true })
}
