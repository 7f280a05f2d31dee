//! Digitised PDFs judged by independent oracles, and the compliance check judged on PDFs made for
//! it.
//!
//! What we write is read back by tools that are not ours: `qpdf --check` (structure), `pdfimages`
//! (resolution, encoding, and the extracted JPEG data byte for byte: passthrough), PDFBox Preflight
//! (PDF/A-1b, metadata agreement) and our own `check`. The check is then run on hand-made PDFs with
//! one known defect each (low resolution, grey, half size, JavaScript, encryption by qpdf, an old
//! version) and on hostile bytes, which must give an error or a report, never a panic, an overflow
//! or a hang. The tests need `qpdf`, `pdfimages` (poppler-utils) and Java with PDFBox 2 Preflight.

use std::cell::Cell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::rc::Rc;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use image::{ExtendedColorType, ImageEncoder};
use vanthu_pdf::PdfError;
use vanthu_pdf::assemble::{Assembler, Metadata, PageSpec, Rotation, assemble};
use vanthu_pdf::check::{PageKind, Report, check};
use vanthu_testkit::pdf::Classic;

// ---------------------------------------------------------------------------------------------
// Inputs.

/// A JPEG of `w` × `h` pixels with a pattern that compresses like a page (not flat), its JFIF
/// density set to `dpi` (aspect ratio only when `None`).
fn jpeg(w: u32, h: u32, colour: bool, dpi: Option<u16>) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let ink = ((x / 7 + y / 11) % 5 == 0) as u8 * 120;
            let r = (x * 255 / w) as u8 ^ ink;
            let g = (y * 255 / h) as u8 ^ ink;
            let b = ((x + y) % 256) as u8;
            if colour {
                pixels.extend_from_slice(&[r, g, b]);
            } else {
                pixels.push(r / 2 + g / 2);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, 80);
    if let Some(dpi) = dpi {
        encoder.set_pixel_density(PixelDensity::dpi(dpi));
    }
    let kind = if colour { ExtendedColorType::Rgb8 } else { ExtendedColorType::L8 };
    encoder.write_image(&pixels, w, h, kind).expect("encode JPEG");
    out
}

fn meta(title: &str, created: time::OffsetDateTime) -> Metadata {
    Metadata {
        title: title.to_owned(),
        producer: "Vanthu 0.1 (kiểm thử)".to_owned(),
        created,
        document_id: *b"vanthu-test-id-1",
    }
}

fn vn_time() -> time::OffsetDateTime {
    time::macros::datetime!(2024-03-15 10:30:05 +07:00)
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} must be installed: {e}"))
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

// ---------------------------------------------------------------------------------------------
// Oracles.

fn qpdf_check(path: &Path) {
    let output = run("qpdf", &["--check", &path.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(0), "qpdf --check {}:\n{}", path.display(), text(&output));
}

/// `pdfimages -list` rows: (page, width, height, colour, encoding, x-ppi, y-ppi).
fn pdfimages_list(path: &Path) -> Vec<(u32, u32, u32, String, String, u32, u32)> {
    let output = run("pdfimages", &["-list", &path.to_string_lossy()]);
    assert!(output.status.success(), "pdfimages -list: {}", text(&output));
    let listing = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = listing.lines().collect();
    assert!(lines.len() >= 2 && lines[0].starts_with("page"), "pdfimages -list: {listing}");
    // Two header lines, then one row per image.
    lines[2..]
        .iter()
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let n = |i: usize| f[i].parse::<u32>().expect("a number in pdfimages -list");
            (n(0), n(3), n(4), f[5].to_owned(), f[8].to_owned(), n(12), n(13))
        })
        .collect()
}

/// The images' data as `pdfimages -all` writes it: a JPEG's stream bytes as they are.
fn pdfimages_extract(path: &Path, dir: &Path) -> Vec<Vec<u8>> {
    let prefix = dir.join("extracted");
    let output = run("pdfimages", &["-all", &path.to_string_lossy(), &prefix.to_string_lossy()]);
    assert!(output.status.success(), "pdfimages -all: {}", text(&output));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list extracted images")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("extracted-")))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).expect("read extracted image")).collect()
}

const PREFLIGHT_JARS: &[&str] = &[
    "preflight.jar",
    "pdfbox2.jar",
    "xmpbox.jar",
    "commons-logging.jar",
    "fontbox2.jar",
    "javax.activation.jar",
    "jaxb-api.jar",
];

