//! The watched folder on a real file system, in temporary folders, in both modes (notifications and
//! polling): slow writers, the same file twice, damaged files, hostile names, files that were there
//! first, files to leave alone, stopping, one-pass scans and atomic moves.
//!
//! No test measures time: each waits, with a generous limit, for what must eventually happen, and
//! checks what must never happen by counting the handler's calls once later files have gone through.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;
use vanthu_capture::CaptureError;
use vanthu_capture::watch::{
    Arrival, Disposition, FolderWatch, MAX_NAME_BYTES, MAX_NAME_CHARS, QUARANTINE_DIR, REASON_SUFFIX, UNNAMED,
    WatchConfig, WatchEvent, WatchMode, move_atomically, move_by_copy, quarantine, safe_name, scan_once,
};

const MODES: [WatchMode; 2] = [WatchMode::Notify, WatchMode::Poll];

/// How long to wait for something that must happen. Generous: the machine may be busy.
const PATIENCE: Duration = Duration::from_secs(60);

const DAMAGED: &str = "Ảnh bị hỏng";
const ALREADY: &str = "đã nhập lúc 09:15 21/11/2026";

fn config(dir: &Path, mode: WatchMode, settle_ms: u64) -> WatchConfig {
    WatchConfig {
        dir: dir.to_path_buf(),
        mode,
        settle: Duration::from_millis(settle_ms),
        poll_interval: Duration::from_millis(50),
    }
}

/// What the handler was given, with the bytes it read.
#[derive(Clone, Debug)]
struct Seen {
    arrival: Arrival,
    bytes: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// The façade, emulated: reads the file, calls bytes starting with "HONG" damaged, recognises
/// duplicates by hash, takes (stores) the rest.
fn facade(log: Log) -> impl FnMut(&Arrival) -> Disposition + Send + 'static {
    let mut imported = HashSet::new();
    move |arrival| {
        let bytes = fs::read(&arrival.path).expect("the arrival can be read");
        log.lock().expect("log").push(Seen { arrival: arrival.clone(), bytes: bytes.clone() });
        if bytes.starts_with(b"HONG") {
            Disposition::Quarantine(DAMAGED.into())
        } else if !imported.insert(arrival.sha256.clone()) {
            Disposition::Duplicate(ALREADY.into())
        } else {
            Disposition::Taken
        }
    }
}

fn calls_for(log: &Log, name: &str) -> usize {
    let log = log.lock().expect("log");
    log.iter().filter(|s| s.arrival.name == name).count()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn event_name(event: &WatchEvent) -> Option<&str> {
    match event {
        WatchEvent::Taken { name }
        | WatchEvent::Quarantined { name, .. }
        | WatchEvent::Duplicate { name, .. }
        | WatchEvent::Ignored { name, .. }
        | WatchEvent::Waiting { name } => Some(name),
        WatchEvent::Fallback { .. } | WatchEvent::Error { .. } => None,
    }
}

/// Waits for the first event `wanted` accepts, keeping every event in `seen`.
fn wait_for(
    watch: &FolderWatch,
    seen: &mut Vec<WatchEvent>,
    what: &str,
    wanted: impl Fn(&WatchEvent) -> bool,
) -> WatchEvent {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match watch.events().recv_timeout(left) {
            Ok(event) => {
                seen.push(event.clone());
                if wanted(&event) {
                    return event;
                }
            }
            Err(_) => panic!("waited {PATIENCE:?} for {what}; events: {seen:#?}"),
        }
    }
}

fn wait_taken(watch: &FolderWatch, seen: &mut Vec<WatchEvent>, name: &str) {
    wait_for(watch, seen, &format!("{name} taken"), |e| matches!(e, WatchEvent::Taken { name: n } if n == name));
}

/// Writes a file whole: the watcher never sees it half written.
fn drop_file(dir: &Path, name: impl AsRef<OsStr>, bytes: &[u8]) -> PathBuf {
    let staging = dir.join(".staging");
    fs::write(&staging, bytes).expect("write");
    let path = dir.join(name.as_ref());
    fs::rename(&staging, &path).expect("rename into place");
    path
}

