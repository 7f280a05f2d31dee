//! The SANE binding against SANE's own `test` backend (virtual scanners `test:0` … `test:7`),
//! compared pixel for pixel with `scanimage` where the two can scan the same thing.
//!
//! SANE reads its configuration once per process, at its first initialisation: every test goes
//! through [`sane_dir`] first, which points `SANE_CONFIG_DIR` at a folder whose `dll.conf` loads
//! only the `test` backend (eight devices, so that tests can run side by side, one device each).
//! The `unsafe` below is that one `set_var`.
#![allow(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use vanthu_capture::CaptureError;
use vanthu_capture::imaging::{RawPage, encode_raw};
use vanthu_capture::sane::{self, BatchEnd, Constraint, OptionKind, ScanFault, ScanSettings, Scanner, Source};

static SANE_DIR: OnceLock<PathBuf> = OnceLock::new();

fn sane_dir() -> &'static Path {
    SANE_DIR.get_or_init(|| {
        // Cargo's scratch folder for integration tests: the same folder, rewritten, every run.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sane-config");
        std::fs::create_dir_all(&dir).expect("sane config folder");
        std::fs::write(dir.join("dll.conf"), "test\n").expect("dll.conf");
        std::fs::write(dir.join("test.conf"), "number_of_devices 8\n").expect("test.conf");
        // SAFETY: set once, inside this OnceLock, before any SANE call of the process: every
        // test waits here first, and nothing else in this binary reads the environment from C.
        unsafe { std::env::set_var("SANE_CONFIG_DIR", &dir) };
        sane::available().expect("libsane (package libsane1) with its test backend");
        dir
    })
}

fn open(name: &str) -> Scanner {
    sane_dir();
    Scanner::open(name).unwrap_or_else(|e| panic!("open {name}: {e}"))
}

fn colour(resolution: u32, source: Source) -> ScanSettings {
    ScanSettings { resolution, source }
}

fn page(scanner: &mut Scanner) -> RawPage {
    scanner.scan_page().unwrap_or_else(|fault| panic!("scan: {fault}")).expect("a page")
}