/// PDFBox Preflight's PDF/A-1b verdict, with its list of errors.
fn preflight(path: &Path) -> (bool, String) {
    let classpath: Vec<String> = PREFLIGHT_JARS.iter().map(|j| format!("/usr/share/java/{j}")).collect();
    for jar in &classpath {
        assert!(Path::new(jar).exists(), "PDFBox Preflight needs {jar}");
    }
    let output = run(
        "java",
        &["-cp", &classpath.join(":"), "org.apache.pdfbox.preflight.Validator_A1b", &path.to_string_lossy()],
    );
    // With `xml` the exit code is 0 whatever the verdict; without it, 0 means valid.
    let report = text(&output);
    (output.status.success() && report.contains("is a valid PDF/A-1b file"), report)
}

// ---------------------------------------------------------------------------------------------
// Assembling: every oracle on every kind of page.

/// One page of a test document.
struct Page {
    width: u32,
    height: u32,
    colour: bool,
    /// The JFIF density written into the JPEG.
    jfif_dpi: Option<u16>,
    /// The resolution passed to the assembler, overriding the JFIF density.
    given_dpi: Option<f32>,
    rotation: Rotation,
    /// The resolution the page must come out with.
    want_dpi: u32,
}

const fn page(width: u32, height: u32, colour: bool, jfif_dpi: Option<u16>, given_dpi: Option<f32>) -> Page {
    let want_dpi = match (given_dpi, jfif_dpi) {
        (Some(d), _) => d as u32,
        (None, Some(d)) => d as u32,
        (None, None) => 0,
    };
    Page { width, height, colour, jfif_dpi, given_dpi, rotation: Rotation::None, want_dpi }
}

const fn turned(mut p: Page, rotation: Rotation) -> Page {
    p.rotation = rotation;
    p
}

