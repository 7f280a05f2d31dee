//! The hub's configuration file (TOML), read once at start.
//!
//! ```toml
//! listen = "127.0.0.1:8443"       # port 0: any free port (the bound one is printed)
//! max_body_bytes = 268435456      # default 256 MiB
//! allow_plain_http = false        # plain HTTP off loopback only if true
//!
//! [tls]                           # optional; without it, plain HTTP (loopback only by default)
//! cert = "hub.crt.pem"            # the chain, leaf first
//! key = "hub.key.pem"             # PKCS#8, PKCS#1 or SEC1
//!
//! [store]                         # exactly one of:
//! sqlite = "hub.sqlite3"
//! # postgres = "postgresql://hub@db.example/hub"   (a URL or a libpq key=value string)
//! ```
//!
//! Relative paths are relative to the configuration file's folder, so a folder holding the file,
//! its certificate and its database can be moved as one.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use vanthu_edxml::Limits;

use crate::error::HubError;

/// The default `listen`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
/// The default `max_body_bytes`: 256 MiB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 256 << 20;

/// Where the hub keeps everything it knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreConfig {
    /// One SQLite file (WAL): one hub process, a laptop or a small province.
    Sqlite(PathBuf),
    /// A PostgreSQL database (URL or libpq key=value string): any number of hub processes.
    Postgres(String),
}

/// The certificate chain and private key files, PEM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key.
    pub key: PathBuf,
}

/// The whole configuration, paths resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The address to listen on, `host:port`.
    pub listen: String,
    /// TLS, if configured.
    pub tls: Option<TlsFiles>,
    /// The store.
    pub store: StoreConfig,
    /// The largest request body accepted (413 `LIMIT` beyond).
    pub max_body_bytes: u64,
    /// Whether plain HTTP may be served off loopback (behind a TLS-terminating proxy).
    pub allow_plain_http: bool,
    /// The edXML parser's limits (not in the file: the defaults of `vanthu-edxml`).
    pub limits: Limits,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    tls: Option<RawTls>,
    store: Option<RawStore>,
    max_body_bytes: Option<u64>,
    allow_plain_http: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    cert: PathBuf,
    key: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    sqlite: Option<PathBuf>,
    postgres: Option<String>,
}

impl Config {
    /// Reads and checks the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Config, HubError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| HubError::ConfigRead { path: path.to_owned(), source })?;
        Config::parse(&text, path)
    }

    /// Parses a configuration's text; `path` is where it came from (relative paths are resolved
    /// against its folder).
    pub fn parse(text: &str, path: &Path) -> Result<Config, HubError> {
        let bad = |message: String| HubError::Config { path: path.to_owned(), message };
        let raw: RawConfig = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let folder = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { folder.join(p) };
        let store = match raw.store {
            Some(RawStore { sqlite: Some(file), postgres: None }) => StoreConfig::Sqlite(resolve(file)),
            Some(RawStore { sqlite: None, postgres: Some(conninfo) }) if !conninfo.trim().is_empty() => {
                StoreConfig::Postgres(conninfo)
            }
            Some(RawStore { sqlite: Some(_), postgres: Some(_) }) => {
                return Err(bad("[store] chỉ được có một trong hai khoá sqlite và postgres".into()));
            }
            _ => return Err(bad("cần mục [store] với sqlite = \"tệp\" hoặc postgres = \"chuỗi kết nối\"".into())),
        };
        let max_body_bytes = raw.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES);
        if max_body_bytes == 0 {
            return Err(bad("max_body_bytes phải lớn hơn 0".into()));
        }
        Ok(Config {
            listen: raw.listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned()),
            tls: raw.tls.map(|t| TlsFiles { cert: resolve(t.cert), key: resolve(t.key) }),
            store,
            max_body_bytes,
            allow_plain_http: raw.allow_plain_http.unwrap_or(false),
            limits: Limits::default(),
        })
    }
}
