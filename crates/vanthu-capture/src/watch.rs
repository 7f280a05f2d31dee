//! The watched folder (thư mục theo dõi): files that a network scanner, a colleague or another
//! program drops into a folder become arrivals, once and only once.
//!
//! Why a module of its own: a folder is a shared, unreliable inbox. A scanner writes its PDF page
//! by page for seconds; a download is renamed into place at the end; a copy tool keeps the old
//! modification time; a share on another machine sends no change notifications at all; the same
//! scan is dropped twice; a name can hold `../`, control characters or 250 bytes of Vietnamese.
//! This module turns all of that into a small contract, and nothing more:
//!
//! - it **watches** one folder, non-recursively: files in subfolders are not imported (a clerk
//!   who wants them moves them up). [`WatchMode::Notify`] uses the operating system's notifications
//!   (inotify, FSEvents, ReadDirectoryChangesW through `notify`) *and* a slow rescan every
//!   [`RESCAN_INTERVAL`] for the events a backend may drop; it falls back to [`WatchMode::Poll`]
//!   by itself when the folder cannot be watched that way (a network share, an exhausted inotify
//!   limit, the folder disappearing), and says so ([`FolderWatch::mode`], [`WatchEvent::Fallback`]);
//! - it **settles**: a file is taken only once it has stopped changing (see *Stability* below);
//! - it **hashes** the file (SHA-256, streamed) and hands an [`Arrival`] to the caller's handler;
//! - it **moves**: on [`Disposition::Taken`] it removes the source (the caller has stored it), on
//!   [`Disposition::Quarantine`] *and* on [`Disposition::Duplicate`] it moves the file into the
//!   quarantine folder [`QUARANTINE_DIR`] beside a `<name>.ly-do.txt` with the reason, so that the
//!   clerk sees why and the file can never come round again.
//!
//! It does **not** decide what a file means: the façade does (a PDF? a duplicate by its hash?
//! damaged?). It knows no database and dates nothing; it reads the clock only to wait.
//!
//! # Stability
//!
//! A name is a *candidate* when it is a regular file (never a symlink: those are reported with
//! [`WatchEvent::Ignored`] and never followed), not hidden or temporary ([`is_ignored_name`]), and
//! directly in the watched folder. A candidate's *stamp* is its size, modification time and, on
//! Unix, its change time (ctime, which no program can set back), device and inode.
//!
//! - **Watching** ([`FolderWatch`]): a candidate is taken when its stamp has been observed unchanged
//!   for `settle` on our own monotonic clock (a notification about the file restarts the wait; the
//!   poll re-stats it), so clock skew on a share and copy tools that preserve old modification
//!   times do not matter. An empty file waits [`EMPTY_PATIENCE`] times longer, because scanners
//!   create the file before the first page is ready.
//! - **One pass** ([`scan_once`], `vanthu watch DIR --once`): a candidate is taken when its last
//!   change (the later of mtime and ctime) is at least `settle` old (an empty file:
//!   `EMPTY_PATIENCE × settle`); a file dated in the future waits for a later pass. Anything else is
//!   reported as [`WatchEvent::Waiting`].
//! - In both cases the stamp is checked again just before the file is opened and again after it
//!   has been hashed, the bytes read must equal its size, and the opened file must be the one that
//!   was examined (same device and inode). If anything moved, the file is not handed over: it is
//!   still being written, and its wait starts again.
//!
//! What this cannot see: a writer that pauses for longer than `settle` without touching the file.
//! Choose `settle` longer than the scanner's longest pause between pages.
//!
//! # Never twice, never in a loop
//!
//! The watcher remembers each file it has handed over (path and stamp, with its hash) and never
//! hands the same one over again, even when removing or quarantining it failed; it forgets it once
//! the path is gone or holds another file. A file the handler calls a duplicate leaves the folder
//! for the quarantine folder, which is never watched. Errors (permission denied, a folder that
//! vanished) become [`WatchEvent::Error`]s, retried with a growing delay and a bounded number of
//! times: a file that still cannot be opened after [`MAX_READ_ATTEMPTS`] goes to quarantine with
//! the reason. Nothing here panics on a bad file, and a panicking handler is caught (its file goes
//! to quarantine). A file that disappears while it settles is forgotten silently.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::{CaptureError, Result};

/// The quarantine folder (thư mục "Không đọc được"), a subfolder of the watched folder that the
/// clerk can open. It is never watched: what lands there stays there. The name is NFC.
pub const QUARANTINE_DIR: &str = "Không đọc được";

/// What the reason file beside a quarantined file is called: `<name>.ly-do.txt` (lý do: reason).
pub const REASON_SUFFIX: &str = ".ly-do.txt";

/// How often [`WatchMode::Notify`] still lists the whole folder, for events a backend dropped.
pub const RESCAN_INTERVAL: Duration = Duration::from_secs(30);

/// How many times a file that cannot be opened or read is tried before it goes to quarantine.
pub const MAX_READ_ATTEMPTS: u32 = 5;

/// An empty file must stay unchanged this many times `settle` before it is taken.
pub const EMPTY_PATIENCE: u32 = 5;

/// The longest [`safe_name`] in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The longest [`safe_name`] in UTF-8 bytes: most file systems allow 255 bytes per name, and the
/// quarantine folder adds a counter and [`REASON_SUFFIX`].
pub const MAX_NAME_BYTES: usize = 240;

/// The name given to a file whose name has nothing usable left ("tệp không tên").
pub const UNNAMED: &str = "tep-khong-ten";