/// Assembles `pages`, then asks qpdf, pdfimages, Preflight and `check` about the file.
fn assemble_and_judge(name: &str, title: &str, created: time::OffsetDateTime, pages: &[Page]) -> Report {
    let dir = tempfile::tempdir().expect("temporary folder");
    let jpegs: Vec<Vec<u8>> = pages.iter().map(|p| jpeg(p.width, p.height, p.colour, p.jfif_dpi)).collect();
    let specs = pages.iter().zip(&jpegs).map(|(p, j)| PageSpec { jpeg: j, dpi: p.given_dpi, rotation: p.rotation });
    let (bytes, infos) = assemble(specs, meta(title, created), Vec::new()).expect("assemble");
    let path = write_file(dir.path(), &format!("{name}.pdf"), &bytes);
    assert!(bytes.starts_with(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"), "{name}: header");

    qpdf_check(&path);

    let listed = pdfimages_list(&path);
    assert_eq!(listed.len(), pages.len(), "{name}: one image per page");
    for (i, (row, p)) in listed.iter().zip(pages).enumerate() {
        let colour = if p.colour { "rgb" } else { "gray" };
        assert_eq!(
            row,
            &(i as u32 + 1, p.width, p.height, colour.to_owned(), "jpeg".to_owned(), p.want_dpi, p.want_dpi),
            "{name}: pdfimages -list, page {}",
            i + 1
        );
    }
    let extract_dir = tempfile::tempdir().expect("temporary folder");
    let extracted = pdfimages_extract(&path, extract_dir.path());
    assert!(extracted == jpegs, "{name}: the embedded JPEG data differs from the input");

    let (valid, errors) = preflight(&path);
    assert!(valid, "{name}: PDFBox Preflight PDF/A-1b:\n{errors}");

    let report = check(&bytes).expect("check our own file");
    assert_eq!(report.version, "1.4");
    assert_eq!(report.pdfa.as_deref(), Some("1B"), "{name}");
    assert!(report.output_intent && !report.encrypted && !report.javascript, "{name}: {report:?}");
    assert_eq!(report.pages.len(), pages.len());
    for ((r, p), info) in report.pages.iter().zip(pages).zip(&infos) {
        assert_eq!(r.kind, PageKind::Scan, "{name}: page {}", r.page);
        assert_eq!(r.colour, Some(p.colour), "{name}: page {}", r.page);
        let dpi = r.dpi.expect("a scan has a resolution");
        assert!((dpi - p.want_dpi as f32).abs() < 0.05, "{name}: page {} at {dpi} dpi", r.page);
        let scale = r.scale_percent.expect("a scan has a scale");
        assert!((scale - 100.0).abs() < 0.01, "{name}: page {} at {scale} %", r.page);
        assert_eq!(r.rotate, p.rotation.degrees());
        // What check sees is what the assembler said it made: displayed size, after rotation.
        assert!((r.width_mm - info.width_mm).abs() < 0.02, "{name}: {r:?} vs {info:?}");
        assert!((r.height_mm - info.height_mm).abs() < 0.02, "{name}: {r:?} vs {info:?}");
        let (w, h) = (p.width as f32 / p.want_dpi as f32 * 25.4, p.height as f32 / p.want_dpi as f32 * 25.4);
        let (w, h) = if p.rotation.degrees() % 180 == 90 { (h, w) } else { (w, h) };
        assert!((info.width_mm - w).abs() < 0.01 && (info.height_mm - h).abs() < 0.01, "{name}: {info:?}");
        assert_eq!(info.colour, p.colour);
    }
    report
}

#[test]
fn an_a4_colour_scan_at_200_dpi_passes_every_oracle() {
    let report = assemble_and_judge(
        "a4",
        "Công văn số 15/UBND-VP về việc báo cáo",
        vn_time(),
        &[page(1654, 2339, true, Some(200), None)],
    );
    assert!(report.compliant, "{report:?}");
    let p = &report.pages[0];
    assert!((p.width_mm - 210.0).abs() < 0.1 && (p.height_mm - 297.0).abs() < 0.1, "{p:?}");
}

#[test]
fn mixed_pages_rotations_and_resolutions_pass_every_oracle() {
    let pages = [
        page(400, 566, true, Some(300), None),
        page(400, 566, true, None, Some(200.0)),
        turned(page(566, 400, true, Some(72), Some(250.0)), Rotation::Right),
        turned(page(400, 566, true, Some(200), None), Rotation::UpsideDown),
        turned(page(566, 400, true, Some(200), None), Rotation::Left),
        page(400, 566, false, Some(300), None),
    ];
    let report = assemble_and_judge(
        "mixed",
        "Tờ trình <dự thảo> & \"ý kiến\" — Sở Thông tin và Truyền thông; đ Đ ư Ư ơ",
        time::macros::datetime!(2023-12-31 23:59:59 UTC),
        &pages,
    );
    // The grey page is the only defect.
    let codes: Vec<(&str, Option<u32>)> = report.problems.iter().map(|p| (p.code, p.page)).collect();
    assert_eq!(codes, [("not_colour", Some(6))]);
}

#[test]
fn metadata_agrees_whatever_the_offset_and_title() {
    for (name, title, created) in [
        ("minus", "", time::macros::datetime!(1999-01-02 03:04:05 -03:30)),
        ("ascii", "Report (draft) \\ 100%", time::macros::datetime!(2030-06-30 12:00:00.999 +14:00)),
        ("control", "Dòng 1\r\nDòng 2\tcột", time::macros::datetime!(2024-02-29 00:00:00 +05:45)),
    ] {
        assemble_and_judge(name, title, created, &[page(300, 300, true, Some(200), None)]);
    }
}

#[test]
fn preflight_can_say_no() {
    // The oracle is only worth its "yes" if it says "no": a modification date in Info that is one
    // second off the XMP's must be refused.
    let image = jpeg(200, 280, true, Some(200));
    let pages = [PageSpec { jpeg: &image, dpi: None, rotation: Rotation::None }];
    let (mut bytes, _) = assemble(pages, meta("Sai ngày", vn_time()), Vec::new()).expect("assemble");
    let date = b"/ModDate (D:20240315103005";
    let at = bytes.windows(date.len()).position(|w| w == date).expect("the Info's ModDate");
    bytes[at + date.len() - 1] = b'6';
    let dir = tempfile::tempdir().expect("temporary folder");
    let (valid, report) = preflight(&write_file(dir.path(), "tampered.pdf", &bytes));
    assert!(!valid && report.contains("7.2"), "{report}");
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let image = jpeg(200, 280, true, Some(200));
    let build = |id: [u8; 16]| {
        let mut m = meta("Giống hệt", vn_time());
        m.document_id = id;
        let pages = [PageSpec { jpeg: &image, dpi: None, rotation: Rotation::Right }];
        assemble(pages, m, Vec::new()).expect("assemble").0
    };
    assert_eq!(build([7; 16]), build([7; 16]));
    assert_ne!(build([7; 16]), build([8; 16]));
}

#[test]
fn unusable_pages_are_refused_and_the_document_goes_on() {
    let good = jpeg(200, 280, true, Some(200));
    let no_density = jpeg(200, 280, true, None);
    let grey = jpeg(200, 280, false, None);
    let mut cmyk = good.clone();
    // Claim four components in the frame header: CMYK must be re-encoded by the caller.
    let sof = cmyk.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline frame");
    cmyk[sof + 9] = 4;
    let mut arithmetic = good.clone();
    arithmetic[sof + 1] = 0xC9;
    let tiny = jpeg(8, 8, true, None);

    let mut assembler = Assembler::new(Vec::new(), meta("Từ chối", vn_time())).expect("start");
    type Case<'a> = (&'a str, &'a [u8], Option<f32>, fn(&PdfError) -> bool);
    let cases: Vec<Case> = vec![
        ("no resolution", &no_density, None, |e| matches!(e, PdfError::NoResolution)),
        ("5 dpi", &good, Some(5.0), |e| matches!(e, PdfError::ResolutionOutOfRange(_))),
        ("3000 dpi", &good, Some(3000.0), |e| matches!(e, PdfError::ResolutionOutOfRange(_))),
        ("NaN dpi", &grey, Some(f32::NAN), |e| matches!(e, PdfError::ResolutionOutOfRange(_))),
        ("too small", &tiny, Some(2400.0), |e| matches!(e, PdfError::PageSize { .. })),
        ("cmyk", &cmyk, None, |e| matches!(e, PdfError::UnsupportedImage(_))),
        ("arithmetic", &arithmetic, None, |e| matches!(e, PdfError::UnsupportedImage(_))),
        ("png", b"\x89PNG\r\n\x1a\n", Some(200.0), |e| matches!(e, PdfError::UnsupportedImage(_))),
        ("empty", b"", Some(200.0), |e| matches!(e, PdfError::UnsupportedImage(_))),
        ("truncated", &good[..300], None, |e| matches!(e, PdfError::UnsupportedImage(_))),
    ];
    for (name, jpeg, dpi, expected) in cases {
        let spec = PageSpec { jpeg, dpi, rotation: Rotation::None };
        let error = assembler.add_page(spec).expect_err(name);
        assert!(expected(&error), "{name}: {error:?}");
        assert!(!error.to_string().is_empty());
    }
    let wide = jpeg(2000, 16, true, Some(10));
    let error =
        assembler.add_page(PageSpec { jpeg: &wide, dpi: Some(9.99), rotation: Rotation::None }).expect_err("9.99 dpi");
    assert!(matches!(error, PdfError::ResolutionOutOfRange(_)), "{error:?}");
    assert_eq!(assembler.page_count(), 0);
    let spec = PageSpec { jpeg: &good, dpi: None, rotation: Rotation::None };
    assembler.add_page(spec).expect("a good page after refusals");
    let bytes = assembler.finish().expect("finish");
    let report = check(&bytes).expect("check");
    assert_eq!(report.pages.len(), 1);
    assert!(report.compliant, "{report:?}");

    let empty = Assembler::new(Vec::new(), meta("", vn_time())).expect("start");
    assert!(matches!(empty.finish(), Err(PdfError::NoPages)));
}

#[test]
fn pages_larger_than_pdf_allows_are_refused() {
    // 65 535 px is the largest JPEG side; at 10 dpi that is 6.5 m, over 5080 mm.
    let mut wide = jpeg(64, 16, true, Some(10));
    let sof = wide.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline frame");
    wide[sof + 7] = 0xFF;
    wide[sof + 8] = 0xFF;
    let mut assembler = Assembler::new(Vec::new(), meta("", vn_time())).expect("start");
    let error =
        assembler.add_page(PageSpec { jpeg: &wide, dpi: None, rotation: Rotation::None }).expect_err("too wide");
    match error {
        PdfError::PageSize { width_mm, .. } => assert!(width_mm > 5080.0, "{width_mm}"),
        other => panic!("{other:?}"),
    }
}

/// A writer that counts what it is given and keeps nothing.
struct Counting(Rc<Cell<u64>>);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + buf.len() as u64);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Assembles `pages` copies of one A4 scan into a counting writer, asserting that each page has
/// reached the writer when `add_page` returns.
fn assemble_copies(pages: usize) -> u64 {
    let image = jpeg(1654, 2339, true, Some(200));
    let written = Rc::new(Cell::new(0));
    let mut assembler = Assembler::new(Counting(written.clone()), meta("300 trang", vn_time())).expect("start");
    for i in 1..=pages {
        let before = written.get();
        let spec = PageSpec { jpeg: &image, dpi: None, rotation: Rotation::None };
        assembler.add_page(spec).expect("add page");
        // The page is in the writer, not in the assembler.
        assert!(written.get() >= before + image.len() as u64, "page {i} was held back");
        assert_eq!(assembler.page_count(), i);
    }
    assembler.finish().expect("finish");
    written.get()
}

/// Peak resident memory (VmHWM) of this process, in KiB.
#[cfg(target_os = "linux")]
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Assembling 300 pages takes no more memory than 10: the assembler streams. Each count runs in a
/// child process of this test binary (this test alone), which reports its peak resident memory.
#[cfg(target_os = "linux")]
#[test]
fn peak_memory_does_not_grow_with_the_page_count() {
    const TEST: &str = "peak_memory_does_not_grow_with_the_page_count";
    if let Ok(pages) = std::env::var("VANTHU_PDF_PROBE_PAGES") {
        let pages: usize = pages.parse().expect("a page count");
        let written = assemble_copies(pages);
        let out = std::env::var("VANTHU_PDF_PROBE_OUT").expect("where to report");
        std::fs::write(out, format!("{} {written}", peak_kib())).expect("report");
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let probe = |pages: usize| -> (u64, u64) {
        let out = dir.path().join(format!("probe-{pages}"));
        let exe = std::env::current_exe().expect("this test binary");
        let output = Command::new(exe)
            .args([TEST, "--exact", "--test-threads=1"])
            .env("VANTHU_PDF_PROBE_PAGES", pages.to_string())
            .env("VANTHU_PDF_PROBE_OUT", &out)
            .output()
            .expect("run the probe");
        assert!(output.status.success(), "probe with {pages} pages: {}", text(&output));
        let report = std::fs::read_to_string(&out).expect("the probe's report");
        let mut fields = report.split(' ').map(|f| f.parse::<u64>().expect("a number"));
        (fields.next().unwrap_or(0), fields.next().unwrap_or(0))
    };
    let (peak_10, written_10) = probe(10);
    let (peak_300, written_300) = probe(300);
    // The output did grow thirtyfold (so the probe really ran)…
    assert!(written_300 > 25 * written_10, "{written_10} → {written_300} bytes");
    // …and the memory did not: 290 more pages of this size would be hundreds of MiB if kept.
    assert!(
        peak_300 < peak_10 + 8 * 1024,
        "peak memory {peak_10} KiB for 10 pages, {peak_300} KiB for 300 ({} bytes per page)",
        written_300 / 300
    );
}

// ---------------------------------------------------------------------------------------------
// Checking PDFs made for it.

/// A PDF with the given objects numbered from 1 (object 1 is the catalog), a classic xref table.
fn hand_pdf(version: &str, objects: &[Vec<u8>]) -> Vec<u8> {
    vanthu_testkit::pdf::classic_with(Classic { version, id: false, final_newline: true }, objects)
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// One page of `width` × `height` points drawing `content`, with an image `/Im0` (object 4),
/// a form `/Fm0` (object 6, drawing the image through `form_matrix`) and a font `/F1`.
fn one_page_pdf(
    version: &str,
    catalog_extra: &str,
    size: (f64, f64),
    content: impl AsRef<[u8]>,
    image: (&[u8], &str),
) -> Vec<u8> {
    let (jpeg, colour_space) = image;
    let info = image_size(jpeg);
    hand_pdf(
        version,
        &[
            format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>").into_bytes(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Contents 5 0 R /Resources << \
                 /XObject << /Im0 4 0 R /Fm0 6 0 R >> /Font << /F1 7 0 R >> >> >>",
                size.0, size.1
            )
            .into_bytes(),
            stream(
                &format!(
                    "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /{colour_space} \
                     /BitsPerComponent 8 /Filter /DCTDecode",
                    info.0, info.1
                ),
                jpeg,
            ),
            stream("", content.as_ref()),
            stream(
                &format!(
                    "/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Matrix [{} 0 0 {} 0 0] \
                     /Resources << /XObject << /Im1 4 0 R >> >>",
                    size.0, size.1
                ),
                b"/Im1 Do",
            ),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ],
    )
}

/// Width and height from a JPEG's baseline frame header.
fn image_size(jpeg: &[u8]) -> (u32, u32) {
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline frame");
    let be = |at: usize| u32::from(u16::from_be_bytes([jpeg[at], jpeg[at + 1]]));
    (be(sof + 7), be(sof + 5))
}

/// What a check must find: problem codes, page kind, dpi, scale, colour.
#[derive(Clone, Copy)]
struct Expect {
    problems: &'static [&'static str],
    kind: PageKind,
    dpi: Option<f32>,
    scale: Option<f32>,
    colour: Option<bool>,
}

fn expect_report(name: &str, bytes: &[u8], want: Expect) -> Report {
    let report = check(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let codes: Vec<&str> = report.problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, want.problems, "{name}: {report:#?}");
    assert_eq!(report.compliant, want.problems.is_empty(), "{name}");
    let page = &report.pages[0];
    assert_eq!(page.kind, want.kind, "{name}: {page:#?}");
    assert_eq!(page.colour, want.colour, "{name}: {page:#?}");
    let close = |a: Option<f32>, b: Option<f32>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 0.05,
        (a, b) => a == b,
    };
    assert!(close(page.dpi, want.dpi), "{name}: dpi {:?}, want {:?}", page.dpi, want.dpi);
    assert!(close(page.scale_percent, want.scale), "{name}: scale {:?}, want {:?}", page.scale_percent, want.scale);
    report
}

