//! Stored credentials against a real Secret Service: a `gnome-keyring-daemon` in a private D-Bus session
//! (`dbus-run-session`), with `HOME` and `XDG_RUNTIME_DIR` in a temporary folder, read back by an
//! independent client (`secret-tool`, libsecret). And the failures: no session bus, a locked collection, a
//! session without a keyring, a bus that never answers — each a `KeyringUnavailable`, quickly.
//!
//! The environment of a process cannot be changed safely from a test (`set_var` is unsafe, and unsafe
//! is forbidden here), so each scenario runs this test binary again as a child in the environment it
//! needs. The binary has its own `main` (`harness = false`): started with `VANTHU_KEYRING_CHILD` it runs
//! that one scenario's `child_only_…` function, else every test below in turn, each one reported and
//! any failure failing the run. The child prints a proof line at its end; the parent requires it.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vanthu_app::credentials::{Credentials, HubCredentials, TokenPreferences};
use vanthu_app::{ApiError, ErrorCode};

/// Names the scenario a child runs; absent in a normal test run.
const CHILD: &str = "VANTHU_KEYRING_CHILD";
/// What a child prints when its scenario ran to the end.
const PROOF: &str = "vanthu-keyring-child-finished:";
/// The longest a scenario may take, start of the D-Bus session included.
const CHILD_DEADLINE: Duration = Duration::from_secs(120);

const ORG: &str = "000.00.12.H24";
const OTHER_REGISTER: &str = "so-dang-ky-2f9c41d0";

fn is_child(scenario: &str) -> bool {
    std::env::var(CHILD).as_deref() == Ok(scenario)
}

fn finished(scenario: &str) {
    println!("{PROOF}{scenario}");
}

