//! A test PKI and a SoftHSM2 token holding its signers' keys, made fresh in a temporary folder.
//!
//! The certificates come from `tests/pki/make_pki.py` (Python `cryptography`, independent of the
//! crates under test). The token is SoftHSM2 under a private `SOFTHSM2_CONF`: nothing system-wide is
//! touched, and the same module path a real deployment would configure is used. Keys are imported
//! with `softhsm2-util --import` and their certificates written beside them with `pkcs11-tool`, each
//! pair under one label and id, as a government CA's token holds them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::oracles;

/// The SoftHSM2 PKCS#11 module as Debian installs it.
pub const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// The label of the organisation's test token.
pub const TOKEN_LABEL: &str = "VanthuOrg";
/// The test token's user PIN.
pub const PIN: &str = "1234";
/// The test token's security officer PIN.
pub const SO_PIN: &str = "12345678";

/// Signers on the token, by label: RSA PKCS#1 v1.5, RSA for PSS, ECDSA P-256, the competent
/// person's own, one revoked in `sub.crl`, one expired in 2021, one under a CA nobody trusts.
pub const SIGNERS: &[&str] = &["org-rsa", "org-pss", "org-ec", "person", "revoked", "expired", "rogue"];

/// A test PKI on disk with its token. The folder is deleted on drop.
pub struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    /// Make the PKI and the token. Panics with the failing command's output: this is test set-up.
    pub fn new() -> Pki {
        let dir = tempfile::Builder::new().prefix("vanthu-pki-").tempdir().expect("temporary folder");
        let pki = Pki { dir };
        let script = oracles::workspace_root().join("tests/pki/make_pki.py");
        run(Command::new(oracles::python()).arg(&script).arg(pki.dir()));
        let tokens = pki.dir().join("tokens");
        std::fs::create_dir_all(&tokens).expect("token folder");
        std::fs::write(
            pki.softhsm_conf(),
            format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n", tokens.display()),
        )
        .expect("softhsm2.conf");
        run(pki.softhsm_util().args([
            "--init-token",
            "--free",
            "--label",
            TOKEN_LABEL,
            "--so-pin",
            SO_PIN,
            "--pin",
            PIN,
        ]));
        for (index, label) in SIGNERS.iter().enumerate() {
            let id = format!("{:02x}", index + 1);
            let key = pki.path(&format!("{label}.key.pem"));
            run(pki.softhsm_util().arg("--import").arg(&key).args([
                "--token",
                TOKEN_LABEL,
                "--label",
                label,
                "--id",
                &id,
                "--pin",
                PIN,
            ]));
            let cert = pki.path(&format!("{label}.der"));
            run(pki
                .pkcs11_tool()
                .arg("--write-object")
                .arg(&cert)
                .args(["--type", "cert", "--id", &id, "--label", label]));
        }
        // The token carries the issuing CA's certificate too, as the CAs' tokens do.
        let sub = pki.path("sub.der");
        run(pki
            .pkcs11_tool()
            .arg("--write-object")
            .arg(&sub)
            .args(["--type", "cert", "--id", "a0", "--label", "sub-ca"]));
        pki
    }

    /// The folder holding everything.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A file of the PKI: `root.pem`, `sub.der`, `org-rsa.pem`, `sub.crl`, `tsa.key.pem`…
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir().join(name)
    }

    /// The `SOFTHSM2_CONF` to set for anything that opens the token.
    pub fn softhsm_conf(&self) -> PathBuf {
        self.path("softhsm2.conf")
    }

    /// The trust anchor (PEM).
    pub fn root(&self) -> PathBuf {
        self.path("root.pem")
    }

    /// The CRLs (DER): the intermediate's (revoking `revoked`) and the root's (empty).
    pub fn crls(&self) -> Vec<PathBuf> {
        vec![self.path("sub.crl"), self.path("root.crl")]
    }

    /// A command with `SOFTHSM2_CONF` set to this PKI's token.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env("SOFTHSM2_CONF", self.softhsm_conf());
        command
    }

    fn softhsm_util(&self) -> Command {
        self.command("softhsm2-util")
    }

    fn pkcs11_tool(&self) -> Command {
        let mut command = self.command("pkcs11-tool");
        command.args(["--module", SOFTHSM_MODULE, "--token-label", TOKEN_LABEL, "--login", "--pin", PIN]);
        command
    }

    /// An NSS database trusting the root (and knowing the intermediate), for `pdfsig -nssdir`.
    pub fn nss_db(&self) -> PathBuf {
        let db = self.path("nss");
        if !db.join("cert9.db").exists() {
            std::fs::create_dir_all(&db).expect("nss folder");
            let spec = format!("sql:{}", db.display());
            run(Command::new("certutil").args(["-N", "-d", &spec, "--empty-password"]));
            run(Command::new("certutil")
                .args(["-A", "-d", &spec, "-n", "vanthu-test-root", "-t", "CT,C,C", "-i"])
                .arg(self.root()));
            run(Command::new("certutil")
                .args(["-A", "-d", &spec, "-n", "vanthu-test-sub", "-t", ",,", "-i"])
                .arg(self.path("sub.pem")));
        }
        db
    }
}

impl Default for Pki {
    fn default() -> Self {
        Pki::new()
    }
}

/// Run a set-up command; panic with its output when it fails.
pub(crate) fn run(command: &mut Command) -> String {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error} (cargo xtask install)"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A local RFC 3161 timestamp authority (`tests/pki/tsa.py`: `openssl ts -reply` over HTTP on
/// loopback), signing with the PKI's `tsa` certificate. Stopped on drop.
pub struct Tsa {
    child: std::process::Child,
    port: u16,
}

impl Tsa {
    /// Start it and wait until it listens.
    pub fn start(pki: &Pki) -> Tsa {
        let port_file = pki.path("tsa.port");
        let _ = std::fs::remove_file(&port_file);
        let child = Command::new(oracles::python())
            .arg(oracles::workspace_root().join("tests/pki/tsa.py"))
            .arg(pki.dir())
            .arg(&port_file)
            .stdin(Stdio::null())
            .spawn()
            .expect("start tests/pki/tsa.py");
        let mut tsa = Tsa { child, port: 0 };
        for _ in 0..500 {
            if let Some(port) = std::fs::read_to_string(&port_file).ok().and_then(|s| s.trim().parse().ok()) {
                tsa.port = port;
                return tsa;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("the test timestamp authority did not start");
    }

    /// Its address, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Tsa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
