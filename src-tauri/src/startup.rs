//! Where the register is and what time it is: read once, at startup.
//!
//! The database path comes from `--db PATH` on the command line, else from `VANTHU_DB`, else from
//! `Desk::default_db_path()`. The clock is the system clock unless `--now` or `VANTHU_NOW` (RFC 3339)
//! fixes it, which tests and demonstrations use. Command-line arguments exist because a WebDriver session
//! (tauri-driver's `tauri:options.args`) can pass arguments to the app but not environment variables.
//! Unknown arguments are ignored: WebKit's driver may add its own.

use std::ffi::OsString;
use std::path::PathBuf;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use vanthu_app::{Clock, Desk};

use crate::dto::CommandError;

/// What the command line and the environment asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    db: Option<PathBuf>,
    now: Option<String>,
}

impl Settings {
    /// Reads `--db`/`--now` (also as `--db=…`) from `args`, falling back to `VANTHU_DB`/`VANTHU_NOW`.
    pub fn from_env_and_args(args: impl IntoIterator<Item = OsString>) -> Settings {
        let mut settings = Settings::from_args(args);
        if settings.db.is_none() {
            settings.db = std::env::var_os("VANTHU_DB").filter(|v| !v.is_empty()).map(PathBuf::from);
        }
        if settings.now.is_none() {
            settings.now = std::env::var("VANTHU_NOW").ok().filter(|v| !v.is_empty());
        }
        settings
    }

    /// Names the register explicitly (it is reopened at the same path after a restore).
    pub fn set_db(&mut self, db: PathBuf) {
        self.db = Some(db);
    }

    fn from_args(args: impl IntoIterator<Item = OsString>) -> Settings {
        let mut settings = Settings::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let text = arg.to_string_lossy();
            if text == "--db" {
                settings.db = args.next().map(PathBuf::from);
            } else if let Some(path) = text.strip_prefix("--db=") {
                settings.db = Some(PathBuf::from(path));
            } else if text == "--now" {
                settings.now = args.next().map(|v| v.to_string_lossy().into_owned());
            } else if let Some(now) = text.strip_prefix("--now=") {
                settings.now = Some(now.to_owned());
            }
        }
        settings
    }
}

/// Opens the register. Every failure becomes a [`CommandError`] with a Vietnamese message.
pub fn open(settings: &Settings) -> Result<Desk, CommandError> {
    let clock = match &settings.now {
        None => Clock::System,
        Some(text) => match OffsetDateTime::parse(text, &Rfc3339) {
            Ok(now) => Clock::Fixed(now),
            Err(_) => {
                return Err(CommandError::new(
                    "invalid_input",
                    format!(
                        "Thời điểm VANTHU_NOW/--now không hợp lệ: “{text}” (cần dạng RFC 3339, ví dụ 2026-03-02T08:30:00+07:00)."
                    ),
                ));
            }
        },
    };
    let path = match &settings.db {
        Some(path) => path.clone(),
        None => Desk::default_db_path().map_err(CommandError::from)?,
    };
    Desk::open(&path, clock).map_err(CommandError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str], db: Option<&str>, now: Option<&str>) {
        let settings = Settings::from_args(args.iter().map(OsString::from));
        assert_eq!(settings, Settings { db: db.map(PathBuf::from), now: now.map(str::to_owned) }, "args {args:?}");
    }

    #[test]
    fn reads_arguments() {
        check(&[], None, None);
        check(&["--db", "/tmp/a.db"], Some("/tmp/a.db"), None);
        check(&["--db=/tmp/a.db", "--now=2026-01-01T00:00:00Z"], Some("/tmp/a.db"), Some("2026-01-01T00:00:00Z"));
        check(
            &["--automation", "--db", "x.db", "--now", "2026-01-01T00:00:00+07:00"],
            Some("x.db"),
            Some("2026-01-01T00:00:00+07:00"),
        );
        check(&["--db"], None, None);
    }
}