/// The longest delay between two attempts at a file that cannot be read.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The most notifications handled between two looks at the settling files.
const MAX_BATCH: usize = 10_000;

/// The shortest wait of the watcher's loop, so that a zero interval never spins.
const MIN_TICK: Duration = Duration::from_millis(5);

/// How a folder is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WatchMode {
    /// The operating system's change notifications, plus a rescan every [`RESCAN_INTERVAL`].
    /// Falls back to [`WatchMode::Poll`] when the folder cannot be watched this way.
    Notify,
    /// Listing the folder every `poll_interval`: for network shares, which send no notifications.
    Poll,
}

/// What to watch and how patiently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchConfig {
    /// The watched folder. Only the files directly in it are imported.
    pub dir: PathBuf,
    /// How to notice changes (see [`WatchMode`]).
    pub mode: WatchMode,
    /// How long a file must stay unchanged before it is taken (default 2 s).
    pub settle: Duration,
    /// How often the folder is listed in [`WatchMode::Poll`] and the longest the watcher sleeps
    /// (default 1 s).
    pub poll_interval: Duration,
}

impl WatchConfig {
    /// Watches `dir` with notifications, a settle time of 2 s and a poll interval of 1 s.
    pub fn new(dir: impl Into<PathBuf>) -> WatchConfig {
        WatchConfig {
            dir: dir.into(),
            mode: WatchMode::Notify,
            settle: Duration::from_secs(2),
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// A file that has stopped changing, handed to the caller before anything is moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// Where the file is now: still in the watched folder.
    pub path: PathBuf,
    /// Its name made safe to show and store ([`safe_name`]): never a path.
    pub name: String,
    /// Its size in bytes, as hashed.
    pub size: u64,
    /// The SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
}

/// How many files wait in `dir`'s quarantine folder (their reason files not counted).
pub fn quarantined(dir: &Path) -> usize {
    std::fs::read_dir(dir.join(QUARANTINE_DIR))
        .map(|entries| {
            entries
                .filter_map(std::result::Result::ok)
                .filter(|e| !e.file_name().to_string_lossy().ends_with(REASON_SUFFIX))
                .count()
        })
        .unwrap_or(0)
}

/// What the caller did with an [`Arrival`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// The caller has stored the file: the watcher removes the source if it is still there (the
    /// caller may have moved it already).
    Taken,
    /// The file cannot be used; the reason (Vietnamese, for the clerk) is written beside it in the
    /// quarantine folder.
    Quarantine(String),
    /// The same bytes were imported before, e.g. "đã nhập lúc 09:15 21/11/2026". The file goes to
    /// the quarantine folder too, with the reason, so that it never loops and the clerk sees why.
    Duplicate(String),
}

/// What happened in the watched folder, for the clerk's status line and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// A file was handed over, stored by the caller and removed from the folder.
    Taken {
        /// Its safe name.
        name: String,
    },
    /// A file was moved into the quarantine folder.
    Quarantined {
        /// Its safe name.
        name: String,
        /// Why, in Vietnamese.
        reason: String,
        /// Where it is now.
        path: PathBuf,
    },
    /// A file duplicated one imported before and was moved into the quarantine folder.
    Duplicate {
        /// Its safe name.
        name: String,
        /// The caller's reason, e.g. when the original was imported.
        reason: String,
        /// Where it is now.
        path: PathBuf,
    },
    /// Something in the folder is not imported and never will be (a symlink, a device…).
    Ignored {
        /// Its safe name.
        name: String,
        /// Why, in Vietnamese.
        reason: String,
    },
    /// A file is still changing; a later pass will take it ([`scan_once`] only).
    Waiting {
        /// Its safe name.
        name: String,
    },
    /// Notifications cannot be used for this folder: it is polled instead.
    Fallback {
        /// Why, in Vietnamese.
        reason: String,
    },
    /// Something failed; the watcher goes on.
    Error {
        /// What failed, in Vietnamese.
        message: String,
    },
}

/// A folder watched by a background thread. Stops (and joins the thread) on [`FolderWatch::stop`]
/// or when dropped.
pub struct FolderWatch {
    mode: Arc<AtomicU8>,
    events: Receiver<WatchEvent>,
    control: Sender<Message>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FolderWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderWatch").field("mode", &self.mode()).finish_non_exhaustive()
    }
}

/// What the watcher thread receives: the stop request and the backend's notifications.
enum Message {
    Stop,
    Changed(notify::Result<notify::Event>),
}

const MODE_NOTIFY: u8 = 0;
const MODE_POLL: u8 = 1;

