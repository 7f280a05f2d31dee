//! Shared scaffolding for the scenarios: where the built binaries are, and how to run the CLI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace's target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
    }
}

/// Path of a binary built by `cargo build` (debug profile) — `cargo xtask test` builds them first.
/// A missing binary is a failure, not a skip: run the tests through `cargo xtask test`.
pub fn built_binary(env_override: &str, name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env_override) {
        return PathBuf::from(path);
    }
    let path = target_dir().join("debug").join(name);
    assert!(
        path.exists(),
        "{} is not built: run the tests with `cargo xtask test` (or `cargo build -p {name}` first)",
        path.display()
    );
    path
}

/// The `vanthu` command-line binary.
pub fn vanthu_bin() -> PathBuf {
    built_binary("VANTHU_BIN", "vanthu")
}

/// A `vanthu` command on the register at `db`, with the clock fixed at `now` (RFC 3339) when given.
pub fn vanthu(db: &Path, now: Option<&str>) -> Command {
    let mut cmd = Command::new(vanthu_bin());
    cmd.arg("--db").arg(db).arg("--json");
    if let Some(now) = now {
        cmd.arg("--now").arg(now);
    }
    cmd.env_remove("VANTHU_DB");
    cmd
}

/// Runs a command, asserts success, and parses its stdout as one JSON object.
pub fn run_json(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.output().expect("the command starts");
    assert_success(&out);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// Asserts that a finished command exited 0, showing its stderr otherwise.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "command failed with {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Creates the register at `db` for the organisation of the examples (UBND tỉnh Lào Cai) with
/// `vanthu init`, and returns its JSON answer.
pub fn init_register(db: &Path) -> serde_json::Value {
    run_json(vanthu(db, None).args([
        "init",
        "--org-id",
        "000.00.00.H24",
        "--org-name",
        "Ủy ban nhân dân tỉnh Lào Cai",
        "--org-abbr",
        "UBND",
    ]))
}

/// Makes a read-only stored file writable again, as someone tampering with it would.
pub fn make_writable(path: &Path) {
    let mut perms = std::fs::metadata(path).expect("the file exists").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).expect("permissions can be changed");
}

/// One printing test at a time: the CUPS test printer writes every job into one folder, and two
/// tests printing "vanthu-den-2026-1" at once would each find the other's printout.
static PRINTER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Holds the test printer for the caller's test.
pub fn one_printer() -> std::sync::MutexGuard<'static, ()> {
    PRINTER.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
