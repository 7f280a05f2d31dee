//! The PDF side of signatures, judged by outside tools: `qpdf --check` (structure), poppler's
//! `pdfsig` (a real CMS made by `openssl cms` over our byte range: "Signature is Valid." and
//! "Total document signed"), pyHanko (it signs a file we then read and sign again; it validates
//! our signatures and rates what our second signature changed), pdfium (where a widget's
//! appearance lands on a rotated page) and lopdf's own incremental writer (the tampering updates).
//!
//! Originals: scans assembled by the crate (PDF/A-1b, classic xref), hand-written PDFs (rotated
//! pages, a crop box away from 0,0) and the same made into xref streams and object streams by
//! qpdf. Hostile bytes must give an error or a result, never a panic or a hang.
//!
//! Needs `qpdf`, `pdfsig` (poppler-utils), `openssl`, pyHanko in `target/oracles/venv` and pdfium.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use image::{ExtendedColorType, ImageEncoder};
use lopdf::{Object, ObjectId};
use vanthu_pdf::PdfError;
use vanthu_pdf::assemble::{Metadata, PageSpec, Rotation, assemble};
use vanthu_pdf::render::Renderer;
use vanthu_pdf::signature::{
    Change, SignatureField, SignatureRequest, SubFilter, Widget, changes_since, prepare, signatures, signed_parts,
};

const MM: f32 = 72.0 / 25.4;

// ---------------------------------------------------------------- helpers: files and tools

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn output_text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// `qpdf --check` must exit 0 (3 means warnings: also a failure here).
fn assert_qpdf_ok(bytes: &[u8]) {
    let d = dir();
    let path = write(d.path(), "check.pdf", bytes);
    let out = Command::new("qpdf").arg("--check").arg(&path).output().expect("qpdf is installed");
    assert!(out.status.success(), "qpdf --check failed ({:?}):\n{}", out.status.code(), output_text(&out));
}

fn qpdf(args: &[&str], input: &[u8]) -> Vec<u8> {
    let d = dir();
    let inp = write(d.path(), "in.pdf", input);
    let outp = d.path().join("out.pdf");
    let mut command = Command::new("qpdf");
    for arg in args {
        match *arg {
            "IN" => command.arg(&inp),
            "OUT" => command.arg(&outp),
            other => command.arg(other),
        };
    }
    let status = command.status().expect("qpdf is installed");
    assert!(status.success(), "qpdf {args:?}: {status}");
    std::fs::read(outp).unwrap()
}

/// `pdfsig`'s report, one entry per signature (its exit code says nothing: the text does).
fn pdfsig(bytes: &[u8]) -> Vec<String> {
    let d = dir();
    let path = write(d.path(), "s.pdf", bytes);
    let out = Command::new("pdfsig").arg(&path).output().expect("pdfsig (poppler-utils) is installed");
    let text = output_text(&out);
    // What comes before the first "Signature #" is the file's heading, not a signature.
    let parts: Vec<&str> = text.split("Signature #").collect();
    parts[1..].iter().map(|part| (*part).to_owned()).collect()
}

/// `pyhanko sign validate` with the signer's certificate as the only trust root: one line per
/// signature, `Name:fingerprint:INTACT:TRUSTED,UNTOUCHED` when all is well.
fn pyhanko_validate(pdf: &[u8], pki: &Pki) -> Vec<String> {
    let d = dir();
    let path = write(d.path(), "v.pdf", pdf);
    let out = pyhanko()
        .args(["sign", "validate", "--trust"])
        .arg(pki.cert())
        .arg("--trust-replace")
        .arg(&path)
        .output()
        .unwrap();
    let text = output_text(&out);
    assert!(out.status.success(), "pyhanko sign validate: {text}");
    text.lines().filter(|line| line.contains(":INTACT:") || line.contains(":INVALID")).map(str::to_owned).collect()
}

fn pyhanko() -> Command {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/oracles/venv/bin/python");
    assert!(python.is_file(), "pyHanko's venv is missing: run `cargo xtask` to fetch the oracles");
    let mut command = Command::new(python);
    command.args(["-m", "pyhanko"]);
    command
}

/// A throwaway signer: an RSA key and a self-signed certificate (trust is not what is tested).
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Pki {
        let dir = dir();
        let out = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "30",
                "-subj",
                "/CN=Vanthu Test Signer/O=Vanthu",
            ])
            .args(["-addext", "keyUsage=critical,digitalSignature,nonRepudiation"])
            .arg("-keyout")
            .arg(dir.path().join("key.pem"))
            .arg("-out")
            .arg(dir.path().join("cert.pem"))
            .output()
            .expect("openssl is installed");
        assert!(out.status.success(), "openssl req: {}", output_text(&out));
        Pki { dir }
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("key.pem")
    }

    fn cert(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// A detached CMS SignedData (SHA-256) over `data`, by `openssl cms -sign`.
    fn cms(&self, data: &[u8]) -> Vec<u8> {
        let d = dir();
        let input = write(d.path(), "parts.bin", data);
        let output = d.path().join("sig.der");
        let out = Command::new("openssl")
            .args(["cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256", "-nosmimecap"])
            .arg("-in")
            .arg(&input)
            .arg("-signer")
            .arg(self.cert())
            .arg("-inkey")
            .arg(self.key())
            .arg("-out")
            .arg(&output)
            .output()
            .expect("openssl is installed");
        assert!(out.status.success(), "openssl cms -sign: {}", output_text(&out));
        std::fs::read(output).unwrap()
    }

    /// Prepare, sign the two parts with openssl, embed.
    fn sign(&self, pdf: &[u8], request: &SignatureRequest<'_>) -> Vec<u8> {
        let prepared = prepare(pdf, request).unwrap();
        let cms = self.cms(&prepared.signed_parts().concat());
        prepared.embed(&cms).unwrap()
    }
}

// ---------------------------------------------------------------- helpers: making originals

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let ink = ((x / 7 + y / 11) % 5 == 0) as u8 * 120;
            pixels.extend_from_slice(&[(x * 255 / w) as u8 ^ ink, (y * 255 / h) as u8 ^ ink, ((x + y) % 256) as u8]);
        }
    }
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, 80);
    encoder.set_pixel_density(PixelDensity::dpi(200));
    encoder.write_image(&pixels, w, h, ExtendedColorType::Rgb8).unwrap();
    out
}

/// A scan of `pages` A5-ish pages, assembled by the crate (PDF/A-1b, classic xref).
fn scan(pages: usize) -> Vec<u8> {
    let image = jpeg(600, 800);
    let specs: Vec<PageSpec<'_>> =
        (0..pages).map(|_| PageSpec { jpeg: &image, dpi: None, rotation: Rotation::None }).collect();
    let meta = Metadata {
        title: "Công văn số 136/UBND-VP".into(),
        producer: "Vanthu (kiểm thử)".into(),
        created: time::macros::datetime!(2026-03-05 10:30:05 +07:00),
        document_id: *b"vanthu-sign-test",
    };
    assemble(specs, meta, Vec::new()).unwrap().0
}

