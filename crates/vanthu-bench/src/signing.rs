//! The signing figures of the issue, measured against the peer tool, pyHanko, on the same file, the
//! same token and key and the same machine in one run:
//!
//! 1. **Sign.** A 20-page scanned PDF (≈ 10 MB) signed PAdES with the organisation's RSA-2048 key on
//!    a SoftHSM2 token, the PIN on standard input: `vanthu sign --profile copy` (a process, end to
//!    end: reading, the copy mark drawn, the token opened and logged in, hashing, the signature, the
//!    atomic write with its fsync) against `python -m pyhanko sign addsig --use-pades pkcs11` (an
//!    invisible field, no fsync). Goal: at most a tenth of pyHanko's time.
//! 2. **Verify.** The same signed file verified offline with the test PKI's root, intermediate and
//!    CRLs: `vanthu verify` (a process) against pyHanko's Python API doing the same
//!    (`tests/pki/pyhanko_validate.py`: `validate_pdf_signature` with the CRLs, fetching off,
//!    revocation hard-fail). Goal: at most a tenth of pyHanko's time. In-process
//!    ([`vanthu_app::signing::verify_pdf`] on the bytes in memory, the trust store built from bytes)
//!    is an information row: what the CLI adds is process start and file reading.
//!
//! Nothing wrong is timed: before any timing our signed file must be judged
//! `INTACT:TRUSTED,UNTOUCHED` by pyHanko, pyHanko's own output likewise, and both verifiers must call
//! the file they time valid; a contender that fails its check is reported `MISSED`, not timed.
//!
//! The input is assembled from the first 20 of the digitising benchmark's cached scans (A4, 200 dpi,
//! colour JPEG, see the `digitise` module) with the [`Assembler`], as `vanthu digitise` makes scans
//! into PDFs. When that cache is missing (a `--signing-only` run on a fresh tree) the scans are drawn
//! into it first (`digitise::scans`).
//!
//! The PKI and the token are made once for the run by `vanthu-testkit` (`tests/pki/make_pki.py`,
//! `softhsm2-util`, `pkcs11-tool`), under a private `SOFTHSM2_CONF` that both tools get. pyHanko is
//! the oracles' venv (`$VANTHU_ORACLES_VENV`, else `target/oracles/venv`, made by `cargo xtask
//! install`); when it is missing every comparison row says so and is `MISSED`, never left out. Both
//! tools are started through `setsid` (when installed) so that neither has a controlling terminal:
//! pyHanko's `getpass` would otherwise ask the terminal for the PIN instead of reading standard input.
//!
//! Timings are medians over [`RUNS`] repetitions after one warm-up run each, the contenders'
//! runs interleaved and their order rotated from round to round, so that load from elsewhere on the
//! machine falls on all of them alike; the input is read once first so that every run finds it in
//! the page cache. The `vanthu` binary is built (`cargo build --release -p vanthu-cli`) into the same
//! target directory, so the CLI measured is the one of this source tree.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use time::OffsetDateTime;
use time::macros::datetime;
use vanthu_app::signing::{self, FileVerdict, TrustInput};
use vanthu_pdf::assemble::{Assembler, Metadata, PageSpec, Rotation};
use vanthu_testkit::oracles;
use vanthu_testkit::pki::{PIN, Pki, SOFTHSM_MODULE, TOKEN_LABEL};

use crate::measure::{Row, Stats, size};

/// Pages of the signed document (the first scans of the digitising benchmark's cache).
const PAGES: usize = 20;
/// The key on the token: RSA-2048, PKCS#1 v1.5 (both tools' default for RSA).
const KEY: &str = "org-rsa";
/// Timed repetitions of each contender, after one warm-up run each.
const RUNS: usize = 7;
/// The goal of the issue: our time at most this fraction of pyHanko's.
const GOAL_RATIO: f64 = 0.1;
/// pyHanko's verdict on a good signature covering the whole file.
const GOOD: &str = "INTACT:TRUSTED,UNTOUCHED";
/// The creation time written into the input PDF (fixed: same scans, same bytes).
const AT: OffsetDateTime = datetime!(2025-03-14 09:30 +07:00);

