//! The verifier against real signatures and independent verdicts.
//!
//! CMS blobs come from `openssl cms -sign` over the test PKI (`tests/pki/make_pki.py`); PDFs are
//! signed by pyHanko, one with a timestamp from the local RFC 3161 TSA. Each verdict is compared with
//! pyHanko's (its generic CMS validation for blobs, `pyhanko_validate.py` for PDFs) and, for blobs,
//! `openssl cms -verify`, where they judge the same thing; where they do not (a claimed signing
//! time, a CRL we must ignore), the test says so.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use time::OffsetDateTime;
use vanthu_sign::verify::{CmsInput, CmsVerdict, TimeSource, TrustStore, verify_cms};
use vanthu_testkit::oracles;
use vanthu_testkit::pki::{Pki, Tsa};

const DETACHED: &str = "adbe.pkcs7.detached";

/// pyHanko's generic CMS validation of a detached blob, offline: one JSON line.
const PYHANKO_CMS: &str = r#"
import sys, json, asyncio, logging
logging.disable(logging.CRITICAL)
from asn1crypto import cms, crl as asn1_crl
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko.keys import load_cert_from_pemder
from pyhanko_certvalidator import ValidationContext
blob, data, root, sub, mode = sys.argv[1:6]
crls = [asn1_crl.CertificateList.load(open(p, 'rb').read()) for p in sys.argv[6:]]
signed = cms.ContentInfo.load(open(blob, 'rb').read())['content']
context = ValidationContext(trust_roots=[load_cert_from_pemder(root)], other_certs=[load_cert_from_pemder(sub)],
                            crls=crls, allow_fetching=False, revocation_mode=mode)
try:
    status = asyncio.run(async_validate_detached_cms(open(data, 'rb').read(), signed, signer_validation_context=context))
    print(json.dumps({"intact": bool(status.intact), "valid": bool(status.valid), "trusted": bool(status.trusted),
                      "revoked": bool(getattr(status, "revoked", False))}))
except Exception as error:
    print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
"#;

/// A CRL for the Sub CA's name, signed by a key that is not the Sub CA's, listing `revoked.pem`.
const FORGED_CRL: &str = r#"
import sys, datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
d = sys.argv[1]
sub = x509.load_pem_x509_certificate(open(f"{d}/sub.pem", "rb").read())
victim = x509.load_pem_x509_certificate(open(f"{d}/org-rsa.pem", "rb").read())
now = datetime.datetime.now(datetime.timezone.utc)
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
crl = (x509.CertificateRevocationListBuilder().issuer_name(sub.subject)
       .last_update(now - datetime.timedelta(days=1)).next_update(now + datetime.timedelta(days=30))
       .add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(victim.serial_number)
                                .revocation_date(now - datetime.timedelta(days=2)).build())
       .sign(key, hashes.SHA256()))
open(f"{d}/forged.crl", "wb").write(crl.public_bytes(serialization.Encoding.DER))
"#;