fn quarantined(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(dir.join(QUARANTINE_DIR)) {
        Ok(entries) => entries.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

fn assert_safe(name: &str) {
    assert!(!name.is_empty());
    assert!(!name.contains(['/', '\\']), "{name:?} holds a path separator");
    assert!(!name.contains(".."), "{name:?} holds ..");
    assert!(!name.starts_with('.'), "{name:?} is hidden");
    assert!(!name.chars().any(char::is_control), "{name:?} holds a control character");
    assert!(name.chars().count() <= MAX_NAME_CHARS, "{name:?} is too long");
    assert!(name.len() <= MAX_NAME_BYTES, "{name:?} has too many bytes");
    assert_eq!(name.nfc().collect::<String>(), name, "{name:?} is not NFC");
}

#[test]
fn a_slow_writer_is_taken_only_once_it_stops() {
    for mode in MODES {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = Log::default();
        // Pauses between chunks are far shorter than the settle time.
        let watch = FolderWatch::start(config(dir.path(), mode, 2_000), facade(log.clone())).expect("start");
        let mut seen = Vec::new();

        let expected: Vec<u8> = (0..20u8).flat_map(|chunk| std::iter::repeat_n(chunk, 4096)).collect();
        let mut file = fs::File::create(dir.path().join("cong-van.pdf")).expect("create");
        for chunk in expected.chunks(4096) {
            file.write_all(chunk).expect("write");
            file.flush().expect("flush");
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(file);

        wait_taken(&watch, &mut seen, "cong-van.pdf");
        let log = log.lock().expect("log").clone();
        assert_eq!(log.len(), 1, "{mode:?}: handed over once, whole: {seen:#?}");
        assert_eq!(log[0].bytes, expected, "{mode:?}");
        assert_eq!(log[0].arrival.size, expected.len() as u64);
        assert_eq!(log[0].arrival.sha256, sha256(&expected));
        assert_eq!(log[0].arrival.path, dir.path().join("cong-van.pdf"));
        assert!(!dir.path().join("cong-van.pdf").exists(), "source removed");
        watch.stop();
    }
}

#[test]
fn the_same_file_twice_is_a_duplicate_set_aside_and_never_loops() {
    for mode in MODES {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = Log::default();
        let watch = FolderWatch::start(config(dir.path(), mode, 300), facade(log.clone())).expect("start");
        let mut seen = Vec::new();
        let content = b"%PDF-1.7 quyet dinh 15/QD-UBND".to_vec();

        drop_file(dir.path(), "scan0001.pdf", &content);
        wait_taken(&watch, &mut seen, "scan0001.pdf");

        // The scanner drops the same page again, under another name and then under the same.
        drop_file(dir.path(), "scan0002.pdf", &content);
        let event = wait_for(&watch, &mut seen, "a duplicate", |e| matches!(e, WatchEvent::Duplicate { .. }));
        let WatchEvent::Duplicate { name, reason, path } = event else { unreachable!() };
        assert_eq!(name, "scan0002.pdf");
        assert_eq!(reason, ALREADY);
        assert_eq!(path, dir.path().join(QUARANTINE_DIR).join("scan0002.pdf"));
        assert_eq!(fs::read(&path).expect("quarantined file"), content);
        let why = fs::read_to_string(dir.path().join(QUARANTINE_DIR).join(format!("scan0002.pdf{REASON_SUFFIX}")))
            .expect("reason file");
        assert!(why.contains(ALREADY), "{why}");
        assert!(!dir.path().join("scan0002.pdf").exists());

        drop_file(dir.path(), "scan0001.pdf", &content);
        wait_for(
            &watch,
            &mut seen,
            "the reused name as a duplicate",
            |e| matches!(e, WatchEvent::Duplicate { name, .. } if name == "scan0001.pdf"),
        );

        // A later file goes through; by then the duplicates would have come round again.
        drop_file(dir.path(), "scan0003.pdf", b"%PDF-1.7 another");
        wait_taken(&watch, &mut seen, "scan0003.pdf");
        assert_eq!(calls_for(&log, "scan0001.pdf"), 2, "{mode:?}: {seen:#?}");
        assert_eq!(calls_for(&log, "scan0002.pdf"), 1, "{mode:?}: {seen:#?}");
        assert_eq!(
            quarantined(dir.path()),
            [
                "scan0001.pdf".to_string(),
                format!("scan0001.pdf{REASON_SUFFIX}"),
                "scan0002.pdf".to_string(),
                format!("scan0002.pdf{REASON_SUFFIX}"),
            ]
        );
        watch.stop();
    }
}

#[test]
fn a_damaged_file_goes_to_quarantine_with_its_reason() {
    for mode in MODES {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = Log::default();
        let watch = FolderWatch::start(config(dir.path(), mode, 300), facade(log.clone())).expect("start");
        let mut seen = Vec::new();

        drop_file(dir.path(), "to-trinh.jpg", b"HONG: not a JPEG");
        let event = wait_for(&watch, &mut seen, "quarantine", |e| matches!(e, WatchEvent::Quarantined { .. }));
        let expected_path = dir.path().join(QUARANTINE_DIR).join("to-trinh.jpg");
        assert_eq!(
            event,
            WatchEvent::Quarantined {
                name: "to-trinh.jpg".into(),
                reason: DAMAGED.into(),
                path: expected_path.clone(),
            }
        );
        assert_eq!(fs::read(&expected_path).expect("moved"), b"HONG: not a JPEG");
        let why = fs::read_to_string(dir.path().join(QUARANTINE_DIR).join(format!("to-trinh.jpg{REASON_SUFFIX}")))
            .expect("reason file");
        assert_eq!(why.trim_end(), DAMAGED);
        assert!(!dir.path().join("to-trinh.jpg").exists());

        drop_file(dir.path(), "next.pdf", b"%PDF next");
        wait_taken(&watch, &mut seen, "next.pdf");
        assert_eq!(calls_for(&log, "to-trinh.jpg"), 1, "{mode:?}");
        watch.stop();
    }
}

/// Names a file system accepts (at most 255 bytes) that must not reach the clerk or a path as is.
fn hostile_names() -> Vec<OsString> {
    let mut names: Vec<OsString> = vec![
        "x..\u{1}evil.pdf".into(),
        "ctl\u{7}\u{1b}[2J\u{7f}name.pdf".into(),
        "a\\..\\..\\b.pdf".into(),
        "\u{202e}fdp.pdf".into(),
        "a\u{306}n lo\u{31b}\u{300}i.pdf".into(),
        format!("{}.pdf", "ă".repeat(125)).into(),
    ];
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        names.push(OsStr::from_bytes(b"scan\xff\xfe.pdf").to_os_string());
    }
    names
}

#[test]
fn hostile_names_arrive_as_safe_names_and_are_quarantined_under_them() {
    for mode in MODES {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = Log::default();
        let watch = FolderWatch::start(config(dir.path(), mode, 300), facade(log.clone())).expect("start");
        let mut seen = Vec::new();
        let names = hostile_names();
        for (i, name) in names.iter().enumerate() {
            assert!(name.len() <= 255);
            drop_file(dir.path(), name, format!("HONG {i}").as_bytes());
        }
        // Hidden, whatever follows the dots: never imported.
        drop_file(dir.path(), "..\u{1}evil", b"HONG hidden");

        for _ in &names {
            wait_for(&watch, &mut seen, "quarantine", |e| matches!(e, WatchEvent::Quarantined { .. }));
        }
        let log = log.lock().expect("log").clone();
        assert_eq!(log.len(), names.len(), "{mode:?}: {seen:#?}");
        for entry in &log {
            let name = &entry.arrival.name;
            assert_safe(name);
            assert!(name.ends_with(".pdf"), "{name:?} lost its extension");
        }
        let arrived: HashSet<&str> = log.iter().map(|s| s.arrival.name.as_str()).collect();
        for expected in ["x.evil.pdf", "ctl[2Jname.pdf", "a_._._b.pdf", "fdp.pdf", "ăn lời.pdf", "scan__.pdf"] {
            assert!(arrived.contains(expected), "{expected:?} not in {arrived:?}");
        }
        let quarantine = quarantined(dir.path());
        assert_eq!(quarantine.len(), 2 * names.len(), "{quarantine:#?}");
        for name in &quarantine {
            let file = name.strip_suffix(REASON_SUFFIX).unwrap_or(name);
            assert_safe(file);
            assert!(quarantine.contains(&format!("{file}{REASON_SUFFIX}")));
            assert!(quarantine.contains(&file.to_string()));
        }
        assert!(dir.path().join("..\u{1}evil").exists(), "hidden file left alone");
        watch.stop();
    }
}

#[test]
fn safe_name_neutralises_paths_controls_and_length() {
    let check = |raw: &str, expected: &str| {
        let name = safe_name(OsStr::new(raw));
        assert_eq!(name, expected, "safe_name({raw:?})");
        assert_safe(&name);
    };
    check("cong-van.pdf", "cong-van.pdf");
    check("..\u{1}evil", "evil");
    check("../../etc/passwd", "_._etc_passwd");
    check("..\\..\\Windows\\win.ini", "_._Windows_win.ini");
    check("/", "_");
    check("", UNNAMED);
    check("..", UNNAMED);
    check(" . \u{1}\u{7f} ", UNNAMED);
    check(".bashrc", "bashrc");
    check("tab\there\nnewline.pdf", "tabherenewline.pdf");
    check("a  \u{a0} b.pdf", "a b.pdf");
    check("\u{202e}gpj.exe", "gpj.exe");
    check("a\u{306}.pdf", "ă.pdf");
    check("C:\\văn bản?.pdf", "C__văn bản_.pdf");
    check("CON.pdf", "_CON.pdf");
    check("nul", "_nul");
    check("báo cáo...pdf", "báo cáo.pdf");
    check("trailing dots... ", "trailing dots");

    // Longer than any file system allows: cut, extension kept.
    let long = format!("{}.pdf", "ă".repeat(2000));
    let name = safe_name(OsStr::new(&long));
    assert_safe(&name);
    assert!(name.ends_with(".pdf"));
    assert!(name.starts_with("ăăă"));
    let long = format!("{}.pdf", "a".repeat(2000));
    let name = safe_name(OsStr::new(&long));
    assert_safe(&name);
    assert_eq!(name.chars().count(), MAX_NAME_CHARS);
    assert!(name.ends_with(".pdf"));
    let long = format!("..\u{1}{}/..{}", "đ/".repeat(700), "x".repeat(600));
    let name = safe_name(OsStr::new(&long));
    assert_safe(&name);
    // No plausible extension: cut anyway.
    let long = format!("Về việc {}", "triển khai ".repeat(300));
    assert_safe(&safe_name(OsStr::new(&long)));

    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = safe_name(OsStr::from_bytes(b"\xff\xfe\xfd.pdf"));
        assert_eq!(name, "___.pdf");
    }
}

#[test]
fn the_quarantine_folder_name_is_nfc() {
    assert_eq!(QUARANTINE_DIR.nfc().collect::<String>(), QUARANTINE_DIR);
}

#[test]
fn files_already_in_the_folder_are_processed_at_start() {
    for mode in MODES {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["a.pdf", "b.pdf", "c.jpg"] {
            drop_file(dir.path(), name, name.as_bytes());
        }
        let log = Log::default();
        let watch = FolderWatch::start(config(dir.path(), mode, 300), facade(log.clone())).expect("start");
        let mut seen = Vec::new();
        for name in ["a.pdf", "b.pdf", "c.jpg"] {
            if !seen.iter().any(|e| matches!(e, WatchEvent::Taken { name: n } if n == name)) {
                wait_taken(&watch, &mut seen, name);
            }
        }
        assert_eq!(log.lock().expect("log").len(), 3, "{mode:?}");
        watch.stop();
    }
}

#[test]
fn hidden_temporary_linked_and_nested_files_are_left_alone() {
    for mode in MODES {
        let dir = tempfile::tempdir().expect("tempdir");
        let left_alone = [
            ".hidden.pdf",
            "download.pdf.part",
            "x.tmp",
            "y.pdf.crdownload",
            "backup.pdf~",
            "~$draft.docx",
            "Thumbs.db",
        ];
        for name in left_alone {
            drop_file(dir.path(), name, name.as_bytes());
        }
        fs::create_dir(dir.path().join("sub")).expect("mkdir");
        fs::write(dir.path().join("sub").join("inner.pdf"), b"inner").expect("write");
        let outside = tempfile::tempdir().expect("tempdir");
        fs::write(outside.path().join("secret.pdf"), b"secret").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret.pdf"), dir.path().join("link.pdf")).expect("symlink");

        let log = Log::default();
        let watch = FolderWatch::start(config(dir.path(), mode, 300), facade(log.clone())).expect("start");
        let mut seen = watch.drain_events();
        if mode == WatchMode::Poll {
            assert_eq!(watch.mode(), WatchMode::Poll);
        } else if watch.mode() == WatchMode::Poll {
            // Notifications refused here: the watcher must have said so.
            assert!(seen.iter().any(|e| matches!(e, WatchEvent::Fallback { .. })));
        }

        let symlink_reported = |e: &WatchEvent| matches!(e, WatchEvent::Ignored { name, .. } if name == "link.pdf");
        if cfg!(unix) && !seen.iter().any(symlink_reported) {
            wait_for(&watch, &mut seen, "the symlink reported", symlink_reported);
        }
        drop_file(dir.path(), "real.pdf", b"real");
        wait_taken(&watch, &mut seen, "real.pdf");
        // A download finishing: renamed from .part into place.
        fs::rename(dir.path().join("download.pdf.part"), dir.path().join("download.pdf")).expect("rename");
        wait_taken(&watch, &mut seen, "download.pdf");

        let names: HashSet<String> = log.lock().expect("log").iter().map(|s| s.arrival.name.clone()).collect();
        assert_eq!(names, HashSet::from(["real.pdf".to_string(), "download.pdf".to_string()]), "{mode:?}: {seen:#?}");
        for name in left_alone.iter().filter(|n| !n.ends_with(".part")) {
            assert!(dir.path().join(name).exists(), "{name} left alone");
        }
        assert!(dir.path().join("sub").join("inner.pdf").exists());
        assert!(outside.path().join("secret.pdf").exists(), "link not followed");
        assert_eq!(
            seen.iter().filter(|e| matches!(e, WatchEvent::Ignored { .. })).count(),
            usize::from(cfg!(unix)),
            "the symlink is reported once: {seen:#?}"
        );
        watch.stop();
    }
}

#[test]
fn a_file_that_vanishes_while_settling_is_forgotten() {
    for mode in MODES {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = Log::default();
        let watch = FolderWatch::start(config(dir.path(), mode, 1_000), facade(log.clone())).expect("start");
        let mut seen = Vec::new();
        let ghost = drop_file(dir.path(), "ghost.pdf", b"ghost");
        fs::remove_file(&ghost).expect("remove");
        drop_file(dir.path(), "real.pdf", b"real");
        wait_taken(&watch, &mut seen, "real.pdf");
        assert_eq!(calls_for(&log, "ghost.pdf"), 0);
        assert!(seen.iter().all(|e| event_name(e) != Some("ghost.pdf")), "{seen:#?}");
        watch.stop();
    }
}

#[test]
fn a_file_whose_quarantine_fails_is_not_handed_over_again() {
    for mode in MODES {
        let dir = tempfile::tempdir().expect("tempdir");
        // A file where the quarantine folder should be: nothing can be moved there.
        fs::write(dir.path().join(QUARANTINE_DIR), b"in the way").expect("write");
        let log = Log::default();
        let watch = FolderWatch::start(config(dir.path(), mode, 300), facade(log.clone())).expect("start");
        let mut seen = Vec::new();
        drop_file(dir.path(), "bad.pdf", b"HONG");
        wait_for(
            &watch,
            &mut seen,
            "an error",
            |e| matches!(e, WatchEvent::Error { message } if message.contains("bad.pdf")),
        );
        drop_file(dir.path(), "good.pdf", b"good");
        wait_taken(&watch, &mut seen, "good.pdf");
        drop_file(dir.path(), "good2.pdf", b"good2");
        wait_taken(&watch, &mut seen, "good2.pdf");
        assert_eq!(calls_for(&log, "bad.pdf"), 1, "{mode:?}: {seen:#?}");
        assert!(dir.path().join("bad.pdf").exists());
        watch.stop();
    }
}

#[test]
fn a_panicking_handler_sends_the_file_to_quarantine_and_the_watch_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let watch = FolderWatch::start(config(dir.path(), WatchMode::Poll, 200), |arrival| {
        assert_ne!(arrival.name, "boom.pdf", "a bug in the handler");
        Disposition::Taken
    })
    .expect("start");
    let mut seen = Vec::new();
    drop_file(dir.path(), "boom.pdf", b"boom");
    wait_for(
        &watch,
        &mut seen,
        "quarantine",
        |e| matches!(e, WatchEvent::Quarantined { name, .. } if name == "boom.pdf"),
    );
    drop_file(dir.path(), "fine.pdf", b"fine");
    wait_taken(&watch, &mut seen, "fine.pdf");
    watch.stop();
}