/// Runs the signing measurements; `target` is the workspace's target directory, `workspace` its root.
pub fn run(target: &Path, workspace: &Path) -> Result<Vec<Row>> {
    let out = target.join("bench").join("signing");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let all = crate::digitise::scans(target)?;
    let scans = all.get(..PAGES).context("fewer generated scans than pages to sign")?;
    let input = out.join(format!("scan-{PAGES}.pdf"));
    assemble(scans, &input)?;
    let bytes = std::fs::read(&input).with_context(|| format!("cannot read {}", input.display()))?;
    let file_size = size(bytes.len() as u64);

    let pki = quietly(Pki::new).map_err(|e| format!("no test PKI and token ({e}; `cargo xtask install`)"));
    let python = quietly(oracles::python).map_err(|e| format!("pyHanko not found: {e}"));
    let pyhanko = python.clone().and_then(|p| pyhanko_version(&p).map(|v| (p, v)));
    let cli = crate::digitise::build_cli(workspace, target, "signing");
    match (&cli, &pyhanko) {
        (Ok(cli), Ok((python, version))) => {
            eprintln!("vanthu-bench: signing: our CLI is {}; pyHanko {version} in {}", cli.display(), python.display())
        }
        (cli, pyhanko) => {
            for why in [cli.as_ref().err(), pyhanko.as_ref().err()].into_iter().flatten() {
                eprintln!("vanthu-bench: signing: {why}");
            }
        }
    }

    let mut rows = vec![Row::info(
        format!("signing: {PAGES} of the generated scans (A4 200 dpi JPEG) assembled into one PDF"),
        format!(
            "{file_size} ({} bytes); {}; {}",
            bytes.len(),
            match &pki {
                Ok(_) => format!("a test PKI and SoftHSM2 token \"{TOKEN_LABEL}\" made for the run"),
                Err(why) => why.clone(),
            },
            match &pyhanko {
                Ok((_, version)) => format!("peer pyHanko {version}"),
                Err(why) => why.clone(),
            }
        ),
    )];
    let sign_measure = format!("PAdES sign, {PAGES}-page {file_size} scan, SoftHSM RSA-2048");
    let verify_measure = "PAdES verify, same file, offline with CRLs (our signed copy)".to_owned();
    let goal = format!("≤ {GOAL_RATIO}× pyHanko");
    let pki = match pki {
        Ok(pki) => pki,
        Err(why) => {
            for measure in [sign_measure, verify_measure] {
                rows.push(Row { measure, figure: why.clone(), goal: goal.clone(), verdict: "MISSED".into() });
            }
            return Ok(rows);
        }
    };
    let read = |p: PathBuf| std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()));
    let mut bench = Bench {
        pki: &pki,
        cli: cli.as_ref().map_err(String::clone),
        python: pyhanko.as_ref().map(|(p, _)| p.as_path()).map_err(String::clone),
        validate: oracles::workspace_root().join("tests/pki/pyhanko_validate.py"),
        input: input.clone(),
        ours_signed: out.join("signed-vanthu.pdf"),
        theirs_signed: out.join("signed-pyhanko.pdf"),
        verified: out.join("verify-me.pdf"),
        bytes: Vec::new(),
        trust: TrustInput {
            anchors: vec![read(pki.root())?],
            intermediates: vec![read(pki.path("sub.pem"))?],
            crls: pki.crls().into_iter().map(read).collect::<Result<_>>()?,
        },
    };

    // The warm-up run of each contender, with its check; one that fails is reported, not timed.
    eprintln!("vanthu-bench: signing: warm-up runs and checks");
    let mut checks: Vec<(Contender, Result<String, String>)> = Vec::new();
    for who in [Contender::OursSign, Contender::TheirsSign] {
        let checked = bench.available(who).and_then(|()| bench.warm_up_sign(who).map_err(|e| format!("{e:#}")));
        checks.push((who, checked));
    }
    // Verify our signed copy; pyHanko's when ours could not be made (the rows say which).
    let (source, label) = if checks[0].1.is_ok() {
        (&bench.ours_signed, "our signed copy")
    } else {
        (&bench.theirs_signed, "pyHanko's signed copy")
    };
    let verify_measure = verify_measure.replace("our signed copy", label);
    let verifiable = std::fs::copy(source, &bench.verified).map_err(|e| format!("no signed file to verify: {e}"));
    if verifiable.is_ok() {
        bench.bytes = read(bench.verified.clone())?;
    }
    for who in [Contender::OursVerify, Contender::TheirsVerify, Contender::InProcessVerify] {
        let checked = verifiable
            .clone()
            .map(|_| ())
            .and_then(|()| bench.available(who))
            .and_then(|()| bench.warm_up_verify(who).map_err(|e| format!("{e:#}")));
        checks.push((who, checked));
    }

    let contenders: Vec<Contender> = checks.iter().filter(|(_, c)| c.is_ok()).map(|(who, _)| *who).collect();
    eprintln!("vanthu-bench: signing: {RUNS} runs of {} contenders, interleaved", contenders.len());
    let mut samples: Vec<(Contender, Vec<f64>)> = contenders.iter().map(|&c| (c, Vec::new())).collect();
    for round in 0..RUNS {
        for k in 0..samples.len() {
            let i = (round + k) % samples.len();
            let took = bench.once(samples[i].0)?;
            samples[i].1.push(took.as_secs_f64());
        }
    }
    let stats = |who: Contender| samples.iter().find(|(c, _)| *c == who).map(|(_, s)| Stats::new(s.clone()));
    let check = |who: Contender| {
        checks.iter().find(|(c, _)| *c == who).map_or_else(|| Err("not run".to_owned()), |(_, r)| r.clone())
    };

    for (measure, ours, theirs) in [
        (sign_measure, Contender::OursSign, Contender::TheirsSign),
        (verify_measure, Contender::OursVerify, Contender::TheirsVerify),
    ] {
        let (figure, ok) = match (stats(ours), stats(theirs)) {
            (Some(o), Some(t)) => {
                let ratio = o.median() / t.median();
                (format!("ours {:.3} s vs pyHanko {:.3} s ({ratio:.3}×)", o.median(), t.median()), ratio <= GOAL_RATIO)
            }
            (o, t) => {
                let side = |name: &str, s: Option<Stats>, who: Contender| match s {
                    Some(s) => format!("{name} {:.3} s", s.median()),
                    None => format!("{name}: {}", check(who).err().unwrap_or_default()),
                };
                (format!("{}; {}", side("ours", o, ours), side("pyHanko", t, theirs)), false)
            }
        };
        rows.push(Row { measure, figure, goal: goal.clone(), verdict: if ok { "ok" } else { "MISSED" }.into() });
        let spread = [ours, theirs]
            .iter()
            .filter_map(|&who| Some(format!("{} {}", who.name(), stats(who)?.spread())))
            .collect::<Vec<_>>();
        let what = if ours == Contender::OursSign { "output" } else { "verdict" };
        let verdicts = [ours, theirs]
            .iter()
            .filter_map(|&who| Some(format!("{} {what}: {}", who.owner(), check(who).ok()?)))
            .collect::<Vec<_>>();
        rows.push(Row::info(
            format!("  {} runs and checks", if ours == Contender::OursSign { "sign" } else { "verify" }),
            [spread, verdicts].concat().join("; "),
        ));
    }
    let measure = "  verify in-process (verify_pdf, bytes in memory, trust store from bytes)";
    rows.push(match stats(Contender::InProcessVerify) {
        Some(s) => Row::info(
            measure,
            format!(
                "median {:.3} s; {}; {}",
                s.median(),
                s.spread(),
                check(Contender::InProcessVerify).unwrap_or_default()
            ),
        ),
        None => Row::info(measure, format!("failed: {}", check(Contender::InProcessVerify).err().unwrap_or_default())),
    });

    std::fs::remove_dir_all(&out).ok();
    Ok(rows)
}

