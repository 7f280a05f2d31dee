//! # vanthu-hub: the reference document hub
//!
//! Stations — Vanthu desktops in the records offices — exchange edXML documents through a hub
//! ("trục liên thông văn bản"): a station sends a package addressed to other organisations, each
//! recipient lists what waits for it, fetches it, acknowledges it, and sends back status packets
//! (arrived, accepted, rejected…) that travel the same way. Provinces run their own hubs; this is
//! Vanthu's reference one, serving exactly the REST shape that `vanthu_edxml::vxp` fixes for
//! both sides (the national axis's `sendEdoc`, `getReceivedEdocList`, `getEdoc`, `updateStatus`,
//! `getSentEdocList`, `getAgenciesList`). It lets a province without a hub run one with a single
//! command, and lets every test run a real one (ADR 0006, decision 6).
//!
//! It depends on `vanthu-edxml` only, never on the register's crates: a hub knows messages and
//! organisations, not registers.
//!
//! ## Invariants
//!
//! * **No state outside the store.** Every answer is read from the store's rows (SQLite, or
//!   PostgreSQL for several hub processes behind a load balancer): the directory and the
//!   secrets' hashes, the messages with their bytes, the deliveries and their acknowledgements,
//!   the statuses seen passing. Two processes on one PostgreSQL database are one hub. The only
//!   memory is a cache of successful password checks, validated against the stored hash on
//!   every request ([`auth`]).
//! * **One key, one message.** A message is identified by its `MessageKey` (sender, DocumentId,
//!   kind); the store holds one message per key (a UNIQUE constraint). A repeated send — a
//!   station retrying after a lost reply — is answered with the first `DocId` and
//!   `duplicate: true`, and delivers nothing new.
//! * **At-least-once delivery, with acknowledgements.** A delivery is listed and can be fetched
//!   until its recipient acknowledges it (`done`, or `fail` with a reason, which stops it for
//!   good); fetching does not consume it. The station makes registration exactly-once with its
//!   own unique key.
//! * **Bytes as received.** The hub parses a message to check and route it (attachments'
//!   bytes are decoded and discarded), and stores and serves the bytes it received, never a
//!   re-serialisation.
//! * **Whole or nothing.** A message and its deliveries are written in one transaction; the
//!   hub may be killed at any moment and restarts with nothing half-written.
//! * **Every refusal is answered and logged**: a JSON reply with the contract's `ErrorCode`, its
//!   HTTP status and a Vietnamese `ErrorDesc`; one line on stderr and one `event` row.
//!
//! ## Running it
//!
//! ```text
//! vanthu-hub org add --config hub.toml --id 000.00.00.H41 --name "UBND tỉnh Nghệ An"  # prints a secret once
//! vanthu-hub serve --config hub.toml     # prints `listening on https://127.0.0.1:8443`, stops on SIGTERM
//! ```
//!
//! with `hub.toml` as described in [`config`] (a SQLite file path is enough on loopback).
//!
//! ## Module map
//!
//! * [`config`]: the TOML configuration (listen address, TLS files, store, body limit).
//! * [`server`]: the listener, TLS (rustls), HTTP/1.1 (hyper), graceful stop; [`serve`].
//! * `api`: routing and the six operations, refusals and their logging; [`Hub`].
//! * `body`: request bodies read within the size limit, refused bodies drained.
//! * [`auth`]: HTTP Basic credentials, argon2id secrets, the verification cache.
//! * [`store`]: [`Store`] with its SQLite and PostgreSQL backends and their migrations
//!   (`migrations/sqlite`, `migrations/postgres`).
//! * [`error`]: [`HubError`], [`StoreError`].
//!
//! The `vanthu-hub` binary (`src/main.rs`) is `serve`, `org add|list|remove|secret`, `check` and
//! `events` over this library.

#![deny(missing_docs)]

mod api;
pub mod auth;
mod body;
pub mod config;
pub mod error;
pub mod server;
pub mod store;

pub use api::Hub;
pub use config::{Config, StoreConfig, TlsFiles};
pub use error::{HubError, StoreError};
pub use server::{Listening, serve};
pub use store::Store;

/// Now, UTC, RFC 3339 with milliseconds: the hub's timestamps (`created`, `delivered_at`, events).
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_millisecond(now.millisecond()).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
