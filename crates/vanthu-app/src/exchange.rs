//! Exchange with the document hub (trục liên thông), as use cases: configure the hub account, send
//! an outgoing document, register or reject what arrived, see each recipient's status, and run a
//! pass (or the background worker) of `vanthu-sync`.
//!
//! Every message is queued in the transaction of what it belongs to: the package with the act of
//! sending, the recall package with the recall, status 03 with the registration, 02 with the
//! rejection, 04/05/06 with the handling steps. Secret documents are never queued (checked here with
//! a clear message, and refused again by the outbox's trigger). The hub's secret lives in the
//! desktop's Secret Service only ([`crate::credentials`]), never in the register.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vanthu_core::access::Permission;
use vanthu_core::document::{Channel, IncomingDraft};
use vanthu_core::text::clean;
use vanthu_edxml::{BusinessDocType, StatusCode};
use vanthu_store::exchange::{self, AuditSubject, MessageType, NewMessage};
pub use vanthu_store::exchange::{
    ArrivalFile, Counts, InboxItem, InboxState, OutboxMessage, OutboxState, StatusRecord, SyncState,
};
use vanthu_store::files::StoredFile;
use vanthu_store::register::{self, DocumentFile, RegisterRow};
use vanthu_sync::compose::{self, ArrivalMetadata, To};
pub use vanthu_sync::hub::Agency;
use vanthu_sync::hub::Hub;
use vanthu_sync::vxp::{VxpClient, VxpConfig};
pub use vanthu_sync::{PassReport, Policy};
use vanthu_sync::{PreparedStatus, Station, SyncError};

use crate::credentials::HubCredentials;
use crate::{ApiError, ApiResult, Desk, ErrorCode, IncomingInput, IncomingRegistered};

/// Who the worker acts as in the audit log.
pub const WORKER_ACTOR: &str = "trục liên thông";

/// How long one hub call may take.
const HUB_TIMEOUT: Duration = Duration::from_secs(60);

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> ApiError {
        match e {
            SyncError::Store(e) => e.into(),
            SyncError::Hub(e) => ApiError::new(ErrorCode::HubUnavailable, e.to_string()),
            SyncError::Edxml(e) => ApiError::invalid(format!("Gói tin edXML không lập được: {e}.")),
            SyncError::Invalid(m) => ApiError::invalid(m),
        }
    }
}

/// The hub account as the settings screen shows it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HubAccount {
    /// The hub's address.
    pub url: String,
    /// The account's user name.
    pub user: String,
    /// Our OrganId on the hub.
    pub organ_id: String,
    /// The CA file trusted for the hub, when not the public roots.
    pub ca_file: Option<String>,
}

/// The connection indicator: counts, the link's state, whether a hub is configured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExchangeOverview {
    /// Outbox, failed and inbox counts.
    pub counts: Counts,
    /// The link.
    pub link: SyncState,
    /// The hub's address, when an account is configured.
    pub hub_url: Option<String>,
}

/// The link as the indicator names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// No hub account.
    Unconfigured,
    /// Configured, no pass has run yet.
    Unknown,
    /// The last pass succeeded.
    Online,
    /// The last pass failed (the link, the hub, the account): the worker is backing off.
    Offline,
}

impl ExchangeOverview {
    /// The link's state in one word.
    pub fn state(&self) -> LinkState {
        if self.hub_url.is_none() {
            LinkState::Unconfigured
        } else if self.link.failures > 0 {
            LinkState::Offline
        } else if self.link.last_success_at.is_some() {
            LinkState::Online
        } else {
            LinkState::Unknown
        }
    }
}

/// One recipient of an outgoing document, as the document's exchange panel shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecipientStatus {
    /// OrganId.
    pub organ_id: String,
    /// Name.
    pub name: String,
    /// Where the package to it is: pending, unknown, sent, failed.
    pub delivery: OutboxState,
    /// The last status it sent back (01 … 16), when any.
    pub last_code: Option<String>,
    /// That status's description (a rejection's reason).
    pub last_description: Option<String>,
    /// When.
    pub last_at: Option<String>,
}