/// Which of the timed runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Contender {
    OursSign,
    TheirsSign,
    OursVerify,
    TheirsVerify,
    InProcessVerify,
}

impl Contender {
    /// Who runs it, for the table.
    fn name(self) -> &'static str {
        match self {
            Contender::OursSign | Contender::OursVerify => "ours",
            Contender::TheirsSign | Contender::TheirsVerify => "pyHanko",
            Contender::InProcessVerify => "in-process",
        }
    }

    /// Whose output or verdict, for the table.
    fn owner(self) -> &'static str {
        match self {
            Contender::OursSign | Contender::OursVerify | Contender::InProcessVerify => "our",
            Contender::TheirsSign | Contender::TheirsVerify => "pyHanko's",
        }
    }

    /// The PIN each signer reads from standard input.
    fn pin(self) -> Option<&'static str> {
        matches!(self, Contender::OursSign | Contender::TheirsSign).then_some(PIN)
    }
}

/// What the runs share.
struct Bench<'a> {
    pki: &'a Pki,
    /// Our CLI, or why there is none.
    cli: Result<&'a PathBuf, String>,
    /// The oracles' Python with pyHanko, or why there is none.
    python: Result<&'a Path, String>,
    validate: PathBuf,
    input: PathBuf,
    ours_signed: PathBuf,
    theirs_signed: PathBuf,
    /// The signed file both verifiers are timed on (a copy: the signers overwrite their outputs).
    verified: PathBuf,
    /// Its bytes, for the in-process verification.
    bytes: Vec<u8>,
    /// The trust material of the in-process verification, read once.
    trust: TrustInput,
}

