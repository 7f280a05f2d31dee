//! A private desktop keyring for tests: a D-Bus session bus of its own (`dbus-daemon`) with
//! `gnome-keyring-daemon` serving the Secret Service on it, unlocked, with `HOME` and
//! `XDG_RUNTIME_DIR` in a temporary folder. Processes started with [`Session::envs`] keep their
//! credentials there, never in the user's own keyring. Dropping the session stops both daemons.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running private keyring.
pub struct Session {
    dir: tempfile::TempDir,
    address: String,
    bus: Child,
    keyring: Child,
}

impl Session {
    /// Starts the bus and the keyring, and waits until the Secret Service answers. Panics with what
    /// to install when the programs are missing.
    pub fn start() -> Session {
        let dir = tempfile::tempdir().expect("temporary folder");
        let home = dir.path().join("home");
        let runtime = dir.path().join("xdg");
        std::fs::create_dir_all(&home).expect("home");
        std::fs::create_dir_all(&runtime).expect("runtime dir");
        set_mode_700(&runtime);
        let socket = dir.path().join("bus");
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", socket.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start dbus-daemon: {e} (apt-get install dbus-x11; cargo xtask install)")
            });
        let mut line = String::new();
        BufReader::new(bus.stdout.take().expect("piped")).read_line(&mut line).expect("dbus-daemon prints its address");
        let address = line.trim().to_owned();
        assert!(address.starts_with("unix:"), "dbus-daemon printed {address:?}");
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start gnome-keyring-daemon: {e} (apt-get install gnome-keyring; cargo xtask install)")
            });
        {
            let mut stdin = keyring.stdin.take().expect("piped");
            stdin.write_all(b"pw").expect("unlock password");
        }
        let session = Session { dir, address, bus, keyring };
        session.wait_for_secret_service();
        session
    }

    fn wait_for_secret_service(&self) {
        let started = Instant::now();
        loop {
            let out = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
                .output()
                .expect("dbus-send");
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the Secret Service did not start in 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The environment a process needs to use this keyring (and nothing of the user's).
    pub fn envs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DBUS_SESSION_BUS_ADDRESS", self.address.clone()),
            ("HOME", self.home().display().to_string()),
            ("XDG_RUNTIME_DIR", self.dir.path().join("xdg").display().to_string()),
        ]
    }

    /// Applies [`Session::envs`] to a command, and removes what could reach a real desktop.
    pub fn apply(&self, cmd: &mut Command) {
        for (k, v) in self.envs() {
            cmd.env(k, v);
        }
        for var in ["DISPLAY", "WAYLAND_DISPLAY", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "GNOME_KEYRING_CONTROL"] {
            cmd.env_remove(var);
        }
    }

    /// The session's home folder.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        for child in [&mut self.keyring, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn set_mode_700(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700));
}