/// A document's exchange: its messages, each recipient's state, and the status history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocumentExchange {
    /// Its DocumentId.
    pub document_id: Option<String>,
    /// The messages about it we queued.
    pub messages: Vec<OutboxMessage>,
    /// Per recipient (outgoing documents).
    pub recipients: Vec<RecipientStatus>,
    /// Every status, both ways, oldest first.
    pub history: Vec<StatusRecord>,
    /// The package it arrived in (incoming documents).
    pub arrival: Option<InboxItem>,
}

/// Registering a package that arrived: what the clerk adds to what the package says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxRegistration {
    /// Who handles it (người xử lý), when known at registration.
    pub handler: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// Register even though its signatures do not verify: the clerk's reason (audited).
    pub signature_override: Option<String>,
    /// Register even if it looks like an earlier registration.
    #[serde(default)]
    pub allow_duplicate: bool,
}

/// Human names of the status codes.
pub fn status_name(code: &str) -> &'static str {
    match code {
        "01" => "Đã đến",
        "02" => "Từ chối tiếp nhận",
        "03" => "Đã tiếp nhận",
        "04" => "Đã phân công",
        "05" => "Đang xử lý",
        "06" => "Đã xử lý xong",
        "13" => "Thu hồi",
        "15" => "Đồng ý thu hồi/cập nhật",
        "16" => "Từ chối thu hồi/cập nhật",
        _ => "Không rõ",
    }
}

/// What a message key's kind names, in Vietnamese: `edoc:0` "Văn bản mới", `edoc:1` "Thu hồi",
/// `edoc:2` "Cập nhật", `edoc:3` "Thay thế", `status:03@…` "Trạng thái 03 — Đã tiếp nhận".
pub fn kind_label(kind: &str) -> String {
    if let Some(code) = kind.strip_prefix("status:") {
        let code = code.split('@').next().unwrap_or_default();
        return format!("Trạng thái {code} — {}", status_name(code));
    }
    match kind {
        "edoc:0" => "Văn bản mới",
        "edoc:1" => "Thu hồi",
        "edoc:2" => "Cập nhật",
        "edoc:3" => "Thay thế",
        _ => "Gói tin",
    }
    .to_owned()
}

impl Desk {
    /// The hub account, if configured (administrators).
    pub fn hub_account(&self) -> ApiResult<Option<HubAccount>> {
        self.authorise_passive(Permission::Settings)?;
        Ok(self.credentials()?.hub_credentials()?.map(|c| HubAccount {
            url: c.url,
            user: c.user,
            organ_id: c.organ_id,
            ca_file: c.ca_file,
        }))
    }

