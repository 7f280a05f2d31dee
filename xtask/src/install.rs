//! `cargo xtask install`: what a fresh Debian/Ubuntu machine lacks to build, run and test Vanthu.
//!
//! Debian packages come from apt (as root, or with `sudo -n`), only when `dpkg -s` says they are not
//! installed, so a second run costs a few `dpkg` calls. Node.js and npm are checked, not installed: the
//! front end needs a newer Node than some distributions ship, and the message says how to get one.
//! `tauri-driver` comes from crates.io through [`crate::desktop::ensure_tauri_driver`]; rustfmt and clippy,
//! which tidy needs, from rustup when the toolchain lacks them.

use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::desktop;

/// Every Debian package the project needs, by what needs it; add a group here with a comment saying
/// which part or test needs it.
pub const DEBIAN_PACKAGES: &[&str] = &[
    // The Tauri 2 desktop shell: WebKitGTK, tray icon, SVG icons, xdo (keyboard), TLS (docs/stack.md).
    "libwebkit2gtk-4.1-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libxdo-dev",
    "libssl-dev",
    // A C toolchain for the bundled SQLite and other native crates.
    "build-essential",
    // End-to-end tests: a virtual display, WebKit's WebDriver, screenshots.
    "xvfb",
    "webkit2gtk-driver",
    "imagemagick",
    // Looking into a register by hand (and in bug reports); the tests read it with the shell too.
    "sqlite3",
    // Independent readers of the PDFs we write: pdftotext/pdfinfo/pdfimages (poppler), qpdf --check,
    // PDFBox Preflight for PDF/A-1b (Java).
    "poppler-utils",
    "qpdf",
    "default-jre-headless",
    "libpdfbox2-java",
    "libactivation-java",
    "libjaxb-api-java",
    // Scanners: libsane (opened at run time) and the `test` backend with scanimage.
    "sane-utils",
    "libsane1",
    // Printing: CUPS with a PDF printer, so that printing is tested for real.
    "cups",
    "cups-client",
    "printer-driver-cups-pdf",
    // Python for the oracles' virtual environment (img2pdf, pyHanko) and for fetching pdfium's wheel.
    "python3-venv",
    "python3-pip",
    // Signing: SoftHSM2 as the test token, pkcs11-tool (opensc) and certtool/p11tool (gnutls-bin) to make
    // its keys and certificates (docs/stack.md, "PKCS#11 token").
    "softhsm2",
    "opensc",
    "gnutls-bin",
    // The test PKI and time-stamping authority (`openssl req/ca/ts`, tests/pki) and `openssl cms` checks;
    // curl posts time-stamp queries to that authority.
    "openssl",
    "curl",
    // certutil, for the NSS database that gives poppler's pdfsig its trust anchors.
    "libnss3-tools",
    // Stored credentials: a real Secret Service (gnome-keyring) in a private D-Bus session
    // (dbus-run-session), read back by secret-tool.
    "gnome-keyring",
    "dbus-x11",
    "libsecret-tools",
    // The reference hub's PostgreSQL store: its tests start a private cluster (initdb, pg_ctl, psql).
    "postgresql",
];

/// The oldest Node.js major version the front end's tooling (Vite) runs on.
const NODE_MAJOR: u32 = 20;

/// Installs what is missing: Debian packages, then checks Node/npm, then tauri-driver.
pub fn install() -> Result<()> {
    debian_packages(DEBIAN_PACKAGES)?;
    rust_components()?;
    node()?;
    let driver = desktop::ensure_tauri_driver()?;
    eprintln!("xtask: install: tauri-driver at {}", driver.display());
    let root = crate::workspace_root()?;
    let pdfium = crate::oracles::pdfium(&root)?;
    eprintln!("xtask: install: pdfium at {}", pdfium.display());
    let oracles = crate::oracles::python_oracles(&root)?;
    eprintln!("xtask: install: python oracles in {}", oracles.display());
    Ok(())
}

fn is_installed(package: &str) -> Result<bool> {
    let out = Command::new("dpkg").args(["-s", package]).stderr(Stdio::null()).output().context("cannot run dpkg")?;
    // `dpkg -s` also succeeds for a removed package whose configuration files remain.
    Ok(out.status.success()
        && String::from_utf8_lossy(&out.stdout).lines().any(|l| l == "Status: install ok installed"))
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

fn debian_packages(packages: &[&str]) -> Result<()> {
    if Command::new("dpkg").arg("--version").stdout(Stdio::null()).status().is_err() {
        eprintln!(
            "xtask: install: no dpkg here (not Debian or Ubuntu); make sure the equivalents of these are installed: {}",
            packages.join(" ")
        );
        return Ok(());
    }
    let mut missing = Vec::new();
    for p in packages {
        if !is_installed(p)? {
            missing.push(*p);
        }
    }
    if missing.is_empty() {
        eprintln!("xtask: install: all {} Debian packages present", packages.len());
        return Ok(());
    }
    eprintln!("xtask: install: installing {}", missing.join(" "));
    let apt = |args: &[&str]| -> Result<()> {
        let mut cmd = if is_root() {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.args(["-n", "apt-get"]);
            sudo
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        let status = cmd.status().with_context(|| format!("cannot run {cmd:?}"))?;
        if !status.success() {
            bail!(
                "{cmd:?} failed with {status}; as root, run:\n  apt-get update && apt-get install -y {}",
                missing.join(" ")
            );
        }
        Ok(())
    };
    apt(&["update"])?;
    let mut args = vec!["install", "-y"];
    args.extend(&missing);
    apt(&args)
}

/// `cargo fmt` and `cargo clippy` (tidy needs them); rustup's minimal profile leaves them out.
fn rust_components() -> Result<()> {
    let present = |tool: &str| {
        Command::new(crate::cargo())
            .args([tool, "--version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let missing: Vec<&str> = [("fmt", "rustfmt"), ("clippy", "clippy")]
        .into_iter()
        .filter(|(tool, _)| !present(tool))
        .map(|(_, component)| component)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: install: rustup component add {}", missing.join(" "));
    let status = Command::new("rustup")
        .args(["component", "add"])
        .args(&missing)
        .status()
        .context("cannot run rustup: install the rustfmt and clippy components of your Rust toolchain")?;
    if !status.success() {
        bail!("`rustup component add {}` failed ({status})", missing.join(" "));
    }
    Ok(())
}

fn node() -> Result<()> {
    let how = "the front end needs Node.js ≥ 20 with npm: on Debian 12 install them from NodeSource \
               (`nodejs` package, which brings npm) or with nvm, then run this again";
    let version = Command::new("node").arg("--version").output();
    let version = match version {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        _ => bail!("node is not installed: {how}"),
    };
    let major: u32 = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    if major < NODE_MAJOR {
        bail!("node {version} is too old: {how}");
    }
    match Command::new("npm").arg("--version").output() {
        Ok(out) if out.status.success() => {
            let npm = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            eprintln!("xtask: install: node {version}, npm {npm}");
            Ok(())
        }
        _ => bail!("npm is not installed (node {version} is): {how}"),
    }
}
