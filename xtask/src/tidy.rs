//! `cargo xtask tidy`: the checks that keep the code base in shape, each printed by name with
//! `ok` or `FAILED` — formatting, clippy, the architecture's dependency boundaries, the `//!` opening of
//! every crate — and, run by `cargo xtask test` after the tests, the freshness of the generated
//! TypeScript bindings.
//!
//! The boundaries are those of ARCHITECTURE.md: the core has no I/O and no SQLite, only the store speaks
//! SQL, only the desktop shell knows Tauri. They are checked on the resolved dependency graph with
//! `cargo tree`, so an indirect dependency counts as much as a direct one, except for the desktop shell,
//! which reaches the store through the façade by design and is only forbidden to depend on it directly.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::cargo;

/// A check's outcome, printed as `name ... ok` or `name ... FAILED` with the reasons below it.
pub struct Outcome {
    /// What was checked.
    pub name: String,
    /// Why it failed; empty when it passed.
    pub problems: Vec<String>,
}

impl Outcome {
    /// Records and prints an outcome.
    pub fn new(name: impl Into<String>, problems: Vec<String>) -> Outcome {
        let outcome = Outcome { name: name.into(), problems };
        outcome.print();
        outcome
    }

    /// Whether the check passed.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn print(&self) {
        let dots = ".".repeat(60usize.saturating_sub(self.name.chars().count()).max(3));
        eprintln!("check: {} {dots} {}", self.name, if self.ok() { "ok" } else { "FAILED" });
        for p in &self.problems {
            eprintln!("        {p}");
        }
    }
}

/// A dependency that must not exist.
struct Boundary {
    krate: &'static str,
    forbidden: &'static [&'static str],
    /// Only direct dependencies count (the shell reaches SQLite through the façade by design).
    direct_only: bool,
}

const BOUNDARIES: &[Boundary] = &[
    Boundary {
        krate: "vanthu-core",
        forbidden: &["rusqlite", "tauri", "ureq", "reqwest", "hyper", "tokio"],
        direct_only: false,
    },
    Boundary { krate: "vanthu-store", forbidden: &["tauri", "ureq", "reqwest", "hyper"], direct_only: false },
    Boundary {
        krate: "vanthu-report",
        forbidden: &["rusqlite", "tauri", "vanthu-core", "vanthu-store", "vanthu-app"],
        direct_only: false,
    },
    Boundary {
        krate: "vanthu-pdf",
        forbidden: &[
            "rusqlite",
            "tauri",
            "vanthu-core",
            "vanthu-store",
            "vanthu-app",
            "vanthu-capture",
            "vanthu-sign",
            "cryptoki",
        ],
        direct_only: false,
    },
    Boundary {
        krate: "vanthu-capture",
        forbidden: &["rusqlite", "tauri", "vanthu-core", "vanthu-store", "vanthu-app", "vanthu-pdf"],
        direct_only: false,
    },
    // Signing knows PDFs and certificates, never the register: the façade keeps what must be kept.
    Boundary {
        krate: "vanthu-sign",
        forbidden: &["rusqlite", "tauri", "vanthu-core", "vanthu-store", "vanthu-app", "vanthu-capture"],
        direct_only: false,
    },
    // edXML is the contract with the hub: it cannot drift with the application's own model.
    Boundary {
        krate: "vanthu-edxml",
        forbidden: &[
            "vanthu-core",
            "vanthu-store",
            "vanthu-app",
            "vanthu-pdf",
            "vanthu-sign",
            "vanthu-capture",
            "vanthu-report",
            "rusqlite",
            "tauri",
            "ureq",
        ],
        direct_only: false,
    },
    // The reference hub knows messages and organisations, never the register (ADR 0006).
    Boundary {
        krate: "vanthu-hub",
        forbidden: &[
            "vanthu-core",
            "vanthu-store",
            "vanthu-app",
            "vanthu-pdf",
            "vanthu-sign",
            "vanthu-capture",
            "vanthu-report",
            "vanthu-testkit",
            "tauri",
        ],
        direct_only: false,
    },
    // The sync engine plans and talks to hubs; it never knows the UI, the signing stack or the hub
    // server (ADR 0006).
    Boundary {
        krate: "vanthu-sync",
        forbidden: &[
            "vanthu-app",
            "vanthu-pdf",
            "vanthu-sign",
            "vanthu-capture",
            "vanthu-report",
            "vanthu-hub",
            "vanthu-testkit",
            "tauri",
        ],
        direct_only: false,
    },
    // The test kit (SoftHSM tokens, oracles) never ships.
    Boundary { krate: "vanthu-app", forbidden: &["tauri", "clap", "vanthu-testkit"], direct_only: false },
    Boundary {
        krate: "vanthu-cli",
        forbidden: &["tauri", "vanthu-capture", "vanthu-pdf", "vanthu-sign", "vanthu-testkit"],
        direct_only: true,
    },
    Boundary { krate: "vanthu-cli", forbidden: &["tauri"], direct_only: false },
    Boundary {
        krate: "vanthu-desktop",
        forbidden: &["vanthu-store", "rusqlite", "vanthu-capture", "vanthu-pdf", "vanthu-sign", "vanthu-testkit"],
        direct_only: true,
    },
];