#[test]
fn check_finds_each_defect() {
    let colour = jpeg(400, 560, true, None);
    let grey = jpeg(400, 560, false, None);
    // 400 × 560 px at 200 dpi is 144 × 201.6 pt.
    let at_200 = (144.0, 201.6);
    let at_150 = (192.0, 268.8);
    let fill = |(w, h): (f64, f64)| format!("q {w} 0 0 {h} 0 0 cm /Im0 Do Q");
    let scan = Expect { problems: &[], kind: PageKind::Scan, dpi: Some(200.0), scale: Some(100.0), colour: Some(true) };
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("scan", one_page_pdf("1.4", "", at_200, fill(at_200), (&colour, "DeviceRGB")), Expect { ..scan }),
        (
            "150 dpi",
            one_page_pdf("1.4", "", at_150, fill(at_150), (&colour, "DeviceRGB")),
            Expect { problems: &["low_resolution"], dpi: Some(150.0), ..scan },
        ),
        (
            "grey",
            one_page_pdf("1.5", "", at_200, fill(at_200), (&grey, "DeviceGray")),
            Expect { problems: &["not_colour"], colour: Some(false), ..scan },
        ),
        (
            "half size",
            one_page_pdf("1.4", "", at_200, "q 72 0 0 100.8 36 50 cm /Im0 Do Q", (&colour, "DeviceRGB")),
            Expect {
                problems: &["not_full_scale"],
                kind: PageKind::Mixed,
                dpi: Some(400.0),
                scale: Some(25.0),
                ..scan
            },
        ),
        (
            "old version",
            one_page_pdf("1.3", "", at_200, fill(at_200), (&colour, "DeviceRGB")),
            Expect { problems: &["version_too_old"], ..scan },
        ),
        (
            "catalog version raises it",
            one_page_pdf("1.3", "/Version /1.7", at_200, fill(at_200), (&colour, "DeviceRGB")),
            Expect { ..scan },
        ),
        (
            "javascript",
            one_page_pdf(
                "1.4",
                "/OpenAction << /S /JavaScript /JS (app.alert\\('xin chào'\\)) >>",
                at_200,
                fill(at_200),
                (&colour, "DeviceRGB"),
            ),
            Expect { problems: &["javascript"], ..scan },
        ),
        ("through a form", one_page_pdf("1.4", "", at_200, "q /Fm0 Do Q", (&colour, "DeviceRGB")), Expect { ..scan }),
        (
            "rotated in the content",
            one_page_pdf("1.4", "", (201.6, 144.0), "q 0 144 -201.6 0 201.6 0 cm /Im0 Do Q", (&colour, "DeviceRGB")),
            Expect { ..scan },
        ),
        (
            "invisible OCR text",
            one_page_pdf(
                "1.4",
                "",
                at_200,
                format!("{} BT 3 Tr /F1 12 Tf 10 10 Td (so 15/UBND) Tj ET", fill(at_200)),
                (&colour, "DeviceRGB"),
            ),
            Expect { ..scan },
        ),
        (
            "visible text on a scan",
            one_page_pdf(
                "1.4",
                "",
                at_200,
                format!("{} BT /F1 12 Tf 10 10 Td (DEN) Tj ET", fill(at_200)),
                (&colour, "DeviceRGB"),
            ),
            Expect { kind: PageKind::Mixed, ..scan },
        ),
        (
            "vector",
            one_page_pdf(
                "1.4",
                "",
                (595.0, 842.0),
                "BT /F1 24 Tf 72 720 Td (Cong van) Tj ET 72 700 m 500 700 l S",
                (&colour, "DeviceRGB"),
            ),
            Expect { problems: &[], kind: PageKind::Vector, dpi: None, scale: None, colour: None },
        ),
        (
            "small logo at 72 dpi on a letter",
            one_page_pdf(
                "1.4",
                "",
                (595.0, 842.0),
                "BT /F1 24 Tf 72 720 Td (Cong van) Tj ET q 40 0 0 56 20 760 cm /Im0 Do Q",
                (&grey, "DeviceGray"),
            ),
            Expect { problems: &[], kind: PageKind::Vector, dpi: Some(720.0), scale: None, colour: Some(false) },
        ),
        (
            "inline image",
            one_page_pdf(
                "1.4",
                "",
                at_200,
                "q 144 0 0 201.6 0 0 cm BI /W 2 /H 2 /CS /RGB /BPC 8 ID \u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{b}\u{c}\u{e}\u{f} EI Q",
                (&colour, "DeviceRGB"),
            ),
            Expect { problems: &["low_resolution"], dpi: Some(0.71), ..scan },
        ),
        (
            "inline JPEG without a colour space",
            one_page_pdf(
                "1.4",
                "",
                at_200,
                [b"q 144 0 0 201.6 0 0 cm BI /W 400 /H 560 /BPC 8 /F /DCT ID ".as_slice(), &colour, b" EI Q"].concat(),
                (&colour, "DeviceRGB"),
            ),
            Expect { ..scan },
        ),
        (
            "empty page",
            one_page_pdf("1.4", "", at_200, "", (&colour, "DeviceRGB")),
            Expect { problems: &[], kind: PageKind::Empty, dpi: None, scale: None, colour: None },
        ),
    ];
    for (name, bytes, want) in cases {
        let report = expect_report(name, &bytes, want);
        if name == "through a form" {
            assert_eq!(report.pages[0].images.len(), 1, "{name}");
        }
        if name == "inline image" {
            assert_eq!(report.pages[0].images[0].colour_space, "DeviceRGB");
        }
        if name == "inline JPEG without a colour space" {
            let image = &report.pages[0].images[0];
            assert_eq!(image.filter.as_deref(), Some("DCTDecode"));
            assert!(image.colour_space.starts_with("JPEG (3"), "{image:?}");
        }
        if name == "scan" {
            let image = &report.pages[0].images[0];
            assert_eq!(image.filter.as_deref(), Some("DCTDecode"));
            assert_eq!((image.width, image.height, image.bits), (400, 560, 8));
            assert_eq!(report.pdfa, None);
            assert!(!report.output_intent);
        }
    }
}

