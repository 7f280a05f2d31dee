//! The arrival stamp, the print mark and the renderer, judged by outside tools: qpdf's checker,
//! pdfium's and poppler's text extraction, pdfium's pixels and PDFBox Preflight (PDF/A-1b).
//!
//! The originals are made here: with krilla (a PDF 1.7 file and a PDF/A-1b file, classic
//! cross-reference tables), by qpdf (the same with a cross-reference stream and object streams)
//! and by hand (rotated pages, a media box away from 0,0, inherited and shared resources, no
//! `/ID`, no newline after `%%EOF`).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use krilla::configure::{Archival, ConfigurationBuilder, PdfVersion};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};
use vanthu_pdf::PdfError;
use vanthu_pdf::render::Renderer;
use vanthu_pdf::stamp::{
    ArrivalStamp, Placement, STAMP_HEIGHT_MM, STAMP_WIDTH_MM, default_placement, mark_pages, page_one_size_mm,
    stamp_arrival, suggest_placement,
};
use vanthu_testkit::pdf::Classic;

const MM: f32 = 72.0 / 25.4;
const A4: (f32, f32) = (595.276, 841.89);
static FONT: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Regular.ttf");

// ---------------------------------------------------------------- helpers: tools and files

fn renderer() -> &'static Renderer {
    Renderer::global().expect("pdfium must be available for these tests (target/pdfium/libpdfium.so)")
}