#[test]
fn stopping_is_prompt_even_with_files_settling() {
    for mode in MODES {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut slow = config(dir.path(), mode, 3_600_000);
        slow.poll_interval = Duration::from_secs(1);
        drop_file(dir.path(), "waiting.pdf", b"waiting");
        let watch = FolderWatch::start(slow, |_: &Arrival| Disposition::Taken).expect("start");
        let (done, stopped) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            watch.stop();
            let _ = done.send(());
        });
        stopped.recv_timeout(PATIENCE).expect("stop() returned while a file was settling");
        assert!(dir.path().join("waiting.pdf").exists());

        // Dropping stops too.
        let watch =
            FolderWatch::start(config(dir.path(), mode, 3_600_000), |_: &Arrival| Disposition::Taken).expect("start");
        let (done, dropped) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            drop(watch);
            let _ = done.send(());
        });
        dropped.recv_timeout(PATIENCE).expect("drop returned");
    }
}

#[test]
fn start_refuses_what_is_not_a_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = FolderWatch::start(WatchConfig::new(dir.path().join("missing")), |_: &Arrival| Disposition::Taken);
    assert!(matches!(missing, Err(CaptureError::Io { .. })));
    fs::write(dir.path().join("file"), b"x").expect("write");
    let file = FolderWatch::start(WatchConfig::new(dir.path().join("file")), |_: &Arrival| Disposition::Taken);
    assert!(matches!(file, Err(CaptureError::NotAFolder { .. })));
    assert!(matches!(
        scan_once(&WatchConfig::new(dir.path().join("missing")), |_| { Disposition::Taken }),
        Err(CaptureError::Io { .. })
    ));
    let defaults = WatchConfig::new(dir.path());
    assert_eq!(defaults.mode, WatchMode::Notify);
    assert_eq!(defaults.settle, Duration::from_secs(2));
    assert_eq!(defaults.poll_interval, Duration::from_secs(1));
}

