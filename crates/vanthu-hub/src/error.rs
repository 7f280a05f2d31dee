//! The crate's errors: [`HubError`] for starting and configuring the hub, [`StoreError`] for its
//! store. Messages are Vietnamese, like the rest of Vanthu's; they never carry a secret.
//!
//! A refusal of a request is not an error of the hub: it is a reply (`api.rs`), logged and answered
//! with the contract's `ErrorCode`. These types are what makes the hub itself fail.

use std::io;
use std::path::PathBuf;

/// Why the hub, or one of its commands, could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The configuration file could not be read.
    #[error("Không đọc được tệp cấu hình {}: {source}", path.display())]
    ConfigRead {
        /// The configuration file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The configuration file says something the hub cannot use.
    #[error("Tệp cấu hình {} không hợp lệ: {message}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
    /// The listening address cannot be served as configured (plain HTTP off loopback, no address).
    #[error("{0}")]
    Listen(String),
    /// The certificate or key could not be loaded.
    #[error("Chứng thư TLS: {0}")]
    Tls(String),
    /// The address could not be bound.
    #[error("Không mở được cổng {addr}: {source}")]
    Bind {
        /// The address as configured.
        addr: String,
        /// Why.
        source: io::Error,
    },
    /// A secret given to `org add` or `org secret` is not acceptable.
    #[error("{0}")]
    Secret(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading or writing a file or a stream failed.
    #[error("Lỗi đọc/ghi: {0}")]
    Io(#[from] io::Error),
}

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("Lỗi SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed (the message includes the server's own).
    #[error("Lỗi PostgreSQL: {}", describe_postgres(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had from the pool.
    #[error("Không lấy được kết nối PostgreSQL: {0}")]
    Pool(String),
    /// The PostgreSQL connection string is not one.
    #[error("Chuỗi kết nối PostgreSQL không hợp lệ: {0}")]
    ConnectionString(String),
    /// The database was made by a newer hub: it is never touched by an older one.
    #[error("Cơ sở dữ liệu của trục ở phiên bản {found}, mới hơn phiên bản {known} mà chương trình này biết")]
    Newer {
        /// The database's schema version.
        found: i64,
        /// The newest version this binary knows.
        known: i64,
    },
    /// A migration failed; nothing of it was applied.
    #[error("Không áp dụng được bản chuyển đổi lược đồ {name}: {message}")]
    Migration {
        /// The migration's file name.
        name: String,
        /// Why.
        message: String,
    },
    /// SQLite would not switch to write-ahead logging (e.g. a network file system).
    #[error("SQLite không bật được chế độ WAL (đang ở chế độ {0})")]
    NotWal(String),
    /// The SQLite file holds tables, but not the hub's.
    #[error("{0} không phải cơ sở dữ liệu của trục (đã có bảng khác trong đó)")]
    Foreign(String),
    /// `org add` of an organisation the directory already has.
    #[error("Cơ quan {0} đã có trong danh mục")]
    OrganisationExists(String),
    /// `org secret` or `org remove` of an organisation the directory does not have.
    #[error("Không có cơ quan {0} trong danh mục")]
    UnknownOrganisation(String),
    /// A blocking task of the SQLite store did not finish (it panicked or was cancelled).
    #[error("Tác vụ cơ sở dữ liệu bị gián đoạn: {0}")]
    Task(String),
}

/// A PostgreSQL error with the server's message and SQLSTATE when there is one (the plain
/// `Display` of tokio-postgres says only "db error").
fn describe_postgres(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
