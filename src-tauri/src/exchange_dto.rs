//! The shapes of the exchange commands (see [`crate::exchange`]): the connection indicator, the hub
//! account, the packages that arrived, and an outgoing document's delivery and status history.
//!
//! Same policy as [`crate::dto`]: camelCase fields, snake_case enum values, exported to
//! `ui/src/bindings/` by the `bindings::export` test of `dto.rs`. **The hub's secret travels one way
//! only**, in [`SetHubAccount`], whose `Debug` hides it; no answer carries it back.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The link in one word, for the indicator's colour and label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// No hub account yet.
    Unconfigured,
    /// Configured; no pass has run yet.
    Unknown,
    /// The last pass succeeded.
    Online,
    /// The last pass failed: the worker is backing off.
    Offline,
}

/// The connection indicator: the link and the counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeOverview {
    /// The link in one word.
    pub state: LinkState,
    /// The hub's address, when configured.
    pub hub_url: Option<String>,
    /// Messages waiting to leave.
    pub outbox: u32,
    /// Messages the hub refused for good.
    pub failed: u32,
    /// Packages waiting for the clerk.
    pub inbox: u32,
    /// When the worker last tried (RFC 3339).
    pub last_attempt_at: Option<String>,
    /// When a pass last succeeded.
    pub last_success_at: Option<String>,
    /// When the worker tries again.
    pub next_attempt_at: Option<String>,
    /// What the last failed pass met, in Vietnamese.
    pub last_error: Option<String>,
    /// Failed passes in a row.
    pub failures: u32,
}

/// The hub account as the settings screen shows it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HubAccount {
    /// The hub's address.
    pub url: String,
    /// The account's user name.
    pub user: String,
    /// Our OrganId on the hub.
    pub organ_id: String,
    /// A CA file trusted for the hub, when not the public roots.
    pub ca_file: Option<String>,
}

/// Arguments of `set_hub_account`.
#[derive(Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetHubAccount {
    /// The hub's address (https://…).
    pub url: String,
    /// The user name; empty means our OrganId.
    #[serde(default)]
    pub user: String,
    /// The secret: stored in the desktop's Secret Service, never in the register.
    pub secret: String,
    /// A CA file trusted for the hub.
    #[serde(default)]
    pub ca_file: Option<String>,
}

impl std::fmt::Debug for SetHubAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetHubAccount")
            .field("url", &self.url)
            .field("user", &self.user)
            .field("secret", &"…")
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// An organisation in the hub's directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Agency {
    /// Mã định danh.
    pub organ_id: String,
    /// Name.
    pub name: String,
}

/// Arguments of `send_outgoing`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SendOutgoing {
    /// The outgoing document.
    pub id: String,
    /// The recipients' OrganIds; empty means the document's electronic recipients with one.
    #[serde(default)]
    pub to: Vec<String>,
}

/// Where a queued message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Not sent yet.
    Pending,
    /// An attempt was cut after the upload began: the worker asks the hub before sending again.
    Unknown,
    /// The hub holds it.
    Sent,
    /// The hub refused it for good.
    Failed,
}

/// A message we queued, as a document's exchange panel shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMessage {
    /// Its row (for `retry_message`).
    #[ts(type = "number")]
    pub id: i64,
    /// What it is, in Vietnamese ("Văn bản", "Thu hồi", "Trạng thái 03 — Đã tiếp nhận"…).
    pub label: String,
    /// Its recipients (OrganIds).
    pub recipients: Vec<String>,
    /// Where it is.
    pub delivery: Delivery,
    /// Attempts so far.
    pub attempts: u32,
    /// What the last attempt met.
    pub last_error: Option<String>,
    /// When it was queued (RFC 3339).
    pub created_at: String,
    /// When the hub took it.
    pub sent_at: Option<String>,
}

/// Where a package that arrived is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InboxState {
    /// Waiting for the clerk.
    Waiting,
    /// Registered as an incoming document.
    Registered,
    /// Rejected (status 02 sent).
    Rejected,
    /// Recalled by its sender before it was registered.
    Withdrawn,
    /// A recall applied to what it names.
    Applied,
}

