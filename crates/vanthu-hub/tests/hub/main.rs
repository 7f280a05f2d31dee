//! The hub as stations see it: the built `vanthu-hub` binary started on a free loopback port,
//! spoken to over HTTPS (a test CA) with ureq, on SQLite and on a private PostgreSQL cluster.
//!
//! - `exchange`: send → list → fetch (same bytes) → acknowledge; repeated sends; statuses routed
//!   back and shown as `lastStatus`.
//! - `refusals`: every refusal answered with its code and HTTP status, and logged (stderr and an
//!   `event` row).
//! - `crash`: a hub killed with SIGKILL among hundreds of concurrent sends restarts whole.
//! - `cluster`: two hub processes on one PostgreSQL database are one hub.
//! - `cli`: `org add|list|secret|remove`, `check`, `events`, `serve` start-up refusals and stop.

mod support;

mod cli;
mod cluster;
mod crash;
mod exchange;
mod refusals;