impl FolderWatch {
    /// Starts watching `config.dir` on a background thread and hands each settled file to
    /// `handle`. Files already in the folder are processed too. Fails only when the folder cannot
    /// be used at all; everything later is a [`WatchEvent`].
    pub fn start(
        config: WatchConfig,
        handle: impl FnMut(&Arrival) -> Disposition + Send + 'static,
    ) -> Result<FolderWatch> {
        let dir = watched_dir(&config.dir)?;
        let (control, inbox) = mpsc::channel::<Message>();
        let (sink, events) = mpsc::channel::<WatchEvent>();

        let mut watcher = None;
        let mut mode = config.mode;
        if mode == WatchMode::Notify {
            let refusal = match network_filesystem(&dir) {
                Some(kind) => Some(format!(
                    "Thư mục nằm trên ổ mạng ({kind}), không nhận được thông báo thay đổi: \
                     chuyển sang quét định kỳ"
                )),
                None => match notify_watcher(&dir, control.clone()) {
                    Ok(w) => {
                        watcher = Some(w);
                        None
                    }
                    Err(e) => Some(format!(
                        "Không theo dõi được thư mục bằng thông báo của hệ điều hành ({e}): \
                         chuyển sang quét định kỳ"
                    )),
                },
            };
            if let Some(reason) = refusal {
                mode = WatchMode::Poll;
                let _ = sink.send(WatchEvent::Fallback { reason });
            }
        }

        let shared_mode = Arc::new(AtomicU8::new(mode_code(mode)));
        let stop = Arc::new(AtomicBool::new(false));
        let engine = Engine::new(dir.clone(), config.settle, config.poll_interval, stop.clone());
        let worker = Worker {
            engine,
            handler: handle,
            inbox,
            watcher,
            mode: shared_mode.clone(),
            sink,
            poll_interval: config.poll_interval.max(MIN_TICK),
        };
        let thread = std::thread::Builder::new()
            .name("vanthu-watch".into())
            .spawn(move || worker.run())
            .map_err(|e| io_error(&dir, e))?;
        Ok(FolderWatch { mode: shared_mode, events, control, stop, thread: Some(thread) })
    }

    /// The mode in use now: [`WatchMode::Poll`] after a fallback, whatever was asked for.
    pub fn mode(&self) -> WatchMode {
        if self.mode.load(Ordering::Relaxed) == MODE_POLL { WatchMode::Poll } else { WatchMode::Notify }
    }

    /// The events, in order, to wait on (`recv_timeout`) or drain (`try_iter`).
    pub fn events(&self) -> &Receiver<WatchEvent> {
        &self.events
    }

    /// The events that happened since the last call, without waiting.
    pub fn drain_events(&self) -> Vec<WatchEvent> {
        self.events.try_iter().collect()
    }

