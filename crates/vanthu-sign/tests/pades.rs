//! PAdES end to end on the test token, and the verdict on every kind of file the issue lists:
//! ours and foreign signers (pyHanko PAdES and adbe, poppler/NSS), two signatures in a row, and
//! the tamper set. pyHanko is the oracle our verdicts are held to.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use time::OffsetDateTime;
use vanthu_sign::report::{FileVerdict, PdfReport, Verdict, verify_pdf};
use vanthu_sign::verify::TrustStore;
use vanthu_testkit::oracles::{self, pdfsig, pyhanko_validate, qpdf_check};
use vanthu_testkit::pki::{PIN, Pki, SOFTHSM_MODULE, TOKEN_LABEL};

/// A one-page PDF with some page content, classic xref.
fn plain_pdf() -> Vec<u8> {
    vanthu_testkit::pdf::classic(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        vanthu_testkit::pdf::stream("", b"BT /F1 24 Tf 72 720 Td (Quyet dinh so 15) Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>".to_vec(),
    ])
}

fn trust(pki: &Pki) -> TrustStore {
    let mut store = TrustStore::new();
    store.add_anchor(&std::fs::read(pki.root()).unwrap()).unwrap();
    // pyHanko and poppler embed only the signer's certificate: the issuing CA is configured.
    store.add_intermediate(&std::fs::read(pki.path("sub.pem")).unwrap()).unwrap();
    for crl in pki.crls() {
        store.add_crl(&std::fs::read(crl).unwrap()).unwrap();
    }
    store
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn verdicts(report: &PdfReport) -> Vec<Verdict> {
    report.signatures.iter().map(|s| s.verdict).collect()
}

/// Append an incremental update (with lopdf) that changes what `change` changes.
fn append_update(pdf: &[u8], change: impl FnOnce(&mut lopdf::IncrementalDocument, lopdf::ObjectId)) -> Vec<u8> {
    let mut incremental =
        lopdf::IncrementalDocument::create_from(pdf.to_vec(), lopdf::Document::load_mem(pdf).unwrap());
    let page = *incremental.get_prev_documents().get_pages().get(&1).unwrap();
    change(&mut incremental, page);
    let mut out = Vec::new();
    incremental.save_to(&mut out).unwrap();
    assert!(out.starts_with(pdf));
    out
}

#[test]
fn our_signatures_pass_every_oracle_and_two_in_a_row_stay_valid() {
    let pki = &Pki::new();
    let dir = pki.dir();
    let signed = signer_process(pki, &plain_pdf(), "org-rsa", "Sig1");
    let first = write(dir, "one.pdf", &signed);
    qpdf_check(&first).unwrap();
    assert_eq!(pyhanko_validate(pki, &first)[0]["summary"], "INTACT:TRUSTED,UNTOUCHED");
    let poppler = pdfsig(pki, &first);
    assert!(poppler[0].valid && poppler[0].trusted && poppler[0].whole_document, "{poppler:?}");

    let twice = signer_process(pki, &signed, "org-ec", "Sig2");
    let second = write(dir, "two.pdf", &twice);
    qpdf_check(&second).unwrap();
    let hanko = pyhanko_validate(pki, &second);
    assert_eq!(hanko[0]["bottom_line"], true, "{hanko:?}");
    assert_eq!(hanko[1]["summary"], "INTACT:TRUSTED,UNTOUCHED", "{hanko:?}");
    let poppler = pdfsig(pki, &second);
    assert!(poppler.iter().all(|s| s.valid && s.trusted), "{poppler:?}");
    let report = verify_pdf(&twice, &trust(pki), now()).unwrap();
    assert_eq!(report.verdict, FileVerdict::Valid, "{report:#?}");
    assert_eq!(verdicts(&report), [Verdict::Valid, Verdict::Valid]);
    assert!(!report.signatures[0].covers_whole_file && report.signatures[1].covers_whole_file);
    assert_eq!(report.signatures[1].algorithm, "ECDSA P-256 / SHA-256");
}

/// Sign with the `vanthu-sign-file` binary in a process of its own, with this PKI's `SOFTHSM2_CONF` (the
/// module reads it once per process, and a running test's environment cannot be changed).
fn signer_process(pki: &Pki, pdf: &[u8], key: &str, field: &str) -> Vec<u8> {
    let input = write(pki.dir(), &format!("in-{key}-{field}.pdf"), pdf);
    let output = pki.path(&format!("out-{key}-{field}.pdf"));
    // cargo builds the crate's binaries before its integration tests and names them here.
    let signer = Path::new(env!("CARGO_BIN_EXE_vanthu-sign-file"));
    let out = pki
        .command(signer)
        .args([SOFTHSM_MODULE, TOKEN_LABEL, key, field])
        .arg(&input)
        .arg(&output)
        .env("PIN", PIN)
        .output()
        .unwrap();
    assert!(out.status.success(), "sign_file: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read(&output).unwrap()
}

#[test]
fn foreign_signatures_get_the_verdict_pyhanko_gives() {
    let pki = &Pki::new();
    let dir = pki.dir();
    let base = write(dir, "foreign-base.pdf", &plain_pdf());
    let store = trust(pki);
    let cases = [("pades-rsa", "org-rsa", true), ("adbe-rsa", "person", false), ("pades-rogue", "rogue", true)];
    for (name, key, pades) in cases {
        let out = dir.join(format!("{name}.pdf"));
        oracles::pyhanko_sign(pki, &base, &out, "Sig1", key, pades);
        let bytes = std::fs::read(&out).unwrap();
        let report = verify_pdf(&bytes, &store, now()).unwrap();
        let hanko = &pyhanko_validate(pki, &out)[0];
        let ours = &report.signatures[0];
        assert_eq!(ours.intact, hanko["intact"] == true, "{name}: {hanko}");
        assert_eq!(ours.trusted, hanko["trusted"] == true, "{name}: {hanko} / {ours:?}");
        assert_eq!(ours.verdict == Verdict::Valid, hanko["bottom_line"] == true, "{name}: {hanko} / {ours:?}");
        let expected = if pades { "ETSI.CAdES.detached" } else { "adbe.pkcs7.detached" };
        assert_eq!(ours.subfilter, expected);
    }
    // poppler signs with NSS (adbe.pkcs7.detached by default in 22.12).
    let nss = dir.join("nss.pdf");
    oracles::nss_sign(pki, &base, &nss, "person");
    let bytes = std::fs::read(&nss).unwrap();
    let report = verify_pdf(&bytes, &store, now()).unwrap();
    let hanko = &pyhanko_validate(pki, &nss)[0];
    assert_eq!(report.signatures[0].verdict == Verdict::Valid, hanko["bottom_line"] == true, "{hanko} / {report:?}");
    assert_eq!(report.signatures[0].verdict, Verdict::Valid, "{report:#?}");
}

#[test]
fn the_tamper_set_gets_the_right_verdicts() {
    let pki = &Pki::new();
    let dir = pki.dir();
    let store = trust(pki);
    let base = write(dir, "tamper-base.pdf", &plain_pdf());
    let good_path = dir.join("tamper-good.pdf");
    oracles::pyhanko_sign(pki, &base, &good_path, "Sig1", "org-rsa", true);
    let good = std::fs::read(&good_path).unwrap();
    let verdict = |bytes: &[u8]| verify_pdf(bytes, &store, now()).map(|r| (r.verdict, r));

    // A byte flipped inside the signed range.
    let mut flipped = good.clone();
    let at = flipped.windows(15).position(|w| w == b"Quyet dinh so 1").unwrap() + 2;
    flipped[at] ^= 0x01;
    let (v, report) = verdict(&flipped).unwrap();
    assert_eq!(v, FileVerdict::Invalid, "{report:#?}");
    assert!(!report.signatures[0].intact);

    // An update that changes page content.
    let content_changed = append_update(&good, |doc, page| {
        let stream = lopdf::Stream::new(lopdf::Dictionary::new(), b"BT /F1 24 Tf 72 720 Td (So 99) Tj ET".to_vec());
        let id = doc.new_document.add_object(stream);
        doc.opt_clone_object_to_new_document(page).unwrap();
        let page = doc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap();
        page.set("Contents", lopdf::Object::Reference(id));
    });
    let (v, report) = verdict(&content_changed).unwrap();
    assert_eq!(v, FileVerdict::Invalid, "{report:#?}");
    assert!(report.signatures[0].intact, "the signed revision itself is intact");
    assert!(report.signatures[0].reason.as_deref().unwrap().contains("trang 1"), "{report:#?}");

    // An update that only adds an annotation: valid, and said.
    let annotated = append_update(&good, |doc, page| {
        let mut note = lopdf::Dictionary::new();
        note.set("Type", lopdf::Object::Name(b"Annot".to_vec()));
        note.set("Subtype", lopdf::Object::Name(b"Text".to_vec()));
        note.set("Rect", vec![100.into(), 100.into(), 120.into(), 120.into()]);
        note.set("Contents", lopdf::Object::string_literal("Đã xem"));
        let id = doc.new_document.add_object(note);
        doc.opt_clone_object_to_new_document(page).unwrap();
        let page = doc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap();
        // The signature's widget stays; the note is added beside it.
        let mut annots = page.get(b"Annots").and_then(|a| a.as_array()).cloned().unwrap_or_default();
        annots.push(lopdf::Object::Reference(id));
        page.set("Annots", annots);
    });
    let (v, report) = verdict(&annotated).unwrap();
    assert_eq!(v, FileVerdict::Valid, "{report:#?}");
    assert!(!report.signatures[0].modifications.is_empty());

    // Unknown CA, expired and revoked certificates (signed by pyHanko with those keys).
    for (key, expected, word) in [
        ("rogue", Verdict::Indeterminate, "tin cậy"),
        ("expired", Verdict::Indeterminate, "hết hạn"),
        ("revoked", Verdict::Invalid, "thu hồi"),
    ] {
        let out = dir.join(format!("tamper-{key}.pdf"));
        oracles::pyhanko_sign(pki, &base, &out, "Sig1", key, true);
        let (_, report) = verdict(&std::fs::read(&out).unwrap()).unwrap();
        let only = &report.signatures[0];
        assert_eq!(only.verdict, expected, "{key}: {only:#?}");
        assert!(only.reason.as_deref().unwrap_or_default().contains(word), "{key}: {only:#?}");
        assert_eq!(pyhanko_validate(pki, &out)[0]["bottom_line"], false, "pyHanko agrees it is not valid: {key}");
    }

    // A truncated file.
    let truncated = &good[..good.len() - 300];
    match verdict(truncated) {
        Ok((v, report)) => assert_eq!(v, FileVerdict::Invalid, "{report:#?}"),
        Err(error) => panic!("a truncated file gets a verdict, not an error: {error}"),
    }

    // Garbage in /Contents.
    let mut garbage = good.clone();
    let start = garbage.windows(10).position(|w| w == b"/Contents ").unwrap() + 11;
    for byte in &mut garbage[start..start + 64] {
        *byte = b'7';
    }
    let (v, report) = verdict(&garbage).unwrap();
    assert_eq!(v, FileVerdict::Invalid, "{report:#?}");

    // A /ByteRange that skips part of the file: its second range starts later than the hole ends.
    let mut skipping = good.clone();
    let text = String::from_utf8_lossy(&skipping).into_owned();
    let at = text.find("/ByteRange").unwrap();
    let open = at + text[at..].find('[').unwrap();
    let close = at + text[at..].find(']').unwrap();
    let numbers: Vec<u64> = text[open + 1..close].split_whitespace().map(|n| n.parse().unwrap()).collect();
    let shifted = format!("0 {} {} {}", numbers[1], numbers[2] + 10, numbers[3] - 10);
    let replacement = format!("{shifted:<width$}", width = close - open - 1);
    skipping[open + 1..close].copy_from_slice(replacement.as_bytes());
    let (v, report) = verdict(&skipping).unwrap();
    assert_eq!(v, FileVerdict::Invalid, "{report:#?}");
    assert!(report.signatures[0].reason.is_some());

    // Bad input never panics.
    for bad in
        [&b""[..], b"%PDF-1.7\n", &[b'['; 100_000][..], b"%PDF-1.4\n1 0 obj << /ByteRange [0 99999999999 1 1] >>"]
    {
        let _ = verify_pdf(bad, &store, now());
    }
}