    /// Saves the hub account in the Secret Service (administrators). Its OrganId is the register's.
    pub fn set_hub_account(&self, url: &str, user: &str, secret: &str, ca_file: Option<&str>) -> ApiResult<HubAccount> {
        self.authorise(Permission::Settings)?;
        let org = self.require_organisation()?;
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(ApiError::invalid(
                "Địa chỉ trục liên thông phải bắt đầu bằng https:// (hoặc http:// trong mạng nội bộ).",
            ));
        }
        let user = if user.trim().is_empty() { org.org_id.clone() } else { user.trim().to_owned() };
        if secret.is_empty() {
            return Err(ApiError::invalid("Chưa nhập mật khẩu kết nối trục."));
        }
        let ca_file = ca_file.map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
        if let Some(ca) = &ca_file {
            let pem = std::fs::read(ca)
                .map_err(|e| ApiError::new(ErrorCode::Io, format!("Không đọc được tệp chứng thư {ca}: {e}.")))?;
            if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(ApiError::invalid(format!("Tệp {ca} không chứa chứng thư PEM.")));
            }
        }
        let credentials = HubCredentials {
            url: url.to_owned(),
            organ_id: org.org_id.clone(),
            user: user.clone(),
            secret: secret.to_owned(),
            ca_file: ca_file.clone(),
        };
        self.credentials()?.set_hub_credentials(&credentials)?;
        Ok(HubAccount { url: url.to_owned(), user, organ_id: org.org_id, ca_file })
    }

    fn require_organisation(&self) -> ApiResult<register::Organisation> {
        self.organisation()?.ok_or_else(|| ApiError::from(vanthu_store::StoreError::NotInitialised))
    }

    /// A client of the configured hub.
    pub fn hub_client(&self) -> ApiResult<VxpClient> {
        client_for(self.credentials()?.hub_credentials()?.ok_or_else(not_configured)?)
    }

    /// The hub's directory of organisations.
    pub fn hub_agencies(&self) -> ApiResult<Vec<Agency>> {
        self.authorise_passive(Permission::ReadRegister)?;
        Ok(self.hub_client()?.directory().map_err(SyncError::from)?)
    }

    /// Queues an outgoing document for the hub, to `to` (OrganIds) or, when empty, to its
    /// electronic recipients with an OrganId (clerks). The package is made now (the signed copy
    /// first, when it was sealed) and kept; the worker sends it when the link is up.
    pub fn send_outgoing(&self, id: &str, to: &[String]) -> ApiResult<OutboxMessage> {
        let actor = self.authorise(Permission::Register)?;
        let org = self.require_organisation()?;
        let id = id.trim();
        let (doc, delivery, files) = self.store.read(|c| {
            let doc = register::get(c, id)?.ok_or_else(|| vanthu_store::StoreError::NotFound(id.to_owned()))?;
            Ok((doc, register::delivery_of(c, id)?, self.files_to_send(c, id)?))
        })?;
        check_sendable(&doc)?;
        let mut recipients: Vec<To> = Vec::new();
        let wanted: Vec<String> = if to.is_empty() {
            delivery
                .iter()
                .filter(|r| !r.internal && r.channel == Channel::Electronic)
                .filter_map(|r| r.organ_id.clone())
                .collect()
        } else {
            to.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect()
        };
        if wanted.is_empty() {
            return Err(ApiError::invalid(
                "Chưa có nơi nhận điện tử nào có mã định danh: hãy chọn nơi nhận (mã cơ quan) để gửi qua trục.",
            ));
        }
        for organ_id in wanted {
            if !vanthu_edxml::validate::is_valid_organ_id(&organ_id) {
                return Err(ApiError::invalid(format!("Mã định danh \"{organ_id}\" không hợp lệ.")));
            }
            if organ_id == org.org_id {
                return Err(ApiError::invalid("Không gửi văn bản cho chính cơ quan mình qua trục."));
            }
            if recipients.iter().any(|r| r.organ_id == organ_id) {
                continue;
            }
            let name = match delivery.iter().find(|r| r.organ_id.as_deref() == Some(organ_id.as_str())) {
                Some(r) => r.name.clone(),
                None => self.store.read(|c| exchange::organ_name(c, &organ_id))?.unwrap_or_else(|| organ_id.clone()),
            };
            recipients.push(To { organ_id, name });
        }
        let document_id =
            doc.exchange_id.clone().ok_or_else(|| ApiError::invalid("Văn bản chưa có mã văn bản liên thông."))?;
        let response_for = self.answered_document(&doc)?;
        let at = self.now();
        let package = compose::package(
            &org,
            &compose::PackageFor {
                document: &doc,
                document_id: &document_id,
                files: &files,
                to: &recipients,
                doc_type: BusinessDocType::New,
                reason: None,
                response_for: &response_for,
                replaces: &[],
                staff: &actor.name,
                at,
            },
        )?;
        let stored = compose::write_package(self.store.files(), &package, &files)?;
        let organ_ids: Vec<String> = recipients.iter().map(|r| r.organ_id.clone()).collect();
        let message = self.store.write(|tx| {
            let queued = exchange::enqueue(
                tx,
                &NewMessage {
                    document: Some(id),
                    messagetype: MessageType::Edoc,
                    document_id: &document_id,
                    kind: &vanthu_edxml::vxp::package_kind(BusinessDocType::New),
                    recipients: &organ_ids,
                    file: &stored,
                    at,
                    actor: &actor.name,
                },
            )?;
            let Some(message_id) = queued else {
                return Err(vanthu_store::StoreError::Conflict(format!(
                    "văn bản {} đã được gửi qua trục liên thông trước đó",
                    doc.code
                )));
            };
            exchange::audit(
                tx,
                at,
                &actor.name,
                "exchange.queue",
                AuditSubject::Document(id),
                serde_json::json!({
                    "document_id": document_id, "recipients": organ_ids, "sha256": stored.sha256,
                }),
            )?;
            exchange::message(tx, message_id)?.ok_or_else(|| vanthu_store::StoreError::NotFound(message_id.to_string()))
        })?;
        Ok(message)
    }

    /// The files an outgoing document is sent with: the latest sealed copy (profile `issued`) in
    /// place of the main file, when there is one, then the attachments.
    fn files_to_send(&self, c: &vanthu_store::Connection, id: &str) -> vanthu_store::Result<Vec<DocumentFile>> {
        let mut files = register::files_of(c, id)?;
        let sealed = vanthu_store::signing::signed_copies(c, id)?.into_iter().rev().find(|s| s.profile == "issued");
        if let Some(sealed) = sealed
            && let Some(main) = files.iter_mut().find(|f| f.role == "main")
        {
            main.size =
                std::fs::metadata(self.store.files().path_of(&sealed.sha256)).map(|m| m.len()).unwrap_or(main.size);
            main.sha256 = sealed.sha256;
        }
        Ok(files)
    }

    /// The incoming document an outgoing one answers, as (sender, DocumentId, code).
    fn answered_document(&self, doc: &RegisterRow) -> ApiResult<Vec<(String, String, Option<String>)>> {
        let Some(answered) = &doc.response_for else { return Ok(Vec::new()) };
        let Some(row) = self.store.read(|c| register::get(c, answered))? else { return Ok(Vec::new()) };
        Ok(match (row.organ_id, row.exchange_id) {
            (Some(organ), Some(exchange_id)) => vec![(organ, exchange_id, Some(row.code))],
            _ => Vec::new(),
        })
    }

    /// The recall package of a document sent through the hub, made and stored before the recall's
    /// transaction (`None` when it never went through the hub).
    pub(crate) fn prepare_recall(
        &self,
        id: &str,
        reason: &str,
        staff: &str,
        at: OffsetDateTime,
    ) -> ApiResult<Option<QueuedRecall>> {
        let id = id.trim();
        let sent = self.store.read(|c| exchange::messages_of_document(c, id))?;
        let Some(first) = sent
            .into_iter()
            .find(|m| m.messagetype == MessageType::Edoc && m.kind == "edoc:0" && m.state != OutboxState::Failed)
        else {
            return Ok(None);
        };
        let org = self.require_organisation()?;
        let (doc, files) = self.store.read(|c| {
            let doc = register::get(c, id)?.ok_or_else(|| vanthu_store::StoreError::NotFound(id.to_owned()))?;
            Ok((doc, self.files_to_send(c, id)?))
        })?;
        let names = self.store.read(|c| {
            first
                .recipients
                .iter()
                .map(|o| Ok(To { organ_id: o.clone(), name: exchange::organ_name(c, o)?.unwrap_or_else(|| o.clone()) }))
                .collect::<vanthu_store::Result<Vec<_>>>()
        })?;
        let package = compose::package(
            &org,
            &compose::PackageFor {
                document: &doc,
                document_id: &first.document_id,
                files: &files,
                to: &names,
                doc_type: BusinessDocType::Recall,
                reason: Some(reason),
                response_for: &[],
                replaces: &[],
                staff,
                at,
            },
        )?;
        let file = compose::write_package(self.store.files(), &package, &files)?;
        Ok(Some(QueuedRecall { file, document_id: first.document_id, recipients: first.recipients }))
    }

    /// Packages waiting for the clerk (or, with a state, those in it), newest first.
    pub fn inbox(&self, state: Option<InboxState>) -> ApiResult<Vec<InboxItem>> {
        self.authorise_passive(Permission::ReadRegister)?;
        Ok(self.store.read(|c| exchange::inbox(c, state, 1000))?)
    }

    /// One package of the inbox.
    pub fn inbox_item(&self, inbox_id: i64) -> ApiResult<InboxItem> {
        self.authorise_passive(Permission::ReadRegister)?;
        self.store
            .read(|c| exchange::inbox_item(c, inbox_id))?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("Không có gói tin số {inbox_id} trong hộp đến.")))
    }

    /// Registers a package that arrived (clerks): an incoming document with the package's metadata
    /// and files, its signatures verified like any electronic arrival; status 03 goes back to the
    /// sender in the same transaction.
    pub fn register_from_inbox(&self, inbox_id: i64, input: &InboxRegistration) -> ApiResult<IncomingRegistered> {
        let item = self.waiting_item(inbox_id)?;
        let metadata: ArrivalMetadata = serde_json::from_value(item.metadata.clone())
            .map_err(|e| ApiError::new(ErrorCode::Internal, format!("Dữ liệu gói tin không đọc được: {e}.")))?;
        let org = self.require_organisation()?;
        let at = self.now();
        let actor_name = self.authorise_passive(Permission::Register)?.name;
        let accepted = self.answer_item(&org, &item, StatusCode::Accepted, None, &actor_name, at)?;
        let draft = IncomingDraft {
            organ_name: metadata.organ_name.clone(),
            organ_id: Some(metadata.organ_id.clone()),
            code: metadata.code.clone(),
            issued_date: metadata.issued_date.as_deref().and_then(parse_date),
            type_name: metadata
                .type_name
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "Công văn".to_owned()),
            subject: metadata.subject.clone(),
            signer: metadata.signer.clone(),
            urgency: compose::urgency(metadata.priority),
            secrecy: None,
            due_date: metadata.due_date.as_deref().and_then(parse_date),
            channel: Some(Channel::Electronic),
            page_amount: metadata.page_amount,
            handler: input.handler.clone(),
            note: input.note.clone(),
        };
        let files: Vec<PathBuf> = item.files.iter().map(|f| self.store.files().path_of(&f.file.sha256)).collect();
        let names = item.files.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
        let registered = self.register_incoming_then(
            &IncomingInput {
                draft,
                files,
                allow_duplicate: input.allow_duplicate,
                from_capture: None,
                signature_override: input.signature_override.clone(),
            },
            |tx, row| {
                exchange::decide(tx, item.id, InboxState::Registered, Some(&row.id), None, at, &actor_name)?;
                exchange::set_exchange_id(tx, &row.id, &item.document_id)?;
                exchange::rename_files(tx, &row.id, &names)?;
                vanthu_sync::queue_status(tx, &accepted, Some(&row.id), &actor_name, at)?;
                Ok(())
            },
        )?;
        Ok(registered)
    }

    /// Rejects a package that arrived (clerks), with the reason the sender is told (status 02).
    pub fn reject_inbox(&self, inbox_id: i64, reason: &str) -> ApiResult<InboxItem> {
        let actor = self.authorise(Permission::Register)?;
        let reason = clean(reason);
        if reason.is_empty() {
            return Err(ApiError::invalid("Phải ghi lý do từ chối; lý do được gửi cho cơ quan gửi."));
        }
        let item = self.waiting_item(inbox_id)?;
        let org = self.require_organisation()?;
        let at = self.now();
        let rejected = self.answer_item(&org, &item, StatusCode::Rejected, Some(&reason), &actor.name, at)?;
        self.store.write(|tx| {
            exchange::decide(tx, item.id, InboxState::Rejected, None, Some(&reason), at, &actor.name)?;
            vanthu_sync::queue_status(tx, &rejected, None, &actor.name, at)?;
            exchange::audit(
                tx,
                at,
                &actor.name,
                "exchange.reject",
                AuditSubject::Message(&item.hub_doc_id),
                serde_json::json!({
                    "document_id": item.document_id, "sender": item.sender, "reason": reason,
                }),
            )?;
            Ok(())
        })?;
        self.inbox_item(inbox_id)
    }

    fn waiting_item(&self, inbox_id: i64) -> ApiResult<InboxItem> {
        let item = self.inbox_item(inbox_id)?;
        if item.state != InboxState::Waiting {
            return Err(ApiError::new(ErrorCode::Conflict, "Gói tin này đã được xử lý trước đó."));
        }
        if item.kind == "edoc:1" {
            return Err(ApiError::new(ErrorCode::Conflict, "Đây là thông báo thu hồi, đã được áp dụng tự động."));
        }
        Ok(item)
    }

    fn answer_item(
        &self,
        org: &register::Organisation,
        item: &InboxItem,
        code: StatusCode,
        description: Option<&str>,
        staff: &str,
        at: OffsetDateTime,
    ) -> ApiResult<PreparedStatus> {
        let answer = vanthu_sync::compose::Answer {
            sender: &item.sender,
            sender_name: &item.sender_name,
            document_id: &item.document_id,
            code_text: item.code.as_deref(),
            code,
            description,
            staff,
        };
        Ok(vanthu_sync::answer(&self.store, org, &answer, at)?)
    }

    /// The status telling the sender of a registered incoming document what its handling became
    /// (04 assigned, 05 in progress, 06 done), when it came through the hub.
    pub(crate) fn handling_status(&self, id: &str, code: StatusCode, staff: &str) -> ApiResult<Option<PreparedStatus>> {
        let Some(item) = self.store.read(|c| exchange::arrival_of_document(c, id.trim()))? else { return Ok(None) };
        let org = self.require_organisation()?;
        Ok(Some(self.answer_item(&org, &item, code, None, staff, self.now())?))
    }

    /// A document's exchange: messages, recipients' states, status history.
    pub fn document_exchange(&self, id: &str) -> ApiResult<DocumentExchange> {
        let actor = self.authorise(Permission::ReadRegister)?;
        let id = id.trim();
        let doc = self
            .store
            .read(|c| register::get(c, id))?
            .ok_or_else(|| ApiError::from(vanthu_store::StoreError::NotFound(id.to_owned())))?;
        self.require_readable(&actor, &doc)?;
        Ok(self.store.read(|c| {
            let delivery = register::delivery_of(c, id)?;
            let messages = exchange::messages_of_document(c, id)?;
            let history = match &doc.exchange_id {
                Some(x) => exchange::statuses(c, x)?,
                None => Vec::new(),
            };
            let mut recipients = Vec::new();
            if let Some(first) = messages.iter().find(|m| m.kind == "edoc:0") {
                for organ_id in &first.recipients {
                    let last = history.iter().rev().find(|s| s.way == "in" && &s.organ_id == organ_id);
                    let known = delivery
                        .iter()
                        .find(|r| r.organ_id.as_ref() == Some(organ_id))
                        .map(|r| r.name.clone())
                        .or_else(|| last.and_then(|s| s.organ_name.clone()));
                    let name = match known {
                        Some(name) => name,
                        None => exchange::organ_name(c, organ_id)?.unwrap_or_else(|| organ_id.clone()),
                    };
                    recipients.push(RecipientStatus {
                        organ_id: organ_id.clone(),
                        name,
                        delivery: first.state,
                        last_code: last.map(|s| s.code.clone()),
                        last_description: last.and_then(|s| s.description.clone()),
                        last_at: last.map(|s| s.at.clone()),
                    });
                }
            }
            let arrival = exchange::arrival_of_document(c, id)?;
            Ok(DocumentExchange { document_id: doc.exchange_id.clone(), messages, recipients, history, arrival })
        })?)
    }

    /// The connection indicator.
    pub fn exchange_overview(&self) -> ApiResult<ExchangeOverview> {
        self.authorise_passive(Permission::ReadRegister)?;
        let (counts, link) = self.store.read(|c| Ok((exchange::counts(c)?, exchange::sync_state(c)?)))?;
        let hub_url = match self.credentials()?.hub_credentials() {
            Ok(c) => c.map(|c| c.url),
            Err(e) if e.code == ErrorCode::KeyringUnavailable => None,
            Err(e) => return Err(e),
        };
        Ok(ExchangeOverview { counts, link, hub_url })
    }

    /// Queues again a message the hub refused for good, once its cause is fixed (clerks).
    pub fn retry_message(&self, message_id: i64) -> ApiResult<()> {
        self.authorise(Permission::Register)?;
        if !self.store.write(|tx| exchange::retry_failed(tx, message_id))? {
            return Err(ApiError::new(ErrorCode::Conflict, "Gói tin này không ở trạng thái bị từ chối."));
        }
        Ok(())
    }

    /// One exchange pass with the configured hub.
    pub fn sync_once(&self) -> ApiResult<PassReport> {
        let hub = self.hub_client()?;
        self.sync_with(&hub)
    }

    /// One exchange pass with `hub`: sends what waits, receives what the hub holds, records the
    /// link's state and when to try again. A hub that cannot be reached is not an error here: the
    /// report says so and the next pass is deferred (exponential backoff, full jitter).
    pub fn sync_with(&self, hub: &dyn Hub) -> ApiResult<PassReport> {
        let org = self.require_organisation()?;
        let trust = self.trust()?;
        let now = || self.now();
        let random = random_unit;
        let verify = |files: &[ArrivalFile]| -> Option<String> {
            let Some(main) = files.iter().find(|f| f.media_type == "application/pdf") else {
                return Some("none".to_owned());
            };
            let pdf = std::fs::read(self.store.files().path_of(&main.file.sha256)).ok()?;
            Some(match vanthu_sign::report::verify_pdf(&pdf, &trust, self.now()) {
                Ok(report) => report.verdict.as_str().to_owned(),
                Err(_) => "invalid".to_owned(),
            })
        };
        let policy = Policy::default();
        let station = Station { org: &org, actor: WORKER_ACTOR, now: &now, random: &random, policy, verify: &verify };
        let report = vanthu_sync::pass(&self.store, hub, &station)?;
        self.record_pass(report.error.as_deref())?;
        Ok(report)
    }

    /// Records a pass in the link's state, with when the next one starts: after the poll interval,
    /// or after a backoff that grows with the failures in a row.
    fn record_pass(&self, error: Option<&str>) -> ApiResult<()> {
        let failures = match error {
            Some(_) => self.store.read(exchange::sync_state)?.failures + 1,
            None => 0,
        };
        let at = self.now();
        let next = vanthu_sync::planner::next_pass(&Policy::default(), failures, at, random_unit());
        Ok(self.store.write(|tx| exchange::record_pass(tx, at, error, Some(next)))?)
    }

    /// One step of the background worker: a pass with the configured hub (its failure recorded in
    /// the link's state), and how long to wait before the next step: the link's state decides (every
    /// 30 s while up, backing off while down, at most 10 minutes). Without a hub account there is no
    /// pass and nothing is recorded: the step says so and waits 10 minutes (saving an account wakes
    /// the worker, see [`Wake`]).
    ///
    /// The caller holds the desk only for the step, so that the shell can close and reopen the
    /// register (a restore) between steps.
    pub fn sync_step(&self) -> SyncStep {
        const IDLE: Duration = Duration::from_secs(600);
        // The account is read from the keyring once per step (a D-Bus round trip).
        let outcome = match self.credentials().and_then(|c| c.hub_credentials()) {
            Ok(None) => return SyncStep { outcome: Err(not_configured()), wait: IDLE },
            Ok(Some(c)) => client_for(c).and_then(|hub| self.sync_with(&hub)),
            Err(e) => Err(e),
        };
        if let Err(e) = &outcome {
            // The register itself failed (or the keyring): the next attempt still backs off. If even
            // this write fails, the worker goes on: the link's state is only advice.
            let _ = self.record_pass(Some(&e.message));
        }
        let wait = self
            .store
            .read(exchange::sync_state)
            .ok()
            .and_then(|s| s.next_attempt_at)
            .and_then(|t| OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339).ok())
            .map(|t| (t - self.now()).clamp(time::Duration::ZERO, time::Duration::minutes(10)))
            .and_then(|d| Duration::try_from(d).ok())
            .unwrap_or(Duration::from_secs(30));
        SyncStep { outcome, wait }
    }

    /// Runs [`Desk::sync_step`] until `stop` is set, waiting between steps as each says, or less when
    /// `wake` is signalled (a document was just queued). `on_pass` sees every step's outcome.
    pub fn run_sync(&self, stop: &AtomicBool, wake: &Wake, mut on_pass: impl FnMut(&ApiResult<PassReport>)) {
        while !stop.load(Ordering::SeqCst) {
            let step = self.sync_step();
            on_pass(&step.outcome);
            wake.wait(step.wait, stop);
        }
    }
}