    /// Stops watching and waits for the thread, which finishes the file in hand (if any) first.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.control.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for FolderWatch {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// One synchronous pass over the folder (`vanthu watch DIR --once`, tests): every file that has
/// already settled (its last change at least `settle` ago, see the module's *Stability*) is
/// hashed and handed to `handle`; the others are reported as [`WatchEvent::Waiting`]. `mode` and
/// `poll_interval` are not used. A file that cannot be read is reported as an error and left for
/// the next pass. A pass remembers nothing: symlinks are reported again on every pass, and a file
/// whose removal failed is handed over again (the façade recognises it by its hash). Fails only
/// when the folder cannot be listed.
pub fn scan_once(config: &WatchConfig, mut handle: impl FnMut(&Arrival) -> Disposition) -> Result<Vec<WatchEvent>> {
    let dir = watched_dir(&config.dir)?;
    let mut engine = Engine::new(dir.clone(), config.settle, config.poll_interval, Arc::new(AtomicBool::new(false)));
    let mut events = Vec::new();
    let listing = engine.list().map_err(|e| io_error(&dir, e))?;
    let now = SystemTime::now();
    for (path, entry) in listing {
        match entry {
            Entry::Skip => {}
            Entry::Ignore(reason) => events.push(WatchEvent::Ignored { name: display_name(&path), reason }),
            Entry::Candidate(stamp) => {
                let needed = engine.patience(&stamp);
                let settled =
                    stamp.last_change().and_then(|t| now.duration_since(t).ok()).is_some_and(|age| age >= needed);
                if !settled {
                    events.push(WatchEvent::Waiting { name: display_name(&path) });
                    continue;
                }
                match engine.take(&path, stamp, &mut handle, &mut |e| events.push(e)) {
                    Take::Done(_) | Take::Vanished | Take::Stopped => {}
                    Take::Changed(_) => events.push(WatchEvent::Waiting { name: display_name(&path) }),
                    Take::Failed(message) => events.push(WatchEvent::Error {
                        message: format!("Không đọc được tệp {}: {message}", display_name(&path)),
                    }),
                }
            }
        }
    }
    Ok(events)
}

/// A name to show and store that is never a path: non-UTF-8 bytes become `_`; control and
/// invisible formatting characters (bidi overrides, zero-width…) are removed; `/ \ : * ? " < > |`
/// become `_`; the result is NFC; runs of dots and of spaces become one; leading dots and spaces
/// and trailing dots and spaces go (so `..` can never remain and the name is never hidden);
/// Windows device names (`CON`, `NUL`, `COM1`…) get a leading `_`; it is cut to at most
/// [`MAX_NAME_CHARS`] characters and [`MAX_NAME_BYTES`] bytes keeping its extension; a name with
/// nothing left is [`UNNAMED`].
pub fn safe_name(raw: &OsStr) -> String {
    let lossy = raw.to_string_lossy();
    let mut filtered = String::with_capacity(lossy.len());
    for c in lossy.chars() {
        match c {
            '\u{FFFD}' | '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => filtered.push('_'),
            c if c.is_control() || is_invisible(c) => {}
            c if c.is_whitespace() => filtered.push(' '),
            c => filtered.push(c),
        }
    }
    let mut tidy = String::with_capacity(filtered.len());
    for c in filtered.nfc() {
        let repeated = matches!(c, '.' | ' ') && tidy.ends_with(c);
        if !repeated {
            tidy.push(c);
        }
    }
    let tidy = tidy.trim_start_matches(['.', ' ']).trim_end_matches(['.', ' ']);
    if tidy.is_empty() {
        return UNNAMED.to_string();
    }
    let mut name = if is_device_name(tidy) { format!("_{tidy}") } else { tidy.to_string() };
    if name.chars().count() > MAX_NAME_CHARS || name.len() > MAX_NAME_BYTES {
        name = shorten(&name, MAX_NAME_CHARS, MAX_NAME_BYTES);
    }
    if name.is_empty() { UNNAMED.to_string() } else { name }
}

/// Whether the watcher passes over this name without a word: hidden files (`.…`), temporaries
/// (`….part`, `….tmp`, `….crdownload`, `…~`, Office's `~$…`), Windows' `Thumbs.db` and
/// `desktop.ini`, and the quarantine folder's own name.
pub fn is_ignored_name(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    let lower = name.to_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || name.ends_with('~')
        || [".part", ".tmp", ".crdownload"].iter().any(|suffix| lower.ends_with(suffix))
        || lower == "thumbs.db"
        || lower == "desktop.ini"
        || name.nfc().eq(QUARANTINE_DIR.chars())
}

/// Moves a file, atomically: a rename, or, when `to` is on another file system (EXDEV),
/// [`move_by_copy`]. Replaces `to` if it exists, as a rename does: the caller picks a free name.
pub fn move_atomically(from: &Path, to: &Path) -> Result<()> {
    match fs::rename(from, to) {
        Ok(()) => {
            sync_dir(parent_of(to));
            if parent_of(from) != parent_of(to) {
                sync_dir(parent_of(from));
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::CrossesDevices => move_by_copy(from, to),
        Err(e) => Err(io_error(from, e)),
    }
}

/// What [`move_atomically`] does across file systems: copies `from` into a hidden temporary file
/// beside `to`, syncs it, renames it to `to`, syncs the destination folder, then removes `from`.
/// `to` appears whole or not at all. If only the final removal fails, `to` is complete and the
/// error says which source is left behind.
pub fn move_by_copy(from: &Path, to: &Path) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let folder = parent_of(to);
    let temporary =
        folder.join(format!(".vanthu-move-{}-{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let copied = (|| -> io::Result<()> {
        let mut source = File::open(from)?;
        let mut target = OpenOptions::new().write(true).create_new(true).open(&temporary)?;
        io::copy(&mut source, &mut target)?;
        target.sync_all()?;
        drop(target);
        fs::rename(&temporary, to)
    })();
    if let Err(e) = copied {
        let _ = fs::remove_file(&temporary);
        return Err(io_error(to, e));
    }
    sync_dir(folder);
    fs::remove_file(from).map_err(|e| io_error(from, e))?;
    sync_dir(parent_of(from));
    Ok(())
}

/// Moves `file` into `dir`/[`QUARANTINE_DIR`] under its [`safe_name`] (with " (2)", " (3)"… when
/// taken, and shortened to fit the file system), after writing `<name>.ly-do.txt` beside it with
/// `reason` (UTF-8), through a temporary file and a rename. Returns where the file is now. If the
/// file cannot be moved, the reason file is removed again.
pub fn quarantine(dir: &Path, file: &Path, reason: &str) -> Result<PathBuf> {
    let folder = dir.join(QUARANTINE_DIR);
    fs::create_dir_all(&folder).map_err(|e| io_error(&folder, e))?;
    let raw = file.file_name().unwrap_or_default();
    // 255 bytes per name, less the reason suffix and room for " (9999)".
    let base = shorten(&safe_name(raw), MAX_NAME_CHARS, 255 - REASON_SUFFIX.len() - 7);
    let (stem, extension) = split_extension(&base);
    let mut chosen = None;
    for n in 1..10_000u32 {
        let name = if n == 1 { base.clone() } else { format!("{stem} ({n}){extension}") };
        let target = folder.join(&name);
        let reason_path = folder.join(format!("{name}{REASON_SUFFIX}"));
        if !exists(&target) && !exists(&reason_path) {
            chosen = Some((target, reason_path));
            break;
        }
    }
    let Some((target, reason_path)) = chosen else {
        return Err(io_error(&folder, io::Error::new(io::ErrorKind::AlreadyExists, "hết tên trống")));
    };
    write_atomically(&reason_path, format!("{reason}\n").as_bytes()).map_err(|e| io_error(&reason_path, e))?;
    if let Err(e) = move_atomically(file, &target) {
        let _ = fs::remove_file(&reason_path);
        return Err(e);
    }
    Ok(target)
}

// ---------------------------------------------------------------------------------------------
// The watcher thread.

struct Worker<H> {
    engine: Engine,
    handler: H,
    inbox: Receiver<Message>,
    watcher: Option<RecommendedWatcher>,
    mode: Arc<AtomicU8>,
    sink: Sender<WatchEvent>,
    poll_interval: Duration,
}

impl<H: FnMut(&Arrival) -> Disposition> Worker<H> {
    fn run(mut self) {
        let mut next_scan = Instant::now();
        let mut scan_delay = self.poll_interval;
        let mut last_folder_error: Option<String> = None;
        let mut touched: HashSet<PathBuf> = HashSet::new();
        let sink = self.sink.clone();
        let mut emit = move |event: WatchEvent| {
            let _ = sink.send(event);
        };
        loop {
            if self.engine.stop.load(Ordering::Relaxed) {
                return;
            }
            let now = Instant::now();
            if now >= next_scan {
                match self.engine.rescan(now, &mut emit) {
                    Ok(()) => {
                        last_folder_error = None;
                        scan_delay = self.poll_interval;
                        next_scan = later(now, self.scan_interval());
                    }
                    Err(e) => {
                        let message = format!("Không đọc được thư mục theo dõi {}: {e}", self.engine.dir.display());
                        if last_folder_error.as_deref() != Some(message.as_str()) {
                            emit(WatchEvent::Error { message: message.clone() });
                            last_folder_error = Some(message);
                        }
                        if self.watcher.take().is_some() {
                            // The watch died with the folder; only polling can see it come back.
                            self.mode.store(MODE_POLL, Ordering::Relaxed);
                            emit(WatchEvent::Fallback {
                                reason: "Mất theo dõi thư mục: chuyển sang quét định kỳ".into(),
                            });
                        }
                        next_scan = later(now, scan_delay);
                        scan_delay = scan_delay.saturating_mul(2).min(RESCAN_INTERVAL);
                    }
                }
            }
            for path in touched.drain() {
                self.engine.touch(&path, now, &mut emit);
            }
            self.engine.settle_due(now, &mut self.handler, &mut emit);

            let now = Instant::now();
            let mut wait = next_scan.saturating_duration_since(now).min(self.poll_interval);
            if let Some(due) = self.engine.next_due() {
                wait = wait.min(due.saturating_duration_since(now));
            }
            let mut message = self.inbox.recv_timeout(wait.max(MIN_TICK));
            // A bounded batch, so that a flood of notifications cannot starve the settled files.
            for _ in 0..MAX_BATCH {
                match message {
                    Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                    Err(RecvTimeoutError::Timeout) => break,
                    Ok(Message::Changed(Ok(event))) => {
                        if event.need_rescan() {
                            next_scan = Instant::now();
                        }
                        if !matches!(event.kind, EventKind::Access(_)) {
                            for path in event.paths {
                                if path == self.engine.dir {
                                    next_scan = Instant::now();
                                } else if path.parent() == Some(self.engine.dir.as_path()) {
                                    touched.insert(path);
                                }
                            }
                        }
                    }
                    // A dropped or overflowed queue: list the folder again.
                    Ok(Message::Changed(Err(_))) => next_scan = Instant::now(),
                }
                message = self.inbox.try_recv().map_err(|e| match e {
                    mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                    mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                });
            }
        }
    }

    fn scan_interval(&self) -> Duration {
        if self.watcher.is_some() { RESCAN_INTERVAL } else { self.poll_interval }
    }
}

// ---------------------------------------------------------------------------------------------
// The engine: the per-file state shared by the thread and `scan_once`.

/// What the watcher knows of one file: its size, times and identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    size: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    changed: (i64, i64),
    #[cfg(unix)]
    device: u64,
    #[cfg(unix)]
    inode: u64,
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            size: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            changed: (meta.ctime(), meta.ctime_nsec()),
            #[cfg(unix)]
            device: meta.dev(),
            #[cfg(unix)]
            inode: meta.ino(),
        }
    }

    /// The later of the modification and (on Unix) change times.
    fn last_change(&self) -> Option<SystemTime> {
        #[cfg(unix)]
        {
            let (secs, nanos) = self.changed;
            let changed = u64::try_from(secs)
                .ok()
                .zip(u32::try_from(nanos).ok())
                .map(|(s, n)| SystemTime::UNIX_EPOCH + Duration::new(s, n));
            match (self.modified, changed) {
                (Some(m), Some(c)) => Some(m.max(c)),
                (m, c) => m.or(c),
            }
        }
        #[cfg(not(unix))]
        {
            self.modified
        }
    }

    /// The same file with the same content, ignoring the change time (a link or a chmod by the
    /// caller moves it).
    fn same_file(&self, other: &Stamp) -> bool {
        #[cfg(unix)]
        let identity = self.device == other.device && self.inode == other.inode;
        #[cfg(not(unix))]
        let identity = true;
        identity && self.size == other.size && self.modified == other.modified
    }
}

