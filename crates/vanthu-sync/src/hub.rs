//! The adapter boundary: what the engine asks of a hub, whatever its family. The national axis's REST
//! shape ([`crate::vxp`]) is the first family; a provincial axis (Bkav eDoc's `sendDocument`,
//! `getPendingDocIds`, `getDocument`, `updateTraces`) is another implementation of [`Hub`], and the
//! planner, the engine and the tables do not change.

use std::fs::File;
use std::io::Write;

pub use vanthu_edxml::vxp::{Agency, MessageType, RecipientState};

use crate::error::HubError;

/// The hub took a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The hub's id for it.
    pub hub_id: String,
    /// The hub already held it (a repeated send): nothing new was delivered.
    pub duplicate: bool,
}

/// A message waiting for us at the hub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The hub's id for it.
    pub hub_id: String,
    /// The sender's OrganId, as the hub authenticated it.
    pub from: String,
    /// Package or status packet.
    pub messagetype: MessageType,
    /// The DocumentId it is about.
    pub document_id: String,
    /// The message key's kind.
    pub kind: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256 (hex), when the hub gives it: what we fetch is checked against it.
    pub sha256: Option<String>,
}

/// A message we sent, as the hub knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// The hub's id for it.
    pub hub_id: String,
    /// The message key's kind.
    pub kind: String,
    /// Each recipient's delivery and last status.
    pub recipients: Vec<RecipientState>,
}

/// One hub family's client. Implementations talk to the network and nothing else: no register, no
/// clock decisions, no retries (the planner decides those).
pub trait Hub: Send + Sync {
    /// Sends a package (the edXML file as stored).
    fn send_package(&self, body: File) -> Result<Accepted, HubError>;
    /// Sends a status packet.
    fn send_status(&self, body: File) -> Result<Accepted, HubError>;
    /// Messages waiting for us, oldest first, at most `limit`.
    fn list_received(&self, limit: u32) -> Result<Vec<Delivery>, HubError>;
    /// Copies one message's bytes into `into`; returns how many.
    fn fetch(&self, hub_id: &str, into: &mut dyn Write) -> Result<u64, HubError>;
    /// Tells the hub we hold the message (`refusal: None`) or refuse it for good (with the reason):
    /// either way it is not delivered again.
    fn acknowledge(&self, hub_id: &str, refusal: Option<&str>) -> Result<(), HubError>;
    /// What we sent about a DocumentId: how an ambiguous send is resolved, and each recipient's state.
    fn sent(&self, document_id: &str) -> Result<Vec<SentMessage>, HubError>;
    /// The hub's directory of organisations.
    fn directory(&self) -> Result<Vec<Agency>, HubError>;
}