impl Bench<'_> {
    /// Whether the tool of `who` is there; why not, when not.
    fn available(&self, who: Contender) -> Result<(), String> {
        match who {
            Contender::OursSign | Contender::OursVerify => self.cli.as_ref().map(|_| ()).map_err(String::clone),
            Contender::TheirsSign | Contender::TheirsVerify => self.python.as_ref().map(|_| ()).map_err(String::clone),
            Contender::InProcessVerify => Ok(()),
        }
    }

    /// One timed run.
    fn once(&self, who: Contender) -> Result<Duration> {
        Ok(match who {
            Contender::InProcessVerify => {
                let started = Instant::now();
                let verdict = self.in_process()?;
                let took = started.elapsed();
                ensure!(verdict == FileVerdict::Valid, "verify_pdf: {verdict:?}");
                took
            }
            _ => execute(&mut self.command(who)?, who.pin())?.0,
        })
    }

    /// The warm-up run of a signer, then its output judged by pyHanko.
    fn warm_up_sign(&self, who: Contender) -> Result<String> {
        let output = if who == Contender::OursSign { &self.ours_signed } else { &self.theirs_signed };
        std::fs::remove_file(output).ok();
        execute(&mut self.command(who)?, who.pin())?;
        let input = std::fs::read(&self.input)?;
        let signed = std::fs::read(output).with_context(|| format!("no output {}", output.display()))?;
        ensure!(signed.starts_with(&input), "the signed file does not begin with the input's bytes");
        if self.python.is_err() {
            return Ok("unchecked (no pyHanko)".into());
        }
        let (_, verdict) = execute(&mut self.pyhanko_validate(output)?, None)?;
        let summaries = pyhanko_summaries(&verdict.stdout)?;
        ensure!(summaries == [GOOD], "pyHanko says {summaries:?} of {}", output.display());
        Ok(format!("{GOOD} by pyHanko"))
    }

    /// The warm-up run of a verifier, with its verdict on the file.
    fn warm_up_verify(&self, who: Contender) -> Result<String> {
        Ok(match who {
            Contender::OursVerify => {
                let (_, output) = execute(&mut self.command(who)?, None)?;
                let report: serde_json::Value =
                    serde_json::from_slice(&output.stdout).context("`vanthu --json verify` printed no JSON")?;
                ensure!(report["verdict"] == "valid", "vanthu verify says {report}");
                "valid".into()
            }
            Contender::TheirsVerify => {
                let (_, output) = execute(&mut self.command(who)?, None)?;
                let summaries = pyhanko_summaries(&output.stdout)?;
                ensure!(summaries == [GOOD], "pyHanko says {summaries:?}");
                GOOD.into()
            }
            _ => {
                let verdict = self.in_process()?;
                ensure!(verdict == FileVerdict::Valid, "verify_pdf says {verdict:?}");
                "verdict valid".into()
            }
        })
    }

    /// The in-process verification: the trust store built from bytes, every signature verified.
    fn in_process(&self) -> Result<FileVerdict> {
        let store = signing::trust_store(&self.trust)?;
        Ok(signing::verify_pdf(&self.bytes, &store, OffsetDateTime::now_utc())?.verdict)
    }

    fn command(&self, who: Contender) -> Result<Command> {
        let cli = || self.cli.as_ref().map_err(|e| anyhow!("{e}"));
        let python = || self.python.as_ref().map_err(|e| anyhow!("{e}"));
        let nowhere = self.pki.path("no-register.sqlite3");
        Ok(match who {
            Contender::OursSign => {
                let mut c = detached(cli()?);
                c.arg("--db")
                    .arg(&nowhere)
                    .arg("sign")
                    .arg("--in")
                    .arg(&self.input)
                    .arg("--out")
                    .arg(&self.ours_signed)
                    .args(["--module", SOFTHSM_MODULE, "--token-label", TOKEN_LABEL, "--key-label", KEY])
                    .args(["--pin-stdin", "--profile", "copy"])
                    .env("SOFTHSM2_CONF", self.pki.softhsm_conf())
                    .env_remove("VANTHU_DB");
                c
            }
            Contender::TheirsSign => {
                let mut c = detached(python()?);
                c.args(["-m", "pyhanko", "sign", "addsig", "--field", "Sig1", "--use-pades", "pkcs11"])
                    .args(["--lib", SOFTHSM_MODULE, "--token-label", TOKEN_LABEL, "--cert-label", KEY])
                    .args(["--key-label", KEY])
                    .arg(&self.input)
                    .arg(&self.theirs_signed)
                    .env("SOFTHSM2_CONF", self.pki.softhsm_conf());
                c
            }
            Contender::OursVerify => {
                let mut c = detached(cli()?);
                c.arg("--db").arg(&nowhere).args(["--json", "verify"]).arg(&self.verified);
                c.arg("--trust").arg(self.pki.root()).arg("--intermediate").arg(self.pki.path("sub.pem"));
                for crl in self.pki.crls() {
                    c.arg("--crl").arg(crl);
                }
                c.env_remove("VANTHU_DB");
                c
            }
            Contender::TheirsVerify => self.pyhanko_validate(&self.verified)?,
            Contender::InProcessVerify => bail!("verify_pdf runs in this process"),
        })
    }

    /// `tests/pki/pyhanko_validate.py FILE --trust root.pem --other sub.pem --crl …` (offline).
    fn pyhanko_validate(&self, file: &Path) -> Result<Command> {
        let python = self.python.as_ref().map_err(|e| anyhow!("{e}"))?;
        let mut c = detached(python);
        c.arg(&self.validate)
            .arg(file)
            .arg("--trust")
            .arg(self.pki.root())
            .arg("--other")
            .arg(self.pki.path("sub.pem"));
        for crl in self.pki.crls() {
            c.arg("--crl").arg(crl);
        }
        Ok(c)
    }
}