/// A file being watched until it settles.
struct Pending {
    stamp: Stamp,
    stable_since: Instant,
    attempts: u32,
    retry_at: Option<Instant>,
}

/// A file that has been dealt with; it is not looked at again while it keeps this stamp.
struct Done {
    stamp: Stamp,
}

/// What a directory entry is to the watcher.
enum Entry {
    Candidate(Stamp),
    Skip,
    Ignore(String),
}

/// The result of trying to take one file.
enum Take {
    Done(Done),
    Changed(Stamp),
    Vanished,
    Failed(String),
    Stopped,
}

struct Engine {
    dir: PathBuf,
    settle: Duration,
    retry_base: Duration,
    stop: Arc<AtomicBool>,
    pending: HashMap<PathBuf, Pending>,
    done: HashMap<PathBuf, Done>,
    reported: HashSet<PathBuf>,
}

impl Engine {
    fn new(dir: PathBuf, settle: Duration, poll_interval: Duration, stop: Arc<AtomicBool>) -> Self {
        Engine {
            dir,
            settle,
            retry_base: poll_interval.max(Duration::from_millis(100)),
            stop,
            pending: HashMap::new(),
            done: HashMap::new(),
            reported: HashSet::new(),
        }
    }

    fn patience(&self, stamp: &Stamp) -> Duration {
        if stamp.size == 0 { self.settle.saturating_mul(EMPTY_PATIENCE) } else { self.settle }
    }

