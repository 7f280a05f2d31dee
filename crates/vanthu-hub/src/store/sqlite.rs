//! The SQLite store: one file in WAL mode, one writer connection behind a mutex (every write an
//! `IMMEDIATE` transaction), a few reader connections, `synchronous=FULL` so that a reply the
//! station has seen survives a crash. Calls run on tokio's blocking pool.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension as _, Transaction, TransactionBehavior, params};
use vanthu_edxml::vxp::{AckStatus, Agency, MessageType, ReceivedItem, RecipientState, SentItem};

use super::{Accepted, Acknowledged, Event, Migration, NewMessage, ack_state, check_row, group_sent, message_type_of};
use crate::error::StoreError;

/// The schema, in order; never edit an applied one, add the next.
const MIGRATIONS: &[Migration] =
    &[Migration { version: 1, name: "0001_hub.sql", sql: include_str!("../../migrations/sqlite/0001_hub.sql") }];

/// How long a write waits for another process's write (e.g. `org add` while the hub runs).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle reader connections kept.
const MAX_IDLE_READERS: usize = 8;

type Result<T> = std::result::Result<T, StoreError>;

/// The SQLite store. Cloning shares the connections.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

/// Opens a connection with the hub's per-connection settings.
fn connect(path: &std::path::Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::NotWal(mode));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    Ok(conn)
}

/// Applies the pending migrations in one transaction; refuses a newer or a foreign database.
fn migrate(conn: &mut Connection, path: &std::path::Path) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if version > known {
        return Err(StoreError::Newer { found: version, known });
    }
    if version == 0 {
        let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0))?;
        if tables > 0 {
            return Err(StoreError::Foreign(path.display().to_string()));
        }
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > version) {
        tx.execute_batch(m.sql)
            .map_err(|e| StoreError::Migration { name: m.name.to_owned(), message: e.to_string() })?;
        tx.pragma_update(None, "user_version", m.version)?;
    }
    tx.commit()?;
    Ok(())
}