#[test]
fn problems_name_the_page_in_vietnamese() {
    let colour = jpeg(400, 560, true, None);
    let bytes = one_page_pdf("1.4", "", (192.0, 268.8), "q 192 0 0 268.8 0 0 cm /Im0 Do Q", (&colour, "DeviceRGB"));
    let report = check(&bytes).expect("check");
    assert_eq!(report.problems[0].page, Some(1));
    assert_eq!(report.problems[0].message, "Trang 1: độ phân giải 150 dpi, dưới mức tối thiểu 200 dpi");
}

#[test]
fn encrypted_files_are_reported_not_opened() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let image = jpeg(400, 560, true, Some(200));
    let pages = [PageSpec { jpeg: &image, dpi: None, rotation: Rotation::None }];
    let (plain, _) = assemble(pages, meta("Mật", vn_time()), Vec::new()).expect("assemble");
    let plain_path = write_file(dir.path(), "plain.pdf", &plain);
    for (name, user) in [("with a password", "u"), ("with an empty user password", "")] {
        let out = dir.path().join(format!("{}.pdf", name.replace(' ', "-")));
        let output =
            run("qpdf", &["--encrypt", user, "o", "256", "--", &plain_path.to_string_lossy(), &out.to_string_lossy()]);
        assert!(output.status.success(), "qpdf --encrypt: {}", text(&output));
        let bytes = std::fs::read(&out).expect("read encrypted file");
        let report = check(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(report.encrypted && !report.compliant, "{name}: {report:?}");
        assert!(report.problems.iter().any(|p| p.code == "encrypted"), "{name}: {report:?}");
    }
}