    /// The folder's entries, each classified.
    fn list(&self) -> io::Result<Vec<(PathBuf, Entry)>> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let path = entry.path();
            match classify(&path) {
                Ok(kind) => entries.push((path, kind)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(_) => entries.push((path, Entry::Skip)),
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(entries)
    }

    /// Lists the folder: new files start settling, changed ones start again, gone ones are
    /// forgotten.
    fn rescan(&mut self, now: Instant, emit: &mut dyn FnMut(WatchEvent)) -> io::Result<()> {
        let listing = self.list()?;
        let present: HashSet<&PathBuf> = listing.iter().map(|(path, _)| path).collect();
        self.pending.retain(|path, _| present.contains(path));
        self.done.retain(|path, _| present.contains(path));
        self.reported.retain(|path| present.contains(path));
        for (path, entry) in &listing {
            self.observe(path, entry, now, false, emit);
        }
        Ok(())
    }

    /// A notification about one path.
    fn touch(&mut self, path: &Path, now: Instant, emit: &mut dyn FnMut(WatchEvent)) {
        match classify(path) {
            Ok(entry) => self.observe(path, &entry, now, true, emit),
            Err(_) => {
                self.pending.remove(path);
                self.done.remove(path);
                self.reported.remove(path);
            }
        }
    }

    fn observe(&mut self, path: &Path, entry: &Entry, now: Instant, restart: bool, emit: &mut dyn FnMut(WatchEvent)) {
        match entry {
            Entry::Skip => {
                self.pending.remove(path);
            }
            Entry::Ignore(reason) => {
                self.pending.remove(path);
                if self.reported.insert(path.to_path_buf()) {
                    emit(WatchEvent::Ignored { name: display_name(path), reason: reason.clone() });
                }
            }
            Entry::Candidate(stamp) => {
                if let Some(done) = self.done.get(path) {
                    if done.stamp == *stamp {
                        return;
                    }
                    self.done.remove(path);
                }
                match self.pending.get_mut(path) {
                    Some(pending) => {
                        if restart || pending.stamp != *stamp {
                            pending.stamp = *stamp;
                            pending.stable_since = now;
                        }
                    }
                    None => {
                        self.pending.insert(
                            path.to_path_buf(),
                            Pending { stamp: *stamp, stable_since: now, attempts: 0, retry_at: None },
                        );
                    }
                }
            }
        }
    }

    fn due_at(&self, pending: &Pending) -> Instant {
        let settled = later(pending.stable_since, self.patience(&pending.stamp));
        match pending.retry_at {
            Some(retry) => settled.max(retry),
            None => settled,
        }
    }

    fn next_due(&self) -> Option<Instant> {
        self.pending.values().map(|p| self.due_at(p)).min()
    }

    /// Takes every file whose wait is over.
    fn settle_due(
        &mut self,
        now: Instant,
        handler: &mut dyn FnMut(&Arrival) -> Disposition,
        emit: &mut dyn FnMut(WatchEvent),
    ) {
        let mut due: Vec<(PathBuf, Stamp)> = self
            .pending
            .iter()
            .filter(|(_, p)| self.due_at(p) <= now)
            .map(|(path, p)| (path.clone(), p.stamp))
            .collect();
        due.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, stamp) in due {
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            match self.take(&path, stamp, handler, emit) {
                Take::Done(done) => {
                    self.pending.remove(&path);
                    self.done.insert(path, done);
                }
                Take::Changed(stamp) => {
                    if let Some(p) = self.pending.get_mut(&path) {
                        p.stamp = stamp;
                        p.stable_since = Instant::now();
                    }
                }
                Take::Vanished => {
                    self.pending.remove(&path);
                }
                Take::Stopped => return,
                Take::Failed(message) => self.failed(&path, stamp, message, emit),
            }
        }
    }

    /// A file that could not be opened or read: later, with a growing delay; after
    /// [`MAX_READ_ATTEMPTS`], to quarantine.
    fn failed(&mut self, path: &Path, stamp: Stamp, message: String, emit: &mut dyn FnMut(WatchEvent)) {
        let Some(pending) = self.pending.get_mut(path) else {
            return;
        };
        pending.attempts += 1;
        if pending.attempts < MAX_READ_ATTEMPTS {
            let delay = self.retry_base.saturating_mul(1 << pending.attempts.min(16)).min(MAX_BACKOFF);
            pending.retry_at = Some(later(Instant::now(), delay));
            return;
        }
        self.pending.remove(path);
        self.done.insert(path.to_path_buf(), Done { stamp });
        let name = display_name(path);
        let reason = format!("Không đọc được tệp sau {MAX_READ_ATTEMPTS} lần thử: {message}");
        self.set_aside(path, &name, reason, false, emit);
    }