/// A PDF written by hand: `objects[i]` is object `i + 1`; object 1 is the catalog.
fn hand_pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    vanthu_testkit::pdf::classic(objects)
}

fn stream(content: &str) -> Vec<u8> {
    format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes()
}

/// Pages with grey bars and a line of text; `page_extra` goes into every page dictionary.
fn letter(pages: usize, media: [f32; 4], page_extra: &str) -> Vec<u8> {
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    let [x0, y0, x1, y1] = media;
    for i in 0..pages {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [{x0} {y0} {x1} {y1}] {page_extra} /Contents {} 0 R /Resources << /Font << /F1 3 0 R >> >> >>",
                5 + 2 * i
            )
            .into_bytes(),
        );
        let mut content = String::from("0.6 g\n");
        let mut y = y0 + 40.0;
        while y < y1 - 60.0 {
            content.push_str(&format!("{} {y} {} 4 re f\n", x0 + 40.0, x1 - x0 - 80.0));
            y += 30.0;
        }
        content.push_str(&format!("0 g BT /F1 14 Tf {} {} Td (Page {}) Tj ET\n", x0 + 40.0, y1 - 40.0, i + 1));
        objects.push(stream(&content));
    }
    hand_pdf(&objects)
}

/// The appearance PDF: one page per size (mm), red over its left half, a thin black frame.
fn appearance(sizes_mm: &[(f32, f32)]) -> Vec<u8> {
    let kids: Vec<String> = (0..sizes_mm.len()).map(|i| format!("{} 0 R", 3 + 2 * i)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), sizes_mm.len()).into_bytes(),
    ];
    for (i, (w, h)) in sizes_mm.iter().enumerate() {
        let (w, h) = (w * MM, h * MM);
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Contents {} 0 R /Resources << >> >>",
                4 + 2 * i
            )
            .into_bytes(),
        );
        objects.push(stream(&format!(
            "1 0 0 rg 0 0 {} {h} re f\n0 G 0.5 w 0.25 0.25 {} {} re S\n",
            w / 2.0,
            w - 0.5,
            h - 0.5
        )));
    }
    hand_pdf(&objects)
}

/// A well-formed DER SEQUENCE of `len` bytes in all, standing in for a CMS.
fn fake_cms(len: usize) -> Vec<u8> {
    assert!(len > 4 && len - 4 < 65536);
    let body = len - 4;
    let mut der = vec![0x30, 0x82, (body >> 8) as u8, body as u8];
    der.extend((0..body).map(|i| (i * 7 + 1) as u8));
    der
}

fn request<'a>(field: &str, widgets: Vec<Widget>, appearance: Option<&'a [u8]>) -> SignatureRequest<'a> {
    SignatureRequest {
        field_name: field.into(),
        subfilter: SubFilter::Pkcs7Detached,
        signing_time: "D:20260305143000+07'00'".into(),
        name: Some("Nguyễn Văn An".into()),
        reason: Some("Phê duyệt".into()),
        location: Some("Ha Noi".into()),
        widgets,
        appearance,
        contents_capacity: 8192,
    }
}

fn widget(page: usize, x_mm: f32, y_mm: f32, width_mm: f32, height_mm: f32, source_page: usize) -> Widget {
    Widget { page, x_mm, y_mm, width_mm, height_mm, source_page }
}

fn find<'a>(fields: &'a [SignatureField], name: &str) -> &'a SignatureField {
    fields.iter().find(|f| f.field == name).unwrap_or_else(|| panic!("no signature {name} in {fields:#?}"))
}

/// Append an update written by lopdf's own incremental writer: `edit` changes the new revision.
fn lopdf_update(pdf: &[u8], edit: impl FnOnce(&mut lopdf::IncrementalDocument)) -> Vec<u8> {
    let mut document: lopdf::IncrementalDocument = pdf.try_into().unwrap();
    edit(&mut document);
    let mut out = Vec::new();
    document.save_to(&mut out).unwrap();
    assert!(out.starts_with(pdf), "lopdf's update is an append");
    out
}

fn first_page(pdf: &[u8]) -> ObjectId {
    lopdf::Document::load_mem(pdf).unwrap().page_iter().next().unwrap()
}

// ---------------------------------------------------------------- prepare + embed

#[test]
fn an_invisible_signature_on_a_scan_is_an_append_that_reads_back() {
    let original = scan(2);
    let mut req = request("Sig1", Vec::new(), None);
    req.subfilter = SubFilter::CadesDetached;
    let prepared = prepare(&original, &req).unwrap();
    let [a, b, c, d] = prepared.byte_range();
    assert_eq!(a, 0);
    assert_eq!(d, prepared.file_len() as u64 - c, "the range reaches the end");
    assert_eq!(c - b, 2 * 8192 + 2, "the gap is the hole, < > included");
    let [before, update_before, after] = prepared.signed_parts();
    assert_eq!(before, &original[..], "the original is borrowed as it is");
    assert_eq!((before.len() + update_before.len()) as u64, b);
    assert_eq!(after.len() as u64, d);
    let cms = fake_cms(1500);
    let signed = prepared.clone().embed(&cms).unwrap();
    let revision = prepared.clone().embed_update(&cms).unwrap();
    assert_eq!(signed, [&original[..], &revision].concat(), "the update alone is what embed appends");
    assert_eq!(signed.len(), prepared.file_len());

    assert!(signed.starts_with(&original), "the original is the exact prefix");
    let update = String::from_utf8_lossy(&signed[original.len()..]).into_owned();
    assert!(update.contains("/Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached"), "{update:.600}");
    assert!(update.contains("/SigFlags 3") && update.contains("/FT /Sig") && update.contains("/F 132"));
    assert!(update.contains(&format!("/ByteRange [0 {b} {c} {d}")), "the real range is patched in");
    assert!(update.contains("\nxref\n") && update.contains("/Prev"), "a classic section after a classic one");
    assert_eq!(&signed[b as usize..b as usize + 5], b"<3082");
    assert_eq!(signed[c as usize - 1], b'>');
    assert_qpdf_ok(&signed);

    let found = signatures(&signed).unwrap();
    assert_eq!(found.len(), 1, "{found:#?}");
    let sig = &found[0];
    assert_eq!(sig.field, "Sig1");
    assert_eq!(sig.subfilter, "ETSI.CAdES.detached");
    assert_eq!(sig.byte_range, vec![a, b, c, d]);
    assert!(sig.covers_whole_file && sig.range_problem.is_none(), "{sig:#?}");
    assert_eq!(sig.signed_len, signed.len() as u64);
    assert_eq!(&sig.contents[..cms.len()], &cms[..]);
    assert_eq!(sig.contents.len(), 8192, "zero-padded to the capacity");
    assert!(sig.contents[cms.len()..].iter().all(|&x| x == 0));
    assert_eq!(sig.claimed_time.as_deref(), Some("D:20260305143000+07'00'"));
    assert_eq!(sig.name.as_deref(), Some("Nguyễn Văn An"), "UTF-16 text strings round-trip");
    assert_eq!(sig.reason.as_deref(), Some("Phê duyệt"));
    assert_eq!(sig.location.as_deref(), Some("Ha Noi"));
    assert_eq!(sig.page, Some(0));
    let parts = signed_parts(&signed, sig);
    let prepared_parts = prepared.signed_parts();
    assert_eq!(parts, vec![&signed[..b as usize], &signed[c as usize..]]);
    assert_eq!(parts[0], [prepared_parts[0], prepared_parts[1]].concat(), "embedding touches only the hole");
    assert_eq!(parts[1], prepared_parts[2], "embedding touches only the hole");

    assert_eq!(
        changes_since(&signed, original.len() as u64).unwrap(),
        vec![Change::SignatureAdded { field: "Sig1".into() }]
    );
    assert!(changes_since(&signed, signed.len() as u64).unwrap().is_empty());
    assert!(signatures(&original).unwrap().is_empty());
}

