//! The PostgreSQL store: a pool of async connections; any number of hub processes may share the
//! database. Uniqueness is the database's (`message_key` with `ON CONFLICT DO NOTHING`, which
//! waits for a concurrent insert of the same key to commit or roll back), acknowledgements lock
//! their delivery row, and migrations run under an advisory lock so that processes starting
//! together apply them once.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;
use vanthu_edxml::vxp::{AckStatus, Agency, MessageType, ReceivedItem, RecipientState, SentItem};

use super::{Accepted, Acknowledged, Event, Migration, NewMessage, ack_state, check_row, group_sent, message_type_of};
use crate::error::StoreError;

/// The schema, in order; never edit an applied one, add the next.
const MIGRATIONS: &[Migration] =
    &[Migration { version: 1, name: "0001_hub.sql", sql: include_str!("../../migrations/postgres/0001_hub.sql") }];

/// The advisory lock taken while migrating ("VANTHUB" in ASCII).
const MIGRATION_LOCK: i64 = 0x0056_414e_5448_5542;
/// Connections per hub process.
const POOL_SIZE: usize = 16;

type Result<T> = std::result::Result<T, StoreError>;

/// The PostgreSQL store. Cloning shares the pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
}

fn pool_error(error: PoolError) -> StoreError {
    match error {
        PoolError::Backend(e) => StoreError::Postgres(e),
        other => StoreError::Pool(other.to_string()),
    }
}