fn the_stamp() -> ArrivalStamp {
    ArrivalStamp {
        agency: "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG TỈNH THÁI NGUYÊN".into(),
        number: "125".into(),
        date: "21/11/2026".into(),
        time: Some("09:15".into()),
        forwarded_to: "Phòng Hành chính – Tổng hợp".into(),
        case_file: "05/HS-VP".into(),
    }
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `qpdf --check` must exit 0 (3 means warnings: also a failure here).
fn assert_qpdf_ok(bytes: &[u8]) {
    let d = dir();
    let path = write(d.path(), "check.pdf", bytes);
    let out = Command::new("qpdf").arg("--check").arg(&path).output().expect("qpdf is installed");
    assert!(
        out.status.success(),
        "qpdf --check failed ({:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn qpdf(args: &[&str], input: &[u8]) -> Vec<u8> {
    let d = dir();
    let inp = write(d.path(), "in.pdf", input);
    let outp = d.path().join("out.pdf");
    let mut command = Command::new("qpdf");
    for arg in args {
        if *arg == "IN" {
            command.arg(&inp);
        } else if *arg == "OUT" {
            command.arg(&outp);
        } else {
            command.arg(arg);
        }
    }
    let status = command.status().expect("qpdf is installed");
    assert!(status.success(), "qpdf {args:?}: {status}");
    std::fs::read(outp).unwrap()
}

fn pdftotext(bytes: &[u8], page: u32) -> String {
    let d = dir();
    let path = write(d.path(), "t.pdf", bytes);
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext is installed");
    let complaints = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !complaints.contains("Error"), "pdftotext complains: {complaints}");
    String::from_utf8(out.stdout).unwrap()
}

/// PDFBox Preflight, PDF/A-1b: `Ok` when it exits 0, else its XML report.
fn preflight(bytes: &[u8]) -> Result<(), String> {
    let jars = ["preflight", "pdfbox2", "xmpbox", "commons-logging", "fontbox2", "javax.activation", "jaxb-api"]
        .map(|j| format!("/usr/share/java/{j}.jar"));
    for jar in &jars {
        assert!(Path::new(jar).is_file(), "{jar} is missing: install libpdfbox2-java and friends");
    }
    let d = dir();
    let path = write(d.path(), "a.pdf", bytes);
    let run = |xml: bool| {
        let mut command = Command::new("java");
        command.arg("-cp").arg(jars.join(":")).arg("org.apache.pdfbox.preflight.Validator_A1b");
        if xml {
            command.arg("xml");
        }
        command.arg(&path).output().expect("java is installed")
    };
    let out = run(false);
    if out.status.success() {
        return Ok(());
    }
    let report = run(true);
    Err(format!("{}\n{}", String::from_utf8_lossy(&report.stdout), String::from_utf8_lossy(&report.stderr)))
}

/// Whether `needle` is in `haystack` once line breaks and runs of white space are one space
/// (the agency's name may be set on two lines). Both sides are compared as given: NFC in, NFC
/// out through the fonts' ToUnicode maps.
fn contains_words(haystack: &str, needle: &str) -> bool {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    squash(haystack).contains(&squash(needle))
}

// ---------------------------------------------------------------- helpers: making originals

/// Draw `text` in black with Liberation Serif at `size`, baseline at (x, y) from the top-left.
fn draw_text(surface: &mut krilla::surface::Surface<'_>, font: &Font, x: f32, y: f32, size: f32, text: &str) {
    let font_ref = FontRef::new(FONT).unwrap();
    let upem = f32::from(font_ref.head().unwrap().units_per_em());
    let charmap = font_ref.charmap();
    let metrics = font_ref.glyph_metrics(Size::unscaled(), LocationRef::default());
    let glyphs: Vec<KrillaGlyph> = text
        .char_indices()
        .map(|(at, c)| {
            let id = charmap.map(c).unwrap_or_default();
            let advance = metrics.advance_width(id).unwrap_or(0.0) / upem;
            KrillaGlyph::new(GlyphId::new(id.to_u32()), advance, 0.0, 0.0, 0.0, at..at + c.len_utf8(), None)
        })
        .collect();
    surface.set_fill(Some(Fill::default()));
    surface.draw_glyphs(Point::from_xy(x, y), &glyphs, font.clone(), text, size, false);
}

fn fill_rect(surface: &mut krilla::surface::Surface<'_>, x: f32, y: f32, w: f32, h: f32) {
    let mut path = PathBuilder::new();
    path.push_rect(Rect::from_xywh(x, y, w, h).unwrap());
    surface.set_fill(Some(Fill::default()));
    surface.draw_path(&path.finish().unwrap());
}

/// An official-looking letter made by krilla: a header top-left and top-right, a title, body
/// "lines" (black bars) down the page; `pdfa` makes it PDF/A-1b (PDF 1.4), else PDF 1.7.
fn krilla_letter(pages: usize, pdfa: bool) -> Vec<u8> {
    let mut builder = ConfigurationBuilder::new();
    builder = if pdfa {
        builder.with_archival_validator(Archival::A1_B).with_version(PdfVersion::Pdf14)
    } else {
        builder.with_version(PdfVersion::Pdf17)
    };
    let settings = krilla::SerializeSettings { configuration: builder.finish().unwrap(), ..Default::default() };
    let mut document = krilla::Document::new_with(settings);
    let font = Font::new(krilla::Data::from(FONT), 0).unwrap();
    for index in 0..pages {
        let mut page = document.start_page_with(PageSettings::from_wh(A4.0, A4.1).unwrap());
        let mut surface = page.surface();
        draw_text(&mut surface, &font, 20.0 * MM, 20.0 * MM, 11.0, "ỦY BAN NHÂN DÂN HUYỆN PHÚ LƯƠNG");
        draw_text(&mut surface, &font, 20.0 * MM, 30.0 * MM, 11.0, "Số: 136/TTr-STTTT");
        draw_text(&mut surface, &font, 110.0 * MM, 20.0 * MM, 11.0, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
        draw_text(&mut surface, &font, 60.0 * MM, 100.0 * MM, 14.0, &format!("TỜ TRÌNH — trang {}", index + 1));
        for line in 0..20 {
            fill_rect(&mut surface, 25.0 * MM, (115.0 + 8.0 * line as f32) * MM, 160.0 * MM, 2.5 * MM);
        }
        surface.finish();
        page.finish();
    }
    document.finish().unwrap()
}

/// A PDF written by hand: `objects[i]` is object `i + 1`; object 1 is the catalog.
fn hand_pdf(objects: &[Vec<u8>], with_id: bool, newline_at_end: bool) -> Vec<u8> {
    vanthu_testkit::pdf::classic_with(Classic { version: "1.4", id: with_id, final_newline: newline_at_end }, objects)
}

fn stream(content: &str) -> Vec<u8> {
    format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes()
}

/// Content for a hand-made page: black bars over the whole `[x0 y0 x1 y1]` box (so a stamp
/// always lands on something) and a line of Helvetica text.
fn busy_content(b: [f32; 4]) -> String {
    let mut content = String::from("0 g\n");
    let mut y = b[1] + 20.0;
    while y < b[3] - 20.0 {
        content.push_str(&format!("{} {} {} 6 re f\n", b[0] + 20.0, y, b[2] - b[0] - 40.0));
        y += 22.0;
    }
    content.push_str(&format!("BT /F1 14 Tf {} {} Td (Original page text) Tj ET\n", b[0] + 30.0, b[3] - 30.0));
    content
}

/// One page with `page_extra` entries (e.g. "/Rotate 90 /MediaBox [...]").
fn one_page(media: [f32; 4], page_extra: &str) -> Vec<u8> {
    let media_text = format!("[{} {} {} {}]", media[0], media[1], media[2], media[3]);
    let visible = page_extra
        .split("/CropBox [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .map(|nums| {
            let v: Vec<f32> = nums.split_whitespace().map(|n| n.parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .unwrap_or(media);
    hand_pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox {media_text} {page_extra} /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            )
            .into_bytes(),
            stream(&busy_content(visible)),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ],
        true,
        true,
    )
}

/// Three pages: resources inherited from the page tree as a shared indirect object (pages 1 and
/// 3) or pointed at directly (page 2); each page says which it is.
fn three_pages() -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 /MediaBox [0 0 595 842] /Resources 6 0 R >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /Contents 8 0 R >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /Contents [9 0 R] /Resources 6 0 R >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /Contents 10 0 R >>".to_vec(),
        b"<< /Font 7 0 R >>".to_vec(),
        b"<< /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>".to_vec(),
    ];
    for n in 1..=3 {
        let mut content = busy_content([0.0, 0.0, 595.0, 842.0]);
        content.push_str(&format!("BT /F1 20 Tf 60 790 Td (Page number {n}) Tj ET\n"));
        objects.push(stream(&content));
    }
    hand_pdf(&objects, true, true)
}