#[test]
fn a_document_timestamp_is_a_doc_time_stamp_dictionary() {
    let (_, signed) = signed_letter(None);
    let mut stamp = request("DocTS1", Vec::new(), None);
    stamp.subfilter = SubFilter::Rfc3161;
    stamp.signing_time = String::new();
    (stamp.name, stamp.reason, stamp.location) = (None, None, None);
    let stamped = prepare(&signed, &stamp).unwrap().embed(&fake_cms(900)).unwrap();
    let update = String::from_utf8_lossy(&stamped[signed.len()..]).into_owned();
    assert!(
        update.contains("<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange [0 "),
        "{update:.800}"
    );
    assert!(!update.contains("/M "), "no claimed time in a document timestamp");
    assert_qpdf_ok(&stamped);
    let found = signatures(&stamped).unwrap();
    assert_eq!(found.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["Sig1", "DocTS1"]);
    let ts = find(&found, "DocTS1");
    assert!(ts.subfilter == "ETSI.RFC3161" && ts.covers_whole_file && ts.claimed_time.is_none(), "{ts:#?}");
    let sig1 = find(&found, "Sig1");
    assert_eq!(
        changes_since(&stamped, sig1.signed_len).unwrap(),
        vec![Change::SignatureAdded { field: "DocTS1".into() }]
    );
    // Only a timestamp may go without a time.
    stamp.subfilter = SubFilter::CadesDetached;
    assert!(matches!(prepare(&signed, &stamp), Err(PdfError::Write(_))));
}

#[test]
fn requests_that_cannot_be_honoured_are_refused() {
    let original = letter(1, [0.0, 0.0, 595.0, 842.0], "");
    let signed = {
        let prepared = prepare(&original, &request("Sig1", Vec::new(), None)).unwrap();
        assert!(matches!(prepared.clone().embed(&fake_cms(8193 + 4)), Err(PdfError::Write(_))), "too big");
        assert!(matches!(prepared.clone().embed(&[]), Err(PdfError::Write(_))), "empty");
        prepared.embed(&fake_cms(8192)).unwrap()
    };
    let again = prepare(&signed, &request("Sig1", Vec::new(), None)).unwrap_err();
    assert!(again.to_string().contains("đã tồn tại"), "{again}");
    let look = appearance(&[(40.0, 20.0)]);
    let on_page_2 = request("Sig2", vec![widget(1, 10.0, 10.0, 40.0, 20.0, 0)], Some(&look));
    assert!(prepare(&signed, &on_page_2).unwrap_err().to_string().contains("trang 2"));
    let no_look = request("Sig2", vec![widget(0, 10.0, 10.0, 40.0, 20.0, 0)], None);
    assert!(matches!(prepare(&signed, &no_look), Err(PdfError::Write(_))));
    let bad_source = request("Sig2", vec![widget(0, 10.0, 10.0, 40.0, 20.0, 3)], Some(&look));
    assert!(matches!(prepare(&signed, &bad_source), Err(PdfError::Write(_))));
    for name in ["", "a.b"] {
        assert!(matches!(prepare(&signed, &request(name, Vec::new(), None)), Err(PdfError::Write(_))));
    }
    let mut no_room = request("Sig2", Vec::new(), None);
    no_room.contents_capacity = 0;
    assert!(matches!(prepare(&signed, &no_room), Err(PdfError::Write(_))));
    let mut bad_time = request("Sig2", Vec::new(), None);
    bad_time.signing_time = "05/03/2026".into();
    assert!(matches!(prepare(&signed, &bad_time), Err(PdfError::Write(_))));
    assert!(matches!(prepare(b"not a pdf", &request("Sig2", Vec::new(), None)), Err(PdfError::NotPdf(_))));
}

// ---------------------------------------------------------------- real signatures, outside judges

#[test]
fn a_real_cms_over_our_range_is_valid_for_pdfsig_and_pyhanko() {
    let pki = Pki::new();
    let original = letter(2, [0.0, 0.0, 595.0, 842.0], "");
    let look = appearance(&[(50.0, 25.0)]);
    let signed = pki.sign(&original, &request("Sig1", vec![widget(1, 120.0, 230.0, 50.0, 25.0, 0)], Some(&look)));
    assert_qpdf_ok(&signed);
    let report = pdfsig(&signed);
    assert_eq!(report.len(), 1, "{report:?}");
    assert!(report[0].contains("Signature Validation: Signature is Valid."), "{}", report[0]);
    assert!(report[0].contains("Total document signed"), "{}", report[0]);
    assert!(report[0].contains("adbe.pkcs7.detached"), "{}", report[0]);

    let found = signatures(&signed).unwrap();
    assert_eq!(found[0].page, Some(1), "the widget is on page 2");
    assert!(found[0].covers_whole_file);

    // pyHanko: intact, trusted (the one root), nothing after it.
    let verdicts = pyhanko_validate(&signed, &pki);
    assert_eq!(verdicts.len(), 1, "{verdicts:?}");
    assert!(verdicts[0].starts_with("Sig1:") && verdicts[0].ends_with(":INTACT:TRUSTED,UNTOUCHED"), "{verdicts:?}");
}

