//! Digitising paper end to end, through the `vanthu` binary and the real parts: the SANE `test`
//! backend as the scanner, a watched folder on disk, CUPS with a PDF printer (cups-pdf), and the
//! independent oracles on every PDF we write: `qpdf --check`, `pdfimages` (resolution, colour, JPEG
//! passthrough), PDFBox Preflight (PDF/A-1b), `pdftotext`.
//!
//! The scanner needs `SANE_CONFIG_DIR` pointing at a folder whose `dll.conf` names `test`: each test
//! makes its own. Printing needs `VANTHU_TEST_PRINTER` and `VANTHU_TEST_PRINT_DIR` (the printer's
//! output folder), which `cargo xtask test` sets after starting CUPS; a missing one fails the test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use vanthu_testkit::pdf::Classic;

use crate::support::{init_register, run_json, vanthu, vanthu_bin};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An A4 page at `dpi` as a JPEG written by ImageMagick, with a few lines of "text" (black bars).
fn jpeg_page(dir: &Path, name: &str, dpi: u32, lines: u32) -> PathBuf {
    let path = dir.join(name);
    let (w, h) = (dpi * 827 / 100, dpi * 1169 / 100);
    let mut draw = String::new();
    for i in 0..lines {
        let y = dpi + i * dpi / 3;
        draw.push_str(&format!("rectangle {},{},{},{} ", dpi, y, w - dpi, y + dpi / 12));
    }
    let status = Command::new("convert")
        .args(["-size", &format!("{w}x{h}"), "xc:white", "-fill", "#203060"])
        .args(if draw.is_empty() { vec![] } else { vec!["-draw".to_owned(), draw] })
        .args(["-units", "PixelsPerInch", "-density", &dpi.to_string(), "-quality", "85"])
        .arg(format!("jpeg:{}", path.display()))
        .status()
        .expect("ImageMagick's convert runs (apt-get install imagemagick)");
    assert!(status.success(), "convert made {name}");
    path
}

fn sane_config(dir: &Path) -> PathBuf {
    let conf = dir.join("sane.d");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("dll.conf"), "test\n").unwrap();
    conf
}

fn qpdf_ok(pdf: &Path) {
    let out = Command::new("qpdf").arg("--check").arg(pdf).output().expect("qpdf runs");
    assert_eq!(out.status.code(), Some(0), "qpdf --check {}: {}", pdf.display(), String::from_utf8_lossy(&out.stdout));
}

fn preflight_ok(pdf: &Path) {
    let jars = [
        "preflight.jar",
        "pdfbox2.jar",
        "xmpbox.jar",
        "commons-logging.jar",
        "fontbox2.jar",
        "javax.activation.jar",
        "jaxb-api.jar",
    ]
    .map(|j| format!("/usr/share/java/{j}"))
    .join(":");
    let out = Command::new("java")
        .args(["-cp", &jars, "org.apache.pdfbox.preflight.Validator_A1b"])
        .arg(pdf)
        .output()
        .expect("java runs PDFBox Preflight (apt-get install default-jre-headless libpdfbox2-java)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("is a valid PDF/A-1b file"),
        "Preflight PDF/A-1b refused {}: {text}",
        pdf.display()
    );
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").args(["-layout"]).arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn check_pdf(pdf: &Path) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(vanthu_bin()).args(["check-pdf", "--json"]).arg(pdf).output().unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("check-pdf prints one JSON object ({e}): {}", stderr(&out)));
    (out.status.code(), report)
}

