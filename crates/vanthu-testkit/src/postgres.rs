//! A private PostgreSQL cluster for one test: `initdb` into a temporary folder, `pg_ctl start` on
//! a free loopback port with its socket inside that folder, trust authentication (it listens on
//! 127.0.0.1 only), a database `vanthu` created; stopped (`-m immediate`) and removed on drop.
//!
//! The binaries are Debian's (`/usr/lib/postgresql/<highest version>/bin`), else those on PATH.
//! PostgreSQL refuses to run as root, and the tests run as root in CI: then `initdb` and `pg_ctl`
//! run as the `postgres` system user (`runuser`), which owns the folder. A machine without
//! PostgreSQL fails the test with instructions — never skips it.
//!
//! The cluster trades durability for speed (`fsync=off`): tests kill hub processes, never the
//! cluster itself.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};

/// The database made by [`Cluster::start`].
pub const DATABASE: &str = "vanthu";

/// A running private cluster. Dropping it stops the server and deletes its files.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: Option<PathBuf>,
    port: u16,
    /// Run the server's tools as the `postgres` user (we are root).
    as_postgres: bool,
}

impl Cluster {
    /// Creates, starts and opens the cluster, with the database [`DATABASE`]. Panics with the
    /// failing command's output: this is test set-up.
    pub fn start() -> Cluster {
        let bin = binaries();
        let as_postgres = euid_is_root();
        let dir = tempfile::Builder::new().prefix("vanthu-pg-").tempdir().expect("temporary folder");
        let mut cluster = Cluster { dir, bin, port: 0, as_postgres };
        std::fs::create_dir_all(cluster.socket_dir()).expect("socket folder");
        if as_postgres {
            let (uid, gid) = (id(&["-u", "postgres"]), id(&["-g", "postgres"]));
            for folder in [cluster.dir.path().to_owned(), cluster.socket_dir()] {
                std::os::unix::fs::chown(&folder, Some(uid), Some(gid)).expect("chown of the cluster's folder");
            }
        }
        let data = cluster.data_dir();
        cluster.run(cluster.tool("initdb").arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        ]));
        // A free port can be taken between the probe and the start: try a few.
        let mut last_log = String::new();
        for _ in 0..5 {
            cluster.port = free_port();
            let options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200",
                cluster.port,
                cluster.socket_dir().display()
            );
            let out = cluster
                .tool("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(cluster.log_file())
                .args(["-w", "-t", "60", "-o", &options, "start"])
                .output()
                .expect("pg_ctl start");
            if out.status.success() {
                cluster.psql("postgres", &format!("CREATE DATABASE {DATABASE}"));
                return cluster;
            }
            last_log = std::fs::read_to_string(cluster.log_file()).unwrap_or_default();
            if !last_log.contains("could not bind") && !last_log.contains("already in use") {
                panic!("pg_ctl start failed ({}):\n{}\n{last_log}", out.status, text(&out));
            }
        }
        panic!("pg_ctl start: no free port after 5 tries:\n{last_log}");
    }

    /// The connection URL of [`DATABASE`] (user `postgres`, no password).
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    /// The connection URL of another database of the cluster.
    pub fn url_of(&self, database: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates another database and returns its URL.
    pub fn create_database(&self, name: &str) -> String {
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        self.url_of(name)
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs SQL with `psql` in `database` and returns its unaligned output (`|` between columns,
    /// one row a line). Panics if it fails.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let out = self.run(
            Command::new(self.path_of("psql"))
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", "-d", database])
                .args(["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]),
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn socket_dir(&self) -> PathBuf {
        self.dir.path().join("sock")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.path().join("postgresql.log")
    }

    fn path_of(&self, tool: &str) -> PathBuf {
        match &self.bin {
            Some(bin) => bin.join(tool),
            None => PathBuf::from(tool),
        }
    }

    /// A server tool (`initdb`, `pg_ctl`), as the `postgres` user when we are root.
    fn tool(&self, tool: &str) -> Command {
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(self.path_of(tool));
            cmd
        } else {
            Command::new(self.path_of(tool))
        }
    }

    fn run(&self, cmd: &mut Command) -> Output {
        let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        if !out.status.success() {
            let log = std::fs::read_to_string(self.log_file()).unwrap_or_default();
            panic!("{cmd:?} failed ({}):\n{}\n{log}", out.status, text(&out));
        }
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.port != 0 {
            let _ = self.tool("pg_ctl").arg("-D").arg(self.data_dir()).args(["-m", "immediate", "-w", "stop"]).output();
        }
    }
}

/// Debian's newest `/usr/lib/postgresql/N/bin`, else `None` (PATH); panics if PostgreSQL is not
/// installed at all.
fn binaries() -> Option<PathBuf> {
    let newest = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version: f64 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, bin)| bin);
    if newest.is_some() {
        return newest;
    }
    let on_path = Command::new("initdb").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(
        on_path,
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb, no initdb on PATH): \
         run `cargo xtask install` or `apt-get install postgresql`"
    );
    None
}

fn euid_is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("cannot run `id -u`");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

fn id(args: &[&str]) -> u32 {
    let out = Command::new("id").args(args).output().expect("cannot run `id`");
    assert!(
        out.status.success(),
        "`id {}` failed: the `postgres` system user is missing (apt-get install postgresql): {}",
        args.join(" "),
        text(&out)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("a numeric id")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free loopback port").port()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}