impl PostgresStore {
    /// Connects (a URL or a libpq key=value string) and migrates the schema.
    pub async fn open(conninfo: &str) -> Result<PostgresStore> {
        let mut config: tokio_postgres::Config =
            conninfo.parse().map_err(|e: tokio_postgres::Error| StoreError::ConnectionString(e.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("vanthu-hub");
        }
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(30)))
            .create_timeout(Some(Duration::from_secs(15)))
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        let store = PostgresStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(pool_error)
    }

    async fn migrate(&self) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS hub_schema (
                 version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)",
        )
        .await?;
        let version: i64 = tx.query_one("SELECT coalesce(max(version), 0) FROM hub_schema", &[]).await?.get(0);
        let known = MIGRATIONS.last().map_or(0, |m| m.version);
        if version > known {
            return Err(StoreError::Newer { found: version, known });
        }
        let now = crate::now_rfc3339();
        for m in MIGRATIONS.iter().filter(|m| m.version > version) {
            tx.batch_execute(m.sql).await.map_err(|e| StoreError::Migration {
                name: m.name.to_owned(),
                message: StoreError::Postgres(e).to_string(),
            })?;
            tx.execute(
                "INSERT INTO hub_schema (version, name, applied) VALUES ($1, $2, $3)",
                &[&m.version, &m.name, &now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn health(&self) -> Result<()> {
        self.client().await?.query_one("SELECT 1", &[]).await?;
        Ok(())
    }

    pub(crate) async fn add_organisation(&self, a: &Agency, secret_hash: &str, now: &str) -> Result<()> {
        let n = self
            .client()
            .await?
            .execute(
                "INSERT INTO organisation (organ_id, name, address, email, telephone, secret_hash, created)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (organ_id) DO NOTHING",
                &[&a.organ_id, &a.organ_name, &a.address, &a.email, &a.telephone, &secret_hash, &now],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::OrganisationExists(a.organ_id.clone()));
        }
        Ok(())
    }

    pub(crate) async fn set_secret(&self, organ_id: &str, secret_hash: &str) -> Result<()> {
        let n = self
            .client()
            .await?
            .execute("UPDATE organisation SET secret_hash = $2 WHERE organ_id = $1", &[&organ_id, &secret_hash])
            .await?;
        if n == 0 {
            return Err(StoreError::UnknownOrganisation(organ_id.to_owned()));
        }
        Ok(())
    }

    pub(crate) async fn remove_organisation(&self, organ_id: &str) -> Result<()> {
        let n = self.client().await?.execute("DELETE FROM organisation WHERE organ_id = $1", &[&organ_id]).await?;
        if n == 0 {
            return Err(StoreError::UnknownOrganisation(organ_id.to_owned()));
        }
        Ok(())
    }

    pub(crate) async fn agencies(&self) -> Result<Vec<Agency>> {
        let rows = self
            .client()
            .await?
            .query("SELECT organ_id, name, address, email, telephone FROM organisation ORDER BY organ_id", &[])
            .await?;
        Ok(rows
            .iter()
            .map(|r| Agency {
                organ_id: r.get(0),
                organ_name: r.get(1),
                address: r.get(2),
                email: r.get(3),
                telephone: r.get(4),
            })
            .collect())
    }

    pub(crate) async fn secret_hash(&self, organ_id: &str) -> Result<Option<String>> {
        let client = self.client().await?;
        let stmt = client.prepare_cached("SELECT secret_hash FROM organisation WHERE organ_id = $1").await?;
        Ok(client.query_opt(&stmt, &[&organ_id]).await?.map(|r| r.get(0)))
    }

    pub(crate) async fn unknown_organisations(&self, organ_ids: &[String]) -> Result<Vec<String>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT r FROM unnest($1::text[]) WITH ORDINALITY AS t (r, n)
                 WHERE NOT EXISTS (SELECT 1 FROM organisation o WHERE o.organ_id = t.r) ORDER BY n",
                &[&organ_ids],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub(crate) async fn insert_message(&self, m: NewMessage) -> Result<Accepted> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (code, about, at) = match &m.status {
            Some(st) => (Some(st.code.as_str()), Some(st.about.as_str()), Some(st.at.as_str())),
            None => (None, None, None),
        };
        let size = i64::try_from(m.body.len()).unwrap_or(i64::MAX);
        let insert = tx
            .prepare_cached(
                "INSERT INTO message (sender, document_id, kind, message_type, status_code, status_about,
                                      status_at, size, sha256, body, created)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT ON CONSTRAINT message_key DO NOTHING RETURNING id",
            )
            .await?;
        let params: [&(dyn ToSql + Sync); 11] = [
            &m.key.sender,
            &m.key.document_id,
            &m.key.kind,
            &m.message_type.as_str(),
            &code,
            &about,
            &at,
            &size,
            &m.sha256,
            &m.body,
            &m.created,
        ];
        let Some(row) = tx.query_opt(&insert, &params).await? else {
            // The key is held (committed by another transaction, possibly another hub process).
            let first: i64 = tx
                .query_one(
                    "SELECT id FROM message WHERE sender = $1 AND document_id = $2 AND kind = $3",
                    &[&m.key.sender, &m.key.document_id, &m.key.kind],
                )
                .await?
                .get(0);
            tx.commit().await?;
            return Ok(Accepted { doc_id: first.to_string(), duplicate: true });
        };
        let id: i64 = row.get(0);
        tx.execute("INSERT INTO delivery (message_id, recipient) SELECT $1, unnest($2::text[])", &[&id, &m.recipients])
            .await?;
        tx.commit().await?;
        Ok(Accepted { doc_id: id.to_string(), duplicate: false })
    }

    pub(crate) async fn received(
        &self,
        recipient: &str,
        message_type: Option<MessageType>,
        limit: u32,
    ) -> Result<Vec<ReceivedItem>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT m.id, m.sender, m.message_type, m.document_id, m.kind, m.size, m.sha256, m.created
                 FROM delivery d JOIN message m ON m.id = d.message_id
                 WHERE d.recipient = $1 AND d.state = 'pending' AND ($2::text IS NULL OR m.message_type = $2)
                 ORDER BY d.message_id LIMIT $3",
            )
            .await?;
        let rows =
            client.query(&stmt, &[&recipient, &message_type.map(MessageType::as_str), &i64::from(limit)]).await?;
        Ok(rows
            .iter()
            .map(|r| ReceivedItem {
                doc_id: r.get::<_, i64>(0).to_string(),
                from: r.get(1),
                messagetype: message_type_of(r.get(2)),
                document_id: r.get(3),
                kind: r.get(4),
                size: u64::try_from(r.get::<_, i64>(5)).unwrap_or(0),
                sha256: r.get(6),
                created: r.get(7),
            })
            .collect())
    }

    pub(crate) async fn fetch(&self, doc_id: i64, recipient: &str) -> Result<Option<Vec<u8>>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT m.body FROM message m JOIN delivery d ON d.message_id = m.id
                 WHERE m.id = $1 AND d.recipient = $2",
            )
            .await?;
        Ok(client.query_opt(&stmt, &[&doc_id, &recipient]).await?.map(|r| r.get(0)))
    }

    pub(crate) async fn acknowledge(
        &self,
        doc_id: i64,
        recipient: &str,
        status: AckStatus,
        reason: Option<&str>,
        now: &str,
    ) -> Result<Acknowledged> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let state: Option<String> = tx
            .query_opt(
                "SELECT state FROM delivery WHERE message_id = $1 AND recipient = $2 FOR UPDATE",
                &[&doc_id, &recipient],
            )
            .await?
            .map(|r| r.get(0));
        let wanted = ack_state(status);
        let outcome = match state.as_deref() {
            None => Acknowledged::NotFound,
            Some("pending") => {
                let reason = if status == AckStatus::Fail { reason } else { None };
                tx.execute(
                    "UPDATE delivery SET state = $3, delivered_at = $4, reason = $5
                     WHERE message_id = $1 AND recipient = $2",
                    &[&doc_id, &recipient, &wanted, &now, &reason],
                )
                .await?;
                Acknowledged::Recorded
            }
            Some(s) if s == wanted => Acknowledged::Repeated,
            Some(s) => Acknowledged::Conflict { recorded: s.to_owned() },
        };
        tx.commit().await?;
        Ok(outcome)
    }

    pub(crate) async fn sent(
        &self,
        sender: &str,
        document_id: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<SentItem>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT m.id, m.document_id, m.message_type, m.kind, m.sha256, m.created,
                        d.recipient, d.state, d.delivered_at, d.reason,
                        CASE WHEN m.message_type = 'edoc' THEN
                          (SELECT s.status_code FROM message s
                           WHERE s.sender = d.recipient AND s.document_id = m.document_id
                             AND s.message_type = 'status' AND s.status_about = m.sender
                           ORDER BY s.status_at DESC, s.id DESC LIMIT 1)
                        END
                 FROM (SELECT id, sender, document_id, message_type, kind, sha256, created FROM message
                       WHERE sender = $1 AND id > $2 AND ($3::text IS NULL OR document_id = $3)
                       ORDER BY id LIMIT $4) m
                 JOIN delivery d ON d.message_id = m.id
                 ORDER BY m.id, d.recipient",
            )
            .await?;
        let rows = client.query(&stmt, &[&sender, &after, &document_id, &i64::from(limit)]).await?;
        Ok(group_sent(
            rows.iter()
                .map(|r| {
                    (
                        SentItem {
                            doc_id: r.get::<_, i64>(0).to_string(),
                            document_id: r.get(1),
                            messagetype: message_type_of(r.get(2)),
                            kind: r.get(3),
                            sha256: r.get(4),
                            created: r.get(5),
                            recipients: Vec::new(),
                        },
                        RecipientState {
                            organ_id: r.get(6),
                            delivery: r.get(7),
                            delivered_at: r.get(8),
                            reason: r.get(9),
                            last_status: r.get(10),
                        },
                    )
                })
                .collect(),
        ))
    }

    pub(crate) async fn log_event(&self, e: &Event) -> Result<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO event (at, organ_id, peer, operation, code, description) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&e.at, &e.organ_id, &e.peer, &e.operation, &e.code, &e.description],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn events(&self, limit: u32) -> Result<Vec<Event>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT at, organ_id, peer, operation, code, description FROM event ORDER BY id DESC LIMIT $1",
                &[&i64::from(limit)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Event {
                at: r.get(0),
                organ_id: r.get(1),
                peer: r.get(2),
                operation: r.get(3),
                code: r.get(4),
                description: r.get(5),
            })
            .collect())
    }

    pub(crate) async fn check(&self) -> Result<Vec<String>> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT m.id, m.size, m.sha256, (SELECT count(*) FROM delivery d WHERE d.message_id = m.id)
                 FROM message m ORDER BY m.id",
                &[],
            )
            .await?;
        let mut problems = Vec::new();
        // One body at a time: a large database is checked in bounded memory.
        for r in rows {
            let id: i64 = r.get(0);
            let body: Vec<u8> = client.query_one("SELECT body FROM message WHERE id = $1", &[&id]).await?.get(0);
            problems.extend(check_row(id, r.get(1), r.get(2), &body, r.get(3)));
        }
        Ok(problems)
    }
}