#[test]
fn the_json_has_the_documented_keys() {
    let colour = jpeg(400, 560, true, None);
    let bytes = one_page_pdf("1.4", "", (192.0, 268.8), "q 192 0 0 268.8 0 0 cm /Im0 Do Q", (&colour, "DeviceRGB"));
    let json = serde_json::to_value(check(&bytes).expect("check")).expect("serialise");
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&json),
        ["compliant", "encrypted", "javascript", "output_intent", "pages", "pdfa", "problems", "version"]
    );
    let page = &json["pages"][0];
    assert_eq!(
        keys(page),
        ["colour", "dpi", "height_mm", "images", "kind", "page", "rotate", "scale_percent", "width_mm"]
    );
    assert_eq!(page["kind"], "scan");
    assert_eq!(
        keys(&page["images"][0]),
        ["bits", "colour", "colour_space", "dpi_x", "dpi_y", "filter", "height", "width"]
    );
    assert_eq!(keys(&json["problems"][0]), ["code", "message", "page"]);
    assert_eq!(json["problems"][0]["code"], "low_resolution");
}

// ---------------------------------------------------------------------------------------------
// Hostile inputs: an error or a report, never a panic, an overflow or a hang.

/// A PDF whose page's content is `content` and whose catalog carries `extra` as an object.
fn with_payload(payload: &[u8]) -> Vec<u8> {
    let mut catalog = b"<< /Type /Catalog /Pages 2 0 R /Payload ".to_vec();
    catalog.extend_from_slice(payload);
    catalog.extend_from_slice(b" >>");
    hand_pdf(
        "1.4",
        &[
            catalog,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R >>".to_vec(),
            stream("", payload),
        ],
    )
}