/// A command for `program` started in a session of its own (`setsid`, when installed): without a
/// controlling terminal, pyHanko's `getpass` reads the PIN from standard input as ours does.
fn detached(program: &Path) -> Command {
    const SETSID: &str = "/usr/bin/setsid";
    if Path::new(SETSID).is_file() {
        let mut c = Command::new(SETSID);
        c.arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// Runs a process to its end, `pin` and a newline on its standard input, its output captured; the
/// time from spawning it to its exit. Fails when it fails.
fn execute(command: &mut Command, pin: Option<&str>) -> Result<(Duration, Output)> {
    command.stdin(if pin.is_some() { Stdio::piped() } else { Stdio::null() });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().with_context(|| format!("cannot run {command:?}"))?;
    if let (Some(pin), Some(mut stdin)) = (pin, child.stdin.take()) {
        writeln!(stdin, "{pin}").context("cannot write the PIN")?;
    }
    let output = child.wait_with_output().with_context(|| format!("cannot run {command:?}"))?;
    let took = started.elapsed();
    if !output.status.success() {
        bail!(
            "{:?} failed ({}): {}{}",
            command.get_args().next().map(|a| a.to_os_string()).unwrap_or_default(),
            output.status,
            String::from_utf8_lossy(&output.stdout).trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok((took, output))
}

/// The `summary` (or `error`) of each signature in `pyhanko_validate.py`'s JSON lines.
fn pyhanko_summaries(stdout: &[u8]) -> Result<Vec<String>> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: serde_json::Value =
                serde_json::from_str(line).with_context(|| format!("pyhanko_validate.py printed {line:?}"))?;
            Ok(v["summary"].as_str().or(v["error"].as_str()).unwrap_or("?").to_owned())
        })
        .collect()
}

/// pyHanko's version in the oracles' Python; an error when it cannot be imported.
fn pyhanko_version(python: &Path) -> Result<String, String> {
    let output = Command::new(python)
        .args(["-c", "import importlib.metadata as m, pyhanko; print(m.version('pyhanko'))"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("pyHanko not found: cannot run {}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "pyHanko not found in {} (`cargo xtask install`): {}",
            python.display(),
            String::from_utf8_lossy(&output.stderr).trim().lines().last().unwrap_or_default()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Calls `f`, a test-kit function that panics when something is missing, without the panic's message
/// on the terminal; the message as the error.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    result.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a set-up step failed".to_owned())
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    })
}

// ---------------------------------------------------------------------------------------------
// The input

/// The scans assembled into one PDF at `path`, as `vanthu digitise` would.
fn assemble(scans: &[PathBuf], path: &Path) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let metadata = Metadata {
        title: format!("{PAGES} trang quét"),
        producer: "vanthu-bench".to_owned(),
        created: AT,
        document_id: [0x53; 16],
    };
    let mut pdf = Assembler::new(BufWriter::with_capacity(1 << 20, file), metadata)?;
    for scan in scans {
        let jpeg = std::fs::read(scan).with_context(|| format!("cannot read {}", scan.display()))?;
        pdf.add_page(PageSpec { jpeg: &jpeg, dpi: None, rotation: Rotation::None })?;
    }
    let file = pdf.finish()?.into_inner().map_err(|e| anyhow!("cannot write {}: {}", path.display(), e.error()))?;
    file.sync_all().with_context(|| format!("cannot sync {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyhanko_summaries_are_read_from_json_lines() {
        let out = b"{\"field\": \"Sig1\", \"summary\": \"INTACT:TRUSTED,UNTOUCHED\"}\n{\"field\": \"Sig2\", \"error\": \"boom\"}\n";
        assert_eq!(pyhanko_summaries(out).expect("json"), ["INTACT:TRUSTED,UNTOUCHED", "boom"]);
        assert!(pyhanko_summaries(b"not json\n").is_err());
    }

    #[test]
    fn quietly_turns_a_panic_into_its_message() {
        assert_eq!(quietly(|| 7), Ok(7));
        assert_eq!(quietly(|| -> u8 { panic!("no venv\nmore") }), Err("no venv".to_owned()));
    }
}