/// Runs a command from `root`, echoing it; returns whether it succeeded.
fn check_command(root: &Path, args: &[&str]) -> Result<Vec<String>> {
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new(cargo()).args(args).current_dir(root).status().context("cannot run cargo")?;
    Ok(if status.success() { Vec::new() } else { vec![format!("`cargo {}` failed ({status})", args.join(" "))] })
}

/// `cargo fmt --all -- --check`.
pub fn fmt(root: &Path) -> Result<Outcome> {
    Ok(Outcome::new("rustfmt", check_command(root, &["fmt", "--all", "--", "--check"])?))
}

/// `cargo clippy --workspace --all-targets -- -D warnings`.
pub fn clippy(root: &Path) -> Result<Outcome> {
    let args = ["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"];
    Ok(Outcome::new("clippy -D warnings", check_command(root, &args)?))
}

/// The architecture's dependency boundaries.
pub fn boundaries(root: &Path) -> Result<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    for b in BOUNDARIES {
        let mut problems = Vec::new();
        if b.direct_only {
            let direct = direct_dependencies(root, b.krate)?;
            for f in b.forbidden {
                if direct.iter().any(|d| d == f) {
                    problems.push(format!("{} depends directly on {f}", b.krate));
                }
            }
        } else {
            for f in b.forbidden {
                if let Some(path) = depends_on(root, b.krate, f)? {
                    problems.push(format!("{} depends on {f}:\n{path}", b.krate));
                }
            }
        }
        let scope = if b.direct_only { "directly " } else { "" };
        outcomes
            .push(Outcome::new(format!("boundary: {} {scope}without {}", b.krate, b.forbidden.join(", ")), problems));
    }
    Ok(outcomes)
}

/// `cargo tree -p A -e normal -i B`: B is in A's normal dependencies if it exits 0 and prints something.
/// Returns the inverted tree (how A reaches B) when it is.
fn depends_on(root: &Path, krate: &str, dependency: &str) -> Result<Option<String>> {
    let out = Command::new(cargo())
        .args(["tree", "-p", krate, "-e", "normal", "-i", dependency])
        .current_dir(root)
        .output()
        .context("cannot run cargo tree")?;
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() {
        return Ok((!stdout.is_empty()).then_some(stdout));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("did not match any packages") {
        return Ok(None);
    }
    if stderr.contains("ambiguous") {
        // Several versions of the dependency: look for the name in the whole tree instead.
        let all = tree_names(root, krate, None)?;
        return Ok(all.iter().any(|n| n == dependency).then(|| format!("(one of several versions of {dependency})")));
    }
    bail!("`cargo tree -p {krate} -e normal -i {dependency}` failed: {}", stderr.trim())
}

/// Names of `krate`'s direct normal dependencies.
fn direct_dependencies(root: &Path, krate: &str) -> Result<Vec<String>> {
    let mut names = tree_names(root, krate, Some(1))?;
    // The first line is the crate itself.
    if !names.is_empty() {
        names.remove(0);
    }
    Ok(names)
}

fn tree_names(root: &Path, krate: &str, depth: Option<u32>) -> Result<Vec<String>> {
    let mut cmd = Command::new(cargo());
    cmd.args(["tree", "-p", krate, "-e", "normal", "--prefix", "none"]).current_dir(root);
    if let Some(d) = depth {
        cmd.args(["--depth", &d.to_string()]);
    }
    let out = cmd.output().context("cannot run cargo tree")?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect())
}