#[test]
fn scan_once_takes_settled_files_and_leaves_files_being_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = Log::default();
    let mut handler = facade(log.clone());

    // Seen while being written: far too fresh for a minute's settle time.
    let mut writing = fs::File::create(dir.path().join("dang-ghi.pdf")).expect("create");
    writing.write_all(b"%PDF-1.7 first half").expect("write");
    let events = scan_once(&config(dir.path(), WatchMode::Poll, 60_000), &mut handler).expect("scan");
    assert_eq!(events, [WatchEvent::Waiting { name: "dang-ghi.pdf".into() }]);
    assert!(log.lock().expect("log").is_empty());

    writing.write_all(b" and the rest").expect("write");
    drop(writing);
    drop_file(dir.path(), ".hidden.pdf", b"hidden");
    drop_file(dir.path(), "HONG.jpg", b"HONG");
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/hostname", dir.path().join("link.pdf")).expect("symlink");

    // Once nothing changes for the settle time, the whole file is taken.
    let quick = config(dir.path(), WatchMode::Poll, 200);
    let deadline = Instant::now() + PATIENCE;
    let mut all = Vec::new();
    while !all.iter().any(|e| matches!(e, WatchEvent::Taken { name } if name == "dang-ghi.pdf")) {
        assert!(Instant::now() < deadline, "never taken: {all:#?}");
        std::thread::sleep(Duration::from_millis(50));
        all.extend(scan_once(&quick, &mut handler).expect("scan"));
    }
    assert!(all.iter().any(|e| matches!(e, WatchEvent::Quarantined { name, .. } if name == "HONG.jpg")));
    #[cfg(unix)]
    assert!(all.iter().any(|e| matches!(e, WatchEvent::Ignored { name, .. } if name == "link.pdf")));
    let log = log.lock().expect("log").clone();
    let taken: Vec<&Seen> = log.iter().filter(|s| s.arrival.name == "dang-ghi.pdf").collect();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].bytes, b"%PDF-1.7 first half and the rest");
    assert_eq!(taken[0].arrival.sha256, sha256(&taken[0].bytes));
    assert!(log.iter().all(|s| s.arrival.name != "hidden.pdf"));
    assert!(dir.path().join(".hidden.pdf").exists());

    // A later pass finds nothing new.
    let again = scan_once(&quick, &mut handler).expect("scan");
    assert!(again.iter().all(|e| matches!(e, WatchEvent::Ignored { .. })), "{again:#?}");
}

