//! Migrations: the schema lives in the workspace's top-level `migrations/` folder, one file per version,
//! append-only. The applied version is `PRAGMA user_version`; all pending migrations run in one
//! transaction, so a crash mid-upgrade leaves the previous version intact.
//!
//! A database whose version is above [`SCHEMA_VERSION`] was written by a newer Vanthu and is refused
//! (opening it could silently drop what the newer version relies on). A file SQLite cannot read is
//! moved aside, never deleted ([`quarantine`]).

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::{Result, StoreError};

/// One migration: its version (1-based, = its position) and SQL.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    /// The `user_version` after this migration.
    pub version: i64,
    /// The file name under `migrations/`.
    pub name: &'static str,
    /// The SQL.
    pub sql: &'static str,
}

/// Every migration, in order. Append only: a released migration never changes (a test holds their
/// hashes).
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "0001_register.sql", sql: include_str!("../../../migrations/0001_register.sql") },
    Migration { version: 2, name: "0002_search.sql", sql: include_str!("../../../migrations/0002_search.sql") },
    Migration { version: 3, name: "0003_desk.sql", sql: include_str!("../../../migrations/0003_desk.sql") },
    Migration { version: 4, name: "0004_digitise.sql", sql: include_str!("../../../migrations/0004_digitise.sql") },
    Migration { version: 5, name: "0005_signing.sql", sql: include_str!("../../../migrations/0005_signing.sql") },
    Migration { version: 6, name: "0006_exchange.sql", sql: include_str!("../../../migrations/0006_exchange.sql") },
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The schema version of an open database.
pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the database to [`SCHEMA_VERSION`], or refuses it if it is newer.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Brings the database to `target` (tests use this to build every earlier version).
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    // Migrations may call the store's SQL functions (the search backfill folds text).
    crate::search::register_functions(conn)?;
    let current = version(conn)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew { found: current, supported: SCHEMA_VERSION });
    }
    if current >= target {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Re-read under the write lock: another process may have migrated meanwhile.
    let current = version(&tx)?;
    for m in MIGRATIONS.iter().filter(|m| m.version > current && m.version <= target) {
        tx.execute_batch(m.sql)?;
        tx.pragma_update(None, "user_version", m.version)?;
    }
    tx.commit()?;
    Ok(())
}

/// The schema as SQL text, objects sorted by name: what the snapshot test compares.
pub fn dump(conn: &Connection) -> Result<String> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_schema
         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'document_search_%'
         ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    let mut out = String::new();
    for row in rows {
        let (kind, name, sql) = row?;
        out.push_str(&format!("-- {kind} {name}\n{sql};\n\n"));
    }
    out.push_str(&format!("-- user_version {}\n", version(conn)?));
    Ok(out)
}

const QUARANTINE_MARK: &str = ".corrupt-";

/// Moves a damaged database (and its WAL and shared-memory files) aside as `NAME.corrupt-N`, and
/// returns the error that tells the user where it went and how to restore.
pub fn quarantine(path: &Path, cause: &StoreError) -> StoreError {
    match move_aside(path, QUARANTINE_MARK) {
        Ok(target) => StoreError::Corrupt { moved_to: target, reason: cause.to_string() },
        Err(e) => e,
    }
}

/// Renames the database at `path` (with its `-wal` and `-shm` files) to the first free
/// `NAME{mark}N`, N = 1, 2, …, and returns the new path. Nothing is deleted.
pub(crate) fn move_aside(path: &Path, mark: &str) -> Result<PathBuf> {
    let mut n = 1;
    let target = loop {
        let candidate = sibling(path, &format!("{mark}{n}"));
        if !candidate.exists() {
            break candidate;
        }
        n += 1;
    };
    std::fs::rename(path, &target).map_err(|e| StoreError::io(path, e))?;
    for suffix in ["-wal", "-shm"] {
        let side = sibling(path, suffix);
        if side.exists() {
            std::fs::rename(&side, sibling(&target, suffix)).map_err(|e| StoreError::io(&side, e))?;
        }
    }
    Ok(target)
}

/// A quarantined copy of `path` left by [`quarantine`], if any.
pub fn find_quarantined(path: &Path) -> Option<PathBuf> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let prefix = format!("{}{QUARANTINE_MARK}", path.file_name()?.to_string_lossy());
    let entries = std::fs::read_dir(dir).ok()?;
    entries.flatten().map(|e| e.path()).find(|p| {
        p.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n.starts_with(&prefix) && !n.ends_with("-wal") && !n.ends_with("-shm")
        })
    })
}

/// `path` with `suffix` appended to its file name.
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}