// ---------------------------------------------------------------- helpers: pixels

/// Render page `page` at 4 px/mm of its displayed width; return the image and px per mm.
fn render(bytes: &[u8], page: u32) -> (image::RgbImage, f32) {
    let (w_mm, _) = renderer().page_size_mm(bytes, page).unwrap();
    let width = (w_mm * 4.0).round() as u32;
    let image = renderer().render_rgb(bytes, page, width).unwrap();
    let scale = image.width() as f32 / w_mm;
    (image, scale)
}

fn is_red(p: &image::Rgb<u8>) -> bool {
    let [r, g, b] = p.0;
    r >= 150 && g <= 110 && b <= 110 && i32::from(r) - i32::from(g) >= 70
}

/// Bounding box of the red pixels, in mm: (x0, y0, x1, y1).
fn red_box_mm(image: &image::RgbImage, scale: f32) -> Option<(f32, f32, f32, f32)> {
    let mut found: Option<(u32, u32, u32, u32)> = None;
    for (x, y, p) in image.enumerate_pixels() {
        if is_red(p) {
            found = Some(match found {
                None => (x, y, x, y),
                Some((a, b, c, d)) => (a.min(x), b.min(y), c.max(x), d.max(y)),
            });
        }
    }
    found.map(|(a, b, c, d)| (a as f32 / scale, b as f32 / scale, (c + 1) as f32 / scale, (d + 1) as f32 / scale))
}

fn assert_red_box_at(image: &image::RgbImage, scale: f32, at: Placement, what: &str) {
    let (x0, y0, x1, y1) = red_box_mm(image, scale).unwrap_or_else(|| panic!("{what}: no red pixels at all"));
    let expected = (at.x_mm, at.y_mm, at.x_mm + STAMP_WIDTH_MM, at.y_mm + STAMP_HEIGHT_MM);
    let close = |a: f32, b: f32| (a - b).abs() <= 1.5;
    assert!(
        close(x0, expected.0) && close(y0, expected.1) && close(x1, expected.2) && close(y1, expected.3),
        "{what}: red pixels span {:?} mm, the stamp should be at {expected:?}",
        (x0, y0, x1, y1)
    );
}

/// The big red "ĐẾN" sits on the left of the box: more red in the left third of the middle band
/// than in the right third. Upside down or mirrored, it would not.
fn assert_upright(image: &image::RgbImage, scale: f32, at: Placement, what: &str) {
    let count = |x0_mm: f32, x1_mm: f32| {
        let (y0, y1) = (((at.y_mm + 14.0) * scale) as u32, ((at.y_mm + 24.0) * scale) as u32);
        let (x0, x1) = ((x0_mm * scale) as u32, (x1_mm * scale) as u32);
        (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y))).filter(|&(x, y)| is_red(image.get_pixel(x, y))).count()
    };
    let left = count(at.x_mm + 2.0, at.x_mm + 16.0);
    let right = count(at.x_mm + 34.0, at.x_mm + 48.0);
    assert!(left > 3 * right.max(1), "{what}: the stamp is not upright (red left {left}, right {right})");
}

/// Pixels more than `margin` mm away from the stamp box are the same before and after.
fn assert_same_outside(before: &image::RgbImage, after: &image::RgbImage, scale: f32, at: Placement, margin: f32) {
    assert_eq!(before.dimensions(), after.dimensions());
    let (x0, y0) = ((at.x_mm - margin) * scale, (at.y_mm - margin) * scale);
    let (x1, y1) = ((at.x_mm + STAMP_WIDTH_MM + margin) * scale, (at.y_mm + STAMP_HEIGHT_MM + margin) * scale);
    let mut differing = 0;
    for (x, y, p) in after.enumerate_pixels() {
        let (fx, fy) = (x as f32, y as f32);
        let inside = fx >= x0 && fx <= x1 && fy >= y0 && fy <= y1;
        if !inside && before.get_pixel(x, y) != p {
            differing += 1;
        }
    }
    assert_eq!(differing, 0, "{differing} pixels changed outside the stamp's box");
}

