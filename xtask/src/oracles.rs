//! The outside parts the tests and benchmarks use, fetched or started by xtask so that a fresh machine
//! needs no hand set-up:
//!
//! - **pdfium**: the renderer `vanthu-pdf` binds at run time, taken from the pypdfium2 wheel on PyPI
//!   (pinned) into `target/pdfium/libpdfium.so` (docs/stack.md: the npm builds are WASM or too old);
//! - **Python oracles** in a private virtual environment (`target/oracles/venv`, pinned): `img2pdf`, the
//!   peer our digitising is measured against; pyHanko (`pyhanko[pkcs11]`, `pyhanko-certvalidator`, and
//!   `pyhanko-cli` for the `pyhanko` command), the independent validator of our PAdES signatures and a
//!   foreign signer on the PKCS#11 token for our verifier's tests (docs/stack.md, "Independent
//!   oracles"). The venv records what it was filled with; when `PYTHON_ORACLES` changes, the next run
//!   installs the new list into it;
//! - **CUPS** with a PDF printer (`VanthuPDF`, cups-pdf): printing is tested for real and the printed
//!   file is read back from the printing user's `~/PDF`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The pdfium build we test with: PDFium chromium/8149, from this pypdfium2 wheel.
const PYPDFIUM2: &str = "pypdfium2==5.15.2";
/// The Python packages of the oracles, pinned.
const PYTHON_ORACLES: &[&str] = &[
    // Digitising: the reference JPEG → PDF converter.
    "img2pdf==0.6.3",
    // Signing: pyHanko validates (and, on the token, makes) PAdES signatures; the CLI gives `pyhanko`.
    "pyhanko[pkcs11]==0.38.0",
    "pyhanko-cli==0.6.0",
    "pyhanko-certvalidator==0.33.0",
];
/// The CUPS queue the printing tests use.
pub const TEST_PRINTER: &str = "VanthuPDF";

/// `target/pdfium/libpdfium.so`, fetched when missing.
pub fn pdfium(root: &Path) -> Result<PathBuf> {
    let dir = root.join("target").join("pdfium");
    let lib = dir.join("libpdfium.so");
    if lib.is_file() {
        return Ok(lib);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let download = tempfile_dir(&dir, "wheel")?;
    eprintln!("xtask: fetching pdfium ({PYPDFIUM2} wheel from PyPI)");
    let status = Command::new("python3")
        .args(["-m", "pip", "download", PYPDFIUM2, "--no-deps", "--only-binary=:all:"])
        .args(["--platform", "manylinux_2_17_x86_64", "-d"])
        .arg(&download)
        .status()
        .context("cannot run python3 -m pip (install python3-pip)")?;
    if !status.success() {
        bail!("pip download {PYPDFIUM2} failed ({status})");
    }
    // Unzip the one member with Python's zipfile: no `unzip` needed.
    let script = "import sys, zipfile, glob, shutil\n\
                  whl = glob.glob(sys.argv[1] + '/pypdfium2-*.whl')[0]\n\
                  with zipfile.ZipFile(whl) as z, z.open('pypdfium2_raw/libpdfium.so') as src, open(sys.argv[2], 'wb') as dst:\n\
                  \x20   shutil.copyfileobj(src, dst)\n";
    let partial = dir.join("libpdfium.so.part");
    let status = Command::new("python3").args(["-c", script]).arg(&download).arg(&partial).status()?;
    std::fs::remove_dir_all(&download).ok();
    if !status.success() {
        bail!("cannot extract libpdfium.so from the wheel ({status})");
    }
    std::fs::rename(&partial, &lib)?;
    Ok(lib)
}

fn tempfile_dir(parent: &Path, name: &str) -> Result<PathBuf> {
    let dir = parent.join(format!("{name}.{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The oracles' virtual environment, created and filled when missing; returns its `bin/` folder.
///
/// A marker file in the venv holds the list it was filled with. When the list changes (or the venv lacks
/// its Python), `python3 -m venv` runs again over it (which keeps what is installed) and pip installs the
/// whole new list into it: new packages are added, changed pins moved; the marker is written last.
pub fn python_oracles(root: &Path) -> Result<PathBuf> {
    let venv = root.join("target").join("oracles").join("venv");
    let bin = venv.join("bin");
    let marker = venv.join(".vanthu-oracles");
    let wanted = PYTHON_ORACLES.join(" ");
    if bin.join("python").is_file() && std::fs::read_to_string(&marker).is_ok_and(|s| s == wanted) {
        return Ok(bin);
    }
    eprintln!("xtask: python oracles: {wanted} into {}", venv.display());
    let status =
        Command::new("python3").args(["-m", "venv"]).arg(&venv).status().context("cannot run python3 -m venv")?;
    if !status.success() {
        bail!("python3 -m venv failed ({status}); install python3-venv");
    }
    let status = Command::new(bin.join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(PYTHON_ORACLES)
        .status()
        .context("cannot run the venv's pip")?;
    if !status.success() {
        bail!("pip install {wanted} failed ({status})");
    }
    std::fs::write(&marker, wanted)?;
    Ok(bin)
}

/// `target/sane.d` with a `dll.conf` that loads only SANE's `test` backend: the tests' scanner.
pub fn sane_test_config(root: &Path) -> Result<PathBuf> {
    let dir = root.join("target").join("sane.d");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(dir.join("dll.conf"), "test\n")?;
    // Colour pages with a pattern (the backend's default is solid black), as a real scan would give.
    std::fs::write(
        dir.join("test.conf"),
        "number_of_devices 2\nmode Color\nresolution 200.0\ntest-picture \"Color pattern\"\n",
    )?;
    Ok(dir)
}

/// A CUPS scheduler with the `VanthuPDF` printer; stops the scheduler on drop if it started it.
pub struct Cups {
    started: Option<Child>,
}

impl Cups {
    /// Uses the running scheduler, or starts `cupsd -f` (as root); then makes sure the printer exists.
    pub fn start() -> Result<Cups> {
        let mut started = None;
        if !scheduler_running() {
            let child = Command::new("/usr/sbin/cupsd")
                .arg("-f")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("cannot start cupsd (apt-get install cups; the tests start it as root)")?;
            started = Some(child);
            let deadline = Instant::now() + Duration::from_secs(20);
            while !scheduler_running() {
                if Instant::now() > deadline {
                    bail!("cupsd did not come up within 20 s");
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        let cups = Cups { started };
        let exists = Command::new("lpstat").args(["-p", TEST_PRINTER]).output().is_ok_and(|o| o.status.success());
        if !exists {
            let status = Command::new("lpadmin")
                .args(["-p", TEST_PRINTER, "-v", "cups-pdf:/", "-m", "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd", "-E"])
                .stderr(Stdio::null())
                .status()
                .context("cannot run lpadmin")?;
            if !status.success() {
                bail!(
                    "lpadmin could not add the {TEST_PRINTER} printer ({status}); apt-get install printer-driver-cups-pdf"
                );
            }
        }
        Ok(cups)
    }

    /// Where cups-pdf writes what is printed by this user (`Out ${HOME}/PDF`).
    pub fn output_dir() -> PathBuf {
        std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/root")).join("PDF")
    }
}

impl Drop for Cups {
    fn drop(&mut self) {
        if let Some(child) = &mut self.started {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn scheduler_running() -> bool {
    Command::new("lpstat")
        .arg("-r")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("scheduler is running"))
}