/// Images to one PDF: JPEG data kept byte for byte, 200 dpi, 100 % scale, PDF/A-1b, and the same
/// verdict from our `check-pdf` as from the oracles.
#[test]
fn digitised_files_keep_their_jpeg_bytes_and_meet_the_standard() {
    let dir = tempfile::tempdir().unwrap();
    let pages: Vec<PathBuf> = (1..=3).map(|i| jpeg_page(dir.path(), &format!("trang-{i}.jpg"), 200, i + 2)).collect();
    let out_pdf = dir.path().join("công văn số hoá.pdf");
    let done = run_json(Command::new(vanthu_bin()).args(["--json", "digitise", "--out"]).arg(&out_pdf).args(&pages));
    assert_eq!((done["pages"].as_u64(), done["passthrough"].as_u64()), (Some(3), Some(3)));

    qpdf_ok(&out_pdf);
    preflight_ok(&out_pdf);
    let list = Command::new("pdfimages").arg("-list").arg(&out_pdf).output().unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .filter(|l| l.trim_start().starts_with(char::is_numeric))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 3, "{list}");
    for row in &rows {
        // page num type width height color comp bpc enc interp object ID x-ppi y-ppi …
        assert_eq!((row[5], row[8], row[12], row[13]), ("rgb", "jpeg", "200", "200"), "{list}");
    }
    let extracted = dir.path().join("extracted");
    let status = Command::new("pdfimages").arg("-all").arg(&out_pdf).arg(&extracted).status().unwrap();
    assert!(status.success());
    for (i, page) in pages.iter().enumerate() {
        let back = std::fs::read(dir.path().join(format!("extracted-{i:03}.jpg"))).unwrap();
        assert!(back == std::fs::read(page).unwrap(), "page {} is embedded byte for byte", i + 1);
    }

    let (code, report) = check_pdf(&out_pdf);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["compliant"], true);
    assert_eq!(report["version"], "1.4");
    assert_eq!(report["pdfa"], "1B");
    for p in report["pages"].as_array().unwrap() {
        assert_eq!((p["kind"].as_str(), p["colour"].as_bool()), (Some("scan"), Some(true)), "{p}");
        assert!((p["dpi"].as_f64().unwrap() - 200.0).abs() < 0.5, "{p}");
        assert!((p["scale_percent"].as_f64().unwrap() - 100.0).abs() < 0.5, "{p}");
        assert!((p["width_mm"].as_f64().unwrap() - 210.0).abs() < 1.0, "A4 at 100 %: {p}");
    }
}

/// `check-pdf` on files that miss the standard: exit 4 and the reasons, whoever made them.
#[test]
fn check_pdf_says_why_a_file_misses_the_standard() {
    let dir = tempfile::tempdir().unwrap();
    // A grey 150-dpi scan in a PDF written by hand (not by us): a basic scanner's output.
    let low = jpeg_page(dir.path(), "low.jpg", 150, 2);
    let grey_jpeg = dir.path().join("grey.jpg");
    let status = Command::new("convert")
        .arg(&low)
        .args(["-colorspace", "Gray", "-quality", "80"])
        .arg(&grey_jpeg)
        .status()
        .unwrap();
    assert!(status.success());
    let grey = dir.path().join("grey-150.pdf");
    std::fs::write(&grey, pdf_of_jpeg(&std::fs::read(&grey_jpeg).unwrap(), 1240, 1753, "DeviceGray", 150.0)).unwrap();
    let (code, report) = check_pdf(&grey);
    assert_eq!(code, Some(4), "{report}");
    let codes: Vec<&str> = report["problems"].as_array().unwrap().iter().filter_map(|p| p["code"].as_str()).collect();
    assert!(codes.contains(&"low_resolution") && codes.contains(&"not_colour"), "{codes:?}");
    let text = Command::new(vanthu_bin()).arg("check-pdf").arg(&grey).output().unwrap();
    assert_eq!(text.status.code(), Some(4));
    let said = String::from_utf8_lossy(&text.stdout);
    assert!(said.contains("Không đạt") && said.contains("150 dpi"), "the reasons in Vietnamese: {said}");

    // Encrypted (by qpdf): not accepted, and not a crash.
    let encrypted = dir.path().join("encrypted.pdf");
    let status =
        Command::new("qpdf").args(["--encrypt", "u", "o", "256", "--"]).arg(&grey).arg(&encrypted).status().unwrap();
    assert!(status.success());
    let (code, report) = check_pdf(&encrypted);
    assert_eq!((code, report["encrypted"].as_bool()), (Some(4), Some(true)), "{report}");

    // Not a PDF at all: a clear error, exit 1.
    let junk = dir.path().join("junk.pdf");
    std::fs::write(&junk, b"\x00\x01 not a pdf").unwrap();
    let out = Command::new(vanthu_bin()).arg("check-pdf").arg(&junk).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("PDF"), "{}", stderr(&out));
}