fn run(command: &mut Command) -> Vec<u8> {
    let output = command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn read(path: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(path.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

/// `openssl cms -sign` over `data.bin` into `name`; returns the DER.
fn openssl_sign(pki: &Pki, name: &str, signer: &str, key: &str, extra: &[&str]) -> Vec<u8> {
    let out = pki.path(name);
    run(Command::new("openssl")
        .args(["cms", "-sign", "-binary", "-outform", "DER", "-in"])
        .arg(pki.path("data.bin"))
        .arg("-signer")
        .arg(pki.path(signer))
        .arg("-inkey")
        .arg(pki.path(key))
        .args(extra)
        .arg("-out")
        .arg(&out));
    read(out)
}

/// `openssl cms -verify` against the root, optionally checking every CRL: the verdict.
fn openssl_verify(pki: &Pki, blob: &Path, content: Option<&Path>, crls: bool) -> bool {
    let mut command = Command::new("openssl");
    command.args(["cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in"]).arg(blob);
    if let Some(content) = content {
        command.arg("-content").arg(content);
    }
    command.arg("-certfile").arg(pki.path("sub.pem"));
    // `openssl cms` takes CRLs from the CA file.
    if crls {
        command.arg("-CAfile").arg(pki.path("root+crls.pem")).arg("-crl_check_all");
    } else {
        command.arg("-CAfile").arg(pki.root());
    }
    command.args(["-out", "/dev/null"]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    command.status().expect("openssl cms -verify").success()
}

/// pyHanko's verdict on a detached blob (hard-fail revocation with the given CRLs, else soft-fail).
fn pyhanko_cms(pki: &Pki, blob: &Path, crls: &[&str]) -> serde_json::Value {
    let mut command = Command::new(oracles::python());
    command
        .arg(pki.path("pyhanko_cms.py"))
        .arg(blob)
        .arg(pki.path("data.bin"))
        .arg(pki.root())
        .arg(pki.path("sub.pem"))
        .arg(if crls.is_empty() { "soft-fail" } else { "hard-fail" });
    for crl in crls {
        command.arg(pki.path(crl));
    }
    let out = run(&mut command);
    serde_json::from_slice(&out).expect("pyHanko's JSON")
}

fn store(pki: &Pki, anchors: &[&str], intermediates: &[&str], crls: &[&str]) -> TrustStore {
    let mut store = TrustStore::new();
    for name in anchors {
        store.add_anchor(&read(pki.path(name))).expect("anchor");
    }
    for name in intermediates {
        store.add_intermediate(&read(pki.path(name))).expect("intermediate");
    }
    for name in crls {
        store.add_crl(&read(pki.path(name))).expect("crl");
    }
    store
}

/// Verifies `cms` over `data` cut in two parts (as a PDF's byte ranges are).
fn verify(trust: &TrustStore, subfilter: &str, cms: &[u8], data: &[u8], claimed: Option<OffsetDateTime>) -> CmsVerdict {
    let (a, b) = data.split_at(data.len() / 3);
    let parts: [&[u8]; 2] = [a, b];
    verify_cms(&CmsInput { subfilter, cms, signed: &parts }, trust, OffsetDateTime::now_utc(), claimed)
}

fn has(verdict: &CmsVerdict, words: &str) -> bool {
    verdict.problems.iter().any(|p| p.contains(words))
}

#[test]
fn cms_blobs_made_by_openssl_agree_with_pyhanko_and_openssl() {
    let pki = Pki::new();
    std::fs::write(pki.path("pyhanko_cms.py"), PYHANKO_CMS).expect("oracle script");
    let data: Vec<u8> = (0..5000u32).flat_map(|i| format!("dòng {i} của văn bản\n").into_bytes()).collect();
    std::fs::write(pki.path("data.bin"), &data).expect("data");
    let mut crls_pem = read(pki.root());
    for crl in ["sub.crl", "root.crl"] {
        crls_pem.extend(run(Command::new("openssl")
            .args(["crl", "-inform", "DER", "-outform", "PEM", "-in"])
            .arg(pki.path(crl))));
    }
    std::fs::write(pki.path("root+crls.pem"), &crls_pem).expect("root+crls.pem");
    let full = store(&pki, &["root.pem"], &[], &["sub.crl", "root.crl"]);
    let now = OffsetDateTime::now_utc();

    // Each key type, valid and trusted; SHA-1; no signed attributes; CAdES (signingCertificateV2).
    let chain = ["-certfile", "sub.pem"];
    let sub = pki.path("sub.pem");
    let sub = sub.to_str().expect("utf-8 path");
    let with_sub = |extra: &[&'static str]| -> Vec<String> {
        let mut args = vec![chain[0].to_string(), sub.to_string()];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let cases: Vec<(&str, &str, Vec<String>, &str)> = vec![
        ("rsa", "org-rsa", with_sub(&["-md", "sha256"]), "RSA PKCS#1 v1.5 / SHA-256"),
        ("pss", "org-pss", with_sub(&["-md", "sha256", "-keyopt", "rsa_padding_mode:pss"]), "RSA-PSS / SHA-256"),
        ("ec", "org-ec", with_sub(&["-md", "sha256"]), "ECDSA P-256 / SHA-256"),
        ("ec384", "org-ec", with_sub(&["-md", "sha384"]), "ECDSA P-256 / SHA-384"),
        ("sha1", "org-rsa", with_sub(&["-md", "sha1"]), "RSA PKCS#1 v1.5 / SHA-1"),
        ("sha512", "person", with_sub(&["-md", "sha512"]), "RSA PKCS#1 v1.5 / SHA-512"),
        ("noattr", "org-rsa", with_sub(&["-md", "sha256", "-noattr"]), "RSA PKCS#1 v1.5 / SHA-256"),
        ("cades", "org-rsa", with_sub(&["-md", "sha256", "-cades"]), "RSA PKCS#1 v1.5 / SHA-256"),
    ];
    let mut blobs = Vec::new();
    for (name, label, args, algorithm) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let blob =
            openssl_sign(&pki, &format!("{name}.p7s"), &format!("{label}.pem"), &format!("{label}.key.pem"), &args);
        let verdict = verify(&full, DETACHED, &blob, &data, None);
        assert!(verdict.digest_ok && verdict.signature_ok, "{name}: {verdict:#?}");
        assert!(
            verdict.trust.trusted && verdict.trust.path_found && verdict.trust.revocation_checked,
            "{name}: {verdict:#?}"
        );
        assert_eq!(verdict.algorithm, *algorithm, "{name}");
        assert_eq!(verdict.chain.len(), 3, "{name}: signer, sub, root");
        assert_eq!(verdict.chain[2].subject, "Vanthu Test Root CA, Vanthu Test");
        assert!(verdict.problems.is_empty(), "{name}: {:?}", verdict.problems);
        let blob_path = pki.path(&format!("{name}.p7s"));
        assert!(openssl_verify(&pki, &blob_path, Some(&pki.path("data.bin")), true), "openssl on {name}");
        let oracle = pyhanko_cms(&pki, &blob_path, &["sub.crl", "root.crl"]);
        assert_eq!(oracle["intact"], true, "pyHanko on {name}: {oracle}");
        assert_eq!(oracle["valid"], true, "pyHanko on {name}: {oracle}");
        // pyHanko's default policy refuses SHA-1 as weak; we verify it (legacy) and say so.
        let weak = *name == "sha1";
        assert_eq!(oracle["trusted"], !weak, "pyHanko on {name}: {oracle}");
        if *name == "noattr" {
            assert_eq!(verdict.time_source, TimeSource::None);
        } else {
            assert_eq!(verdict.time_source, TimeSource::SignedAttribute, "{name}");
            let at = verdict.signing_time.expect("signingTime");
            assert!((now - at).abs() < time::Duration::minutes(5), "{name}: {at}");
        }
        blobs.push((name.to_string(), blob));
    }
    let rsa = blobs[0].1.clone();

    // The signer as the clerk reads it.
    let verdict = verify(&full, "/ETSI.CAdES.detached", &rsa, &data, None);
    let signer = verdict.signer.expect("signer");
    assert_eq!(signer.subject, "UBND xã Tân Phú");
    assert_eq!(signer.issuer, "Vanthu Test Sub CA, Vanthu Test");
    assert_eq!(signer.crl_urls, ["http://127.0.0.1:9/sub.crl"]);
    let serial = String::from_utf8(run(Command::new("openssl")
        .args(["x509", "-noout", "-serial", "-in"])
        .arg(pki.path("org-rsa.pem"))))
    .expect("text");
    assert_eq!(format!("serial={}", signer.serial.to_uppercase()), serial.trim());
    assert_eq!(signer.der, read(pki.path("org-rsa.der")));
    let json = serde_json::to_value(&verdict.chain[0]).expect("serde");
    assert!(json.get("der").is_none() && json["not_after"].as_str().is_some_and(|s| s.ends_with('Z')), "{json}");
    let person = verify(&full, DETACHED, &blobs[5].1, &data, None).signer.expect("signer");
    assert_eq!(person.subject, "Nguyễn Văn Đức, UBND xã Tân Phú");

    // Padding as in a PDF's /Contents hole: ignored. Garbage after the CMS: reported.
    let mut padded = rsa.clone();
    padded.resize(rsa.len() + 4000, 0);
    let verdict = verify(&full, DETACHED, &padded, &data, None);
    assert!(
        verdict.digest_ok && verdict.signature_ok && verdict.trust.trusted && verdict.problems.is_empty(),
        "{verdict:#?}"
    );
    let mut trailing = rsa.clone();
    trailing.extend_from_slice("rác".as_bytes());
    let verdict = verify(&full, DETACHED, &trailing, &data, None);
    assert!(verdict.signature_ok && has(&verdict, "dữ liệu lạ sau khối chữ ký"), "{verdict:#?}");

    // One flipped byte in the signed data.
    let mut tampered = data.clone();
    tampered[data.len() / 2] ^= 0x20;
    std::fs::write(pki.path("tampered.bin"), &tampered).expect("tampered");
    for (name, blob) in [("rsa", &blobs[0].1), ("noattr", &blobs[6].1)] {
        let verdict = verify(&full, DETACHED, blob, &tampered, None);
        assert!(!verdict.digest_ok, "{name}: {verdict:#?}");
        assert_eq!(
            verdict.signature_ok,
            name == "rsa",
            "{name}: the attributes' signature still holds; without them it cannot"
        );
        assert!(!verdict.problems.is_empty());
        assert!(!openssl_verify(&pki, &pki.path(&format!("{name}.p7s")), Some(&pki.path("tampered.bin")), false));
    }
    let verdict = verify(&full, DETACHED, &rsa, &tampered, None);
    assert!(has(&verdict, "tài liệu đã bị thay đổi sau khi ký"), "{:?}", verdict.problems);

    // adbe.pkcs7.sha1: the SHA-1 of the data, encapsulated and signed.
    let digest = {
        let out = run(Command::new("openssl").args(["dgst", "-sha1", "-binary"]).arg(pki.path("data.bin")));
        std::fs::write(pki.path("data.sha1"), &out).expect("digest");
        out
    };
    assert_eq!(digest.len(), 20);
    let out = pki.path("legacy.p7s");
    run(Command::new("openssl")
        .args(["cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-md", "sha1", "-in"])
        .arg(pki.path("data.sha1"))
        .arg("-signer")
        .arg(pki.path("person.pem"))
        .arg("-inkey")
        .arg(pki.path("person.key.pem"))
        .arg("-certfile")
        .arg(pki.path("sub.pem"))
        .arg("-out")
        .arg(&out));
    assert!(openssl_verify(&pki, &out, None, true));
    let legacy = read(&out);
    let verdict = verify(&full, "adbe.pkcs7.sha1", &legacy, &data, None);
    assert!(verdict.digest_ok && verdict.signature_ok && verdict.trust.trusted, "{verdict:#?}");
    let verdict = verify(&full, "adbe.pkcs7.sha1", &legacy, &tampered, None);
    assert!(!verdict.digest_ok && verdict.signature_ok, "{verdict:#?}");
    // The same blob is not a detached signature of the data.
    let verdict = verify(&full, DETACHED, &legacy, &data, None);
    assert!(!verdict.digest_ok, "{verdict:#?}");

    // A rogue signer (under a root nobody configured).
    let rogue = openssl_sign(&pki, "rogue.p7s", "rogue.pem", "rogue.key.pem", &["-md", "sha256"]);
    let verdict = verify(&full, DETACHED, &rogue, &data, None);
    assert!(verdict.digest_ok && verdict.signature_ok, "{verdict:#?}");
    assert!(!verdict.trust.path_found && !verdict.trust.trusted, "{verdict:#?}");
    let reason = verdict.trust.reason.clone().expect("reason");
    assert!(reason.contains("không xây dựng được đường dẫn tin cậy tới chứng thư gốc đã cấu hình"), "{reason}");
    assert!(!openssl_verify(&pki, &pki.path("rogue.p7s"), Some(&pki.path("data.bin")), false));
    assert_eq!(pyhanko_cms(&pki, &pki.path("rogue.p7s"), &[])["trusted"], false);

    // Expired in 2021, signed now.
    let expired =
        openssl_sign(&pki, "expired.p7s", "expired.pem", "expired.key.pem", &["-md", "sha256", "-certfile", sub]);
    let verdict = verify(&full, DETACHED, &expired, &data, None);
    assert!(verdict.signature_ok && verdict.trust.path_found, "{verdict:#?}");
    assert!(verdict.trust.expired_at_signing && !verdict.trust.trusted, "{verdict:#?}");
    assert!(!openssl_verify(&pki, &pki.path("expired.p7s"), Some(&pki.path("data.bin")), false));
    assert_eq!(pyhanko_cms(&pki, &pki.path("expired.p7s"), &[])["trusted"], false);
    // Claimed to be signed in 2020, when the signer's certificate was valid (no signingTime
    // attribute to contradict): not expired then, but its CAs (made 30 days ago) did not exist yet.
    // Every certificate of the path must be valid at the signing time (RFC 5280's shell model).
    let expired_noattr = openssl_sign(
        &pki,
        "expired-noattr.p7s",
        "expired.pem",
        "expired.key.pem",
        &["-md", "sha256", "-noattr", "-certfile", sub],
    );
    let in_2020 = time::macros::datetime!(2020-06-01 09:00 +7);
    let verdict = verify(&full, DETACHED, &expired_noattr, &data, Some(in_2020));
    assert_eq!(verdict.time_source, TimeSource::Claimed);
    assert!(!verdict.trust.expired_at_signing && verdict.trust.not_yet_valid && !verdict.trust.trusted, "{verdict:#?}");
    assert!(has(&verdict, "\"Vanthu Test Sub CA, Vanthu Test\" chưa có hiệu lực"), "{:?}", verdict.problems);

    // Revoked a day ago, signed now: revoked. pyHanko and openssl (with the CRLs) agree.
    let revoked =
        openssl_sign(&pki, "revoked.p7s", "revoked.pem", "revoked.key.pem", &["-md", "sha256", "-certfile", sub]);
    let verdict = verify(&full, DETACHED, &revoked, &data, None);
    assert!(verdict.signature_ok && verdict.trust.path_found, "{verdict:#?}");
    let when = verdict.trust.revoked.expect("revoked");
    assert!((now - when - time::Duration::days(1)).abs() < time::Duration::minutes(10), "{when}");
    assert!(!verdict.trust.trusted && verdict.trust.revocation_checked, "{verdict:#?}");
    assert!(!openssl_verify(&pki, &pki.path("revoked.p7s"), Some(&pki.path("data.bin")), true));
    let oracle = pyhanko_cms(&pki, &pki.path("revoked.p7s"), &["sub.crl", "root.crl"]);
    assert_eq!((oracle["trusted"].clone(), oracle["revoked"].clone()), (false.into(), true.into()), "{oracle}");
    // Claimed (no signingTime) three days ago, before the revocation: not revoked, but the clerk is
    // told that the time is only claimed. (Both oracles judge at the present time: revoked.)
    let revoked_noattr = openssl_sign(
        &pki,
        "revoked-noattr.p7s",
        "revoked.pem",
        "revoked.key.pem",
        &["-md", "sha256", "-noattr", "-certfile", sub],
    );
    let verdict = verify(&full, DETACHED, &revoked_noattr, &data, Some(now - time::Duration::days(3)));
    assert_eq!(verdict.time_source, TimeSource::Claimed);
    assert!(
        verdict.trust.revoked.is_none() && verdict.trust.trusted && verdict.trust.revocation_checked,
        "{verdict:#?}"
    );
    assert!(has(&verdict, "không được bảo đảm bằng dấu thời gian"), "{:?}", verdict.problems);
    // With no time at all, listed means revoked.
    let verdict = verify(&full, DETACHED, &revoked_noattr, &data, None);
    assert!(verdict.trust.revoked.is_some(), "{verdict:#?}");

    // No CRL in the store: trusted, revocation not checked, and said so. pyHanko soft-fail agrees.
    let bare = store(&pki, &["root.pem"], &[], &[]);
    let verdict = verify(&bare, DETACHED, &rsa, &data, None);
    assert!(verdict.trust.trusted && !verdict.trust.revocation_checked, "{verdict:#?}");
    assert!(has(&verdict, "chưa kiểm tra được tình trạng thu hồi"), "{:?}", verdict.problems);
    assert_eq!(pyhanko_cms(&pki, &pki.path("rsa.p7s"), &[])["trusted"], true);
    // The revoked signer without CRLs: not known to be revoked.
    let verdict = verify(&bare, DETACHED, &revoked, &data, None);
    assert!(verdict.trust.revoked.is_none() && !verdict.trust.revocation_checked, "{verdict:#?}");

    // A CRL in the Sub CA's name signed by another key, "revoking" org-rsa: ignored, and said so.
    run(Command::new(oracles::python()).arg("-c").arg(FORGED_CRL).arg(pki.dir()));
    let forged = store(&pki, &["root.pem"], &[], &["forged.crl", "root.crl"]);
    let verdict = verify(&forged, DETACHED, &rsa, &data, None);
    assert!(
        verdict.trust.revoked.is_none() && verdict.trust.trusted && !verdict.trust.revocation_checked,
        "{verdict:#?}"
    );
    assert!(has(&verdict, "không được ký bởi khoá của chứng thư"), "{:?}", verdict.problems);
    // Beside the genuine CRL, the forged one changes nothing.
    let both = store(&pki, &["root.pem"], &[], &["forged.crl", "sub.crl", "root.crl"]);
    let verdict = verify(&both, DETACHED, &rsa, &data, None);
    assert!(
        verdict.trust.trusted && verdict.trust.revocation_checked && verdict.trust.revoked.is_none(),
        "{verdict:#?}"
    );

    // The sub CA as intermediate from the store when the signature does not carry it.
    let lonely = openssl_sign(&pki, "lonely.p7s", "org-rsa.pem", "org-rsa.key.pem", &["-md", "sha256"]);
    let verdict = verify(&full, DETACHED, &lonely, &data, None);
    assert!(!verdict.trust.path_found, "{verdict:#?}");
    let with_sub = store(&pki, &["root.pem"], &["sub.pem"], &["sub.crl", "root.crl"]);
    let verdict = verify(&with_sub, DETACHED, &lonely, &data, None);
    assert!(verdict.trust.trusted && verdict.chain.len() == 3, "{verdict:#?}");

    // signingCertificateV2 naming another certificate with the same key, issuer name and serial:
    // the signature verifies with org-rsa's key, but it binds the twin. pyHanko refuses it too.
    // (openssl 3.0's `cms -verify` accepts it: it matches ESS by issuer and serial.)
    let serial = String::from_utf8(run(Command::new("openssl")
        .args(["x509", "-noout", "-serial", "-in"])
        .arg(pki.path("org-rsa.pem"))))
    .expect("text");
    let serial = serial.trim().trim_start_matches("serial=");
    run(Command::new("openssl")
        .args(["req", "-new", "-x509", "-days", "30", "-subj", "/C=VN/O=Vanthu Test/CN=Vanthu Test Sub CA"])
        .args(["-set_serial", &format!("0x{serial}"), "-key"])
        .arg(pki.path("org-rsa.key.pem"))
        .arg("-out")
        .arg(pki.path("twin.pem")));
    let mut bag = read(pki.path("org-rsa.pem"));
    bag.extend(read(pki.path("sub.pem")));
    std::fs::write(pki.path("bag.pem"), bag).expect("bag");
    let bag = pki.path("bag.pem");
    let ess = openssl_sign(
        &pki,
        "ess.p7s",
        "twin.pem",
        "org-rsa.key.pem",
        &["-md", "sha256", "-cades", "-nocerts", "-certfile", bag.to_str().expect("utf-8")],
    );
    let verdict = verify(&full, DETACHED, &ess, &data, None);
    assert!(verdict.digest_ok && !verdict.signature_ok, "{verdict:#?}");
    assert!(has(&verdict, "signingCertificateV2 không khớp"), "{:?}", verdict.problems);
    assert_eq!(verdict.signer.as_ref().map(|s| s.subject.as_str()), Some("UBND xã Tân Phú"));
    let oracle = pyhanko_cms(&pki, &pki.path("ess.p7s"), &[]);
    assert!(oracle["error"].as_str().is_some_and(|e| e.contains("Signing certificate attribute")), "{oracle}");

    // Truncations and single-byte mutations of a valid blob: never a panic; a truncation is never
    // valid; a mutation that still passes everything must lie outside what is signed.
    for cut in (0..rsa.len()).step_by(97) {
        let verdict = verify(&full, DETACHED, &rsa[..cut], &data, None);
        assert!(!verdict.signature_ok && !verdict.problems.is_empty(), "cut at {cut}");
    }
    let mut passed = 0;
    for at in (0..rsa.len()).step_by(5) {
        let mut mutated = rsa.clone();
        mutated[at] ^= 0x5a;
        let verdict = verify(&full, DETACHED, &mutated, &data, None);
        if verdict.digest_ok && verdict.signature_ok && verdict.trust.trusted {
            passed += 1;
        }
    }
    // Only the unsigned envelope may change unnoticed: the SignedData version and the
    // digestAlgorithms set (4 of the ~490 positions tried, as made by openssl 3.0).
    assert!(passed < 10, "{passed} mutations passed");
}

#[test]
fn hostile_bytes_become_verdicts() {
    let trust = TrustStore::new();
    let mut deep_ber = Vec::new();
    for _ in 0..100_000 {
        deep_ber.extend_from_slice(&[0x30, 0x80]);
    }
    // Properly nested definite lengths, 3000 levels deep.
    let mut deep_der: Vec<u8> = Vec::new();
    for _ in 0..3000 {
        let length = deep_der.len();
        let mut outer =
            if length < 0x80 { vec![0x30, length as u8] } else { vec![0x30, 0x82, (length >> 8) as u8, length as u8] };
        outer.extend_from_slice(&deep_der);
        deep_der = outer;
    }
    let mut noise = Vec::new();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..4096 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        noise.push(state as u8);
    }
    let signed_data_oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    let mut shell = vec![0x30, 0x0f];
    shell.extend_from_slice(&signed_data_oid);
    shell.extend_from_slice(&[0xa0, 0x02, 0x30, 0x00]);
    let blobs: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("zeros", vec![0; 1000]),
        ("noise", noise),
        ("huge length", vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x06]),
        ("bigger than usize", vec![0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        ("deep BER", deep_ber),
        ("deep DER", deep_der),
        ("empty SignedData", shell),
        ("text", b"-----BEGIN PKCS7-----\nMIIB\n-----END PKCS7-----\n".to_vec()),
    ];
    for (name, blob) in &blobs {
        for subfilter in [DETACHED, "adbe.pkcs7.sha1", "ETSI.RFC3161"] {
            let verdict = verify(&trust, subfilter, blob, b"data", None);
            assert!(!verdict.digest_ok && !verdict.signature_ok && !verdict.trust.trusted, "{name}");
            assert!(!verdict.problems.is_empty() && verdict.trust.reason.is_some(), "{name}: {verdict:#?}");
        }
    }
    let verdict = verify(&trust, "adbe.x509.rsa_sha1", b"\x30\x00", b"data", None);
    assert!(has(&verdict, "không được hỗ trợ"), "{verdict:#?}");
    // Garbage is refused by the store with an error, never a panic.
    let mut store = TrustStore::new();
    assert!(store.add_anchor(b"").is_err());
    assert!(store.add_anchor(b"\x30\x84\xff\xff\xff\xff").is_err());
    assert!(store.add_anchor(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").is_err());
    assert!(store.add_crl(b"-----BEGIN X509 CRL-----\n").is_err());
    assert!(store.anchors().is_empty());
}

#[test]
fn trust_material_in_pem_and_der() {
    let pki = Pki::new();
    let mut both = read(pki.root());
    both.extend(b"\r\nsome comment\r\n");
    both.extend(read(pki.path("sub.pem")).iter().flat_map(|b| if *b == b'\n' { vec![b'\r', b'\n'] } else { vec![*b] }));
    let mut store = TrustStore::new();
    let first = store.add_anchor(&both).expect("two PEM blocks");
    assert_eq!(first.subject, "Vanthu Test Root CA, Vanthu Test");
    assert_eq!(store.anchors().len(), 2);
    store.add_anchor(&read(pki.path("root.der"))).expect("DER");
    assert_eq!(store.anchors().len(), 2, "the same certificate is kept once");
    let sha = run(Command::new("openssl").args(["x509", "-noout", "-fingerprint", "-sha256", "-in"]).arg(pki.root()));
    let sha = String::from_utf8(sha).expect("text").trim().rsplit('=').next().expect("fingerprint").replace(':', "");
    assert_eq!(first.sha256, sha.to_lowercase());
    let crl = store.add_crl(&read(pki.path("sub.crl"))).expect("DER CRL");
    assert_eq!((crl.issuer.as_str(), crl.revoked_count), ("Vanthu Test Sub CA, Vanthu Test", 1));
    assert!(crl.next_update.is_some_and(|next| next > crl.this_update));
    let pem = run(Command::new("openssl")
        .args(["crl", "-inform", "DER", "-outform", "PEM", "-in"])
        .arg(pki.path("root.crl")));
    let root_crl = store.add_crl(&pem).expect("PEM CRL");
    assert_eq!(root_crl.revoked_count, 0);
    assert_eq!(store.crls().len(), 2);
    assert!(store.add_crl(&read(pki.root())).is_err(), "a certificate is not a CRL");
    // The store is shared between threads by the application.
    fn shareable<T: Send + Sync + Clone>(_: &T) {}
    shareable(&store);
}

/// A one-page PDF, written by hand.
fn tiny_pdf() -> Vec<u8> {
    let content = b"0 0 m 100 100 l S";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{}\nendstream", content.len(), String::from_utf8_lossy(content)),
    ];
    let mut pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).into_bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    pdf.extend(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).into_bytes(),
    );
    pdf
}

/// The last signature of a PDF: its /SubFilter, /Contents and the byte-range parts' bounds.
struct PdfSignature {
    subfilter: String,
    contents: Vec<u8>,
    ranges: [(usize, usize); 2],
}

fn last_signature(pdf: &[u8]) -> PdfSignature {
    let find_last = |needle: &[u8]| pdf.windows(needle.len()).rposition(|w| w == needle).expect("found");
    let at = find_last(b"/ByteRange");
    let text = String::from_utf8_lossy(&pdf[at..at + 100]);
    let inside = &text[text.find('[').expect("[") + 1..text.find(']').expect("]")];
    let n: Vec<usize> = inside.split_whitespace().map(|s| s.parse().expect("number")).collect();
    let hex_text = &pdf[n[0] + n[1] + 1..n[2] - 1];
    let contents = (0..hex_text.len() / 2)
        .map(|i| u8::from_str_radix(std::str::from_utf8(&hex_text[2 * i..2 * i + 2]).expect("hex"), 16).expect("hex"))
        .collect();
    let sf = find_last(b"/SubFilter");
    let name = String::from_utf8_lossy(&pdf[sf + 10..sf + 60]);
    let subfilter = name
        .trim_start()
        .trim_start_matches('/')
        .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .next()
        .expect("name");
    PdfSignature { subfilter: subfilter.to_string(), contents, ranges: [(n[0], n[0] + n[1]), (n[2], n[2] + n[3])] }
}

fn verify_pdf(pdf: &[u8], trust: &TrustStore, claimed: Option<OffsetDateTime>) -> (PdfSignature, CmsVerdict) {
    let signature = last_signature(pdf);
    let parts: Vec<&[u8]> = signature.ranges.iter().map(|(a, b)| &pdf[*a..*b]).collect();
    let verdict = verify_cms(
        &CmsInput { subfilter: &signature.subfilter, cms: &signature.contents, signed: &parts },
        trust,
        OffsetDateTime::now_utc(),
        claimed,
    );
    (signature, verdict)
}

fn pyhanko_pemder(pki: &Pki, input: &Path, output: &Path, label: &str, pades: bool, tsa: Option<&str>) {
    let mut command = Command::new(oracles::python());
    command.args(["-m", "pyhanko", "sign", "addsig", "--field", "Sig1"]);
    if let Some(url) = tsa {
        command.args(["--timestamp-url", url]);
    }
    if pades {
        command.arg("--use-pades");
    }
    command
        .arg("pemder")
        .arg("--key")
        .arg(pki.path(&format!("{label}.key.pem")))
        .arg("--cert")
        .arg(pki.path(&format!("{label}.pem")))
        .arg("--chain")
        .arg(pki.path("sub.pem"))
        .arg("--no-pass")
        .arg(input)
        .arg(output);
    run(&mut command);
}

#[test]
fn pdfs_signed_by_pyhanko_with_and_without_a_timestamp() {
    let pki = Pki::new();
    let tsa = Tsa::start(&pki);
    let input: PathBuf = pki.path("in.pdf");
    std::fs::write(&input, tiny_pdf()).expect("pdf");
    let full = store(&pki, &["root.pem"], &[], &["sub.crl", "root.crl"]);
    let now = OffsetDateTime::now_utc();

    // PAdES B-T: the timestamp gives the signing time.
    let bt = pki.path("b-t.pdf");
    pyhanko_pemder(&pki, &input, &bt, "org-rsa", true, Some(&tsa.url()));
    let pdf = read(&bt);
    let (signature, verdict) = verify_pdf(&pdf, &full, None);
    assert_eq!(signature.subfilter, "ETSI.CAdES.detached");
    assert!(signature.contents.len() > 4000 && signature.contents.ends_with(&[0, 0, 0]), "padded /Contents");
    assert!(verdict.digest_ok && verdict.signature_ok && verdict.trust.trusted, "{verdict:#?}");
    assert!(verdict.problems.is_empty(), "{:?}", verdict.problems);
    assert_eq!(verdict.time_source, TimeSource::Timestamp);
    let timestamp = verdict.timestamp.clone().expect("timestamp");
    assert!(
        timestamp.valid && timestamp.imprint_ok && timestamp.signature_ok && timestamp.trust.trusted,
        "{timestamp:#?}"
    );
    assert_eq!(timestamp.tsa.as_ref().map(|t| t.subject.as_str()), Some("Vanthu Test TSA, Vanthu Test"));
    assert_eq!(timestamp.chain.len(), 2, "TSA and root");
    assert_eq!(verdict.signing_time, Some(timestamp.gen_time));
    assert!((now - timestamp.gen_time).abs() < time::Duration::minutes(5));
    let oracle = oracles::pyhanko_validate(&pki, &bt);
    assert_eq!(
        (oracle[0]["intact"].clone(), oracle[0]["valid"].clone(), oracle[0]["trusted"].clone()),
        (true.into(), true.into(), true.into()),
        "{oracle:?}"
    );

    // The TSA under a root the store does not trust (only the Sub CA is an anchor here): the
    // signature is still trusted through the Sub CA, the timestamp is not, the time falls back.
    let sub_only = store(&pki, &["sub.pem"], &[], &["sub.crl"]);
    let claimed = now - time::Duration::minutes(1);
    let (_, verdict) = verify_pdf(&pdf, &sub_only, Some(claimed));
    assert!(verdict.digest_ok && verdict.signature_ok && verdict.trust.trusted, "{verdict:#?}");
    let timestamp = verdict.timestamp.clone().expect("timestamp");
    assert!(timestamp.imprint_ok && timestamp.signature_ok, "{timestamp:#?}");
    assert!(!timestamp.valid && !timestamp.trust.path_found, "{timestamp:#?}");
    assert_eq!((verdict.time_source, verdict.signing_time), (TimeSource::Claimed, Some(claimed)));
    assert!(has(&verdict, "Dấu thời gian"), "{:?}", verdict.problems);

    // One byte changed inside the signed range: not intact, for pyHanko too.
    let mut tampered = pdf.clone();
    let at = tampered.windows(9).position(|w| w == b"100 100 l").expect("content");
    tampered[at] = b'2';
    std::fs::write(pki.path("tampered.pdf"), &tampered).expect("write");
    let (_, verdict) = verify_pdf(&tampered, &full, None);
    assert!(!verdict.digest_ok && verdict.signature_ok, "{verdict:#?}");
    let oracle = oracles::pyhanko_validate(&pki, &pki.path("tampered.pdf"));
    assert_eq!(oracle[0]["intact"], false, "{oracle:?}");

    // adbe.pkcs7.detached by pyHanko with the EC key, no timestamp: its signingTime attribute.
    let ec = pki.path("ec.pdf");
    pyhanko_pemder(&pki, &input, &ec, "org-ec", false, None);
    let pdf = read(&ec);
    let (signature, verdict) = verify_pdf(&pdf, &full, None);
    assert_eq!(signature.subfilter, "adbe.pkcs7.detached");
    assert!(verdict.digest_ok && verdict.signature_ok && verdict.trust.trusted, "{verdict:#?}");
    assert_eq!(verdict.algorithm, "ECDSA P-256 / SHA-256");
    assert_eq!(verdict.time_source, TimeSource::SignedAttribute);
    assert!(verdict.timestamp.is_none());
    let oracle = oracles::pyhanko_validate(&pki, &ec);
    assert_eq!(oracle[0]["trusted"], true, "{oracle:?}");

    // A document timestamp (ETSI.RFC3161) added by pyHanko over the B-T file.
    let lta = pki.path("doc-ts.pdf");
    run(Command::new(oracles::python())
        .args(["-m", "pyhanko", "sign", "timestamp", "--timestamp-url", &tsa.url(), "--trust-replace", "--trust"])
        .arg(pki.root())
        .arg(&bt)
        .arg(&lta));
    let pdf = read(&lta);
    let (signature, verdict) = verify_pdf(&pdf, &full, None);
    assert_eq!(signature.subfilter, "ETSI.RFC3161");
    assert!(verdict.digest_ok && verdict.signature_ok && verdict.trust.trusted, "{verdict:#?}");
    assert_eq!(verdict.time_source, TimeSource::Timestamp);
    assert_eq!(verdict.signer.as_ref().map(|s| s.subject.as_str()), Some("Vanthu Test TSA, Vanthu Test"));
}