#[test]
fn move_atomically_on_one_file_system_and_across_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = drop_file(dir.path(), "a.pdf", b"content a");
    let to = dir.path().join("stored.pdf");
    move_atomically(&from, &to).expect("rename");
    assert!(!from.exists());
    assert_eq!(fs::read(&to).expect("moved"), b"content a");

    // The copy path, on one file system.
    let from = drop_file(dir.path(), "b.pdf", b"content b");
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).expect("mkdir");
    move_by_copy(&from, &sub.join("b.pdf")).expect("copy");
    assert!(!from.exists());
    assert_eq!(fs::read(sub.join("b.pdf")).expect("copied"), b"content b");
    assert_eq!(fs::read_dir(&sub).expect("list").count(), 1, "no temporary left");

    // A failed copy leaves the source and no temporary behind.
    let from = drop_file(dir.path(), "c.pdf", b"content c");
    let nowhere = dir.path().join("missing").join("c.pdf");
    assert!(move_by_copy(&from, &nowhere).is_err());
    assert!(from.exists());

    // Across file systems (EXDEV) when /dev/shm is one.
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        let other = tempfile::tempdir_in(shm).expect("tempdir in /dev/shm");
        let from = drop_file(dir.path(), "d.pdf", b"content d");
        let to = other.path().join("d.pdf");
        move_atomically(&from, &to).expect("move across");
        assert!(!from.exists());
        assert_eq!(fs::read(&to).expect("moved"), b"content d");
        assert_eq!(fs::read_dir(other.path()).expect("list").count(), 1, "no temporary left");
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let here = fs::metadata(dir.path()).expect("meta").dev();
            let there = fs::metadata(other.path()).expect("meta").dev();
            if here == there {
                eprintln!("note: /dev/shm is on the same file system: the rename path ran");
            }
        }
    }
}