fn red_inside(image: &image::RgbImage, scale: f32, at: Placement) -> usize {
    let (x0, y0) = ((at.x_mm * scale) as u32, (at.y_mm * scale) as u32);
    let (x1, y1) = (((at.x_mm + STAMP_WIDTH_MM) * scale) as u32, ((at.y_mm + STAMP_HEIGHT_MM) * scale) as u32);
    (y0..y1.min(image.height()))
        .flat_map(|y| (x0..x1.min(image.width())).map(move |x| (x, y)))
        .filter(|&(x, y)| is_red(image.get_pixel(x, y)))
        .count()
}

/// The fonts poppler finds on page `page` (`pdffonts`), one line each.
fn pdffonts(bytes: &[u8], page: u32) -> String {
    let d = dir();
    let path = write(d.path(), "f.pdf", bytes);
    let out = Command::new("pdffonts")
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(&path)
        .output()
        .expect("pdffonts is installed");
    assert!(out.status.success(), "pdffonts: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The file identifier of the newest trailer, as the hex lopdf reads back.
fn file_id(bytes: &[u8]) -> Option<(String, String)> {
    let document = lopdf::Document::load_mem(bytes).ok()?;
    let id = document.trailer.get(b"ID").ok()?.as_array().ok()?.clone();
    let hex = |o: &lopdf::Object| o.as_str().ok().map(|b| b.iter().map(|x| format!("{x:02X}")).collect::<String>());
    Some((hex(id.first()?)?, hex(id.get(1)?)?))
}

fn appended(original: &[u8], stamped: &[u8]) -> String {
    assert!(stamped.len() > original.len(), "nothing was appended");
    assert!(stamped.starts_with(original), "the original bytes are not the unchanged prefix of the result");
    String::from_utf8_lossy(&stamped[original.len()..]).into_owned()
}

// ---------------------------------------------------------------- the stamp

#[test]
fn stamp_on_a_classic_xref_file_is_appended_readable_and_in_place() {
    let original = krilla_letter(1, false);
    let at = Placement { x_mm: 20.0, y_mm: 40.0 };
    let started = Instant::now();
    let stamped = stamp_arrival(&original, &the_stamp(), at).unwrap();
    eprintln!("timing: stamp one page {:?} ({} bytes appended)", started.elapsed(), stamped.len() - original.len());

    let update = appended(&original, &stamped);
    assert!(update.contains("\nxref\n") && update.contains("/Prev"), "a classic xref section with /Prev: {update}");
    assert!(update.trim_end().ends_with("%%EOF"));
    let id = file_id(&original).expect("krilla writes an /ID");
    assert!(update.contains(&format!("/ID [<{}> <{}>]", id.0, id.1)), "the /ID is carried over: {update:.300}");
    assert_qpdf_ok(&stamped);

    let text = renderer().page_text(&stamped, 1).unwrap();
    for needle in
        ["ĐẾN", "Số:", "125", "21/11/2026", "09:15", "Giờ:", "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "05/HS-VP", "Chuyển:"]
    {
        assert!(contains_words(&text, needle), "pdfium text lacks {needle:?}: {text}");
    }
    assert!(text.contains("ỦY BAN NHÂN DÂN HUYỆN PHÚ LƯƠNG"), "the original text is still there: {text}");
    let poppler = pdftotext(&stamped, 1);
    for needle in ["ĐẾN", "Số:", "125", "21/11/2026", "TRƯỜNG", "Hành chính"] {
        assert!(contains_words(&poppler, needle), "pdftotext lacks {needle:?}: {poppler}");
    }

    let (before, scale) = render(&original, 1);
    let (after, _) = render(&stamped, 1);
    assert_eq!(red_box_mm(&before, scale), None, "the original has no red");
    assert!(red_inside(&after, scale, at) > 500, "red ink inside the box");
    assert_red_box_at(&after, scale, at, "A4 portrait");
    assert_upright(&after, scale, at, "A4 portrait");
    assert_same_outside(&before, &after, scale, at, 1.0);
}

#[test]
fn stamp_on_a_file_with_an_xref_stream_writes_an_xref_stream() {
    let classic = krilla_letter(2, false);
    let original = qpdf(&["--object-streams=generate", "IN", "OUT"], &classic);
    assert!(String::from_utf8_lossy(&original).contains("/XRef"), "qpdf made an xref stream");
    let at = Placement { x_mm: 120.0, y_mm: 50.0 };
    let stamped = stamp_arrival(&original, &the_stamp(), at).unwrap();
    let update = appended(&original, &stamped);
    assert!(update.contains("/Type/XRef") || update.contains("/Type /XRef"), "an xref stream: {update:.400}");
    assert!(!update.contains("\nxref\n"), "no classic table after a stream");
    assert_qpdf_ok(&stamped);
    let text = renderer().page_text(&stamped, 1).unwrap();
    assert!(text.contains("ĐẾN") && text.contains("125") && text.contains("21/11/2026"), "{text}");
    assert!(!renderer().page_text(&stamped, 2).unwrap().contains("ĐẾN"), "only page 1 is stamped");
    let (before, scale) = render(&original, 1);
    let (after, _) = render(&stamped, 1);
    assert_red_box_at(&after, scale, at, "xref stream");
    assert_same_outside(&before, &after, scale, at, 1.0);
    // qpdf can rewrite it (it reads every object through the new xref stream).
    assert_qpdf_ok(&qpdf(&["IN", "OUT"], &stamped));
}

#[test]
fn stamp_on_a_linearized_file_follows_its_last_startxref() {
    let original = qpdf(&["--linearize", "IN", "OUT"], &krilla_letter(2, false));
    assert!(String::from_utf8_lossy(&original[..1024]).contains("/Linearized"));
    let at = Placement { x_mm: 20.0, y_mm: 40.0 };
    let stamped = stamp_arrival(&original, &the_stamp(), at).unwrap();
    appended(&original, &stamped);
    assert_qpdf_ok(&stamped);
    assert!(contains_words(&pdftotext(&stamped, 1), "ĐẾN"));
    let (before, scale) = render(&original, 1);
    let (after, _) = render(&stamped, 1);
    assert_red_box_at(&after, scale, at, "linearized");
    assert_same_outside(&before, &after, scale, at, 1.0);
}

#[test]
fn stamp_lands_upright_where_asked_on_rotated_pages() {
    for rotate in [90, 180, 270] {
        let original = one_page([0.0, 0.0, A4.0, A4.1], &format!("/Rotate {rotate}"));
        let (w, h) = page_one_size_mm(&original).unwrap();
        let (rw, rh) = renderer().page_size_mm(&original, 1).unwrap();
        assert!((w - rw).abs() < 0.5 && (h - rh).abs() < 0.5, "our size {w}×{h}, pdfium's {rw}×{rh}");
        if rotate != 180 {
            assert!(w > h, "rotated {rotate}: displayed landscape ({w} × {h})");
        }
        let at = Placement { x_mm: 30.0, y_mm: 25.0 };
        let stamped = stamp_arrival(&original, &the_stamp(), at).unwrap();
        appended(&original, &stamped);
        assert_qpdf_ok(&stamped);
        let (before, scale) = render(&original, 1);
        let (after, _) = render(&stamped, 1);
        let what = format!("/Rotate {rotate}");
        assert_red_box_at(&after, scale, at, &what);
        assert_upright(&after, scale, at, &what);
        assert_same_outside(&before, &after, scale, at, 1.0);
        let text = renderer().page_text(&stamped, 1).unwrap();
        assert!(text.contains("ĐẾN"), "{what}: {text:?}");
    }
}

#[test]
fn stamp_lands_where_asked_when_the_boxes_do_not_start_at_zero() {
    let cases = [
        ("media box at (100, 200)", [100.0, 200.0, 100.0 + A4.0, 200.0 + A4.1], String::new()),
        ("negative media box", [-300.0, -400.0, -300.0 + A4.0, -400.0 + A4.1], String::new()),
        (
            "crop box inside the media box, rotated",
            [0.0, 0.0, 700.0, 900.0],
            "/CropBox [50 40 645 882] /Rotate 90".to_owned(),
        ),
    ];
    for (what, media, extra) in cases {
        let original = one_page(media, &extra);
        let at = Placement { x_mm: 60.0, y_mm: 80.0 };
        let stamped = stamp_arrival(&original, &the_stamp(), at).unwrap();
        appended(&original, &stamped);
        assert_qpdf_ok(&stamped);
        let (before, scale) = render(&original, 1);
        let (after, _) = render(&stamped, 1);
        assert_red_box_at(&after, scale, at, what);
        assert_upright(&after, scale, at, what);
        assert_same_outside(&before, &after, scale, at, 1.0);
    }
}

#[test]
fn stamped_pdfa_1b_still_passes_preflight() {
    let original = krilla_letter(2, true);
    preflight(&original).unwrap_or_else(|report| panic!("the original itself must be PDF/A-1b:\n{report}"));
    let stamped = stamp_arrival(&original, &the_stamp(), default_placement(210.0, 297.0)).unwrap();
    appended(&original, &stamped);
    preflight(&stamped).unwrap_or_else(|report| panic!("the stamped copy is not PDF/A-1b:\n{report}"));
    let marked = mark_pages(&stamped, "In từ hệ thống Vanthu bởi Nguyễn Thị Lan, lúc 09:15 ngày 21/11/2026").unwrap();
    appended(&stamped, &marked);
    preflight(&marked).unwrap_or_else(|report| panic!("the stamped and marked copy is not PDF/A-1b:\n{report}"));
    assert_qpdf_ok(&marked);
}

#[test]
fn stamping_twice_makes_two_updates() {
    let original = krilla_letter(1, false);
    let first_at = Placement { x_mm: 20.0, y_mm: 40.0 };
    let second_at = Placement { x_mm: 130.0, y_mm: 200.0 };
    let once = stamp_arrival(&original, &the_stamp(), first_at).unwrap();
    let mut second = the_stamp();
    second.number = "987".into();
    second.time = None;
    let twice = stamp_arrival(&once, &second, second_at).unwrap();
    let update = appended(&once, &twice);
    assert!(update.contains("/VanthuStamp2"), "a second name, the first kept: {update:.600}");
    assert_eq!(String::from_utf8_lossy(&twice).matches("%%EOF").count(), 3, "three revisions");
    assert_qpdf_ok(&twice);
    let text = renderer().page_text(&twice, 1).unwrap();
    assert_eq!(text.matches("ĐẾN").count(), 2, "{text}");
    assert!(text.contains("125") && text.contains("987"), "{text}");
    let (image, scale) = render(&twice, 1);
    assert!(red_inside(&image, scale, first_at) > 500 && red_inside(&image, scale, second_at) > 500);
}

#[test]
fn long_values_shrink_inside_the_box() {
    let original = one_page([0.0, 0.0, A4.0, A4.1], "");
    let long = "Ủy ban nhân dân tỉnh Thái Nguyên, Sở Tài nguyên và Môi trường, Phòng Quản lý đất đai ".repeat(4);
    let stamp = ArrivalStamp {
        agency: long.to_uppercase(),
        number: "1234567890".repeat(6),
        date: long.clone(),
        time: Some(long.clone()),
        forwarded_to: long.clone(),
        case_file: long,
    };
    let at = Placement { x_mm: 80.0, y_mm: 120.0 };
    let stamped = stamp_arrival(&original, &stamp, at).unwrap();
    let (before, scale) = render(&original, 1);
    let (after, _) = render(&stamped, 1);
    assert_same_outside(&before, &after, scale, at, 0.5);
    assert_red_box_at(&after, scale, at, "long values");
}

#[test]
fn a_placement_off_the_page_is_brought_back_onto_it() {
    let original = one_page([0.0, 0.0, A4.0, A4.1], "");
    let stamped = stamp_arrival(&original, &the_stamp(), Placement { x_mm: 500.0, y_mm: -20.0 }).unwrap();
    let (image, scale) = render(&stamped, 1);
    let expected = Placement { x_mm: 210.0 - STAMP_WIDTH_MM, y_mm: 0.0 };
    assert_red_box_at(&image, scale, expected, "clamped");
}

#[test]
fn shared_and_inherited_resources_are_left_alone() {
    let original = three_pages();
    let at = Placement { x_mm: 20.0, y_mm: 40.0 };
    let stamped = stamp_arrival(&original, &the_stamp(), at).unwrap();
    let update = appended(&original, &stamped);
    let has = |n: u32| update.starts_with(&format!("{n} 0 obj")) || update.contains(&format!("\n{n} 0 obj"));
    assert!(!has(6) && !has(7), "shared resources rewritten: {update:.800}");
    assert!(!has(2) && !has(4) && !has(5), "other objects rewritten");
    assert!(has(3), "page 1 gets a new revision");
    assert_qpdf_ok(&stamped);
    // Page 1 still finds its inherited font; pages 2 and 3 are untouched.
    let text = renderer().page_text(&stamped, 1).unwrap();
    assert!(text.contains("Page number 1") && text.contains("ĐẾN"), "{text}");
    // pdfium forgives a missing font resource; poppler does not.
    assert!(pdffonts(&stamped, 1).contains("Helvetica"), "{}", pdffonts(&stamped, 1));
    assert!(pdftotext(&stamped, 1).contains("Page number 1"));
    for page in [2, 3] {
        let (before, _) = render(&original, page);
        let (after, _) = render(&stamped, page);
        assert!(before == after, "page {page} changed");
    }
    let (before, scale) = render(&original, 1);
    let (after, _) = render(&stamped, 1);
    assert_same_outside(&before, &after, scale, at, 1.0);
}

#[test]
fn a_file_without_id_or_final_newline_still_gets_a_clean_update() {
    let objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
    ];
    let original = hand_pdf(&objects, false, false);
    assert!(original.ends_with(b"%%EOF"));
    let stamped = stamp_arrival(&original, &the_stamp(), Placement { x_mm: 10.0, y_mm: 10.0 }).unwrap();
    let update = appended(&original, &stamped);
    assert!(update.starts_with('\n'), "a newline after the old %%EOF");
    assert!(file_id(&original).is_none());
    let (first, second) = file_id(&stamped).expect("the update carries an /ID");
    assert!(first.len() == 32 && first == second, "{first} {second}");
    assert_qpdf_ok(&stamped);
    assert!(renderer().page_text(&stamped, 1).unwrap().contains("ĐẾN"));
}

#[test]
fn page_one_size_follows_the_display() {
    let original = krilla_letter(1, false);
    let (w, h) = page_one_size_mm(&original).unwrap();
    assert!((w - 210.0).abs() < 0.2 && (h - 297.0).abs() < 0.2, "{w} × {h}");
    let rotated = one_page([0.0, 0.0, A4.0, A4.1], "/Rotate -90");
    let (w, h) = page_one_size_mm(&rotated).unwrap();
    assert!((w - 297.0).abs() < 0.2 && (h - 210.0).abs() < 0.2, "{w} × {h}");
}

// ---------------------------------------------------------------- the print mark

#[test]
fn the_mark_is_on_every_page_with_its_number() {
    let original = three_pages();
    let mark = "In từ hệ thống Vanthu bởi Nguyễn Thị Lan, lúc 09:15 ngày 21/11/2026";
    let marked = mark_pages(&original, mark).unwrap();
    appended(&original, &marked);
    assert_qpdf_ok(&marked);
    assert_eq!(renderer().page_count(&marked).unwrap(), 3);
    for page in 1..=3 {
        let text = renderer().page_text(&marked, page).unwrap();
        assert!(text.contains(&format!("Trang {page}/3")), "page {page}: {text}");
        assert!(text.contains("Nguyễn Thị Lan"), "page {page}: {text}");
        assert!(text.contains(&format!("Page number {page}")), "page {page} kept its text: {text}");
        let poppler = pdftotext(&marked, page);
        assert!(poppler.contains(&format!("Trang {page}/3")) && poppler.contains("Vanthu bởi Nguyễn"), "{poppler}");
        // The mark is at the foot: only the bottom strip changed.
        let (before, scale) = render(&original, page);
        let (after, _) = render(&marked, page);
        let foot = after.height() - (12.0 * scale) as u32;
        let changed_above = (0..foot)
            .flat_map(|y| (0..after.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| before.get_pixel(x, y) != after.get_pixel(x, y))
            .count();
        let changed_below = (foot..after.height())
            .flat_map(|y| (0..after.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| before.get_pixel(x, y) != after.get_pixel(x, y))
            .count();
        assert_eq!(changed_above, 0, "page {page}: the mark spilled upwards");
        assert!(changed_below > 100, "page {page}: no mark drawn at the foot");
    }
    let rotated = one_page([0.0, 0.0, A4.0, A4.1], "/Rotate 90");
    let marked = mark_pages(&rotated, mark).unwrap();
    assert_qpdf_ok(&marked);
    let text = renderer().page_text(&marked, 1).unwrap();
    assert!(text.contains("Trang 1/1"), "{text}");
}

// ---------------------------------------------------------------- refusals

#[test]
fn encrypted_files_are_refused() {
    let plain = krilla_letter(1, false);
    for user_password in ["u", ""] {
        let encrypted = qpdf(&["--encrypt", user_password, "o", "256", "--", "IN", "OUT"], &plain);
        let stamped = stamp_arrival(&encrypted, &the_stamp(), Placement { x_mm: 20.0, y_mm: 40.0 });
        assert!(matches!(stamped, Err(PdfError::Encrypted)), "user password {user_password:?}: {stamped:?}");
        assert!(matches!(mark_pages(&encrypted, "x"), Err(PdfError::Encrypted)));
        assert!(matches!(page_one_size_mm(&encrypted), Err(PdfError::Encrypted)));
    }
    let locked = qpdf(&["--encrypt", "u", "o", "256", "--", "IN", "OUT"], &plain);
    assert!(matches!(renderer().page_count(&locked), Err(PdfError::Encrypted)));
}

#[test]
fn broken_input_is_an_error_not_a_panic() {
    let good = krilla_letter(1, false);
    let mut inputs: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("zeros".into(), vec![0; 4096]),
        ("text".into(), b"hello, this is not a PDF".to_vec()),
        ("header only".into(), b"%PDF-1.4\n".to_vec()),
        ("header and %%EOF".into(), b"%PDF-1.7\nstartxref\n999999\n%%EOF\n".to_vec()),
        ("deep nesting".into(), {
            let mut v = b"%PDF-1.4\n1 0 obj\n".to_vec();
            v.extend(std::iter::repeat_n(b'[', 200_000));
            v.extend_from_slice(b"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
            v
        }),
    ];
    let mut seed = 0x2545_f491_u32;
    inputs.push((
        "noise".into(),
        (0..8192)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect(),
    ));
    for cut in [good.len() / 4, good.len() / 2, good.len() * 3 / 4, good.len() - 10] {
        inputs.push((format!("truncated at {cut}"), good[..cut].to_vec()));
    }
    let at = Placement { x_mm: 20.0, y_mm: 40.0 };
    for (what, bytes) in &inputs {
        let result = stamp_arrival(bytes, &the_stamp(), at);
        assert!(
            matches!(result, Err(PdfError::NotPdf(_) | PdfError::Malformed(_))),
            "{what}: {:?}",
            result.map(|b| b.len())
        );
        assert!(mark_pages(bytes, "x").is_err(), "{what}");
        assert!(page_one_size_mm(bytes).is_err(), "{what}");
        assert!(renderer().page_count(bytes).is_err() || what.starts_with("truncated"), "{what}");
        let _ = renderer().render_rgb(bytes, 1, 100);
    }
}

// ---------------------------------------------------------------- the renderer

#[test]
fn renderer_counts_draws_and_reads_pages() {
    let pdf = krilla_letter(3, false);
    let r = renderer();
    assert_eq!(r.page_count(&pdf).unwrap(), 3);
    let started = Instant::now();
    let png = r.render_png(&pdf, 1, 200).unwrap();
    eprintln!("timing: thumbnail 200 px {:?}", started.elapsed());
    let thumbnail = image::load_from_memory(&png).unwrap();
    assert_eq!(thumbnail.width(), 200);
    assert!((thumbnail.height() as i32 - 283).abs() <= 1, "A4 at 200 px: {}", thumbnail.height());
    let started = Instant::now();
    let preview = r.render_rgb(&pdf, 2, 1200).unwrap();
    eprintln!("timing: preview 1200 px {:?}", started.elapsed());
    assert_eq!(preview.width(), 1200);
    // Ink where the body bars are, white in the margin.
    let scale = 1200.0 / 210.0;
    assert_eq!(preview.get_pixel((10.0 * scale) as u32, (200.0 * scale) as u32).0, [255, 255, 255]);
    let [r0, g0, b0] = preview.get_pixel((100.0 * scale) as u32, (116.0 * scale) as u32).0;
    assert!(r0 < 60 && g0 < 60 && b0 < 60, "a body bar is black");
    assert!(r.page_text(&pdf, 2).unwrap().contains("TỜ TRÌNH — trang 2"));
    let (w, h) = r.page_size_mm(&pdf, 3).unwrap();
    assert!((w - 210.0).abs() < 0.2 && (h - 297.0).abs() < 0.2);
    for page in [0, 4] {
        assert!(matches!(r.render_png(&pdf, page, 200), Err(PdfError::NoSuchPage { count: 3, .. })));
        assert!(matches!(r.page_text(&pdf, page), Err(PdfError::NoSuchPage { .. })));
    }
    assert!(r.render_rgb(&pdf, 1, 0).is_err());
    // Thread-safe: several threads at once get the same pixels.
    let reference = r.render_rgb(&pdf, 1, 300).unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| renderer().render_rgb(&pdf, 1, 300).unwrap())).collect();
        for handle in handles {
            assert!(handle.join().unwrap() == reference);
        }
    });
}