#[test]
fn a_second_signature_keeps_the_first_valid_on_an_xref_stream_file() {
    let pki = Pki::new();
    let original = qpdf(&["--object-streams=generate", "IN", "OUT"], &letter(2, [0.0, 0.0, 595.0, 842.0], ""));
    assert!(String::from_utf8_lossy(&original).contains("/ObjStm"), "qpdf made object streams");
    let look = appearance(&[(40.0, 20.0), (60.0, 15.0)]);
    let mut first = request("Sig1", vec![widget(0, 20.0, 240.0, 40.0, 20.0, 0)], Some(&look));
    first.subfilter = SubFilter::CadesDetached;
    let once = pki.sign(&original, &first);
    let update = String::from_utf8_lossy(&once[original.len()..]).into_owned();
    assert!(update.contains("/Type /XRef") && !update.contains("\nxref\n"), "an xref stream after a stream");
    let second = request("Sig2", vec![widget(0, 120.0, 240.0, 60.0, 15.0, 1)], Some(&look));
    let twice = pki.sign(&once, &second);
    assert!(twice.starts_with(&once));
    assert_qpdf_ok(&twice);

    let report = pdfsig(&twice);
    assert_eq!(report.len(), 2, "{report:?}");
    for entry in &report {
        assert!(entry.contains("Signature Validation: Signature is Valid."), "{entry}");
    }
    let found = signatures(&twice).unwrap();
    assert_eq!(found.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["Sig1", "Sig2"], "in revision order");
    let (sig1, sig2) = (find(&found, "Sig1"), find(&found, "Sig2"));
    assert!(!sig1.covers_whole_file && sig1.range_problem.is_none(), "{sig1:#?}");
    assert_eq!(sig1.signed_len, once.len() as u64);
    assert!(sig2.covers_whole_file, "{sig2:#?}");
    assert_eq!(changes_since(&twice, sig1.signed_len).unwrap(), vec![Change::SignatureAdded { field: "Sig2".into() }]);
}

#[test]
fn three_widgets_of_one_field_on_a_rotated_page_with_a_shifted_crop_box() {
    let pki = Pki::new();
    let original = letter(2, [0.0, 0.0, 595.0, 842.0], "/Rotate 90 /CropBox [20 30 575 812]");
    let once = pki.sign(&original, &request("Sig1", Vec::new(), None));
    // As displayed, the page is landscape: 782 × 555 pt (275.9 × 195.8 mm).
    let look = appearance(&[(50.0, 30.0), (45.0, 8.0), (30.0, 8.0)]);
    let widgets = vec![
        widget(0, 200.0, 140.0, 50.0, 30.0, 0),
        widget(0, 20.0, 30.0, 45.0, 8.0, 1),
        widget(0, 70.0, 30.0, 30.0, 8.0, 2),
    ];
    let mut seal = request("Seal", widgets.clone(), Some(&look));
    seal.subfilter = SubFilter::CadesDetached;
    let twice = pki.sign(&once, &seal);
    assert_qpdf_ok(&twice);
    // poppler lists each widget of the field as a signature: all of them valid.
    let report = pdfsig(&twice);
    assert_eq!(report.len(), 4, "{report:?}");
    assert!(report.iter().all(|r| r.contains("Signature is Valid.")), "{report:?}");
    assert_eq!(
        report.iter().filter(|r| r.contains("Field Name: Seal") && r.contains("Total document signed")).count(),
        3
    );
    let verdicts = pyhanko_validate(&twice, &pki);
    assert!(verdicts[0].starts_with("Sig1:") && verdicts[0].contains(":INTACT:TRUSTED,"), "{verdicts:?}");
    assert!(verdicts[0].ends_with("EXTENDED_WITH_FORM_FILLING,ACCEPTABLE_MODIFICATIONS"), "{verdicts:?}");
    assert!(verdicts[1].starts_with("Seal:") && verdicts[1].ends_with(":INTACT:TRUSTED,UNTOUCHED"), "{verdicts:?}");
    let found = signatures(&twice).unwrap();
    assert_eq!(find(&found, "Seal").page, Some(0));
    assert_eq!(
        changes_since(&twice, find(&found, "Sig1").signed_len).unwrap(),
        vec![Change::SignatureAdded { field: "Seal".into() }]
    );

    // One field, three kids; rectangles turned with the page.
    let document = lopdf::Document::load_mem(&twice).unwrap();
    let fields = document.catalog().unwrap().get(b"AcroForm").unwrap().as_dict().unwrap().get(b"Fields").unwrap();
    let fields = fields.as_array().unwrap();
    assert_eq!(fields.len(), 2, "Sig1 and Seal");
    let seal_field = document.get_dictionary(fields[1].as_reference().unwrap()).unwrap();
    let kids = seal_field.get(b"Kids").unwrap().as_array().unwrap();
    assert_eq!(kids.len(), 3);
    let rect = |id: &Object| -> Vec<f32> {
        let kid = document.get_dictionary(id.as_reference().unwrap()).unwrap();
        kid.get(b"Rect").unwrap().as_array().unwrap().iter().map(|v| v.as_float().unwrap()).collect()
    };
    let r = rect(&kids[0]);
    assert!(((r[2] - r[0]) - 30.0 * MM).abs() < 0.01 && ((r[3] - r[1]) - 50.0 * MM).abs() < 0.01, "{r:?}");
    // Displayed (x, y) on /Rotate 90 is user space (x0 + y, y0 + x).
    assert!((r[0] - (20.0 + 140.0 * MM)).abs() < 0.01 && (r[1] - (30.0 + 200.0 * MM)).abs() < 0.01, "{r:?}");

    // Redrawing one widget of the signed field later is not acceptable.
    let kid = kids[1].as_reference().unwrap();
    let redrawn = lopdf_update(&twice, |doc| {
        let mut dict = lopdf::Dictionary::new();
        dict.set("Type", Object::Name(b"XObject".to_vec()));
        dict.set("Subtype", Object::Name(b"Form".to_vec()));
        dict.set("BBox", Object::Array(vec![0.into(), 0.into(), 10.into(), 10.into()]));
        let form = doc.new_document.add_object(lopdf::Stream::new(dict, b"0 g 0 0 10 10 re f".to_vec()));
        doc.opt_clone_object_to_new_document(kid).unwrap();
        let mut ap = lopdf::Dictionary::new();
        ap.set("N", Object::Reference(form));
        doc.new_document.get_object_mut(kid).unwrap().as_dict_mut().unwrap().set("AP", ap);
    });
    let changes = changes_since(&redrawn, twice.len() as u64).unwrap();
    assert_eq!(changes, vec![Change::Other("thay đổi hình hiển thị của chữ ký Seal".into())]);
    assert!(!changes[0].allowed());

    // pdfium draws each appearance upright where it was asked: red over its left half.
    let renderer = Renderer::global().expect("pdfium must be available (target/pdfium/libpdfium.so)");
    let (w_mm, _) = renderer.page_size_mm(&twice, 1).unwrap();
    let image = renderer.render_rgb(&twice, 1, (w_mm * 4.0).round() as u32).unwrap();
    let scale = image.width() as f32 / w_mm;
    for placed in &widgets {
        let is_red = |x: f32, y: f32| {
            let p = image.get_pixel((x * scale) as u32, (y * scale) as u32).0;
            p[0] > 200 && p[1] < 80 && p[2] < 80
        };
        let (x, y, w, h) = (placed.x_mm, placed.y_mm, placed.width_mm, placed.height_mm);
        assert!(is_red(x + w * 0.25, y + h * 0.5), "red on the left of the widget at {placed:?}");
        assert!(!is_red(x + w * 0.75, y + h * 0.5), "no red on the right of the widget at {placed:?}");
        assert!(is_red(x + w * 0.1, y + h * 0.15) && is_red(x + w * 0.4, y + h * 0.85), "{placed:?}");
    }
}