/// Where the child's session bus comes from.
enum Bus {
    /// A private session (`dbus-run-session`) with gnome-keyring started and unlocked (password `pw`).
    PrivateUnlocked,
    /// A private session in which nothing has started a keyring: the first call activates
    /// gnome-keyring-daemon, which has no unlocked collection and cannot show a prompt.
    PrivateWithoutKeyring,
    /// No private session: `DBUS_SESSION_BUS_ADDRESS` is this (`{dir}` is replaced by the temporary
    /// folder).
    Address(&'static str),
}

/// Runs `test` of this binary as a child, in scenario `scenario`, and returns its output once it
/// succeeded and printed the proof line.
fn run_child(test: &str, scenario: &str, bus: Bus) -> String {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let runtime = dir.path().join("xdg");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&runtime).unwrap();
    set_mode_700(&runtime);
    let exe = std::env::current_exe().unwrap();
    let child_args = ["--exact", test, "--nocapture", "--test-threads=1"];
    let mut cmd = match bus {
        Bus::PrivateUnlocked => {
            let mut cmd = Command::new("dbus-run-session");
            cmd.args([
                "--",
                "sh",
                "-c",
                r#"echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0" "$@""#,
            ]);
            cmd.arg(&exe).args(child_args);
            cmd
        }
        Bus::PrivateWithoutKeyring => {
            let mut cmd = Command::new("dbus-run-session");
            cmd.arg("--").arg(&exe).args(child_args);
            cmd
        }
        Bus::Address(address) => {
            let mut cmd = Command::new(&exe);
            cmd.args(child_args)
                .env("DBUS_SESSION_BUS_ADDRESS", address.replace("{dir}", &dir.path().to_string_lossy()));
            cmd
        }
    };
    if !matches!(bus, Bus::Address(_)) {
        cmd.env_remove("DBUS_SESSION_BUS_ADDRESS");
    }
    // No prompt may reach a real display, and nothing of the real user's keyring may be used.
    for var in ["DISPLAY", "WAYLAND_DISPLAY", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "GNOME_KEYRING_CONTROL"] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", &home).env("XDG_RUNTIME_DIR", &runtime).env(CHILD, scenario).stdin(Stdio::null());
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    cmd.stdout(std::fs::File::create(&out_path).unwrap()).stderr(std::fs::File::create(&err_path).unwrap());
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!(
            "cannot start {cmd:?}: {e} (apt-get install dbus-x11 gnome-keyring libsecret-tools; cargo xtask install)"
        )
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > CHILD_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the {scenario} child did not finish within {CHILD_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap();
    let stderr = std::fs::read_to_string(&err_path).unwrap();
    let everything = format!("--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert!(status.success(), "the {scenario} child failed ({status}):\n{everything}");
    assert!(
        stdout.lines().any(|l| l == format!("{PROOF}{scenario}")),
        "the {scenario} child did not run its scenario to the end:\n{everything}"
    );
    println!("{everything}");
    everything
}

fn set_mode_700(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).unwrap();
}

/// `secret-tool` (libsecret), the independent reader and writer, bounded in time; its stdout then its
/// stderr (where `search` prints the attributes).
fn secret_tool(args: &[&str], stdin: Option<&str>) -> (String, String) {
    let mut child = Command::new("timeout")
        .args(["20", "secret-tool"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("secret-tool (apt-get install libsecret-tools)");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default().as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "secret-tool {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// What `secret-tool search --all service vanthu` prints, stdout and stderr.
fn search_vanthu() -> String {
    let (out, err) = secret_tool(&["search", "--all", "service", "vanthu"], None);
    format!("{out}{err}")
}

/// The secret `secret-tool lookup` finds for one of our items.
fn lookup_vanthu(username: &str) -> String {
    secret_tool(&["lookup", "service", "vanthu", "username", username], None).0
}

/// The `username` of every item `secret-tool` finds with `service = vanthu`.
fn usernames_seen_by_secret_tool() -> BTreeSet<String> {
    search_vanthu().lines().filter_map(|l| l.strip_prefix("attribute.username = ")).map(str::to_owned).collect()
}

fn set_of(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn token(module: &str, label: &str, key: Option<&str>, tsa: Option<&str>) -> TokenPreferences {
    TokenPreferences {
        module: module.to_owned(),
        token_label: label.to_owned(),
        key_label: key.map(str::to_owned),
        tsa_url: tsa.map(str::to_owned),
    }
}

fn hub(user: &str, secret: &str) -> HubCredentials {
    HubCredentials {
        url: "https://truc.example.gov.vn/edxml".to_owned(),
        organ_id: ORG.to_owned(),
        user: user.to_owned(),
        secret: secret.to_owned(),
        ca_file: Some("/etc/vanthu/truc-ca.pem".to_owned()),
    }
}

/// The call returns `KeyringUnavailable` with the clerk's message. (That it returns at all is the
/// "never a hang" check: a hung call would hold the child past its deadline. No timing assertion: the
/// time is printed, not judged.)
fn assert_unavailable<T: std::fmt::Debug>(what: &str, call: impl FnOnce() -> Result<T, ApiError>) {
    let started = Instant::now();
    let result = call();
    let took = started.elapsed();
    let err = match result {
        Ok(v) => panic!("{what}: expected KeyringUnavailable, got Ok({v:?})"),
        Err(e) => e,
    };
    assert_eq!(err.code, ErrorCode::KeyringUnavailable, "{what}: {err:?}");
    assert!(
        err.message.starts_with("Không truy cập được kho mật khẩu của hệ điều hành (Secret Service)"),
        "{what}: {}",
        err.message
    );
    println!("{what}: {} {:?} in {took:?}", err.message, err.details);
}

// ---------------------------------------------------------------------------------------------
// Round trips in a real, unlocked gnome-keyring.

fn credentials_round_trip_through_a_real_gnome_keyring() {
    let out = run_child("child_only_round_trips", "round_trips", Bus::PrivateUnlocked);
    assert!(out.contains("secret-tool saw"), "{out}");
}

/// Runs only as the child of `credentials_round_trip_through_a_real_gnome_keyring`.
fn child_only_round_trips() {
    if !is_child("round_trips") {
        return;
    }
    // First use from several threads at once: the store is connected once, and nothing is stored yet.
    let readers: Vec<_> = (0..4)
        .map(|i| std::thread::spawn(move || Credentials::new(&format!("fresh-{i}")).token_preferences()))
        .collect();
    for r in readers {
        assert_eq!(r.join().unwrap().unwrap(), None);
    }

    let org = Credentials::new(ORG);
    let other = Credentials::new(OTHER_REGISTER);
    assert_eq!(org.token_preferences().unwrap(), None);
    assert_eq!(org.hub_credentials().unwrap(), None);

    // Set and get.
    let first =
        token("/usr/lib/softhsm/libsofthsm2.so", "OrgToken", Some("signkey"), Some("http://127.0.0.1:3180/tsa"));
    org.set_token_preferences(&first).unwrap();
    assert_eq!(org.token_preferences().unwrap(), Some(first.clone()));
    let account = hub("vanthu.h24", "mật-khẩu trục ☂ 2026");
    org.set_hub_credentials(&account).unwrap();
    assert_eq!(org.hub_credentials().unwrap(), Some(account.clone()));
    let printed = format!("{account:?}");
    assert!(!printed.contains("mật-khẩu") && printed.contains("vanthu.h24"), "{printed}");

    // Overwrite: one item still, holding the new value.
    let second = token("/usr/lib/x86_64-linux-gnu/vnpt-ca/libvnptca.so", "VNPT-CA Token", None, None);
    org.set_token_preferences(&second).unwrap();
    assert_eq!(org.token_preferences().unwrap(), Some(second.clone()));
    let account2 = hub("vanthu.h24", "mới");
    org.set_hub_credentials(&account2).unwrap();
    assert_eq!(org.hub_credentials().unwrap(), Some(account2.clone()));

    // Two registers do not mix.
    assert_eq!(other.token_preferences().unwrap(), None);
    assert_eq!(other.hub_credentials().unwrap(), None);
    let third = token("/opt/bkav/libbkavca.so", "BkavCA", Some("ky-so"), None);
    other.set_token_preferences(&third).unwrap();
    assert_eq!(other.token_preferences().unwrap(), Some(third.clone()));
    assert_eq!(org.token_preferences().unwrap(), Some(second.clone()));

    // An independent reader sees the items, once each, under service "vanthu", as JSON without a PIN.
    let org_token = format!("{ORG}/token");
    let org_hub = format!("{ORG}/hub");
    let other_token = format!("{OTHER_REGISTER}/token");
    let seen = usernames_seen_by_secret_tool();
    assert_eq!(seen, set_of(&[&org_token, &org_hub, &other_token]));
    let raw = search_vanthu();
    assert_eq!(raw.matches(&format!("attribute.username = {org_token}\n")).count(), 1, "{raw}");
    let stored: serde_json::Value = serde_json::from_str(&lookup_vanthu(&org_token)).unwrap();
    let keys: BTreeSet<String> = stored.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, set_of(&["module", "token_label", "key_label", "tsa_url"]));
    assert_eq!(stored["token_label"], "VNPT-CA Token");
    let stored: serde_json::Value = serde_json::from_str(&lookup_vanthu(&org_hub)).unwrap();
    assert_eq!(stored["secret"], "mới");
    assert_eq!(stored["organ_id"], ORG);
    println!("secret-tool saw {seen:?}");

    // …and an independent writer: what secret-tool stores, we read.
    let other_hub = format!("{OTHER_REGISTER}/hub");
    let written = r#"{"url":"https://truc.example.gov.vn","organ_id":"000.00.34.H24","user":"vt","secret":"s3"}"#;
    secret_tool(
        &["store", "--label=written by secret-tool", "service", "vanthu", "username", &other_hub],
        Some(written),
    );
    let read = other.hub_credentials().unwrap().unwrap();
    assert_eq!((read.organ_id.as_str(), read.user.as_str(), read.secret.as_str()), ("000.00.34.H24", "vt", "s3"));

    // Forget one register: the other keeps its items; forgetting again is no error.
    org.forget_all().unwrap();
    assert_eq!(org.token_preferences().unwrap(), None);
    assert_eq!(org.hub_credentials().unwrap(), None);
    org.forget_all().unwrap();
    assert_eq!(other.token_preferences().unwrap(), Some(third));
    assert_eq!(usernames_seen_by_secret_tool(), set_of(&[&other_token, &other_hub]));
    other.forget_all().unwrap();
    assert_eq!(usernames_seen_by_secret_tool(), BTreeSet::new());
    finished("round_trips");
}

// ---------------------------------------------------------------------------------------------
// No Secret Service: every call is KeyringUnavailable, within seconds.

fn every_call_is_unavailable(c: &Credentials) {
    assert_unavailable("token_preferences", || c.token_preferences());
    assert_unavailable("set_token_preferences", || c.set_token_preferences(&token("/m.so", "T", None, None)));
    assert_unavailable("hub_credentials", || c.hub_credentials());
    assert_unavailable("set_hub_credentials", || c.set_hub_credentials(&hub("u", "s")));
    assert_unavailable("forget_all", || c.forget_all());
}

fn without_a_session_bus_every_call_is_keyring_unavailable() {
    run_child("child_only_no_session_bus", "no_session_bus", Bus::Address("unix:path=/nonexistent"));
}

/// Runs only as the child of `without_a_session_bus_every_call_is_keyring_unavailable`.
fn child_only_no_session_bus() {
    if !is_child("no_session_bus") {
        return;
    }
    every_call_is_unavailable(&Credentials::new(ORG));
    finished("no_session_bus");
}

fn a_bus_that_never_answers_is_keyring_unavailable_after_the_timeout() {
    run_child("child_only_silent_bus", "silent_bus", Bus::Address("unix:path={dir}/silent-bus"));
}

/// Runs only as the child of `a_bus_that_never_answers_is_keyring_unavailable_after_the_timeout`.
fn child_only_silent_bus() {
    if !is_child("silent_bus") {
        return;
    }
    // A socket that takes connections (the kernel queues them) and never says a word.
    let address = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap();
    let path = address.strip_prefix("unix:path=").unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(path).unwrap();
    let c = Credentials::new(ORG).with_timeout(Duration::from_secs(2));
    // The first call waits on the connection; the next ones wait behind it: all bounded.
    every_call_is_unavailable(&c);
    finished("silent_bus");
}

fn a_locked_collection_is_keyring_unavailable() {
    run_child("child_only_locked_collection", "locked_collection", Bus::PrivateUnlocked);
}

/// Runs only as the child of `a_locked_collection_is_keyring_unavailable`.
fn child_only_locked_collection() {
    if !is_child("locked_collection") {
        return;
    }
    let c = Credentials::new(ORG);
    let prefs = token("/usr/lib/softhsm/libsofthsm2.so", "OrgToken", None, None);
    c.set_token_preferences(&prefs).unwrap();
    assert_eq!(c.token_preferences().unwrap(), Some(prefs.clone()));
    // Lock the login collection the way the desktop does after idle (secret-tool's own `lock` hangs).
    let out = Command::new("timeout")
        .args(["20", "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets"])
        .args(["/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock"])
        .arg("array:objpath:/org/freedesktop/secrets/collection/login")
        .output()
        .unwrap();
    assert!(out.status.success(), "dbus-send Lock: {}", String::from_utf8_lossy(&out.stderr));
    // Unlocking needs a prompt, which cannot be shown here (no display): refused, not hung.
    assert_unavailable("token_preferences (locked)", || c.token_preferences());
    assert_unavailable("set_token_preferences (locked)", || c.set_token_preferences(&prefs));
    finished("locked_collection");
}

fn a_session_without_a_keyring_cannot_store() {
    run_child("child_only_no_keyring", "no_keyring", Bus::PrivateWithoutKeyring);
}

/// Runs only as the child of `a_session_without_a_keyring_cannot_store`.
fn child_only_no_keyring() {
    if !is_child("no_keyring") {
        return;
    }
    let c = Credentials::new(ORG);
    // Nothing to read is no error (the Secret Service answers, with nothing)…
    match c.token_preferences() {
        Ok(None) => {}
        Err(e) if e.code == ErrorCode::KeyringUnavailable => {}
        other => panic!("token_preferences without a keyring: {other:?}"),
    }
    // …but there is nowhere to store.
    assert_unavailable("set_token_preferences (no keyring)", || {
        c.set_token_preferences(&token("/m.so", "T", None, None))
    });
    assert_unavailable("set_hub_credentials (no keyring)", || c.set_hub_credentials(&hub("u", "s")));
    finished("no_keyring");
}

// ---------------------------------------------------------------------------------------------
// Checked before the keyring is asked (no Secret Service needed).

fn empty_required_fields_are_refused() {
    let c = Credentials::new("never-touches-the-keyring");
    let err = c.set_token_preferences(&token(" ", "T", None, None)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = c.set_token_preferences(&token("/m.so", "", None, None)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = c.set_hub_credentials(&HubCredentials { url: String::new(), ..hub("u", "s") }).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
}

/// The tests of this binary (`harness = false`), or, in a child, its one scenario.
fn main() {
    if let Ok(scenario) = std::env::var(CHILD) {
        let child: fn() = match scenario.as_str() {
            "round_trips" => child_only_round_trips,
            "no_session_bus" => child_only_no_session_bus,
            "silent_bus" => child_only_silent_bus,
            "locked_collection" => child_only_locked_collection,
            "no_keyring" => child_only_no_keyring,
            other => panic!("unknown scenario {other}"),
        };
        child();
        return;
    }
    let tests: &[(&str, fn())] = &[
        ("credentials_round_trip_through_a_real_gnome_keyring", credentials_round_trip_through_a_real_gnome_keyring),
        (
            "without_a_session_bus_every_call_is_keyring_unavailable",
            without_a_session_bus_every_call_is_keyring_unavailable,
        ),
        (
            "a_bus_that_never_answers_is_keyring_unavailable_after_the_timeout",
            a_bus_that_never_answers_is_keyring_unavailable_after_the_timeout,
        ),
        ("a_locked_collection_is_keyring_unavailable", a_locked_collection_is_keyring_unavailable),
        ("a_session_without_a_keyring_cannot_store", a_session_without_a_keyring_cannot_store),
        ("empty_required_fields_are_refused", empty_required_fields_are_refused),
    ];
    let mut failed = Vec::new();
    for (name, test) in tests {
        let outcome = std::panic::catch_unwind(test);
        println!("test {name} ... {}", if outcome.is_ok() { "ok" } else { "FAILED" });
        if outcome.is_err() {
            failed.push(*name);
        }
    }
    println!("test result: {} passed; {} failed", tests.len() - failed.len(), failed.len());
    assert!(failed.is_empty(), "failed: {failed:?}");
}