fn nested(open: &str, close: &str, depth: usize) -> Vec<u8> {
    let mut out = open.repeat(depth).into_bytes();
    out.extend_from_slice(close.repeat(depth).as_bytes());
    out
}

#[test]
fn hostile_inputs_give_an_error_or_a_report() {
    let image = jpeg(200, 280, true, Some(200));
    let pages = [PageSpec { jpeg: &image, dpi: None, rotation: Rotation::None }];
    let (good, _) = assemble(pages, meta("Hợp lệ", vn_time()), Vec::new()).expect("assemble");

    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut random = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    };
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("zero bytes".into(), Vec::new()),
        ("random bytes".into(), random(64 * 1024)),
        ("header only".into(), b"%PDF-1.4\n".to_vec()),
        ("header and random".into(), [b"%PDF-1.7\n".to_vec(), random(100_000)].concat()),
        ("100 000 nested arrays".into(), with_payload(&nested("[", "]", 100_000))),
        ("100 000 nested dictionaries".into(), with_payload(&nested("<< /A ", ">>", 100_000))),
        ("100 000 unclosed arrays".into(), with_payload(&"[".repeat(100_000).into_bytes())),
        ("100 000 nested strings".into(), with_payload(&nested("(", ")", 100_000))),
        ("100 000 q".into(), with_payload(&"q ".repeat(100_000).into_bytes())),
        ("25 million operands".into(), {
            let mut content = b"0 ".repeat(25 << 20);
            content.extend_from_slice(b"cm");
            hand_pdf(
                "1.4",
                &[
                    b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R >>".to_vec(),
                    stream("", &content),
                ],
            )
        }),
        ("a 50 MB string".into(), with_payload(&[b"(".to_vec(), vec![b'a'; 50 << 20], b")".to_vec()].concat())),
        ("a 50 MB stream".into(), {
            let big = stream("", &random(50 << 20));
            hand_pdf(
                "1.4",
                &[
                    b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R >>".to_vec(),
                    big,
                ],
            )
        }),
        ("a page tree that loops".into(), {
            hand_pdf(
                "1.4",
                &[
                    b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                    b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 /Parent 2 0 R >>".to_vec(),
                    b"<< /Type /Page /Parent 3 0 R >>".to_vec(),
                ],
            )
        }),
        ("a form that draws itself".into(), {
            hand_pdf(
                "1.4",
                &[
                    b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] /Contents 4 0 R \
                      /Resources << /XObject << /X 5 0 R >> >> >>"
                        .to_vec(),
                    stream("", b"/X Do /X Do"),
                    stream(
                        "/Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /X 5 0 R >> >>",
                        b"/X Do /X Do /X Do /X Do",
                    ),
                ],
            )
        }),
    ];
    for cut in [9, 100, good.len() / 2, good.len() - 40, good.len() - 1] {
        cases.push((format!("cut at {cut}"), good[..cut].to_vec()));
    }
    count_parser_panics();
    for (name, bytes) in &cases {
        match check(bytes) {
            Ok(report) => assert_eq!(report.compliant, report.problems.is_empty(), "{name}"),
            Err(error) => assert!(!error.to_string().is_empty(), "{name}"),
        }
    }
    assert!(matches!(check(b""), Err(PdfError::NotPdf(_))));
    assert!(matches!(check(&random(1000)), Err(PdfError::NotPdf(_))));
    // What would cost the parser its stack or gigabytes is refused before parsing.
    let refused = [
        nested("[", "]", 100_000),
        nested("<< /A ", ">>", 100_000),
        [b"[".to_vec(), b"0 ".repeat(25 << 20), b"]".to_vec()].concat(),
    ];
    for payload in refused {
        let result = check(&with_payload(&payload));
        assert!(matches!(result, Err(PdfError::Malformed(_))), "{result:?}");
    }
    assert_eq!(PARSER_PANICS.load(Ordering::SeqCst), 0, "the parser panicked (caught by check)");
}

/// Panics on check's parser thread: caught there, but counted here so that they are seen.
static PARSER_PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_parser_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some("vanthu-pdf-check") {
                PARSER_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            default(info);
        }));
    });
}