/// What one step of the worker did ([`Desk::sync_step`]).
#[derive(Debug)]
pub struct SyncStep {
    /// The pass's report, or why there was none (no account, the register failed).
    pub outcome: ApiResult<PassReport>,
    /// How long to wait before the next step (unless woken).
    pub wait: Duration,
}

/// Why there is no hub to talk to.
fn not_configured() -> ApiError {
    ApiError::new(
        ErrorCode::HubUnavailable,
        "Chưa cấu hình tài khoản trục liên thông (Quản trị › Trục liên thông, hoặc: vanthu hub set).",
    )
}

/// A client of the hub `c` names (its CA file read now).
fn client_for(c: HubCredentials) -> ApiResult<VxpClient> {
    let ca_pem = match &c.ca_file {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            ApiError::new(ErrorCode::Io, format!("Không đọc được tệp chứng thư của trục {path}: {e}."))
        })?),
        None => None,
    };
    let config =
        VxpConfig { url: c.url, organ_id: c.organ_id, user: c.user, secret: c.secret, ca_pem, timeout: HUB_TIMEOUT };
    Ok(VxpClient::new(&config).map_err(SyncError::from)?)
}

/// A recall package made before the recall's transaction.
#[derive(Clone, Debug)]
pub(crate) struct QueuedRecall {
    file: StoredFile,
    document_id: String,
    recipients: Vec<String>,
}

