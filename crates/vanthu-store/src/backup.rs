//! Backup and restore.
//!
//! A backup is a folder: `register.sqlite3` (an online copy made with SQLite's backup API while the
//! register stays in use), `files/` (every stored file the copy refers to, under the same content
//! addresses) and `manifest.json` (SHA-256 and size of each). It is written into a hidden staging folder
//! beside the destination, **verified from disk** (hashes, `integrity_check`, audit chain), and only then
//! renamed into place: a backup that exists verified when it was made.
//!
//! Restore verifies the backup the same way and refuses one that does not verify. It never deletes the
//! register it replaces: that is moved aside as `NAME.before-restore-N`.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use crate::files::{self, FileStore, hash_file, sync_dir};
use crate::schema::{self, sibling};
use crate::{Result, Store, StoreError};

/// The manifest's format tag.
pub const FORMAT: &str = "vanthu-backup/1";
const DB_NAME: &str = "register.sqlite3";
const MANIFEST: &str = "manifest.json";

/// One file of a backup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Path inside the backup folder, `/`-separated.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// When the backup was made (RFC 3339).
    pub created_at: String,
    /// Schema version of the copied database.
    pub schema_version: i64,
    /// Documents in the copy.
    pub documents: u64,
    /// Audit chain head of the copy.
    pub audit_head: Option<String>,
    /// The database copy.
    pub database: ManifestEntry,
    /// The stored files.
    pub files: Vec<ManifestEntry>,
}

/// Makes a verified backup of `store` in the folder `dest` (which must not exist, or be empty).
pub fn backup(store: &Store, dest: &Path, created_at: &str) -> Result<Manifest> {
    if dest.exists() {
        let empty = fs::read_dir(dest).map_err(|e| StoreError::io(dest, e))?.next().is_none();
        if !empty {
            return Err(StoreError::BackupInvalid(format!("thư mục {} đã có dữ liệu", dest.display())));
        }
    }
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| StoreError::io(parent, e))?;
    let staging = parent.join(format!(
        ".{}.partial-{}",
        dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        std::process::id()
    ));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| StoreError::io(&staging, e))?;
    }
    let result = write_backup(store, &staging, created_at).and_then(|manifest| {
        verify(&staging)?;
        if dest.exists() {
            fs::remove_dir(dest).map_err(|e| StoreError::io(dest, e))?;
        }
        fs::rename(&staging, dest).map_err(|e| StoreError::io(dest, e))?;
        sync_dir(parent)?;
        Ok(manifest)
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn write_backup(store: &Store, staging: &Path, created_at: &str) -> Result<Manifest> {
    fs::create_dir_all(staging).map_err(|e| StoreError::io(staging, e))?;
    let db_copy = staging.join(DB_NAME);
    store.read(|conn| {
        conn.backup(rusqlite::MAIN_DB, &db_copy, None::<fn(rusqlite::backup::Progress)>)?;
        Ok(())
    })?;
    // A self-contained single file: no WAL beside it.
    let copy = Connection::open(&db_copy)?;
    let _: String = copy.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    let schema_version = schema::version(&copy)?;
    let documents: i64 = copy.query_row("SELECT count(*) FROM document", [], |r| r.get(0))?;
    let mut stmt = copy.prepare("SELECT sha256 FROM file ORDER BY sha256")?;
    let hashes: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    drop(stmt);
    drop(copy);

    let mut entries = Vec::with_capacity(hashes.len());
    for sha256 in hashes {
        let from = store.files().path_of(&sha256);
        let rel = format!("files/sha256/{}/{}", &sha256[..2.min(sha256.len())], sha256);
        let to = staging.join(&rel);
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        }
        fs::copy(&from, &to).map_err(|e| StoreError::io(&from, e))?;
        let (actual, size) = hash_file(&to)?;
        if actual != sha256 {
            return Err(StoreError::BackupInvalid(format!(
                "tệp lưu trữ {sha256} đã bị thay đổi trong kho; chạy vanthu check"
            )));
        }
        fs::File::open(&to).and_then(|f| f.sync_all()).map_err(|e| StoreError::io(&to, e))?;
        entries.push(ManifestEntry { path: rel, sha256, size });
    }
    let (db_hash, db_size) = hash_file(&db_copy)?;
    fs::File::open(&db_copy).and_then(|f| f.sync_all()).map_err(|e| StoreError::io(&db_copy, e))?;
    let audit_head = {
        let conn = read_only(&db_copy)?;
        crate::audit::verify(&conn)?.head
    };
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        created_at: created_at.to_owned(),
        schema_version,
        documents: documents as u64,
        audit_head,
        database: ManifestEntry { path: DB_NAME.to_owned(), sha256: db_hash, size: db_size },
        files: entries,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let manifest_path = staging.join(MANIFEST);
    fs::write(&manifest_path, json).map_err(|e| StoreError::io(&manifest_path, e))?;
    fs::File::open(&manifest_path).and_then(|f| f.sync_all()).map_err(|e| StoreError::io(&manifest_path, e))?;
    sync_dir(staging)?;
    Ok(manifest)
}

fn read_only(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    crate::search::register_functions(&conn)?;
    Ok(conn)
}

/// Checks a backup folder from disk: the manifest, every hash and size, the database's integrity, its
/// schema version and its audit chain. Any failure is [`StoreError::BackupInvalid`].
pub fn verify(dir: &Path) -> Result<Manifest> {
    let invalid = |m: String| StoreError::BackupInvalid(m);
    let manifest_path = dir.join(MANIFEST);
    let bytes =
        fs::read(&manifest_path).map_err(|e| invalid(format!("không đọc được {}: {e}", manifest_path.display())))?;
    let manifest: Manifest =
        serde_json::from_slice(&bytes).map_err(|e| invalid(format!("manifest.json không hợp lệ: {e}")))?;
    if manifest.format != FORMAT {
        return Err(invalid(format!("định dạng {} không được hỗ trợ", manifest.format)));
    }
    for entry in std::iter::once(&manifest.database).chain(&manifest.files) {
        let rel = Path::new(&entry.path);
        if rel.is_absolute() || rel.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            return Err(invalid(format!("đường dẫn không hợp lệ trong manifest: {}", entry.path)));
        }
        let path = dir.join(rel);
        let (hash, size) = hash_file(&path).map_err(|_| invalid(format!("thiếu tệp {}", entry.path)))?;
        if hash != entry.sha256 || size != entry.size {
            return Err(invalid(format!("tệp {} không khớp mã băm trong manifest", entry.path)));
        }
    }
    let conn = read_only(&dir.join(&manifest.database.path))
        .map_err(|e| invalid(format!("không mở được cơ sở dữ liệu sao lưu: {e}")))?;
    let problems = crate::check::integrity(&conn).map_err(|e| invalid(e.to_string()))?;
    if !problems.is_empty() {
        return Err(invalid(format!("cơ sở dữ liệu sao lưu hỏng: {}", problems.join("; "))));
    }
    let version = schema::version(&conn)?;
    if version > schema::SCHEMA_VERSION {
        return Err(StoreError::TooNew { found: version, supported: schema::SCHEMA_VERSION });
    }
    let chain = crate::audit::verify(&conn)?;
    if let Some(e) = chain.error {
        return Err(invalid(format!("nhật ký trong bản sao lưu không toàn vẹn: {e}")));
    }
    if chain.head != manifest.audit_head {
        return Err(invalid("nhật ký trong bản sao lưu không khớp manifest".to_owned()));
    }
    Ok(manifest)
}