/// Every bad input of the issue: a clear Vietnamese error, no output file, nothing in the queue.
#[test]
fn bad_files_give_a_clear_error_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("so.db");
    init_register(&db);
    let good = jpeg_page(dir.path(), "good.jpg", 200, 3);

    let zero = dir.path().join("zero.jpg");
    std::fs::write(&zero, b"").unwrap();
    let truncated = dir.path().join("truncated.jpg");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    // A PNG whose header claims 100 000 × 100 000 pixels (a tiny file: nothing may be allocated for it).
    let huge = dir.path().join("huge.png");
    std::fs::write(&huge, png_claiming(100_000, 100_000)).unwrap();
    let tiny = dir.path().join("tiny.png");
    let status = Command::new("convert").args(["-size", "1x1", "xc:red"]).arg(&tiny).status().unwrap();
    assert!(status.success());
    // Text calling itself a JPEG.
    let liar = dir.path().join("letter.jpg");
    std::fs::write(&liar, "Kính gửi: Sở Nội vụ\n".repeat(100)).unwrap();
    // A PDF with JavaScript that runs on opening.
    let js = dir.path().join("script.pdf");
    std::fs::write(&js, pdf_with_javascript()).unwrap();
    let encrypted = dir.path().join("encrypted.pdf");
    let plain = dir.path().join("plain.pdf");
    run_json(Command::new(vanthu_bin()).args(["--json", "digitise", "--out"]).arg(&plain).arg(&good));
    let status =
        Command::new("qpdf").args(["--encrypt", "u", "o", "256", "--"]).arg(&plain).arg(&encrypted).status().unwrap();
    assert!(status.success());

    let cases: [(&Path, &str); 7] = [
        (&zero, "rỗng"),
        (&truncated, "hỏng"),
        (&huge, "quá lớn"),
        (&tiny, "quá nhỏ"),
        (&liar, "định dạng"),
        (&js, "JavaScript"),
        (&encrypted, "mã hoá"),
    ];
    for (file, says) in cases {
        let out_pdf = dir.path().join("out.pdf");
        if file.extension().is_none_or(|e| e != "pdf") {
            let out = Command::new(vanthu_bin())
                .args(["digitise", "--out"])
                .arg(&out_pdf)
                .arg(&good)
                .arg(file)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{}: {}", file.display(), stderr(&out));
            assert!(stderr(&out).contains(says), "{} → {}", file.display(), stderr(&out));
            assert!(!out_pdf.exists(), "no output is left after an error ({})", file.display());
        }
        let out = vanthu(&db, None).args(["queue", "add"]).arg(file).output().unwrap();
        assert_ne!(out.status.code(), Some(0), "{} is refused by the queue", file.display());
        assert!(stderr(&out).contains(says), "{} → {}", file.display(), stderr(&out));
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".part"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left: {leftovers:?}");
    let queue = run_json(vanthu(&db, None).args(["queue", "list"]));
    assert_eq!(queue.as_array().map(Vec::len), Some(0), "nothing half-registered in the queue: {queue}");

    // A file name with `../`, control characters and 200 Vietnamese letters is stored under a safe name.
    let long = format!("..\u{1b}[31m{}.jpg", "ă".repeat(100));
    let odd = dir.path().join(&long);
    std::fs::copy(&good, &odd).unwrap();
    let added = run_json(vanthu(&db, None).args(["queue", "add"]).arg(&odd));
    assert_eq!(added["drafts"].as_array().map(Vec::len), Some(1), "{added}");
    let queue = run_json(vanthu(&db, None).args(["queue", "list"]));
    let label = queue[0]["label"].as_str().unwrap().to_owned();
    assert!(!label.contains('/') && !label.contains("..") && !label.chars().any(char::is_control), "{label:?}");
    // The same bytes again are recognised by their hash.
    let again = vanthu(&db, None).args(["queue", "add"]).arg(&good).arg(&odd).output().unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    let problems = answer["problems"].as_array().unwrap();
    assert!(problems.iter().any(|p| p["message"].as_str().unwrap_or("").contains("đã được nhập")), "{answer}");
}

/// A PNG header (signature + IHDR with a correct CRC) claiming `w` × `h` pixels, then a tiny IDAT.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A PDF written by hand from its objects (numbered from 1, the first one the catalogue), with a
/// classic cross-reference table: files "from elsewhere" for the checks, not made by our writer.
fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
    vanthu_testkit::pdf::classic_with(Classic { version: "1.4", id: false, final_newline: true }, objects)
}

/// A one-page PDF showing a JPEG of `w` × `h` pixels at `dpi`.
fn pdf_of_jpeg(jpeg: &[u8], w: u32, h: u32, colour_space: &str, dpi: f32) -> Vec<u8> {
    let (pw, ph) = (w as f32 * 72.0 / dpi, h as f32 * 72.0 / dpi);
    let content = format!("q {pw:.2} 0 0 {ph:.2} 0 0 cm /Im0 Do Q");
    pdf_of(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2} {ph:.2}] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>").into_bytes(),
        [
            format!("<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /{colour_space} /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n", jpeg.len()).into_bytes(),
            jpeg.to_vec(),
            b"\nendstream".to_vec(),
        ]
        .concat(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes(),
    ])
}