impl QueuedRecall {
    /// Queues it in the recall's transaction.
    pub(crate) fn enqueue(
        &self,
        tx: &vanthu_store::Transaction<'_>,
        id: &str,
        at: OffsetDateTime,
        actor: &str,
    ) -> vanthu_store::Result<()> {
        exchange::enqueue(
            tx,
            &NewMessage {
                document: Some(id),
                messagetype: MessageType::Edoc,
                document_id: &self.document_id,
                kind: &vanthu_edxml::vxp::package_kind(BusinessDocType::Recall),
                recipients: &self.recipients,
                file: &self.file,
                at,
                actor,
            },
        )?;
        Ok(())
    }
}

/// Wakes the worker early (something was queued) or for good (stop).
#[derive(Debug, Default)]
pub struct Wake {
    signalled: Mutex<bool>,
    condvar: Condvar,
}

impl Wake {
    /// Wakes the worker.
    pub fn notify(&self) {
        *self.signalled.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.condvar.notify_all();
    }

    /// Waits up to `timeout`, or until notified or `stop` is set (checked every second).
    pub fn wait(&self, timeout: Duration, stop: &AtomicBool) {
        let deadline = std::time::Instant::now() + timeout;
        let mut signalled = self.signalled.lock().unwrap_or_else(PoisonError::into_inner);
        while !*signalled && !stop.load(Ordering::SeqCst) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            signalled = self
                .condvar
                .wait_timeout(signalled, left.min(Duration::from_secs(1)))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *signalled = false;
    }
}