    /// Checks, hashes and hands over one file whose stamp was `expected`.
    fn take(
        &mut self,
        path: &Path,
        expected: Stamp,
        handler: &mut dyn FnMut(&Arrival) -> Disposition,
        emit: &mut dyn FnMut(WatchEvent),
    ) -> Take {
        let before = match fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_file() => Stamp::of(&meta),
            Ok(_) => return Take::Vanished,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Take::Vanished,
            Err(e) => return Take::Failed(e.to_string()),
        };
        if before != expected {
            return Take::Changed(before);
        }
        let (sha256, read) = match hash_file(path, &expected, &self.stop) {
            Ok(Hashed::Whole { sha256, read }) => (sha256, read),
            Ok(Hashed::Replaced) => return Take::Changed(expected),
            Ok(Hashed::Stopped) => return Take::Stopped,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Take::Vanished,
            Err(e) => return Take::Failed(e.to_string()),
        };
        let after = match fs::symlink_metadata(path) {
            Ok(meta) => Stamp::of(&meta),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Take::Vanished,
            Err(e) => return Take::Failed(e.to_string()),
        };
        if after != expected || read != expected.size {
            // Still being written.
            return Take::Changed(after);
        }
        let arrival = Arrival { path: path.to_path_buf(), name: display_name(path), size: read, sha256 };
        let disposition = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&arrival)));
        let done = Done { stamp: expected };
        match disposition {
            Ok(Disposition::Taken) => {
                let still_here =
                    fs::symlink_metadata(path).ok().is_some_and(|meta| Stamp::of(&meta).same_file(&expected));
                let removed = if still_here { fs::remove_file(path) } else { Ok(()) };
                if let Err(e) = removed
                    && e.kind() != io::ErrorKind::NotFound
                {
                    let name = &arrival.name;
                    emit(WatchEvent::Error {
                        message: format!("Đã nhập tệp {name} nhưng không xoá được khỏi thư mục theo dõi: {e}"),
                    });
                }
                emit(WatchEvent::Taken { name: arrival.name });
            }
            Ok(Disposition::Quarantine(reason)) => {
                self.set_aside(path, &arrival.name, reason, false, emit);
            }
            Ok(Disposition::Duplicate(reason)) => {
                self.set_aside(path, &arrival.name, reason, true, emit);
            }
            Err(_) => {
                let reason = "Lỗi nội bộ khi nhập tệp: hãy báo cho quản trị".to_string();
                self.set_aside(path, &arrival.name, reason, false, emit);
            }
        }
        Take::Done(done)
    }

    /// Moves a file to quarantine and says so, or says why it could not.
    fn set_aside(&self, path: &Path, name: &str, reason: String, duplicate: bool, emit: &mut dyn FnMut(WatchEvent)) {
        let written =
            if duplicate { format!("Tệp trùng với một tệp đã nhập: {reason}") } else { reason.clone() };
        match quarantine(&self.dir, path, &written) {
            Ok(target) if duplicate => emit(WatchEvent::Duplicate { name: name.to_string(), reason, path: target }),
            Ok(target) => emit(WatchEvent::Quarantined { name: name.to_string(), reason, path: target }),
            Err(e) => emit(WatchEvent::Error {
                message: format!("Không chuyển được tệp {name} vào thư mục \"{QUARANTINE_DIR}\" ({reason}): {e}"),
            }),
        }
    }
}

/// What hashing a file gave.
enum Hashed {
    Whole { sha256: String, read: u64 },
    Replaced,
    Stopped,
}

/// Streams a file through SHA-256, after checking that the file opened is the one examined.
fn hash_file(path: &Path, expected: &Stamp, stop: &AtomicBool) -> io::Result<Hashed> {
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(Hashed::Replaced);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.dev() != expected.device || meta.ino() != expected.inode {
            return Ok(Hashed::Replaced);
        }
    }
    #[cfg(not(unix))]
    let _ = expected;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut read = 0u64;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(Hashed::Stopped);
        }
        let n = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buffer[..n]);
        read += n as u64;
    }
    Ok(Hashed::Whole { sha256: hex::encode(hasher.finalize()), read })
}

/// What a path in the folder is, without following symlinks.
fn classify(path: &Path) -> io::Result<Entry> {
    let Some(name) = path.file_name() else {
        return Ok(Entry::Skip);
    };
    if is_ignored_name(name) {
        return Ok(Entry::Skip);
    }
    let meta = fs::symlink_metadata(path)?;
    let kind = meta.file_type();
    Ok(if kind.is_symlink() {
        Entry::Ignore("Là liên kết (symlink): không theo liên kết, không nhập".into())
    } else if kind.is_dir() {
        Entry::Skip
    } else if kind.is_file() {
        Entry::Candidate(Stamp::of(&meta))
    } else {
        Entry::Ignore("Không phải tệp thông thường (thiết bị, ống dẫn…): không nhập".into())
    })
}

fn watched_dir(dir: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(dir).map_err(|e| io_error(dir, e))?;
    let meta = fs::metadata(&absolute).map_err(|e| io_error(&absolute, e))?;
    if !meta.is_dir() {
        return Err(CaptureError::NotAFolder { path: absolute.display().to_string() });
    }
    Ok(absolute)
}

fn notify_watcher(dir: &Path, control: Sender<Message>) -> notify::Result<RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = control.send(Message::Changed(event));
    })?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

/// The kind of network file system `dir` is on, if it is on one: those send no notifications for
/// changes made by other machines. Linux reads `/proc/self/mountinfo`; Windows knows UNC paths;
/// elsewhere nothing is detected (choose [`WatchMode::Poll`] for shares there).
fn network_filesystem(dir: &Path) -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        let real = fs::canonicalize(dir).ok()?;
        let table = fs::read_to_string("/proc/self/mountinfo").ok()?;
        filesystem_of(&table, &real).filter(|kind| is_network_filesystem(kind))
    }
    #[cfg(windows)]
    {
        use std::path::{Component, Prefix};
        match dir.components().next() {
            Some(Component::Prefix(p)) if matches!(p.kind(), Prefix::UNC(..) | Prefix::VerbatimUNC(..)) => {
                Some("UNC".to_string())
            }
            _ => None,
        }
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    {
        let _ = dir;
        None
    }
}