#[test]
fn quarantine_never_overwrites_and_always_writes_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = drop_file(dir.path(), "x.pdf", b"one");
    let first = quarantine(dir.path(), &first, "lý do một").expect("quarantine");
    let second = drop_file(dir.path(), "x.pdf", b"two");
    let second = quarantine(dir.path(), &second, "lý do hai").expect("quarantine");
    let folder = dir.path().join(QUARANTINE_DIR);
    assert_eq!(first, folder.join("x.pdf"));
    assert_eq!(second, folder.join("x (2).pdf"));
    assert_eq!(fs::read(&first).expect("first"), b"one");
    assert_eq!(fs::read(&second).expect("second"), b"two");
    assert_eq!(fs::read_to_string(folder.join(format!("x (2).pdf{REASON_SUFFIX}"))).expect("reason"), "lý do hai\n");

    // A name at the file system's limit still fits with the suffix.
    let long = format!("{}.pdf", "ă".repeat(125));
    let file = drop_file(dir.path(), &long, b"long");
    let moved = quarantine(dir.path(), &file, DAMAGED).expect("quarantine");
    let moved_name = moved.file_name().expect("name").to_string_lossy().into_owned();
    assert!(moved_name.ends_with(".pdf"));
    assert!(folder.join(format!("{moved_name}{REASON_SUFFIX}")).exists());
    assert_eq!(quarantined(dir.path()).len(), 6, "{:#?}", quarantined(dir.path()));
}