/// What a restore did.
#[derive(Clone, Debug, Serialize)]
pub struct Restored {
    /// The verified manifest.
    pub manifest: Manifest,
    /// Where the replaced register was moved, if there was one.
    pub previous_moved_to: Option<PathBuf>,
}

/// Restores the register at `db_path` from the backup folder `dir`, after verifying it. The current
/// register, if any, is moved aside. Nothing may have the register open meanwhile.
pub fn restore(dir: &Path, db_path: &Path) -> Result<Restored> {
    let manifest = verify(dir)?;
    if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| StoreError::io(parent, e))?;
    }
    // Files first: they are content-addressed, so adding them can never hurt the current register.
    let store = FileStore::open(files::dir_for(db_path))?;
    for entry in &manifest.files {
        let stored = store.put_file(&dir.join(&entry.path))?;
        if stored.sha256 != entry.sha256 {
            return Err(StoreError::BackupInvalid(format!("tệp {} thay đổi trong khi khôi phục", entry.path)));
        }
    }
    let tmp = sibling(db_path, ".restoring");
    fs::copy(dir.join(&manifest.database.path), &tmp).map_err(|e| StoreError::io(&tmp, e))?;
    fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(|e| StoreError::io(&tmp, e))?;
    let (hash, _) = hash_file(&tmp)?;
    if hash != manifest.database.sha256 {
        let _ = fs::remove_file(&tmp);
        return Err(StoreError::BackupInvalid("bản sao cơ sở dữ liệu thay đổi trong khi khôi phục".to_owned()));
    }
    let previous_moved_to =
        if db_path.exists() { Some(schema::move_aside(db_path, ".before-restore-")?) } else { None };
    fs::rename(&tmp, db_path).map_err(|e| StoreError::io(db_path, e))?;
    if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_dir(parent)?;
    }
    Ok(Restored { manifest, previous_moved_to })
}