/// Every crate opens its root file with a `//!` comment saying why it exists (style.md, habit 2).
pub fn crate_docs(root: &Path) -> Result<Outcome> {
    let mut problems = Vec::new();
    let mut crates: Vec<_> = std::fs::read_dir(root.join("crates"))
        .context("cannot read crates/")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    crates.sort();
    for dir in crates {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let roots: Vec<_> = ["src/lib.rs", "src/main.rs"].iter().map(|f| dir.join(f)).filter(|p| p.exists()).collect();
        if roots.is_empty() {
            problems.push(format!("crates/{name} has neither src/lib.rs nor src/main.rs"));
        }
        for file in roots {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            if !text.trim_start().starts_with("//!") {
                let shown = file.strip_prefix(root).unwrap_or(&file).display().to_string();
                problems.push(format!("{shown} does not start with a `//!` comment saying why the crate exists"));
            }
        }
    }
    Ok(Outcome::new("every crate opens with a //! doc comment", problems))
}

/// The TypeScript bindings in `ui/src/bindings` are as the desktop crate's tests regenerated them.
pub fn bindings_fresh(root: &Path) -> Result<Outcome> {
    let dir = "ui/src/bindings";
    let mut problems = Vec::new();
    eprintln!("$ git diff --exit-code -- {dir}");
    let diff = Command::new("git")
        .args(["diff", "--exit-code", "--stat", "--", dir])
        .current_dir(root)
        .output()
        .context("cannot run git")?;
    if !diff.status.success() {
        let stat = String::from_utf8_lossy(&diff.stdout);
        let stderr = String::from_utf8_lossy(&diff.stderr);
        problems.push(format!(
            "the generated bindings differ from the committed ones (commit the regenerated files):\n{}{}",
            stat.trim_end(),
            stderr.trim_end()
        ));
    }
    let untracked = Command::new("git")
        .args(["ls-files", "--others", "--exclude-standard", "--", dir])
        .current_dir(root)
        .output()
        .context("cannot run git")?;
    let new_files = String::from_utf8_lossy(&untracked.stdout).trim().to_owned();
    if !new_files.is_empty() {
        problems.push(format!("new generated bindings are not committed: {}", new_files.replace('\n', ", ")));
    }
    Ok(Outcome::new("TypeScript bindings fresh (ui/src/bindings)", problems))
}

/// Every tidy check; the outcomes in order.
pub fn all(root: &Path) -> Result<Vec<Outcome>> {
    let mut outcomes = vec![fmt(root)?];
    outcomes.extend(boundaries(root)?);
    outcomes.push(crate_docs(root)?);
    // The desktop crate embeds the built front end (`tauri::generate_context!` reads `ui/dist` at
    // compile time), so clippy on a clean clone needs it built first.
    outcomes.push(match crate::desktop::build_ui(root) {
        Ok(()) => Outcome::new("front end built (ui/dist)", Vec::new()),
        Err(e) => Outcome::new("front end built (ui/dist)", vec![format!("{e:#}")]),
    });
    outcomes.push(clippy(root)?);
    Ok(outcomes)
}