fn check_sendable(doc: &RegisterRow) -> ApiResult<()> {
    if doc.direction != vanthu_core::document::Direction::Outgoing {
        return Err(ApiError::invalid("Chỉ gửi văn bản đi qua trục liên thông."));
    }
    if doc.secrecy.is_some() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "Văn bản mật không được gửi qua trục liên thông; hãy chuyển bằng đường bảo mật.",
        ));
    }
    if doc.cancelled {
        return Err(ApiError::new(ErrorCode::Conflict, format!("Văn bản {} đã bị hủy.", doc.code)));
    }
    if doc.recalled {
        return Err(ApiError::new(ErrorCode::Conflict, format!("Văn bản {} đã bị thu hồi.", doc.code)));
    }
    Ok(())
}

/// Queues a prepared status about the registered document `id` in the caller's transaction.
pub(crate) fn queue(
    tx: &vanthu_store::Transaction<'_>,
    status: &PreparedStatus,
    id: &str,
    actor: &str,
    at: OffsetDateTime,
) -> vanthu_store::Result<()> {
    vanthu_sync::queue_status(tx, status, Some(id), actor, at)
}

fn parse_date(text: &str) -> Option<time::Date> {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Uniform in `[0, 1)`, for the backoff's jitter.
fn random_unit() -> f64 {
    rand::random::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_in_vietnamese() {
        assert_eq!(kind_label("edoc:0"), "Văn bản mới");
        assert_eq!(kind_label("edoc:1"), "Thu hồi");
        assert_eq!(kind_label("status:03@2026/03/02 08:30:00"), "Trạng thái 03 — Đã tiếp nhận");
        assert_eq!(kind_label("status:99@x"), "Trạng thái 99 — Không rõ");
        assert_eq!(kind_label("other"), "Gói tin");
    }

    fn overview(hub: bool, failures: u32, success: bool) -> ExchangeOverview {
        ExchangeOverview {
            counts: Counts { outbox: 0, failed: 0, inbox: 0 },
            link: SyncState {
                last_attempt_at: None,
                last_success_at: success.then(|| "2026-03-02T08:30:00+07:00".to_owned()),
                failures,
                next_attempt_at: None,
                last_error: None,
            },
            hub_url: hub.then(|| "https://hub".to_owned()),
        }
    }

    #[test]
    fn the_link_state_follows_the_last_passes() {
        assert_eq!(overview(false, 3, true).state(), LinkState::Unconfigured);
        assert_eq!(overview(true, 0, false).state(), LinkState::Unknown);
        assert_eq!(overview(true, 0, true).state(), LinkState::Online);
        assert_eq!(overview(true, 2, true).state(), LinkState::Offline);
    }
}