/// `scanimage` on the same configuration, as interleaved 8-bit RGB (PNM decoded and expanded
/// exactly as the binding documents it: grey to RGB, 1 = black for PBM, high byte of 16-bit).
///
/// The image is read as soon as it is complete: scanimage sometimes hangs at its own exit, in
/// `dlclose` of the test backend (its reader thread, cancelled asynchronously, can die holding
/// the loader's lock), so a child still running a few seconds later is killed.
fn scanimage(device: &str, args: &[&str]) -> (u32, u32, Vec<u8>) {
    use std::io::Read;
    let mut child = Command::new("scanimage")
        .env("SANE_CONFIG_DIR", sane_dir())
        .args(["-d", device, "--format=pnm"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`scanimage` (package sane-utils) must be installed");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 1 << 16];
    let image = loop {
        if let Some(size) = pnm_size(&bytes)
            && bytes.len() >= size
        {
            break Some(pnm_rgb(&bytes));
        }
        match stdout.read(&mut chunk) {
            Ok(0) | Err(_) => break None,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
        }
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while child.try_wait().expect("wait").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if child.try_wait().expect("wait").is_none() {
        child.kill().expect("kill scanimage");
        child.wait().expect("reap scanimage");
    }
    image.unwrap_or_else(|| {
        let mut stderr = String::new();
        child.stderr.take().map(|mut e| e.read_to_string(&mut stderr));
        panic!("scanimage {args:?}: {stderr}")
    })
}

/// The header fields of a PNM (magic, width, height, maxval) and where its data starts.
fn pnm_header(bytes: &[u8]) -> Option<(Vec<String>, usize)> {
    let wanted = if bytes.get(..2)? == b"P4" { 3 } else { 4 };
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < wanted {
        while bytes.get(at)?.is_ascii_whitespace() {
            at += 1;
        }
        if *bytes.get(at)? == b'#' {
            while *bytes.get(at)? != b'\n' {
                at += 1;
            }
            continue;
        }
        let start = at;
        while !bytes.get(at)?.is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
    }
    Some((fields, at + 1))
}

/// The whole size of a PNM file, once its header is there.
fn pnm_size(bytes: &[u8]) -> Option<usize> {
    let (fields, data) = pnm_header(bytes)?;
    let (w, h): (usize, usize) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    let samples = match fields[0].as_str() {
        "P4" => return Some(data + w.div_ceil(8) * h),
        "P5" => w * h,
        _ => w * h * 3,
    };
    let wide = fields.get(3).is_some_and(|m| m == "65535");
    Some(data + samples * if wide { 2 } else { 1 })
}

fn pnm_rgb(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let (fields, at) = pnm_header(bytes).expect("PNM header");
    let data = &bytes[at..];
    let (w, h): (u32, u32) = (fields[1].parse().expect("w"), fields[2].parse().expect("h"));
    let n = (w * h) as usize;
    let wide = fields.get(3).is_some_and(|m| m == "65535");
    let rgb = match (fields[0].as_str(), wide) {
        ("P6", false) => data[..n * 3].to_vec(),
        ("P6", true) => data.chunks_exact(2).take(n * 3).map(|s| s[0]).collect(),
        ("P5", false) => data[..n].iter().flat_map(|&g| [g, g, g]).collect(),
        ("P5", true) => data.chunks_exact(2).take(n).flat_map(|s| [s[0]; 3]).collect(),
        ("P4", _) => {
            let row = (w as usize).div_ceil(8);
            (0..n)
                .map(|i| {
                    let (x, y) = (i % w as usize, i / w as usize);
                    let set = data[y * row + x / 8] & (0x80 >> (x % 8)) != 0;
                    if set { 0 } else { 255 }
                })
                .flat_map(|g| [g, g, g])
                .collect()
        }
        (magic, _) => panic!("unexpected PNM {magic}"),
    };
    (w, h, rgb)
}

/// Pixels at 200 dpi over the test backend's full 200 mm.
const FULL_200: u32 = (200.0 * 200.0 / 25.4) as u32;

#[test]
fn devices_lists_the_test_backend() {
    sane_dir();
    let devices = sane::devices().expect("devices");
    let names: Vec<&str> = devices.iter().map(|d| d.name.as_str()).collect();
    assert!(names.contains(&"test:0"), "{names:?}");
    assert!(names.contains(&"test:7"), "{names:?}");
    let d = &devices[0];
    assert_eq!((d.vendor.as_str(), d.model.as_str()), ("Noname", "frontend-tester"));
    assert_eq!(d.kind, "virtual device");
    assert!(matches!(Scanner::open("no-such-backend:0"), Err(CaptureError::Scanner(_))));
}

#[test]
fn flatbed_colour_page_is_what_scanimage_scans() {
    let mut scanner = open("test:0");
    scanner.configure(&colour(200, Source::Flatbed)).expect("configure");
    scanner.set_option("test-picture", "Color pattern").expect("picture");
    let raw = page(&mut scanner);
    assert_eq!((raw.width, raw.height, raw.dpi), (FULL_200, FULL_200, 200.0));
    let (w, h, expected) = scanimage(
        "test:0",
        &[
            "--mode",
            "Color",
            "--depth",
            "8",
            "--resolution",
            "200",
            "--source",
            "Flatbed",
            "-l",
            "0",
            "-t",
            "0",
            "-x",
            "200",
            "-y",
            "200",
            "--test-picture",
            "Color pattern",
        ],
    );
    assert_eq!((raw.width, raw.height), (w, h));
    assert!(raw.rgb == expected, "pixels differ from scanimage's");
    let page = encode_raw(&raw).expect("encode");
    assert!(!page.analysis.blank);
    assert_eq!(page.dpi, 200.0);
}

#[test]
fn every_frame_format_becomes_the_same_rgb_as_scanimage() {
    // (case, options set after configure, scanimage's arguments for the same picture)
    let colour8: &[&str] = &["--mode", "Color", "--depth", "8"];
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: [Case; 8] = [
        ("colour, 8 bit", &[], colour8),
        ("grey, 8 bit", &[("mode", "Gray")], &["--mode", "Gray", "--depth", "8"]),
        ("grey, 16 bit", &[("mode", "Gray"), ("depth", "16")], &["--mode", "Gray", "--depth", "16"]),
        ("colour, 16 bit", &[("depth", "16")], &["--mode", "Color", "--depth", "16"]),
        ("line-art (grey, 1 bit)", &[("mode", "Gray"), ("depth", "1")], &["--mode", "Gray", "--depth", "1"]),
        ("three-pass RGB", &[("three-pass", "yes")], colour8),
        ("three-pass BGR", &[("three-pass", "yes"), ("three-pass-order", "BGR")], colour8),
        (
            "hand scanner (unknown length)",
            &[("hand-scanner", "yes")],
            &["--mode", "Color", "--depth", "8", "--hand-scanner=yes"],
        ),
    ];
    let mut scanner = open("test:1");
    for (name, options, args) in cases {
        scanner.configure(&colour(200, Source::Flatbed)).expect("configure");
        // Smaller than the full area, for speed; odd sizes to catch line padding.
        scanner.set_option("br-x", "61").expect("br-x");
        scanner.set_option("br-y", "47").expect("br-y");
        scanner.set_option("test-picture", "Color pattern").expect("picture");
        for (option, value) in options {
            scanner.set_option(option, value).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let raw = page(&mut scanner);
        // A hand scanner has no scan area (its width is fixed, its length unknown).
        let area: &[&str] =
            if args.contains(&"--hand-scanner=yes") { &[] } else { &["-l", "0", "-t", "0", "-x", "61", "-y", "47"] };
        let (w, h, expected) =
            scanimage("test:1", &[args, area, &["--resolution", "200", "--test-picture", "Color pattern"]].concat());
        assert_eq!((raw.width, raw.height), (w, h), "{name}");
        assert_eq!(raw.rgb.len(), (w * h * 3) as usize, "{name}");
        let differing = raw.rgb.iter().zip(&expected).filter(|(a, b)| a != b).count();
        assert_eq!(differing, 0, "{name}: {differing} samples differ from scanimage's");
        // Undo what this case changed.
        for (option, default) in [("hand-scanner", "no"), ("three-pass", "no"), ("depth", "8")] {
            if options.iter().any(|(o, _)| o == &option) {
                scanner.set_option(option, default).expect("reset");
            }
        }
    }
}

#[test]
fn colour_line_art_and_solid_pages() {
    let mut scanner = open("test:5");
    scanner.configure(&colour(200, Source::Flatbed)).expect("configure");
    scanner.set_option("br-x", "100").expect("br-x");
    scanner.set_option("br-y", "140").expect("br-y");
    let cases: [(&str, &str, u8, bool); 4] = [
        ("Solid white", "8", 255, true),
        ("Solid black", "8", 0, false),
        ("Solid white", "1", 255, true),
        ("Solid black", "1", 0, false),
    ];
    for (picture, depth, value, blank) in cases {
        scanner.set_option("test-picture", picture).expect("picture");
        scanner.set_option("depth", depth).expect("depth");
        let raw = page(&mut scanner);
        assert!(raw.rgb.iter().all(|&v| v == value), "{picture}, {depth} bit");
        let page = encode_raw(&raw).expect("encode");
        assert_eq!(page.analysis.blank, blank, "{picture}, {depth} bit: {:?}", page.analysis);
    }
}

#[test]
fn settings_and_options() {
    let mut scanner = open("test:4");
    // Below the law's 200 dpi: refused, whatever the device can do.
    assert!(matches!(
        scanner.configure(&colour(150, Source::Flatbed)),
        Err(CaptureError::ResolutionTooLow { requested: 150, minimum: 200 })
    ));
    // The test device has a flatbed and a simplex feeder, no duplex.
    assert!(matches!(scanner.configure(&colour(300, Source::Duplex)), Err(CaptureError::DeviceCannot(_))));
    let value = |scanner: &Scanner, name: &str| {
        scanner.options().expect("options").into_iter().find(|o| o.name == name).and_then(|o| o.value)
    };
    // Snapped to the device's range: 250 stays, 5000 becomes its maximum, 1200.
    for (wanted, got) in [(250, "250"), (5000, "1200"), (200, "200")] {
        scanner.configure(&colour(wanted, Source::Feeder)).expect("configure");
        assert_eq!(value(&scanner, "resolution").as_deref(), Some(got), "{wanted} dpi");
    }
    assert_eq!(value(&scanner, "mode").as_deref(), Some("Color"));
    assert_eq!(value(&scanner, "source").as_deref(), Some("Automatic Document Feeder"));
    assert_eq!(value(&scanner, "br-x").as_deref(), Some("200"));
    assert_eq!(value(&scanner, "tl-y").as_deref(), Some("0"));

    let options = scanner.options().expect("options");
    let mode = options.iter().find(|o| o.name == "mode").expect("mode");
    assert_eq!(mode.kind, OptionKind::String);
    assert_eq!(mode.constraint, Constraint::List(vec!["Gray".into(), "Color".into()]));
    let resolution = options.iter().find(|o| o.name == "resolution").expect("resolution");
    assert_eq!(resolution.kind, OptionKind::Fixed);
    assert_eq!(resolution.constraint, Constraint::Range { min: 1.0, max: 1200.0, step: 1.0 });
    let depth = options.iter().find(|o| o.name == "depth").expect("depth");
    assert_eq!(depth.constraint, Constraint::List(vec!["1".into(), "8".into(), "16".into()]));
    assert!(options.iter().any(|o| o.kind == OptionKind::Group));

    // Errors name the option and what it accepts.
    type Check = fn(&CaptureError) -> bool;
    let refused: [(&str, &str, Check); 7] = [
        ("no-such-option", "1", |e| matches!(e, CaptureError::UnknownOption(_))),
        (
            "mode",
            "Sepia",
            |e| matches!(e, CaptureError::InvalidOptionValue { reason, .. } if reason.contains("Gray, Color")),
        ),
        ("depth", "12", |e| matches!(e, CaptureError::InvalidOptionValue { .. })),
        ("depth", "eight", |e| matches!(e, CaptureError::InvalidOptionValue { .. })),
        ("resolution", "5000", |e| matches!(e, CaptureError::InvalidOptionValue { .. })),
        ("hand-scanner", "maybe", |e| matches!(e, CaptureError::InvalidOptionValue { .. })),
        // Inactive until test options are enabled.
        ("int", "3", |e| matches!(e, CaptureError::UnknownOption(_))),
    ];
    for (name, value, check) in refused {
        let e = scanner.set_option(name, value).expect_err(name);
        assert!(check(&e), "{name}={value}: {e:?}");
        assert!(!e.to_string().is_empty());
    }
    // Options that become active after another is set (SANE asks to reload the descriptors).
    scanner.set_option("mode", "gray").expect("case-insensitive list match");
    assert!(matches!(scanner.set_option("three-pass", "yes"), Err(CaptureError::UnknownOption(_))));
    scanner.set_option("mode", "Color").expect("mode");
    scanner.set_option("three-pass", "yes").expect("active after reload");
    scanner.set_option("three-pass-order", "GBR").expect("active after reload");
    scanner.set_option("enable-test-options", "true").expect("test options");
    scanner.set_option("int", "3").expect("now active");
    scanner.set_option("int-constraint-array", "1,2,3,4,5,6").expect("array");
    assert_eq!(value(&scanner, "int-constraint-array").as_deref(), Some("1,2,3,4,5,6"));
    scanner.set_option("fixed-constraint-word-list", "12.1").expect("fixed list");
    assert_eq!(value(&scanner, "fixed-constraint-word-list").as_deref(), Some("12.1"));
    scanner.set_option("string", "Vanthu").expect("string");
    assert_eq!(value(&scanner, "string").as_deref(), Some("Vanthu"));
    scanner.set_option("button", "").expect("button");
}

#[test]
fn feeder_batch_runs_until_the_feeder_is_empty() {
    let mut scanner = open("test:2");
    scanner.configure(&colour(200, Source::Feeder)).expect("configure");
    scanner.set_option("test-picture", "Color pattern").expect("picture");
    let started = Instant::now();
    let mut numbers = Vec::new();
    let mut bytes = 0;
    let end = scanner.scan_batch(None, |n, raw| {
        assert_eq!((raw.width, raw.height), (FULL_200, FULL_200));
        bytes += encode_raw(&raw)?.jpeg.len();
        numbers.push(n);
        Ok(())
    });
    let elapsed = started.elapsed();
    assert_eq!(end, BatchEnd { pages: 10, fault: None }, "{}", end.summary());
    assert_eq!(numbers, (1..=10).collect::<Vec<_>>());
    assert_eq!(end.summary(), "Đã quét 10 trang");
    eprintln!(
        "feeder: 10 colour pages of {FULL_200} × {FULL_200} at 200 dpi scanned and encoded in \
         {elapsed:?} ({:.1} pages/s, {} KB of JPEG, {} build)",
        10.0 / elapsed.as_secs_f64(),
        bytes / 1024,
        if cfg!(debug_assertions) { "debug" } else { "release" },
    );

    // The test feeder refills after its 11th start: a limit stops a batch without a fault…
    scanner.set_option("br-x", "60").expect("smaller pages");
    scanner.set_option("br-y", "60").expect("smaller pages");
    assert_eq!(scanner.scan_batch(Some(3), |_, _| Ok(())), BatchEnd { pages: 3, fault: None });
    assert_eq!(scanner.scan_batch(Some(7), |_, _| Ok(())), BatchEnd { pages: 7, fault: None });
    // …and a feeder empty from the first page is "no paper".
    let end = scanner.scan_batch(None, |_, _| panic!("no page expected"));
    assert_eq!(end, BatchEnd { pages: 0, fault: Some(ScanFault::NoPaper) });
    assert_eq!(end.summary(), "Máy quét hết giấy ở trang 1; chưa quét được trang nào");
    // The caller stops a batch by returning an error: the pages it took stay counted.
    let end =
        scanner.scan_batch(None, |n, _| if n == 2 { Err(CaptureError::Encode("đĩa đầy".into())) } else { Ok(()) });
    assert_eq!(end.pages, 1);
    assert!(matches!(&end.fault, Some(ScanFault::Other(why)) if why.contains("đĩa đầy")));
}

#[test]
fn a_fault_keeps_the_pages_scanned_before_it() {
    type Case<'a> = (&'a str, fn(&ScanFault) -> bool, &'a str);
    let cases: [Case; 7] = [
        (
            "SANE_STATUS_JAMMED",
            |f| *f == ScanFault::Jammed,
            "Giấy bị kẹt trong máy quét ở trang 3; đã giữ 2 trang đã quét",
        ),
        ("SANE_STATUS_NO_DOCS", |f| *f == ScanFault::NoPaper, "Máy quét hết giấy ở trang 3; đã giữ 2 trang đã quét"),
        (
            "SANE_STATUS_COVER_OPEN",
            |f| *f == ScanFault::CoverOpen,
            "Nắp máy quét đang mở ở trang 3; đã giữ 2 trang đã quét",
        ),
        ("SANE_STATUS_DEVICE_BUSY", |f| *f == ScanFault::Busy, "ở trang 3"),
        ("SANE_STATUS_IO_ERROR", |f| matches!(f, ScanFault::Io(_)), "ở trang 3"),
        ("SANE_STATUS_CANCELLED", |f| *f == ScanFault::Cancelled, "Việc quét đã bị huỷ ở trang 3"),
        ("SANE_STATUS_ACCESS_DENIED", |f| matches!(f, ScanFault::Other(_)), "ở trang 3"),
    ];
    for (status, check, message) in cases {
        // Opened afresh: the test feeder counts its sheets from the opening.
        let mut scanner = open("test:3");
        scanner.configure(&colour(200, Source::Feeder)).expect("configure");
        scanner.set_option("br-x", "50").expect("small pages");
        scanner.set_option("br-y", "70").expect("small pages");
        // The desktop's loop: page by page, keeping each page as it comes.
        let mut kept: Vec<RawPage> = Vec::new();
        let fault = loop {
            if kept.len() == 2 {
                scanner.set_option("read-return-value", status).expect("inject");
            }
            match scanner.scan_page() {
                Ok(Some(page)) => kept.push(page),
                Ok(None) => panic!("{status}: the feeder emptied"),
                Err(fault) => break fault,
            }
        };
        assert!(check(&fault), "{status}: {fault:?}");
        assert_eq!(kept.len(), 2, "{status}");
        let end = BatchEnd { pages: kept.len() as u32, fault: Some(fault) };
        assert!(end.summary().contains(message), "{status}: {}", end.summary());
        // The device was cancelled after the fault: it scans again once the cause is gone.
        scanner.set_option("read-return-value", "Default").expect("clear");
        assert!(scanner.scan_page().expect("after the fault").is_some(), "{status}");
    }

    // The same through scan_batch: a jam on the first page keeps nothing and says so.
    let mut scanner = open("test:3");
    scanner.configure(&colour(200, Source::Feeder)).expect("configure");
    scanner.set_option("read-return-value", "SANE_STATUS_JAMMED").expect("inject");
    let end = scanner.scan_batch(None, |_, _| panic!("no page expected"));
    assert_eq!(end, BatchEnd { pages: 0, fault: Some(ScanFault::Jammed) });
    assert_eq!(end.summary(), "Giấy bị kẹt trong máy quét ở trang 1; chưa quét được trang nào");
}