/// The file system type of the mount that holds `path`, from a `mountinfo` table.
#[cfg(any(target_os = "linux", test))]
fn filesystem_of(mountinfo: &str, path: &Path) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for line in mountinfo.lines() {
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let Some(mount_point) = left.split(' ').nth(4) else {
            continue;
        };
        let Some(kind) = right.split(' ').next() else {
            continue;
        };
        let mount_point = unescape_mount(mount_point);
        let depth = Path::new(&mount_point).components().count();
        if path.starts_with(&mount_point) && best.as_ref().is_none_or(|(d, _)| depth >= *d) {
            best = Some((depth, kind.to_string()));
        }
    }
    best.map(|(_, kind)| kind)
}

#[cfg(any(target_os = "linux", test))]
fn unescape_mount(field: &str) -> String {
    field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")
}

#[cfg(any(target_os = "linux", test))]
fn is_network_filesystem(kind: &str) -> bool {
    const NETWORK: &[&str] = &[
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "9p",
        "virtiofs",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "beegfs",
        "davfs",
        "coda",
    ];
    NETWORK.contains(&kind)
        || kind.starts_with("fuse.")
            && ["sshfs", "davfs2", "rclone", "glusterfs", "s3fs", "smbnetfs", "cephfs"]
                .iter()
                .any(|k| kind.ends_with(k))
}

/// `start + wait`, without the overflow panic a configured `Duration::MAX` would cause.
fn later(start: Instant, wait: Duration) -> Instant {
    const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
    start.checked_add(wait).or_else(|| start.checked_add(YEAR)).unwrap_or(start)
}

fn mode_code(mode: WatchMode) -> u8 {
    match mode {
        WatchMode::Notify => MODE_NOTIFY,
        WatchMode::Poll => MODE_POLL,
    }
}

fn display_name(path: &Path) -> String {
    safe_name(path.file_name().unwrap_or_default())
}

/// Invisible formatting characters that can disguise a name (bidi overrides, zero widths).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

fn is_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end().to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0')
}

/// `("báo cáo", ".pdf")`; the extension is kept only when short and alphanumeric.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if dot > 0 => {
            let extension = &name[dot + 1..];
            let plausible =
                (1..=16).contains(&extension.chars().count()) && extension.chars().all(char::is_alphanumeric);
            if plausible { (&name[..dot], &name[dot..]) } else { (name, "") }
        }
        _ => (name, ""),
    }
}

/// Cuts the stem so that the whole name fits both limits; the extension stays.
fn shorten(name: &str, max_chars: usize, max_bytes: usize) -> String {
    let (stem, extension) = split_extension(name);
    let char_budget = max_chars.saturating_sub(extension.chars().count());
    let byte_budget = max_bytes.saturating_sub(extension.len());
    let mut kept = String::new();
    for (count, c) in stem.chars().enumerate() {
        if count >= char_budget || kept.len() + c.len_utf8() > byte_budget {
            break;
        }
        kept.push(c);
    }
    let kept = kept.trim_end_matches(['.', ' ']);
    if kept.is_empty() {
        // Nothing of the stem fits: keep what fits of the whole name instead.
        let mut whole = String::new();
        for (count, c) in name.chars().enumerate() {
            if count >= max_chars || whole.len() + c.len_utf8() > max_bytes {
                break;
            }
            whole.push(c);
        }
        return whole;
    }
    format!("{kept}{extension}")
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Writes a small file whole or not at all: a hidden temporary file, synced, then renamed.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let folder = parent_of(path);
    let temporary =
        folder.join(format!(".vanthu-write-{}-{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let written = (|| -> io::Result<()> {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written?;
    sync_dir(folder);
    Ok(())
}

/// Makes a rename in `folder` durable. Best effort: some file systems (shares) refuse to sync a
/// folder, and the rename has happened either way.
fn sync_dir(folder: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(folder) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

fn io_error(path: &Path, source: io::Error) -> CaptureError {
    CaptureError::Io { path: path.display().to_string(), source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_file_system_of_the_deepest_mount() {
        let table = "\
22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
40 22 0:38 / /mnt/scan\\040share rw,relatime shared:9 - cifs //nas/scan rw,vers=3.0
41 22 0:39 / /mnt/nfs rw - nfs4 nas:/export rw
42 22 0:40 / /home/van/drive rw - fuse.sshfs van@host: rw
";
        let check = |path: &str, expected: Option<&str>| {
            assert_eq!(filesystem_of(table, Path::new(path)).as_deref(), expected, "{path}");
        };
        check("/home/van/scans", Some("ext4"));
        check("/mnt/scan share/den", Some("cifs"));
        check("/mnt/scan", Some("ext4"));
        check("/mnt/nfs", Some("nfs4"));
        check("/home/van/drive/x", Some("fuse.sshfs"));
        assert!(is_network_filesystem("cifs"));
        assert!(is_network_filesystem("fuse.sshfs"));
        assert!(!is_network_filesystem("ext4"));
        assert!(!is_network_filesystem("tmpfs"));
    }

    #[test]
    fn device_names_and_extensions() {
        assert!(is_device_name("CON"));
        assert!(is_device_name("nul.pdf"));
        assert!(is_device_name("COM1.txt"));
        assert!(!is_device_name("COM0"));
        assert!(!is_device_name("CONG VAN.pdf"));
        assert_eq!(split_extension("báo cáo.pdf"), ("báo cáo", ".pdf"));
        assert_eq!(split_extension("Số 12. Về việc"), ("Số 12. Về việc", ""));
        assert_eq!(split_extension("pdf"), ("pdf", ""));
    }
}
