//! The command line others depend on: `org add|list|secret|remove`, `check`, `events`, and what
//! `serve` refuses; exit codes 0, 1 (Vietnamese message) and 2 (usage).

use std::io::BufRead as _;
use std::process::{Command, Output, Stdio};

use crate::support::*;

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("vanthu-hub")
}

fn hub(args: &[&str], config: &std::path::Path) -> Output {
    run(hub_command().args(args).arg("--config").arg(config))
}

#[track_caller]
fn assert_fails(out: &Output, code: i32, says: &str) {
    assert_eq!(out.status.code(), Some(code), "{}", text(out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(says), "stderr should say {says:?}: {stderr}");
}

#[test]
fn organisations_are_kept_with_the_binary() {
    let setup = Setup::bare(Backend::Sqlite, "");
    let config = &setup.config;

    // Without --secret-stdin a secret is made and printed once, alone on stdout.
    let out = hub(
        &[
            "org",
            "add",
            "--id",
            VPCP,
            "--name",
            "Văn phòng Chính phủ",
            "--address",
            "Số 1 Hoàng Hoa Thám, Hà Nội",
            "--email",
            "vanthu@chinhphu.vn",
            "--telephone",
            "024 3845 8261",
        ],
        config,
    );
    assert!(out.status.success(), "{}", text(&out));
    let generated = String::from_utf8(out.stdout.clone()).expect("UTF-8").trim().to_owned();
    assert!(generated.len() >= 32 && generated.chars().all(|c| c.is_ascii_hexdigit()), "{generated:?}");
    setup.add_organisation(NGHE_AN, "UBND tỉnh Nghệ An");
    assert!(
        !std::fs::read(setup.dir.path().join("hub.sqlite3"))
            .expect("store")
            .windows(generated.len())
            .any(|w| w == generated.as_bytes()),
        "the secret is not on disk in clear"
    );

    // Refusals: an organisation twice, a bad OrganId, a short secret, no name; usage errors.
    assert_fails(&hub(&["org", "add", "--id", VPCP, "--name", "Lần hai"], config), 1, "đã có trong danh mục");
    assert_fails(&hub(&["org", "add", "--id", "vpcp", "--name", "X"], config), 1, "không hợp lệ");
    let short = run_with_stdin(
        hub_command().args(["org", "add", "--config"]).arg(config).args([
            "--id",
            HA_TINH,
            "--name",
            "X",
            "--secret-stdin",
        ]),
        "ngắn\n",
    );
    assert_fails(&short, 1, "ít nhất 8 ký tự");
    assert_fails(&hub(&["org", "add", "--id", HA_TINH, "--name", "  "], config), 1, "Tên cơ quan");
    assert_eq!(run(hub_command().args(["org", "frob"])).status.code(), Some(2));
    assert_eq!(run(hub_command().args(["serve"])).status.code(), Some(2));
    assert_eq!(run(hub_command().args(["org", "add", "--config"]).arg(config)).status.code(), Some(2));

    // The directory, one tab-separated line per organisation.
    let out = hub(&["org", "list"], config);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "{VPCP}\tVăn phòng Chính phủ\tSố 1 Hoàng Hoa Thám, Hà Nội\tvanthu@chinhphu.vn\t024 3845 8261\n\
             {NGHE_AN}\tUBND tỉnh Nghệ An\t\t\t\n"
        )
    );

    // The generated secret signs in; a reset replaces it at once, while the hub runs.
    let running = setup.start();
    let agencies = running.client_with(VPCP, &generated).agencies();
    assert_eq!(agencies.len(), 2);
    assert_eq!(agencies[0].email.as_deref(), Some("vanthu@chinhphu.vn"));
    let out = hub(&["org", "secret", "--id", VPCP], config);
    assert!(out.status.success(), "{}", text(&out));
    let reset = String::from_utf8(out.stdout).expect("UTF-8").trim().to_owned();
    assert_ne!(reset, generated);
    running.client_with(VPCP, &generated).agencies_reply().assert_refused("AUTH", 401);
    assert_eq!(running.client_with(VPCP, &reset).agencies().len(), 2);

    // A removed organisation can no longer sign in, nor be addressed.
    assert_eq!(running.client(NGHE_AN).agencies().len(), 2);
    assert!(hub(&["org", "remove", "--id", NGHE_AN], config).status.success());
    running.client(NGHE_AN).agencies_reply().assert_refused("AUTH", 401);
    let (_, to_removed) = package(VPCP, &[NGHE_AN], 1);
    running.client_with(VPCP, &reset).send(VPCP, "edoc", &to_removed).assert_refused("UNKNOWN_RECIPIENT", 422);
    assert_fails(&hub(&["org", "remove", "--id", NGHE_AN], config), 1, "Không có cơ quan");
    assert_eq!(String::from_utf8_lossy(&hub(&["org", "list"], config).stdout).lines().count(), 1);

    // `check` and `events` read the same store.
    let out = hub(&["check"], config);
    assert_eq!((out.status.code(), String::from_utf8_lossy(&out.stdout).trim()), (Some(0), "ok"));
    let out = hub(&["events"], config);
    assert!(out.status.success(), "{}", text(&out));
    let events = String::from_utf8_lossy(&out.stdout);
    assert_eq!(events.lines().filter(|l| l.contains("\tAUTH\t")).count(), 2, "{events}");
    assert_eq!(events.lines().filter(|l| l.contains("\tUNKNOWN_RECIPIENT\t")).count(), 1, "{events}");

    // It stops cleanly on SIGTERM and on SIGINT.
    assert!(running.stop_with("TERM").success());
    assert!(setup.start().stop_with("INT").success());
}

