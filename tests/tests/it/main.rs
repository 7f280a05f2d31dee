//! One integration-test binary for the whole workspace (the ripgrep habit): each module is a family of
//! end-to-end scenarios run against the real binaries.

#![allow(clippy::unwrap_used)]

mod support;

mod cli;
mod concurrency;
mod crash;
mod desktop;
mod desktop_desk;
mod desktop_digitise;
mod desktop_exchange;
mod desktop_signing;
mod digitise;
mod exchange;
mod exchange_faults;
mod exchange_hostile;
mod signing;
