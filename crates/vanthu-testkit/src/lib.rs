//! Fixtures made of real parts for Vanthu's tests (never a dependency of shipped code).
//!
//! - [`pki`]: a test PKI (root, intermediate, signers of every key type, a revoked and an expired
//!   certificate, a rogue CA, a TSA certificate, CRLs) made by `cryptography` in the oracles' Python,
//!   and a SoftHSM2 token that holds the signers' keys, under a private `SOFTHSM2_CONF`.
//! - [`oracles`]: where the Python oracles live (`target/oracles/venv`), pyHanko's and pdfsig's verdicts.
//! - [`postgres`]: a private PostgreSQL cluster per test (initdb in a temporary folder, a free loopback
//!   port, trust authentication), stopped and removed on drop; as the `postgres` user when run as root.
//! - [`proxy`]: a TCP proxy that delays, cuts and refuses connections at random (seeded), unplugs
//!   and replugs the link, and follows a restarted server.
//! - [`tls`]: a test CA and the server certificate it issued for 127.0.0.1 (rcgen), for the hub.
//! - [`keyring`]: a private D-Bus session with an unlocked gnome-keyring (the Secret Service the
//!   stations keep the hub's secret in).

pub mod keyring;
pub mod oracles;
pub mod pdf;
pub mod pki;
pub mod postgres;
pub mod proxy;
pub mod tls;