#[test]
fn serve_refuses_what_it_cannot_serve_safely() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("configuration");
        path
    };

    let no_store = write("no-store.toml", "listen = \"127.0.0.1:0\"\n");
    assert_fails(&hub(&["serve"], &no_store), 1, "[store]");
    let unknown_key = write("unknown.toml", "listen = \"127.0.0.1:0\"\nport = 1\n[store]\nsqlite = \"a.sqlite3\"\n");
    assert_fails(&hub(&["serve"], &unknown_key), 1, "không hợp lệ");
    assert_fails(&hub(&["serve"], &dir.path().join("missing.toml")), 1, "Không đọc được tệp cấu hình");

    // Plain HTTP off loopback needs TLS (or the explicit opt-in).
    let open = write("open.toml", "listen = \"0.0.0.0:0\"\n[store]\nsqlite = \"open.sqlite3\"\n");
    assert_fails(&hub(&["serve"], &open), 1, "allow_plain_http");
    let bad_tls = write(
        "bad-tls.toml",
        "listen = \"127.0.0.1:0\"\n[tls]\ncert = \"none.pem\"\nkey = \"none.pem\"\n[store]\nsqlite = \"t.sqlite3\"\n",
    );
    assert_fails(&hub(&["serve"], &bad_tls), 1, "Chứng thư TLS");

    // Plain HTTP on loopback is served.
    let plain = write("plain.toml", "listen = \"127.0.0.1:0\"\n[store]\nsqlite = \"plain.sqlite3\"\n");
    let mut child = hub_command()
        .args(["serve", "--config"])
        .arg(&plain)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("readiness line");
    let url = line.trim().strip_prefix("listening on ").expect("readiness line").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let mut health = ureq::get(format!("{url}/health")).call().expect("health");
    assert_eq!(health.body_mut().read_to_string().expect("body"), "ok");
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill").success());
    assert!(child.wait().expect("exit").success());

    // A database from a newer hub, or another program's, is never touched.
    let store = dir.path().join("plain.sqlite3");
    rusqlite::Connection::open(&store).expect("store").pragma_update(None, "user_version", 99).expect("version");
    assert_fails(&hub(&["org", "list"], &plain), 1, "mới hơn");
    rusqlite::Connection::open(dir.path().join("other.sqlite3"))
        .expect("other")
        .execute_batch("CREATE TABLE register (id INTEGER PRIMARY KEY)")
        .expect("other table");
    let other = write("other.toml", "[store]\nsqlite = \"other.sqlite3\"\n");
    assert_fails(&hub(&["org", "list"], &other), 1, "không phải cơ sở dữ liệu của trục");
}