impl Inner {
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => connect(&self.path)?,
        };
        let value = f(&conn);
        let mut readers = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if readers.len() < MAX_IDLE_READERS && conn.is_autocommit() {
            readers.push(conn);
        }
        value
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and migrates it.
    pub async fn open(path: PathBuf) -> Result<SqliteStore> {
        tokio::task::spawn_blocking(move || {
            let mut writer = connect(&path)?;
            migrate(&mut writer, &path)?;
            Ok(SqliteStore { inner: Arc::new(Inner { path, writer: Mutex::new(writer), readers: Mutex::default() }) })
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce(&Inner) -> Result<T> + Send + 'static) -> Result<T> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || f(&inner)).await.map_err(|e| StoreError::Task(e.to_string()))?
    }

    pub(crate) async fn health(&self) -> Result<()> {
        self.blocking(|s| s.read(|c| Ok(c.query_row("SELECT count(*) FROM organisation", [], |r| r.get::<_, i64>(0))?)))
            .await
            .map(|_| ())
    }

    pub(crate) async fn add_organisation(&self, agency: &Agency, secret_hash: &str, now: &str) -> Result<()> {
        let (agency, secret_hash, now) = (agency.clone(), secret_hash.to_owned(), now.to_owned());
        self.blocking(move |s| {
            s.write(|tx| {
                let n = tx.execute(
                    "INSERT INTO organisation (organ_id, name, address, email, telephone, secret_hash, created)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (organ_id) DO NOTHING",
                    params![
                        agency.organ_id,
                        agency.organ_name,
                        agency.address,
                        agency.email,
                        agency.telephone,
                        secret_hash,
                        now
                    ],
                )?;
                if n == 0 {
                    return Err(StoreError::OrganisationExists(agency.organ_id.clone()));
                }
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn set_secret(&self, organ_id: &str, secret_hash: &str) -> Result<()> {
        let (organ_id, secret_hash) = (organ_id.to_owned(), secret_hash.to_owned());
        self.blocking(move |s| {
            s.write(|tx| {
                let n = tx.execute(
                    "UPDATE organisation SET secret_hash = ?2 WHERE organ_id = ?1",
                    params![organ_id, secret_hash],
                )?;
                if n == 0 {
                    return Err(StoreError::UnknownOrganisation(organ_id.clone()));
                }
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn remove_organisation(&self, organ_id: &str) -> Result<()> {
        let organ_id = organ_id.to_owned();
        self.blocking(move |s| {
            s.write(|tx| {
                if tx.execute("DELETE FROM organisation WHERE organ_id = ?1", [&organ_id])? == 0 {
                    return Err(StoreError::UnknownOrganisation(organ_id.clone()));
                }
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn agencies(&self) -> Result<Vec<Agency>> {
        self.blocking(|s| {
            s.read(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT organ_id, name, address, email, telephone FROM organisation ORDER BY organ_id",
                )?;
                let rows = stmt.query_map([], |r| {
                    Ok(Agency {
                        organ_id: r.get(0)?,
                        organ_name: r.get(1)?,
                        address: r.get(2)?,
                        email: r.get(3)?,
                        telephone: r.get(4)?,
                    })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
        })
        .await
    }

    pub(crate) async fn secret_hash(&self, organ_id: &str) -> Result<Option<String>> {
        let organ_id = organ_id.to_owned();
        self.blocking(move |s| {
            s.read(|c| {
                Ok(c.prepare_cached("SELECT secret_hash FROM organisation WHERE organ_id = ?1")?
                    .query_row([&organ_id], |r| r.get(0))
                    .optional()?)
            })
        })
        .await
    }

    pub(crate) async fn unknown_organisations(&self, organ_ids: &[String]) -> Result<Vec<String>> {
        let organ_ids = organ_ids.to_vec();
        self.blocking(move |s| {
            s.read(|c| {
                let mut stmt = c.prepare_cached("SELECT 1 FROM organisation WHERE organ_id = ?1")?;
                let mut unknown = Vec::new();
                for id in organ_ids {
                    if !stmt.exists([&id])? {
                        unknown.push(id);
                    }
                }
                Ok(unknown)
            })
        })
        .await
    }

    pub(crate) async fn insert_message(&self, m: NewMessage) -> Result<Accepted> {
        self.blocking(move |s| {
            s.write(|tx| {
                let (code, about, at) = match &m.status {
                    Some(st) => (Some(st.code.as_str()), Some(st.about.as_str()), Some(st.at.as_str())),
                    None => (None, None, None),
                };
                let size = i64::try_from(m.body.len()).unwrap_or(i64::MAX);
                let id: Option<i64> = tx
                    .prepare_cached(
                        "INSERT INTO message (sender, document_id, kind, message_type, status_code, status_about,
                                              status_at, size, sha256, body, created)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                         ON CONFLICT (sender, document_id, kind) DO NOTHING RETURNING id",
                    )?
                    .query_row(
                        params![
                            m.key.sender,
                            m.key.document_id,
                            m.key.kind,
                            m.message_type.as_str(),
                            code,
                            about,
                            at,
                            size,
                            m.sha256,
                            m.body,
                            m.created
                        ],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(id) = id else {
                    let first: i64 = tx
                        .prepare_cached("SELECT id FROM message WHERE sender = ?1 AND document_id = ?2 AND kind = ?3")?
                        .query_row(params![m.key.sender, m.key.document_id, m.key.kind], |r| r.get(0))?;
                    return Ok(Accepted { doc_id: first.to_string(), duplicate: true });
                };
                let mut deliver = tx.prepare_cached("INSERT INTO delivery (message_id, recipient) VALUES (?1, ?2)")?;
                for recipient in &m.recipients {
                    deliver.execute(params![id, recipient])?;
                }
                Ok(Accepted { doc_id: id.to_string(), duplicate: false })
            })
        })
        .await
    }

    pub(crate) async fn received(
        &self,
        recipient: &str,
        message_type: Option<MessageType>,
        limit: u32,
    ) -> Result<Vec<ReceivedItem>> {
        let recipient = recipient.to_owned();
        self.blocking(move |s| {
            s.read(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT m.id, m.sender, m.message_type, m.document_id, m.kind, m.size, m.sha256, m.created
                     FROM delivery d JOIN message m ON m.id = d.message_id
                     WHERE d.recipient = ?1 AND d.state = 'pending' AND (?2 IS NULL OR m.message_type = ?2)
                     ORDER BY d.message_id LIMIT ?3",
                )?;
                let rows = stmt.query_map(params![recipient, message_type.map(MessageType::as_str), limit], |r| {
                    Ok(ReceivedItem {
                        doc_id: r.get::<_, i64>(0)?.to_string(),
                        from: r.get(1)?,
                        messagetype: message_type_of(&r.get::<_, String>(2)?),
                        document_id: r.get(3)?,
                        kind: r.get(4)?,
                        size: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
                        sha256: r.get(6)?,
                        created: r.get(7)?,
                    })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
        })
        .await
    }

    pub(crate) async fn fetch(&self, doc_id: i64, recipient: &str) -> Result<Option<Vec<u8>>> {
        let recipient = recipient.to_owned();
        self.blocking(move |s| {
            s.read(|c| {
                Ok(c.prepare_cached(
                    "SELECT m.body FROM message m JOIN delivery d ON d.message_id = m.id
                     WHERE m.id = ?1 AND d.recipient = ?2",
                )?
                .query_row(params![doc_id, recipient], |r| r.get(0))
                .optional()?)
            })
        })
        .await
    }

    pub(crate) async fn acknowledge(
        &self,
        doc_id: i64,
        recipient: &str,
        status: AckStatus,
        reason: Option<&str>,
        now: &str,
    ) -> Result<Acknowledged> {
        let (recipient, reason, now) = (recipient.to_owned(), reason.map(str::to_owned), now.to_owned());
        self.blocking(move |s| {
            s.write(|tx| {
                let state: Option<String> = tx
                    .prepare_cached("SELECT state FROM delivery WHERE message_id = ?1 AND recipient = ?2")?
                    .query_row(params![doc_id, recipient], |r| r.get(0))
                    .optional()?;
                let wanted = ack_state(status);
                Ok(match state.as_deref() {
                    None => Acknowledged::NotFound,
                    Some("pending") => {
                        let reason = if status == AckStatus::Fail { reason.as_deref() } else { None };
                        tx.prepare_cached(
                            "UPDATE delivery SET state = ?3, delivered_at = ?4, reason = ?5
                             WHERE message_id = ?1 AND recipient = ?2",
                        )?
                        .execute(params![doc_id, recipient, wanted, now, reason])?;
                        Acknowledged::Recorded
                    }
                    Some(s) if s == wanted => Acknowledged::Repeated,
                    Some(s) => Acknowledged::Conflict { recorded: s.to_owned() },
                })
            })
        })
        .await
    }

    pub(crate) async fn sent(
        &self,
        sender: &str,
        document_id: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<SentItem>> {
        let (sender, document_id) = (sender.to_owned(), document_id.map(str::to_owned));
        self.blocking(move |s| {
            s.read(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT m.id, m.document_id, m.message_type, m.kind, m.sha256, m.created,
                            d.recipient, d.state, d.delivered_at, d.reason,
                            CASE WHEN m.message_type = 'edoc' THEN
                              (SELECT s.status_code FROM message s
                               WHERE s.sender = d.recipient AND s.document_id = m.document_id
                                 AND s.message_type = 'status' AND s.status_about = m.sender
                               ORDER BY s.status_at DESC, s.id DESC LIMIT 1)
                            END
                     FROM (SELECT id, sender, document_id, message_type, kind, sha256, created FROM message
                           WHERE sender = ?1 AND id > ?2 AND (?3 IS NULL OR document_id = ?3)
                           ORDER BY id LIMIT ?4) m
                     JOIN delivery d ON d.message_id = m.id
                     ORDER BY m.id, d.recipient",
                )?;
                let rows = stmt.query_map(params![sender, after, document_id, limit], |r| {
                    Ok((
                        SentItem {
                            doc_id: r.get::<_, i64>(0)?.to_string(),
                            document_id: r.get(1)?,
                            messagetype: message_type_of(&r.get::<_, String>(2)?),
                            kind: r.get(3)?,
                            sha256: r.get(4)?,
                            created: r.get(5)?,
                            recipients: Vec::new(),
                        },
                        RecipientState {
                            organ_id: r.get(6)?,
                            delivery: r.get(7)?,
                            delivered_at: r.get(8)?,
                            reason: r.get(9)?,
                            last_status: r.get(10)?,
                        },
                    ))
                })?;
                Ok(group_sent(rows.collect::<rusqlite::Result<Vec<_>>>()?))
            })
        })
        .await
    }

    pub(crate) async fn log_event(&self, event: &Event) -> Result<()> {
        let e = event.clone();
        self.blocking(move |s| {
            s.write(|tx| {
                tx.prepare_cached(
                    "INSERT INTO event (at, organ_id, peer, operation, code, description)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![e.at, e.organ_id, e.peer, e.operation, e.code, e.description])?;
                Ok(())
            })
        })
        .await
    }

    pub(crate) async fn events(&self, limit: u32) -> Result<Vec<Event>> {
        self.blocking(move |s| {
            s.read(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT at, organ_id, peer, operation, code, description FROM event ORDER BY id DESC LIMIT ?1",
                )?;
                let rows = stmt.query_map([limit], |r| {
                    Ok(Event {
                        at: r.get(0)?,
                        organ_id: r.get(1)?,
                        peer: r.get(2)?,
                        operation: r.get(3)?,
                        code: r.get(4)?,
                        description: r.get(5)?,
                    })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
        })
        .await
    }

    pub(crate) async fn check(&self) -> Result<Vec<String>> {
        self.blocking(|s| {
            s.read(|c| {
                let mut problems = Vec::new();
                let mut integrity = c.prepare("PRAGMA integrity_check")?;
                for line in integrity.query_map([], |r| r.get::<_, String>(0))? {
                    let line = line?;
                    if line != "ok" {
                        problems.push(format!("integrity_check: {line}"));
                    }
                }
                let mut fk = c.prepare("PRAGMA foreign_key_check")?;
                for row in fk.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?)))? {
                    let (table, rowid) = row?;
                    problems.push(format!("foreign_key_check: {table} rowid {rowid:?}"));
                }
                let mut stmt = c.prepare(
                    "SELECT m.id, m.size, m.sha256, m.body,
                            (SELECT count(*) FROM delivery d WHERE d.message_id = m.id)
                     FROM message m ORDER BY m.id",
                )?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    let body: Vec<u8> = r.get(3)?;
                    problems.extend(check_row(r.get(0)?, r.get(1)?, &r.get::<_, String>(2)?, &body, r.get(4)?));
                }
                Ok(problems)
            })
        })
        .await
    }
}