/// A file that came with a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ArrivalFile {
    /// Its name.
    pub name: String,
    /// Its content type.
    pub media_type: String,
    /// Its bytes in the file store (for `stored_file_bytes`, `open_stored_file`).
    pub sha256: String,
    /// Its size.
    #[ts(type = "number")]
    pub size: u64,
}

/// A package that arrived through the hub.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InboxItem {
    /// Its row.
    #[ts(type = "number")]
    pub id: i64,
    /// The sender's OrganId.
    pub sender: String,
    /// The sender's name.
    pub sender_name: String,
    /// The DocumentId.
    pub document_id: String,
    /// What it is, in Vietnamese ("Văn bản mới", "Thu hồi", "Cập nhật", "Thay thế").
    pub kind_label: String,
    /// Số, ký hiệu.
    pub code: Option<String>,
    /// Trích yếu.
    pub subject: String,
    /// Type name.
    pub type_name: Option<String>,
    /// Urgency: 0 normal, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ.
    pub priority: u8,
    /// Ngày ban hành (yyyy-mm-dd).
    pub promulgation_date: Option<String>,
    /// When it arrived (RFC 3339).
    pub received_at: String,
    /// The signatures' verdict: valid, indeterminate, invalid, unsigned, none (no PDF).
    pub verdict: Option<String>,
    /// Where it is.
    pub state: InboxState,
    /// The register's document it became.
    pub document: Option<String>,
    /// When the clerk (or the recall) decided.
    pub decided_at: Option<String>,
    /// Who.
    pub decided_by: Option<String>,
    /// The rejection's reason, or what a recall did.
    pub decision_note: Option<String>,
    /// Its files.
    pub files: Vec<ArrivalFile>,
}

/// Arguments of `inbox`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InboxQuery {
    /// Also the packages already decided.
    #[serde(default)]
    pub all: bool,
}

/// Arguments of `register_from_inbox`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegisterFromInbox {
    /// The package.
    #[ts(type = "number")]
    pub inbox_id: i64,
    /// Who handles it.
    #[serde(default)]
    #[ts(optional)]
    pub handler: Option<String>,
    /// A note.
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
    /// Register although the signatures do not verify: the clerk's reason (audited).
    #[serde(default)]
    #[ts(optional)]
    pub signature_override: Option<String>,
    /// Register although it looks like an earlier registration.
    #[serde(default)]
    #[ts(optional)]
    pub allow_duplicate: Option<bool>,
}

/// Arguments of `reject_inbox`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RejectInbox {
    /// The package.
    #[ts(type = "number")]
    pub inbox_id: i64,
    /// Why (sent to the sender with status 02).
    pub reason: String,
}

/// Arguments of `retry_message`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RetryMessage {
    /// The refused message.
    #[ts(type = "number")]
    pub message_id: i64,
}

/// One recipient of an outgoing document: its delivery and the last status it sent back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecipientStatus {
    /// OrganId.
    pub organ_id: String,
    /// Name.
    pub name: String,
    /// Where our package to it is.
    pub delivery: Delivery,
    /// The last status it sent back (01 … 16).
    pub last_code: Option<String>,
    /// That status's name ("Đã tiếp nhận"…).
    pub last_name: Option<String>,
    /// Its description (a rejection's reason).
    pub last_description: Option<String>,
    /// When.
    pub last_at: Option<String>,
}

/// One status in a document's history, either way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusEntry {
    /// `in`: sent to us; `out`: sent by us.
    pub way: String,
    /// Who sent it (in) or to whom (out).
    pub organ_id: String,
    /// Their name, when known.
    pub organ_name: Option<String>,
    /// 01 … 16.
    pub code: String,
    /// Its name ("Đã đến"…).
    pub name: String,
    /// Its description (a rejection's reason).
    pub description: Option<String>,
    /// The packet's own time (RFC 3339).
    pub at: String,
}

/// A document's exchange: its messages, each recipient, the history, and the package it came in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocumentExchange {
    /// Its DocumentId.
    pub document_id: Option<String>,
    /// What we queued about it.
    pub messages: Vec<OutboxMessage>,
    /// Per recipient (outgoing documents).
    pub recipients: Vec<RecipientStatus>,
    /// Every status, both ways, oldest first.
    pub history: Vec<StatusEntry>,
    /// The package it arrived in (incoming documents).
    pub arrival: Option<InboxItem>,
}
