//! The domain of a Vietnamese records office (văn thư), as pure rules.
//!
//! This crate answers "what is true" questions: which register series a document is numbered in, how its
//! code notation is written, which working day a deadline falls on, how Vietnamese text is normalised and
//! folded for search, how an audit entry is hashed into its chain. It answers them deterministically:
//! **no I/O, no clock, no randomness**. The current time and every id are passed in by the caller, so that
//! numbering at 23:59:59 on 31 December and deadlines over a holiday weekend are plain unit tests.
//!
//! Everything that touches a disk, a database or the network lives in other crates (`vanthu-store`,
//! `vanthu-app`); they call in here for the rules.
#![deny(missing_docs)]

pub mod access;
pub mod audit;
pub mod calendar;
pub mod document;
pub mod handling;
pub mod numbering;
pub mod text;

/// The Vietnam offset (UTC+07:00). All register dates (arrival date, issue date, the numbering year)
/// are read in this offset, whatever the machine's own time zone says.
pub const VIETNAM_OFFSET: time::UtcOffset = time::macros::offset!(+7);