#[test]
fn a_pyhanko_signature_is_read_and_stays_valid_after_ours() {
    let pki = Pki::new();
    let original = scan(1);
    let d = dir();
    let input = write(d.path(), "in.pdf", &original);
    let output = d.path().join("out.pdf");
    let out = pyhanko()
        .args(["sign", "addsig", "--field", "1/50,50,200,100/Sig1", "--use-pades", "pemder", "--key"])
        .arg(pki.key())
        .arg("--cert")
        .arg(pki.cert())
        .arg("--no-pass")
        .arg(&input)
        .arg(&output)
        .output()
        .unwrap();
    assert!(out.status.success(), "pyhanko addsig: {}", output_text(&out));
    let theirs = std::fs::read(&output).unwrap();
    let found = signatures(&theirs).unwrap();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].field, "Sig1");
    assert_eq!(found[0].subfilter, "ETSI.CAdES.detached");
    assert!(found[0].covers_whole_file && found[0].range_problem.is_none(), "{:#?}", found[0]);
    assert_eq!(found[0].page, Some(0));
    let parts = signed_parts(&theirs, &found[0]);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts.iter().map(|p| p.len()).sum::<usize>() + found[0].contents.len() * 2 + 2, theirs.len());

    // Our organisation's signature on top: seal and number as widgets of one field.
    let look = appearance(&[(40.0, 40.0), (50.0, 8.0)]);
    let mut ours =
        request("Org", vec![widget(0, 30.0, 60.0, 40.0, 40.0, 0), widget(0, 10.0, 20.0, 50.0, 8.0, 1)], Some(&look));
    ours.subfilter = SubFilter::CadesDetached;
    let both = pki.sign(&theirs, &ours);
    assert_qpdf_ok(&both);
    let report = pdfsig(&both);
    assert_eq!(report.len(), 3, "theirs and our two widgets: {report:?}");
    assert!(report.iter().all(|r| r.contains("Signature is Valid.")), "{report:?}");
    assert_eq!(
        changes_since(&both, found[0].signed_len).unwrap(),
        vec![Change::SignatureAdded { field: "Org".into() }]
    );

    // pyHanko rates our revision as form filling, both signatures intact.
    let verdicts = pyhanko_validate(&both, &pki);
    assert_eq!(verdicts.len(), 2, "{verdicts:?}");
    assert!(verdicts[0].starts_with("Sig1:") && verdicts[0].contains(":INTACT:TRUSTED,"), "{verdicts:?}");
    assert!(verdicts[0].ends_with("EXTENDED_WITH_FORM_FILLING,ACCEPTABLE_MODIFICATIONS"), "{verdicts:?}");
    assert!(verdicts[1].starts_with("Org:") && verdicts[1].ends_with(":INTACT:TRUSTED,UNTOUCHED"), "{verdicts:?}");
}

// ---------------------------------------------------------------- tampering

fn signed_letter(pki: Option<&Pki>) -> (Vec<u8>, Vec<u8>) {
    let original = letter(2, [0.0, 0.0, 595.0, 842.0], "");
    let look = appearance(&[(40.0, 20.0)]);
    let req = request("Sig1", vec![widget(0, 20.0, 240.0, 40.0, 20.0, 0)], Some(&look));
    let signed = match pki {
        Some(pki) => pki.sign(&original, &req),
        None => prepare(&original, &req).unwrap().embed(&fake_cms(2000)).unwrap(),
    };
    (original, signed)
}

#[test]
fn a_flipped_byte_inside_the_range_still_reads() {
    let (_, mut signed) = signed_letter(None);
    let at = signed.windows(8).position(|w| w == b"(Page 1)").unwrap() + 1;
    signed[at] = b'Q';
    let found = signatures(&signed).unwrap();
    assert!(found[0].covers_whole_file, "the digest is the crypto side's business: {:#?}", found[0]);
}

#[test]
fn a_later_revision_that_redraws_page_one_is_reported() {
    let (_, signed) = signed_letter(None);
    let page = first_page(&signed);
    let tampered = lopdf_update(&signed, |doc| {
        doc.opt_clone_object_to_new_document(page).unwrap();
        let content = lopdf::Stream::new(lopdf::Dictionary::new(), b"1 0 0 rg 0 0 200 200 re f".to_vec());
        let id = doc.new_document.add_object(content);
        let page = doc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap();
        page.set("Contents", Object::Reference(id));
    });
    assert_qpdf_ok(&tampered);
    let found = signatures(&tampered).unwrap();
    assert!(!found[0].covers_whole_file && found[0].range_problem.is_none());
    let changes = changes_since(&tampered, found[0].signed_len).unwrap();
    assert_eq!(changes, vec![Change::PageContentChanged { page: 0 }]);
    assert!(!changes[0].allowed());
    assert_eq!(changes[0].describe(), "thay đổi nội dung trang 1");
}

#[test]
fn a_later_revision_that_only_adds_a_comment_is_reported_as_allowed() {
    let (_, signed) = signed_letter(None);
    let page = first_page(&signed);
    for subtype in ["FreeText", "Text"] {
        let tampered = lopdf_update(&signed, |doc| {
            doc.opt_clone_object_to_new_document(page).unwrap();
            let mut note = lopdf::Dictionary::new();
            note.set("Type", Object::Name(b"Annot".to_vec()));
            note.set("Subtype", Object::Name(subtype.as_bytes().to_vec()));
            note.set("Rect", Object::Array(vec![100.into(), 100.into(), 300.into(), 150.into()]));
            note.set("Contents", Object::string_literal("Đã xem"));
            note.set("DA", Object::string_literal("/Helv 12 Tf 0 g"));
            let id = doc.new_document.add_object(note);
            let page = doc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap();
            let annots = page.get_mut(b"Annots").unwrap().as_array_mut().unwrap();
            annots.push(Object::Reference(id));
        });
        assert_qpdf_ok(&tampered);
        let changes = changes_since(&tampered, signatures(&tampered).unwrap()[0].signed_len).unwrap();
        assert_eq!(changes, vec![Change::AnnotationAdded { page: 0, subtype: subtype.into() }]);
        assert!(changes[0].allowed());
        assert_eq!(changes[0].describe(), format!("thêm chú thích ({subtype}) ở trang 1"));
    }
}

