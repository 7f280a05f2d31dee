//! # vanthu-sync: offline-first exchange with the document hubs
//!
//! A commune office is online for an hour, offline for a day. What it issues waits in the outbox
//! and leaves when the link returns; what is addressed to it waits at the hub and arrives; every
//! status reaches its sender; nothing is lost or delivered twice however often the link drops
//! (ADR 0006). This crate is how:
//!
//! * [`planner`] decides, purely: which waiting message to send or to ask the hub about, what an
//!   attempt's outcome makes of it, when to try again (exponential backoff, full jitter);
//! * [`engine`] runs one pass over the register's outbox and inbox (`vanthu_store::exchange`)
//!   following those decisions, keeping every step in the register before telling the hub;
//! * [`hub`] is the adapter boundary (send, list, fetch, acknowledge, sent, directory), and [`vxp`]
//!   its first implementation, the national axis's REST shape over ureq and rustls;
//! * [`compose`] maps between the register and edXML: the package of an outgoing document, the
//!   status packets we answer with, the metadata registration needs from an arrival.
//!
//! What it must not do: touch the network outside a [`hub::Hub`] (the planner and the engine never
//! do), read the clock or draw randomness itself (both are passed in), know about Tauri or the
//! clerk's session (the façade, `vanthu-app`, runs passes and owns the worker thread), or send a
//! secret document (the store's outbox refuses it).
#![deny(missing_docs)]

pub mod compose;
pub mod engine;
pub mod error;
pub mod hub;
pub mod planner;
pub mod vxp;

pub use engine::{PassReport, PreparedStatus, Station, answer, pass, prepare_status, queue_status};
pub use error::{HubError, Result, SyncError};
pub use hub::Hub;
pub use planner::Policy;