/// A one-page PDF whose /OpenAction runs JavaScript.
fn pdf_with_javascript() -> Vec<u8> {
    pdf_of(&[
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert\\('x'\\)) >> >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
    ])
}

/// The scanner through SANE's `test` backend: feeder pages to a compliant PDF; a resolution under
/// 200 dpi and a paper jam are clear errors that leave no file behind.
#[test]
fn scanning_with_sane_makes_a_compliant_pdf_and_a_jam_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let conf = sane_config(dir.path());
    let scan = |args: &[&str], out: &Path| -> Output {
        Command::new(vanthu_bin())
            .env("SANE_CONFIG_DIR", &conf)
            .args(["--json", "scan", "--device", "test"])
            .args(args)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    };
    let pdf = dir.path().join("scan.pdf");
    let out = scan(&["--source", "feeder", "--pages", "4", "--resolution", "200", "--set", "mode=Color"], &pdf);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let done: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(done["pages"], 4);
    qpdf_ok(&pdf);
    preflight_ok(&pdf);
    let (code, report) = check_pdf(&pdf);
    assert_eq!(code, Some(0), "{report}");
    assert!(report["pages"].as_array().unwrap().iter().all(|p| p["colour"] == true && p["dpi"] == 200.0), "{report}");

    let low = dir.path().join("low.pdf");
    let out = scan(&["--resolution", "150"], &low);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("200 dpi"), "{}", stderr(&out));
    assert!(!low.exists());

    for (fault, says) in
        [("SANE_STATUS_JAMMED", "kẹt"), ("SANE_STATUS_COVER_OPEN", "Nắp"), ("SANE_STATUS_NO_DOCS", "hết giấy")]
    {
        let failed = dir.path().join("failed.pdf");
        let out = scan(&["--source", "feeder", "--set", &format!("read-return-value={fault}")], &failed);
        assert_ne!(out.status.code(), Some(0), "{fault}");
        assert!(stderr(&out).contains(says), "{fault}: {}", stderr(&out));
        assert!(!failed.exists(), "{fault}: no output file after the fault");
    }
}

/// The watched folder, one pass at a time: a good scan is taken into the queue and removed; the same
/// bytes dropped again are recognised and set aside with the reason; an unreadable file goes to the
/// quarantine folder with its reason; nothing is taken twice.
#[test]
fn the_scan_folder_takes_good_files_once_and_quarantines_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("so.db");
    init_register(&db);
    let inbox = dir.path().join("Scan");
    std::fs::create_dir(&inbox).unwrap();
    let page = jpeg_page(dir.path(), "page.jpg", 200, 4);
    std::fs::copy(&page, inbox.join("scan-0001.jpg")).unwrap();
    std::fs::write(inbox.join("scan-0002.jpg"), b"\xFF\xD8\xFF\xE0 broken").unwrap();

    let pass = |settle: &str| run_json(vanthu(&db, None).args(["watch", "--once", "--settle", settle]).arg(&inbox));
    let first = pass("0");
    let kinds: Vec<(String, String)> = first["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_owned(), e["kind"].as_str().unwrap().to_owned()))
        .collect();
    assert!(kinds.contains(&("scan-0001.jpg".into(), "taken".into())), "{first}");
    assert!(kinds.contains(&("scan-0002.jpg".into(), "quarantined".into())), "{first}");
    assert!(!inbox.join("scan-0001.jpg").exists(), "a taken file leaves the folder");
    let quarantine = inbox.join("Không đọc được");
    let reason = std::fs::read_to_string(quarantine.join("scan-0002.jpg.ly-do.txt")).unwrap();
    assert!(reason.contains("hỏng"), "the reason is kept beside the file: {reason}");

    // The same scan dropped again under another name.
    std::fs::copy(&page, inbox.join("scan-0003.jpg")).unwrap();
    let second = pass("0");
    assert_eq!(second["events"][0]["kind"], "duplicate", "{second}");
    assert!(!inbox.join("scan-0003.jpg").exists());
    let third = pass("0");
    assert_eq!(third["events"].as_array().map(Vec::len), Some(0), "no loop: {third}");
    let queue = run_json(vanthu(&db, None).args(["queue", "list"]));
    assert_eq!(queue.as_array().map(Vec::len), Some(1), "{queue}");
    assert_eq!(queue[0]["source"], "folder");

    // A file still being written (changed just now) waits for a later pass.
    std::fs::copy(&page, inbox.join("scan-0004.jpg")).unwrap();
    let busy = pass("3600");
    assert_eq!(busy["events"][0]["kind"], "waiting", "{busy}");
    assert!(inbox.join("scan-0004.jpg").exists());
}