#[test]
fn a_byte_range_that_skips_more_than_the_contents_is_a_problem() {
    let (_, signed) = signed_letter(None);
    let sig = signatures(&signed).unwrap().remove(0);
    let [a, b, c, d] = [sig.byte_range[0], sig.byte_range[1], sig.byte_range[2], sig.byte_range[3]];
    let written = format!("[0 {b} {c} {d}");
    let at = signed.windows(written.len()).position(|w| w == written.as_bytes()).unwrap();
    for (first, second, third) in [(b - 20, c, d), (b, c + 10, d - 10), (b + 40, c, d), (b, c, d - 5)] {
        let mut tampered = signed.clone();
        let mut patch = format!("[{a} {first} {second} {third}").into_bytes();
        patch.resize(written.len(), b' ');
        tampered[at..at + patch.len()].copy_from_slice(&patch);
        let found = signatures(&tampered).unwrap().remove(0);
        assert!(found.range_problem.is_some() && !found.covers_whole_file, "{first} {second} {third}: {found:#?}");
        if first < b || second > c {
            assert!(found.range_problem.as_deref().unwrap().contains("/Contents"), "{found:#?}");
        }
    }
}

#[test]
fn a_truncated_file_is_reported_not_a_panic() {
    let (_, signed) = signed_letter(None);
    for cut in [1, 7, 40, 300] {
        let truncated = &signed[..signed.len() - cut];
        match signatures(truncated) {
            Ok(found) => {
                let sig = find(&found, "Sig1");
                let problem = sig.range_problem.as_deref().unwrap_or_default();
                assert!(problem.contains("cắt cụt"), "cut {cut}: {sig:#?}");
                assert!(!sig.covers_whole_file);
                assert!(signed_parts(truncated, sig).is_empty());
            }
            Err(error) => panic!("cut {cut}: the truncated file should still be read: {error}"),
        }
    }
}

#[test]
fn garbage_in_the_contents_is_not_a_panic() {
    let (_, signed) = signed_letter(None);
    let sig = signatures(&signed).unwrap().remove(0);
    let hole = sig.byte_range[1] as usize;
    for garbage in [&b"ZZ"[..], b"> ", b"((", b"<<"] {
        let mut tampered = signed.clone();
        tampered[hole + 10..hole + 10 + garbage.len()].copy_from_slice(garbage);
        match signatures(&tampered) {
            Ok(found) => {
                let sig = found.iter().find(|f| f.field == "Sig1");
                assert!(sig.is_none_or(|s| !s.covers_whole_file || s.range_problem.is_some()), "{found:#?}");
            }
            Err(error) => eprintln!("garbage {garbage:?}: {error}"),
        }
        let _ = changes_since(&tampered, sig.signed_len);
    }
}

// ---------------------------------------------------------------- hostile input

