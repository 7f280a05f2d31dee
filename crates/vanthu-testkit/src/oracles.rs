//! The independent oracles: pyHanko (Python, in `target/oracles/venv`), poppler's `pdfsig`, qpdf.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::pki::Pki;

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// The oracles' Python (`VANTHU_ORACLES_VENV`, else `target/oracles/venv`), made by `cargo xtask install`.
pub fn python() -> PathBuf {
    let venv = std::env::var_os("VANTHU_ORACLES_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/oracles/venv"));
    let python = venv.join("bin/python");
    assert!(python.exists(), "{} is missing: run `cargo xtask install`", python.display());
    python
}

/// pyHanko's verdict on every signature of `pdf`, trusting the PKI's root, with its CRLs, offline:
/// one JSON object per signature (see `tests/pki/pyhanko_validate.py`).
pub fn pyhanko_validate(pki: &Pki, pdf: &Path) -> Vec<serde_json::Value> {
    let mut command = Command::new(python());
    command
        .arg(workspace_root().join("tests/pki/pyhanko_validate.py"))
        .arg(pdf)
        .arg("--trust")
        .arg(pki.root())
        .arg("--other")
        .arg(pki.path("sub.pem"));
    for crl in pki.crls() {
        command.arg("--crl").arg(crl);
    }
    let output = command.stdin(Stdio::null()).output().expect("run pyhanko_validate.py");
    assert!(output.status.success(), "pyhanko_validate.py failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("pyhanko_validate.py prints JSON lines"))
        .collect()
}

/// One signature as poppler's `pdfsig` reports it. Its exit code says nothing (0 even on a digest
/// mismatch): the text is what counts.
#[derive(Debug, Clone, Default)]
pub struct PdfsigSignature {
    /// "Signature Field Name".
    pub field: String,
    /// "Signature Validation: Signature is Valid."
    pub valid: bool,
    /// "Certificate Validation: Certificate is Trusted."
    pub trusted: bool,
    /// "Total document signed".
    pub whole_document: bool,
    /// The validation and certificate lines as printed, for assertion messages.
    pub text: String,
}

/// `pdfsig -nssdir` with an NSS database trusting the PKI's root.
pub fn pdfsig(pki: &Pki, pdf: &Path) -> Vec<PdfsigSignature> {
    let db = format!("sql:{}", pki.nss_db().display());
    let output = Command::new("pdfsig")
        .args(["-nssdir", &db])
        .arg(pdf)
        .stdin(Stdio::null())
        .output()
        .expect("run pdfsig (apt-get install poppler-utils)");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut signatures = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("Signature #") {
            signatures.push(PdfsigSignature::default());
            continue;
        }
        let Some(current) = signatures.last_mut() else { continue };
        current.text.push_str(line);
        current.text.push('\n');
        if let Some(name) = line.strip_prefix("- Signature Field Name: ") {
            current.field = name.to_string();
        }
        if line == "- Signature Validation: Signature is Valid." {
            current.valid = true;
        }
        if line == "- Certificate Validation: Certificate is Trusted." {
            current.trusted = true;
        }
        if line == "- Total document signed" {
            current.whole_document = true;
        }
    }
    signatures
}

/// `qpdf --check`: Ok on exit 0, else its output.
pub fn qpdf_check(pdf: &Path) -> Result<(), String> {
    let output = Command::new("qpdf").arg("--check").arg(pdf).output().expect("run qpdf (apt-get install qpdf)");
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "qpdf --check exit {}: {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Sign `input` into `output` with pyHanko on the PKI's token (a foreign signer for our verifier).
/// `pades` chooses `ETSI.CAdES.detached`, else `adbe.pkcs7.detached`.
pub fn pyhanko_sign(pki: &Pki, input: &Path, output: &Path, field: &str, key_label: &str, pades: bool) {
    pyhanko_sign_field(pki, input, output, field, key_label, pades, &[]);
}

/// Sign with pyHanko (PAdES) into a visible field: `PAGE/X1,Y1,X2,Y2/NAME` in PDF points, page from 1.
pub fn pyhanko_sign_visible(pki: &Pki, input: &Path, output: &Path, field_spec: &str, key_label: &str) {
    pyhanko_sign_field(pki, input, output, field_spec, key_label, true, &[]);
}

/// Sign with pyHanko (PAdES, field `Sig1`) with an ECDSA key, the intermediate CA in the signature as
/// a sender's signing tool puts it. SoftHSM2 has no combined CKM_ECDSA_SHA256, which pyHanko asks for
/// by default (`MechanismInvalid`): `--raw-mechanism` hashes in pyHanko and signs with CKM_ECDSA.
pub fn pyhanko_sign_ec(pki: &Pki, input: &Path, output: &Path, key_label: &str) {
    let sub = pki.path("sub.pem").into_os_string();
    pyhanko_sign_field(
        pki,
        input,
        output,
        "Sig1",
        key_label,
        true,
        &["--raw-mechanism".as_ref(), "--other-cert-file".as_ref(), &sub],
    );
}

fn pyhanko_sign_field(
    pki: &Pki,
    input: &Path,
    output: &Path,
    field: &str,
    key_label: &str,
    pades: bool,
    pkcs11_options: &[&std::ffi::OsStr],
) {
    let mut command = pki.command(python());
    command.args(["-m", "pyhanko", "sign", "addsig", "--field", field]);
    if pades {
        command.arg("--use-pades");
    }
    command
        .args(["pkcs11", "--lib", crate::pki::SOFTHSM_MODULE, "--token-label", crate::pki::TOKEN_LABEL])
        .args(pkcs11_options)
        .args(["--cert-label", key_label, "--key-label", key_label])
        .arg(input)
        .arg(output)
        .stdin(Stdio::piped());
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run pyhanko");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{}", crate::pki::PIN).expect("write the PIN");
    }
    let result = child.wait_with_output().expect("pyhanko");
    assert!(
        result.status.success(),
        "pyhanko sign failed: {}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}

/// Sign with poppler's `pdfsig -add-signature` (NSS): the key and certificate of `key_label` are
/// imported into a private NSS database as a PKCS#12, then poppler signs `input` into `output`.
pub fn nss_sign(pki: &Pki, input: &Path, output: &Path, key_label: &str) {
    let db = pki.path(&format!("nss-signer-{key_label}"));
    std::fs::create_dir_all(&db).expect("nss folder");
    let spec = format!("sql:{}", db.display());
    let p12 = pki.path(&format!("{key_label}.p12"));
    crate::pki::run(
        Command::new("openssl")
            .args(["pkcs12", "-export", "-name", key_label, "-passout", "pass:vanthu", "-inkey"])
            .arg(pki.path(&format!("{key_label}.key.pem")))
            .arg("-in")
            .arg(pki.path(&format!("{key_label}.pem")))
            .arg("-certfile")
            .arg(pki.path("sub.pem"))
            .arg("-out")
            .arg(&p12),
    );
    crate::pki::run(Command::new("certutil").args(["-N", "-d", &spec, "--empty-password"]));
    crate::pki::run(Command::new("pk12util").args(["-d", &spec, "-W", "vanthu", "-i"]).arg(&p12));
    let out = Command::new("pdfsig")
        .args(["-add-signature", "-nssdir", &spec, "-nick", key_label, "-digest", "SHA256"])
        .arg(input)
        .arg(output)
        .stdin(Stdio::null())
        .output()
        .expect("run pdfsig -add-signature");
    assert!(
        out.status.success() && output.exists(),
        "pdfsig -add-signature failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