/// Page 1 rendered by poppler at 40 dpi: (width, height, RGB bytes).
fn render_page_one(pdf: &Path) -> (usize, usize, Vec<u8>) {
    let out =
        Command::new("pdftoppm").args(["-r", "40", "-f", "1", "-l", "1"]).arg(pdf).output().expect("pdftoppm runs");
    assert!(out.status.success(), "pdftoppm {}", pdf.display());
    // Binary PPM: "P6\n<w> <h>\n255\n" then the pixels.
    let data = out.stdout;
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while data[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !data[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..at]).into_owned());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, data[at + 1..].to_vec())
}

/// The file cups-pdf wrote for a job titled `title` (it names it `<title>…pdf`), printed after `since`.
fn wait_for_print(dir: &Path, title: &str, since: std::time::SystemTime) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.filter_map(Result::ok) {
                let name = e.file_name().to_string_lossy().into_owned();
                let fresh = e.metadata().is_ok_and(|m| m.len() > 0 && m.modified().is_ok_and(|t| t >= since));
                if name.starts_with(title) && name.ends_with(".pdf") && fresh {
                    // cups-pdf writes in place: wait until the file is complete.
                    if Command::new("qpdf").arg("--check").arg(e.path()).output().is_ok_and(|o| o.status.success()) {
                        return e.path();
                    }
                }
            }
        }
        assert!(Instant::now() < deadline, "CUPS printed nothing titled {title} into {} within 90 s", dir.display());
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A feeder batch (a multi-page TIFF with blank separator sheets) into the queue, split at its blank
/// sheets into three documents; each registered from its draft, its archive copy stamped "ĐẾN" as an
/// incremental update (the original's bytes unchanged), and printed through CUPS with the system's
/// mark; the register still checks whole.
#[test]
fn a_batch_is_split_registered_stamped_and_printed() {
    let _printer = crate::support::one_printer();
    let printer = std::env::var("VANTHU_TEST_PRINTER")
        .expect("VANTHU_TEST_PRINTER names a CUPS printer (cups-pdf): run through `cargo xtask test`");
    let printed_to = PathBuf::from(
        std::env::var("VANTHU_TEST_PRINT_DIR").expect("VANTHU_TEST_PRINT_DIR is the printer's output folder"),
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("so.db");
    init_register(&db);
    let now = "2026-11-23T08:30:00+07:00";
    // Eight sheets: 2 + a blank sheet + 3 + our printed separator sheet + 1, as one TIFF from the feeder.
    let separator_pdf = dir.path().join("to-phan-tach.pdf");
    run_json(Command::new(vanthu_bin()).args(["--json", "separator-sheet", "--out"]).arg(&separator_pdf));
    qpdf_ok(&separator_pdf);
    let status = Command::new("pdfimages").arg("-j").arg(&separator_pdf).arg(dir.path().join("sep")).status().unwrap();
    assert!(status.success());
    let mut sheets = Vec::new();
    for (i, lines) in [3, 5, 0, 4, 2, 6, 0, 3].iter().enumerate() {
        sheets.push(if i == 6 {
            dir.path().join("sep-000.jpg")
        } else {
            jpeg_page(dir.path(), &format!("s{i}.jpg"), 200, *lines)
        });
    }
    let batch = dir.path().join("feeder.tif");
    let status = Command::new("convert").args(&sheets).args(["-compress", "jpeg"]).arg(&batch).status().unwrap();
    assert!(status.success());
    let added = run_json(vanthu(&db, Some(now)).args(["queue", "add"]).arg(&batch));
    let draft = added["drafts"][0].as_i64().unwrap();
    let pages = run_json(vanthu(&db, Some(now)).args(["queue", "show", &draft.to_string()]));
    let flags: Vec<(bool, bool)> = pages
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["blank"].as_bool().unwrap(), p["separator"].as_bool().unwrap()))
        .collect();
    let cut: Vec<bool> = flags.iter().map(|(b, s)| *b || *s).collect();
    assert_eq!(cut, [false, false, true, false, false, false, true, false], "blank and separator sheets: {pages}");
    assert!(flags[6].1 && !flags[2].1, "the printed separator sheet is recognised as one: {flags:?}");
    let drafts = run_json(vanthu(&db, Some(now)).args(["queue", "split", &draft.to_string()]));
    let drafts: Vec<i64> = drafts.as_array().unwrap().iter().filter_map(serde_json::Value::as_i64).collect();
    assert_eq!(drafts.len(), 3);
    // The second document's first page was fed upside down: turn it.
    let second = run_json(vanthu(&db, Some(now)).args(["queue", "show", &drafts[1].to_string()]));
    let turned = second[0]["id"].as_i64().unwrap();
    run_json(vanthu(&db, Some(now)).args(["queue", "rotate", &turned.to_string(), "--turns", "2"]));

    let since = std::time::SystemTime::now() - Duration::from_secs(2);
    let mut numbers = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        let reg = run_json(vanthu(&db, Some(now)).args([
            "incoming",
            "add",
            "--draft",
            &d.to_string(),
            "--from",
            "Sở Nội vụ tỉnh Lào Cai",
            "--number",
            &format!("{}/SNV-VP", 100 + i),
            "--type",
            "Công văn",
            "--subject",
            &format!("Về việc số hoá hồ sơ đợt {}", i + 1),
        ]));
        let id = reg["id"].as_str().unwrap().to_owned();
        let number = reg["arrival_number"].as_i64().unwrap();
        numbers.push(number);
        let shown = run_json(vanthu(&db, Some(now)).args(["show", &id]));
        let stored = |sha: &str| db.with_file_name("so.files").join("sha256").join(&sha[..2]).join(sha);
        let original_path = stored(shown["files"][0]["sha256"].as_str().unwrap());
        let original = std::fs::read(&original_path).unwrap();
        let (code, report) = check_pdf(&original_path);
        assert_eq!(code, Some(0), "the registered PDF meets the standard: {report}");
        if i == 1 {
            assert_eq!(report["pages"][0]["rotate"], 180, "the turned page is /Rotate 180, not re-encoded");
        }

        let copy = run_json(vanthu(&db, Some(now)).args(["stamp", &id]));
        let stamped_path = stored(copy["sha256"].as_str().unwrap());
        let stamped = std::fs::read(&stamped_path).unwrap();
        assert!(stamped.len() > original.len() && stamped.starts_with(&original), "the stamp is an incremental update");
        assert_eq!(std::fs::read(&original_path).unwrap(), original, "the original is unchanged");
        qpdf_ok(&stamped_path);
        preflight_ok(&stamped_path);
        let text = pdftotext(&stamped_path);
        assert!(text.contains("ĐẾN") && text.contains(&number.to_string()), "{text}");
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains("ỦY BAN NHÂN DÂN TỈNH LÀO CAI"), "the agency in capitals (App. IV): {text}");
        assert!(text.contains("23/11/2026"), "{text}");

        let job = run_json(vanthu(&db, Some(now)).args(["print-copy", &id, "--printer", &printer]));
        assert!(job["job"].as_str().unwrap().starts_with(&printer), "{job}");
        // What was sent: the stamped copy with the system's mark on every page.
        let sent = PathBuf::from(job["file"].as_str().unwrap());
        let text = pdftotext(&sent);
        assert!(text.contains("ĐẾN") && text.contains("In từ hệ thống Vanthu"), "the copy sent to the printer: {text}");
        assert!(text.contains("Trang 1/"), "{text}");
        // What came out of the printer (cups-pdf re-renders it through Ghostscript, whose fonts carry no
        // text): the same page, pixel for pixel within the printer's rounding, red stamp included.
        let printed = wait_for_print(&printed_to, &format!("vanthu-den-2026-{number}"), since);
        let (ours, theirs) = (render_page_one(&sent), render_page_one(&printed));
        assert_eq!((ours.0, ours.1), (theirs.0, theirs.1), "same page size");
        let diff: u64 = ours.2.iter().zip(&theirs.2).map(|(a, b)| u64::from(a.abs_diff(*b))).sum();
        let mean = diff as f64 / ours.2.len() as f64;
        assert!(mean < 6.0, "the printout looks like the copy sent (mean difference {mean:.2}/255)");
        let red = theirs.2.chunks(3).filter(|p| p[0] > 150 && p[1] < 90 && p[2] < 90).count();
        assert!(red > 200, "the red arrival stamp is on the printout ({red} red pixels)");
    }
    assert_eq!(numbers, [1, 2, 3]);
    let check = vanthu(&db, Some(now)).arg("check").output().unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
}