#[test]
fn hostile_files_give_an_answer_in_bounded_time() {
    let mut hostile: Vec<(&str, Vec<u8>)> = Vec::new();
    let deep = format!(
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields {}1{} >> >>",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    hostile.push(("deep", hand_pdf(&[deep.into_bytes(), b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec()])));
    let many = format!("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{}] >> >>", "4 0 R ".repeat(1_000_000));
    hostile.push((
        "wide",
        hand_pdf(&[
            many.into_bytes(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>".to_vec(),
            b"<< /FT /Sig /T (Sig1) /V 5 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>".to_vec(),
            b"<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 100000000 100000010 100000000] /Contents <00> >>"
                .to_vec(),
        ]),
    ));
    let big = format!(
        "<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <{}> >>",
        "0".repeat(20_000_000)
    );
    hostile.push((
        "big contents",
        hand_pdf(&[
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>".to_vec(),
            b"<< /FT /Sig /T (Sig1) /V 5 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>".to_vec(),
            big.into_bytes(),
        ]),
    ));
    hostile.push((
        "claimed length",
        hand_pdf(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
            b"<< /Length 100000000 >>\nstream\nq Q\nendstream".to_vec(),
        ]),
    ));
    hostile.push((
        "field loop",
        hand_pdf(&[
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
            b"<< /T (A) /FT /Sig /V 5 0 R /Kids [4 0 R 6 0 R] >>".to_vec(),
            b"<< /Type /Sig /ByteRange 5 0 R /Contents 5 0 R >>".to_vec(),
            b"<< /T (B) /Parent 4 0 R /Kids [4 0 R 6 0 R] >>".to_vec(),
        ]),
    ));
    for (what, pdf) in &hostile {
        let started = std::time::Instant::now();
        let read = signatures(pdf);
        eprintln!("{what}: signatures → {:?} in {:?}", read.as_ref().map(|f| f.len()), started.elapsed());
        if let Ok(found) = &read {
            for field in found {
                assert!(!field.covers_whole_file, "{what}: {field:?}");
                let _ = signed_parts(pdf, field);
            }
        }
        let changed = changes_since(pdf, (pdf.len() / 2) as u64);
        eprintln!("{what}: changes_since → {:?}", changed.as_ref().map(Vec::len));
        let prepared = prepare(pdf, &request("Sig9", Vec::new(), None));
        eprintln!("{what}: prepare → {:?}", prepared.as_ref().map(|p| p.byte_range()).map_err(ToString::to_string));
    }
}

// ---------------------------------------------------------------- forms, annotations, structure

/// A page with a text field already filled in ("Số văn bản"); the AcroForm, its /Fields and the
/// page's /Annots are indirect objects (`indirect`) or written inline in the catalog and page.
fn form_letter(indirect: bool) -> Vec<u8> {
    let (acroform, annots) = if indirect {
        ("6 0 R", "9 0 R")
    } else {
        ("<< /Fields [8 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 5 0 R >> >> >>", "[8 0 R]")
    };
    hand_pdf(&[
        format!("<< /Type /Catalog /Pages 2 0 R /AcroForm {acroform} >>").into_bytes(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots {annots} >>").into_bytes(),
        stream("0.6 g 40 100 515 4 re f 0 g BT /F1 14 Tf 40 800 Td (Page 1) Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        b"<< /Fields 7 0 R /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 5 0 R >> >> /NeedAppearances false >>".to_vec(),
        b"[8 0 R]".to_vec(),
        b"<< /FT /Tx /T (SoVanBan) /V (136) /Type /Annot /Subtype /Widget /Rect [300 700 500 720] /P 3 0 R /F 4 /DA (/Helv 12 Tf 0 g) >>".to_vec(),
        b"[8 0 R]".to_vec(),
    ])
}

/// The object numbers an update (everything after `original`) writes.
fn written_objects(original: &[u8], updated: &[u8]) -> Vec<u32> {
    let update = String::from_utf8_lossy(&updated[original.len()..]).into_owned();
    let mut numbers: Vec<u32> =
        update.lines().filter_map(|line| line.strip_suffix(" 0 obj").and_then(|n| n.parse().ok())).collect();
    numbers.sort_unstable();
    numbers
}

#[test]
fn the_field_joins_an_existing_form_by_new_revisions_of_what_holds_it() {
    let pki = Pki::new();
    for indirect in [true, false] {
        let original = form_letter(indirect);
        assert_qpdf_ok(&original);
        let look = appearance(&[(40.0, 20.0)]);
        let signed = pki.sign(&original, &request("Sig1", vec![widget(0, 20.0, 30.0, 40.0, 20.0, 0)], Some(&look)));
        let written = written_objects(&original, &signed);
        if indirect {
            // The Fields array, the AcroForm (SigFlags) and the Annots array; not the catalog, not the page.
            assert!(written.contains(&6) && written.contains(&7) && written.contains(&9), "{written:?}");
            assert!(!written.contains(&1) && !written.contains(&3), "{written:?}");
        } else {
            assert!(written.contains(&1) && written.contains(&3), "{written:?}");
        }
        assert!(written.iter().all(|&n| n == 1 || n == 3 || n == 6 || n == 7 || n == 9 || n >= 10), "{written:?}");
        assert_qpdf_ok(&signed);
        let report = pdfsig(&signed);
        assert!(
            report.len() == 1
                && report[0].contains("Signature is Valid.")
                && report[0].contains("Total document signed"),
            "{report:?}"
        );

        let document = lopdf::Document::load_mem(&signed).unwrap();
        let form = document.catalog().unwrap().get(b"AcroForm").unwrap();
        let form = match form {
            Object::Reference(id) => document.get_dictionary(*id).unwrap(),
            other => other.as_dict().unwrap(),
        };
        assert_eq!(form.get(b"SigFlags").unwrap().as_i64().unwrap(), 3);
        assert!(form.has(b"DA") && form.has(b"DR"), "the form's defaults are kept");
        let fields = match form.get(b"Fields").unwrap() {
            Object::Reference(id) => document.get_object(*id).unwrap().as_array().unwrap().clone(),
            other => other.as_array().unwrap().clone(),
        };
        assert_eq!(fields.len(), 2, "the text field and the signature");

        let sig_len = signed.len() as u64;
        assert_eq!(
            changes_since(&signed, original.len() as u64).unwrap(),
            vec![Change::SignatureAdded { field: "Sig1".into() }]
        );

        // Filling the text field in later is form filling: allowed.
        let filled = lopdf_update(&signed, |doc| {
            doc.opt_clone_object_to_new_document((8, 0)).unwrap();
            let field = doc.new_document.get_object_mut((8, 0)).unwrap().as_dict_mut().unwrap();
            field.set("V", Object::string_literal("137"));
        });
        let changes = changes_since(&filled, sig_len).unwrap();
        assert_eq!(changes, vec![Change::FormFilled { field: "SoVanBan".into() }]);
        assert!(changes[0].allowed());

        // Moving it is not.
        let moved = lopdf_update(&signed, |doc| {
            doc.opt_clone_object_to_new_document((8, 0)).unwrap();
            let field = doc.new_document.get_object_mut((8, 0)).unwrap().as_dict_mut().unwrap();
            field.set("Rect", Object::Array(vec![10.into(), 10.into(), 210.into(), 30.into()]));
        });
        let changes = changes_since(&moved, sig_len).unwrap();
        assert!(!changes.is_empty() && changes.iter().all(|c| !c.allowed()), "{changes:?}");

        // A second signature of ours on top, then: still only a signature added.
        let twice = pki.sign(&signed, &request("Sig2", Vec::new(), None));
        assert_eq!(changes_since(&twice, sig_len).unwrap(), vec![Change::SignatureAdded { field: "Sig2".into() }]);
        assert!(pdfsig(&twice).iter().all(|r| r.contains("Signature is Valid.")));
    }
}

#[test]
fn appearances_stay_upright_on_every_rotation() {
    let renderer = Renderer::global().expect("pdfium must be available (target/pdfium/libpdfium.so)");
    let look = appearance(&[(60.0, 25.0)]);
    for rotate in [0, 90, 180, 270] {
        let original = letter(1, [0.0, 0.0, 595.0, 842.0], &format!("/Rotate {rotate} /CropBox [10 20 585 822]"));
        let placed = widget(0, 30.0, 50.0, 60.0, 25.0, 0);
        let signed =
            prepare(&original, &request("Sig1", vec![placed], Some(&look))).unwrap().embed(&fake_cms(100)).unwrap();
        assert_qpdf_ok(&signed);
        let (w_mm, _) = renderer.page_size_mm(&signed, 1).unwrap();
        let image = renderer.render_rgb(&signed, 1, (w_mm * 4.0).round() as u32).unwrap();
        let scale = image.width() as f32 / w_mm;
        let is_red = |x: f32, y: f32| {
            let p = image.get_pixel((x * scale) as u32, (y * scale) as u32).0;
            p[0] > 200 && p[1] < 80 && p[2] < 80
        };
        for (fx, fy, red) in
            [(0.1, 0.1, true), (0.4, 0.9, true), (0.25, 0.5, true), (0.6, 0.5, false), (0.9, 0.1, false)]
        {
            let (x, y) = (placed.x_mm + fx * placed.width_mm, placed.y_mm + fy * placed.height_mm);
            assert_eq!(is_red(x, y), red, "rotate {rotate}: at ({fx}, {fy}) of the widget");
        }
        assert!(
            !is_red(placed.x_mm - 3.0, placed.y_mm + 10.0) && !is_red(placed.x_mm + 20.0, placed.y_mm - 3.0),
            "rotate {rotate}"
        );
    }
}

/// A hybrid-reference file: a classic table whose trailer's /XRefStm lists the page and the font,
/// kept in an object stream.
fn hybrid() -> Vec<u8> {
    let mut out = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = [0usize; 8];
    let mut put = |out: &mut Vec<u8>, n: usize, body: &[u8]| {
        offsets[n] = out.len();
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    put(&mut out, 1, b"<< /Type /Catalog /Pages 2 0 R >>");
    put(&mut out, 2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    put(&mut out, 4, &stream("0.6 g 40 100 515 4 re f 0 g BT /F1 14 Tf 40 800 Td (Hybrid) Tj ET"));
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>";
    let font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
    let header = format!("3 0 5 {} ", page.len() + 1);
    let data = format!("{header}{page} {font}");
    put(
        &mut out,
        6,
        format!("<< /Type /ObjStm /N 2 /First {} /Length {} >>\nstream\n{data}\nendstream", header.len(), data.len())
            .as_bytes(),
    );
    let entries = [2u8, 0, 6, 0, 2, 0, 6, 1];
    let mut xref_stream =
        format!("<< /Type /XRef /Size 8 /W [1 2 1] /Index [3 1 5 1] /Length {} >>\nstream\n", entries.len())
            .into_bytes();
    xref_stream.extend_from_slice(&entries);
    xref_stream.extend_from_slice(b"\nendstream");
    put(&mut out, 7, &xref_stream);
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 8\n0000000000 65535 f \n");
    // Object 0 is the free list's head, written above.
    for (n, offset) in offsets.iter().enumerate().filter(|(n, _)| *n > 0) {
        let line =
            if n == 3 || n == 5 { "0000000000 00000 f \n".to_owned() } else { format!("{offset:010} 00000 n \n") };
        out.extend_from_slice(line.as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 8 /Root 1 0 R /XRefStm {} /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>] >>\nstartxref\n{xref}\n%%EOF\n", offsets[7]).as_bytes(),
    );
    out
}

#[test]
fn a_hybrid_reference_file_is_signed_through_its_hidden_objects() {
    let pki = Pki::new();
    let original = hybrid();
    assert_qpdf_ok(&original);
    let look = appearance(&[(40.0, 20.0)]);
    let signed = pki.sign(&original, &request("Sig1", vec![widget(0, 20.0, 30.0, 40.0, 20.0, 0)], Some(&look)));
    assert!(written_objects(&original, &signed).contains(&3), "a new revision of the page held in the object stream");
    assert_qpdf_ok(&signed);
    let report = pdfsig(&signed);
    assert!(
        report.len() == 1 && report[0].contains("Signature is Valid.") && report[0].contains("Total document signed"),
        "{report:?}"
    );
    let found = signatures(&signed).unwrap();
    assert!(found[0].covers_whole_file && found[0].page == Some(0), "{found:#?}");
    assert_eq!(
        changes_since(&signed, original.len() as u64).unwrap(),
        vec![Change::SignatureAdded { field: "Sig1".into() }]
    );
}

#[test]
fn a_document_certified_against_changes_is_not_signed_again() {
    let original = hand_pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP 4 0 R >> >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 1 /V /1.2 >> >>] /ByteRange [0 0 0 0] /Contents <00> >>".to_vec(),
    ]);
    let refused = prepare(&original, &request("Sig2", Vec::new(), None)).unwrap_err();
    assert!(matches!(refused, PdfError::Write(_)) && refused.to_string().contains("DocMDP"), "{refused}");
}

#[test]
fn hostile_updates_after_a_signature_give_an_answer() {
    let (_, signed) = signed_letter(None);
    let len = signed.len() as u64;
    let page = first_page(&signed);
    // A later revision of the page whose /Annots is a million references to one note.
    let hostile = lopdf_update(&signed, |doc| {
        doc.opt_clone_object_to_new_document(page).unwrap();
        let mut note = lopdf::Dictionary::new();
        note.set("Type", Object::Name(b"Annot".to_vec()));
        note.set("Subtype", Object::Name(b"Text".to_vec()));
        note.set("Rect", Object::Array(vec![0.into(), 0.into(), 10.into(), 10.into()]));
        let note = doc.new_document.add_object(note);
        let page = doc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap();
        page.set("Annots", Object::Array(vec![Object::Reference(note); 1_000_000]));
    });
    let changes = changes_since(&hostile, len).unwrap();
    assert!(changes.contains(&Change::AnnotationAdded { page: 0, subtype: "Text".into() }), "{changes:?}");
    assert!(changes.iter().any(|c| !c.allowed()), "the signature's widget is gone: {changes:?}");
    assert_eq!(signatures(&hostile).unwrap().len(), 1);

    // A chain of ten thousand references hung on the page, signed over, then touched at its end:
    // the comparison walks it without recursion, in both directions.
    let chained = lopdf_update(&signed, |doc| {
        doc.opt_clone_object_to_new_document(page).unwrap();
        let mut next = Object::Null;
        for _ in 0..10_000 {
            let mut link = lopdf::Dictionary::new();
            link.set("Next", next);
            next = Object::Reference(doc.new_document.add_object(link));
        }
        let page = doc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap();
        page.set("PieceInfo", next);
    });
    let changes = changes_since(&chained, len).unwrap();
    assert_eq!(changes, vec![Change::PageContentChanged { page: 0 }]);
    let resigned = prepare(&chained, &request("Sig2", Vec::new(), None)).unwrap().embed(&fake_cms(100)).unwrap();
    assert!(changes_since(&resigned, chained.len() as u64).unwrap().iter().all(Change::allowed));
    let end = lopdf::Document::load_mem(&resigned).unwrap().objects.keys().copied().find(|id| {
        matches!(lopdf::Document::load_mem(&chained).unwrap().get_object(*id), Ok(Object::Dictionary(d)) if matches!(d.get(b"Next"), Ok(Object::Null)))
    });
    let end = end.unwrap();
    let touched = lopdf_update(&resigned, |doc| {
        doc.opt_clone_object_to_new_document(end).unwrap();
        doc.new_document.get_object_mut(end).unwrap().as_dict_mut().unwrap().set("Next", 1);
    });
    let changes = changes_since(&touched, resigned.len() as u64).unwrap();
    assert_eq!(changes, vec![Change::PageContentChanged { page: 0 }]);
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
    let out = Command::new("java")
        .arg("-cp")
        .arg(jars.join(":"))
        .arg("org.apache.pdfbox.preflight.Validator_A1b")
        .arg("xml")
        .arg(&path)
        .output()
        .expect("java is installed");
    if out.status.success() { Ok(()) } else { Err(output_text(&out)) }
}

#[test]
fn a_signed_pdfa_scan_is_still_pdfa_1b() {
    let original = scan(2);
    preflight(&original).unwrap();
    let look = appearance(&[(40.0, 20.0)]);
    for widgets in [Vec::new(), vec![widget(1, 10.0, 10.0, 40.0, 20.0, 0)]] {
        let req = request("Sig1", widgets, Some(&look));
        let signed = prepare(&original, &req).unwrap().embed(&fake_cms(3000)).unwrap();
        if let Err(report) = preflight(&signed) {
            panic!("PDF/A-1b lost by signing ({} widgets): {report}", req.widgets.len());
        }
    }
}