#[test]
fn pdfium_is_found_next_to_the_workspace() {
    let path = vanthu_pdf::render::locate_pdfium().expect("found");
    assert!(path.is_file(), "{}", path.display());
}

// ---------------------------------------------------------------- where to put the stamp

#[test]
fn the_suggested_place_is_blank() {
    // A letter: header top-left and top-right, title, body from 115 mm: the usual place (left,
    // under the header) is free.
    let letter = krilla_letter(1, false);
    let suggestion = suggest_placement(renderer(), &letter).unwrap();
    assert!(suggestion.x_mm < 60.0, "the left side first: {suggestion:?}");
    let stamped = stamp_arrival(&letter, &the_stamp(), suggestion).unwrap();
    let (before, scale) = render(&letter, 1);
    let ink = |img: &image::RgbImage| {
        let (x0, y0) = ((suggestion.x_mm * scale) as u32, (suggestion.y_mm * scale) as u32);
        let (x1, y1) =
            (((suggestion.x_mm + STAMP_WIDTH_MM) * scale) as u32, ((suggestion.y_mm + STAMP_HEIGHT_MM) * scale) as u32);
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0.iter().map(|&c| u32::from(c)).sum::<u32>() < 600)
            .count()
    };
    assert_eq!(ink(&before), 0, "the suggested box covers the letter's text: {suggestion:?}");
    let (after, _) = render(&stamped, 1);
    assert!(ink(&after) > 0);

    // Ink all over the left: the right side is chosen.
    let mut content = String::from("0 g\n");
    for i in 0..40 {
        content.push_str(&format!("40 {} 220 8 re f\n", 40 + i * 19));
    }
    let objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        stream(&content),
    ];
    let left_heavy = hand_pdf(&objects, true, true);
    let suggestion = suggest_placement(renderer(), &left_heavy).unwrap();
    assert!(suggestion.x_mm > 100.0, "the right side: {suggestion:?}");
}
