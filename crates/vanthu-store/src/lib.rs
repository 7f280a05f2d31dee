//! The register on disk: SQLite (WAL, `synchronous=FULL`), one writer, and the files beside it.
//!
//! [`Store`] is the only way into the database. It owns exactly one writer connection (behind a mutex,
//! and SQLite's own lock against other processes) and a small pool of read-only connections. Every write
//! runs in one `BEGIN IMMEDIATE` transaction through [`Store::write`]; the functions that change the
//! register take `&Transaction` so that a registration, its number, its files, its search entry and its
//! audit entry commit together or not at all.
//!
//! What this crate must not do: decide domain rules (that is `vanthu-core`), know about users, clocks or
//! the UI (that is `vanthu-app`). Time and ids come in as arguments. It is the only crate that speaks SQL.
#![deny(missing_docs)]

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod capture;
pub mod casefiles;
pub mod check;
pub mod directory;
pub mod exchange;
pub mod files;
pub mod handling;
pub mod query;
pub mod register;
pub mod schema;
pub mod search;
pub mod signing;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{ErrorCode, OpenFlags, TransactionBehavior};

pub use files::FileStore;
/// The transaction the write functions take (for the crates that compose them: the façade, the sync engine).
pub use rusqlite::{Connection, Transaction};

/// How long a writer waits for another process's write lock before giving up with [`StoreError::Busy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What can go wrong in the store. The app maps these to `{code, message}` for the user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An SQLite error not covered by a more specific variant.
    #[error("lỗi cơ sở dữ liệu: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A file-system error.
    #[error("lỗi đọc/ghi tệp {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Another writer held the register for longer than [`BUSY_TIMEOUT`].
    #[error("sổ đang bận (một tiến trình khác đang ghi); hãy thử lại")]
    Busy,
    /// The database was written by a newer version of Vanthu.
    #[error(
        "cơ sở dữ liệu ở phiên bản {found}, mới hơn phiên bản {supported} mà chương trình này hỗ trợ; hãy cập nhật Vanthu"
    )]
    TooNew {
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this binary knows.
        supported: i64,
    },
    /// The database file is damaged. It has been moved aside (never deleted).
    #[error(
        "cơ sở dữ liệu bị hỏng ({reason}); tệp đã được chuyển sang {moved_to}; hãy khôi phục từ bản sao lưu: vanthu restore --from THƯ_MỤC_SAO_LƯU"
    )]
    Corrupt {
        /// Where the damaged file now is.
        moved_to: PathBuf,
        /// What SQLite said.
        reason: String,
    },
    /// A damaged database was moved aside earlier; a fresh empty register is not created silently
    /// over it (it would restart numbering at 1).
    #[error(
        "sổ trước đây bị hỏng và đã được chuyển sang {quarantined}; hãy khôi phục từ bản sao lưu (vanthu restore --from THƯ_MỤC_SAO_LƯU) trước khi tiếp tục"
    )]
    Quarantined {
        /// The quarantined file.
        quarantined: PathBuf,
    },
    /// The register has no organisation yet.
    #[error("sổ chưa được khởi tạo: hãy khai báo cơ quan trước (vanthu init)")]
    NotInitialised,
    /// `init` on a register that already has its organisation.
    #[error("sổ đã được khởi tạo cho {0}")]
    AlreadyInitialised(String),
    /// No document with that id.
    #[error("không tìm thấy văn bản {0}")]
    NotFound(String),
    /// The document is already cancelled.
    #[error("văn bản {0} đã bị hủy trước đó")]
    AlreadyCancelled(String),
    /// A likely duplicate of an earlier registration (Decree 30 App. VI).
    #[error("{0}")]
    Duplicate(Box<register::DuplicateOf>),
    /// A backup that does not verify.
    #[error("bản sao lưu không hợp lệ: {0}")]
    BackupInvalid(String),
    /// Data in the database that this version cannot read.
    #[error("dữ liệu không hợp lệ trong cơ sở dữ liệu: {0}")]
    Invalid(String),
    /// The change conflicts with the register's state (a recalled document, a closed case file, a
    /// name already taken); the message says which, in Vietnamese.
    #[error("{0}")]
    Conflict(String),
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io { path: path.to_owned(), source }
    }

    fn from_sqlite(e: rusqlite::Error) -> StoreError {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Sqlite(e),
        }
    }
}

/// Result alias for the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The register database and its file store.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    files: FileStore,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the register at `path`, migrating it to the current schema. The file store
    /// lives beside it (`register.sqlite3` → `register.files/`).
    ///
    /// Refuses a database written by a newer version; moves a corrupt one aside.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_owned();
        if !path.exists() {
            if let Some(quarantined) = schema::find_quarantined(&path) {
                return Err(StoreError::Quarantined { quarantined });
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
            }
        }
        let mut writer = match open_connection(&path, false) {
            Ok(conn) => conn,
            Err(e) if is_corruption(&e) => return Err(schema::quarantine(&path, &e)),
            Err(e) => return Err(e),
        };
        if let Err(e) = schema::migrate(&mut writer) {
            if is_corruption(&e) {
                drop(writer);
                return Err(schema::quarantine(&path, &e));
            }
            return Err(e);
        }
        let files = FileStore::open(files::dir_for(&path))?;
        Ok(Store { path, writer: Mutex::new(writer), readers: Mutex::new(Vec::new()), files })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The content-addressed file store beside the database.
    pub fn files(&self) -> &FileStore {
        &self.files
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the single writer and commits when it returns
    /// `Ok`. Another process holding the write lock longer than [`BUSY_TIMEOUT`] gives
    /// [`StoreError::Busy`]; nothing is written then.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from_sqlite)?;
        let value = f(&tx).map_err(|e| match e {
            StoreError::Sqlite(e) => StoreError::from_sqlite(e),
            other => other,
        })?;
        tx.commit().map_err(StoreError::from_sqlite)?;
        Ok(value)
    }

    /// Runs `f` on a read-only connection (a consistent snapshot for the duration of `f` when `f`
    /// opens its own transaction; WAL readers never block the writer).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = lock(&self.readers).pop();
        let conn = match conn {
            Some(c) => c,
            None => open_connection(&self.path, true)?,
        };
        let value = f(&conn);
        let mut pool = lock(&self.readers);
        if pool.len() < 4 {
            pool.push(conn);
        }
        value
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves the connection usable: SQLite rolled back any open
    // transaction when the Transaction was dropped during unwinding.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Opens one connection with the per-connection settings every Vanthu connection needs.
pub(crate) fn open_connection(path: &Path, read_only: bool) -> Result<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI
    };
    let conn = Connection::open_with_flags(path, flags)?;
    configure(&conn, read_only)?;
    Ok(conn)
}

/// PRAGMAs and functions, per connection (never in migrations).
pub(crate) fn configure(conn: &Connection, read_only: bool) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Reading the header here turns "not a database" into an error at open, not at first use.
    let _: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    if !read_only {
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Invalid(format!("journal_mode={mode}, WAL required")));
        }
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    search::register_functions(conn)?;
    Ok(())
}

/// Whether an error means the file is not a usable database.
pub(crate) fn is_corruption(e: &StoreError) -> bool {
    match e {
        StoreError::Sqlite(e) => {
            matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase))
        }
        _ => false,
    }
}
