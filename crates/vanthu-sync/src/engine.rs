//! One exchange pass: push what the outbox holds, then pull what the hub holds for us. It follows
//! the [`planner`](crate::planner)'s decisions and keeps every step in the register before it tells
//! the hub, so a pass cut at any point (the link, the hub or this process killed) resumes from the
//! tables with nothing lost and nothing doubled:
//!
//! * a message is marked sent only once the hub answered with its id; an answer lost on the way
//!   leaves it `unknown`, and the next pass asks the hub before sending again;
//! * an arrival is stored (its inbox row, its files, the status 01 that answers it, in one
//!   transaction) before it is acknowledged; a crash in between fetches it again, and the inbox's
//!   unique key (sender, DocumentId, kind) absorbs the repeat, which is acknowledged again;
//! * a package that is malformed, not addressed to us or not from its authenticated sender is
//!   refused at the hub (never delivered again) and written to the audit log; nothing is registered.

use std::collections::HashSet;
use std::io::Read;

use time::OffsetDateTime;
use vanthu_core::VIETNAM_OFFSET;
use vanthu_edxml::vxp::{MessageKey, MessageType as WireType};
use vanthu_edxml::{BusinessDocType, Package, StatusCode};
use vanthu_store::exchange::{
    self, ArrivalFile, AuditSubject, InboxState, MessageType, NewArrival, NewMessage, OutboxMessage, OutboxState,
    StatusRecord,
};
use vanthu_store::files::StoredFile;
use vanthu_store::register::{self, Organisation, vietnam_rfc3339};
use vanthu_store::{Store, Transaction};

use crate::compose::{self, Answer, ArrivalMetadata};
use crate::error::{HubError, Result, SyncError};
use crate::hub::{Accepted, Delivery, Hub};
use crate::planner::{self, Outcome, Policy, Step, Then};

/// The largest status packet read (they are a few KiB).
const MAX_STATUS_BYTES: u64 = 1 << 20;
/// Messages taken from the outbox per pass.
const PUSH_BATCH: u32 = 2_000;
/// Arrivals asked for per call, and taken per pass.
const PULL_BATCH: u32 = 100;
const PULL_MAX: usize = 2_000;

/// What a pass runs with: who we are, the clock and randomness (passed in), the retry policy, and
/// how an arrival's signatures are judged (the register's trust lives above this crate).
pub struct Station<'a> {
    /// Our organisation.
    pub org: &'a Organisation,
    /// Who acts in the audit log ("trục liên thông" for the worker).
    pub actor: &'a str,
    /// The clock.
    pub now: &'a dyn Fn() -> OffsetDateTime,
    /// Uniform in `[0, 1)`.
    pub random: &'a dyn Fn() -> f64,
    /// The retry policy.
    pub policy: Policy,
    /// The verdict on an arrival's signatures (`valid`, `invalid`, `indeterminate`, `none`), from
    /// its files in the store.
    pub verify: &'a dyn Fn(&[ArrivalFile]) -> Option<String>,
}

/// What a pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PassReport {
    /// Messages the hub took.
    pub sent: u32,
    /// Of them, those the hub already held (resolved by asking, or a repeated send).
    pub already_held: u32,
    /// Messages the hub refused for good.
    pub failed: u32,
    /// Packages kept in the inbox.
    pub received: u32,
    /// Statuses recorded.
    pub statuses: u32,
    /// Recalls applied.
    pub recalls: u32,
    /// Deliveries we already held (acknowledged again).
    pub repeated: u32,
    /// Deliveries refused (malformed, not for us…).
    pub refused: u32,
    /// Deliveries whose bytes did not match what the hub listed (size, SHA-256): left unacknowledged
    /// for a later pass, and passed over so that what follows still arrives.
    pub mismatched: u32,
    /// Why the pass stopped early (the link, the account), if it did.
    pub error: Option<String>,
}

/// Runs one pass. A hub that cannot be reached ends it early with `report.error` set (the caller
/// backs off); a register failure is an `Err`.
pub fn pass(store: &Store, hub: &dyn Hub, station: &Station<'_>) -> Result<PassReport> {
    let mut report = PassReport::default();
    let outcome = push(store, hub, station, &mut report).and_then(|()| pull(store, hub, station, &mut report));
    match outcome {
        Ok(()) => Ok(report),
        Err(SyncError::Hub(e)) => {
            report.error = Some(e.to_string());
            Ok(report)
        }
        Err(e) => Err(e),
    }
}

fn push(store: &Store, hub: &dyn Hub, station: &Station<'_>, report: &mut PassReport) -> Result<()> {
    let waiting = store.read(|c| exchange::waiting_messages(c, PUSH_BATCH))?;
    for step in planner::plan(&waiting, (station.now)()) {
        let id = match step {
            Step::Send(id) | Step::Ask(id) => id,
        };
        let Some(message) = waiting.iter().find(|m| m.id == id) else { continue };
        let result = match step {
            Step::Ask(_) => ask_then_send(store, hub, message),
            Step::Send(_) => send(store, hub, message),
        };
        let now = (station.now)();
        let (outcome, then) =
            planner::after_attempt(&result, message.state, message.attempts, &station.policy, now, (station.random)());
        store.write(|tx| {
            match &outcome {
                Outcome::Sent { hub_id } => {
                    exchange::mark_sent(tx, message.id, hub_id, now)?;
                    if message.messagetype == MessageType::Edoc
                        && let Some(doc) = &message.document
                    {
                        exchange::audit(
                            tx,
                            now,
                            station.actor,
                            "exchange.send",
                            AuditSubject::Document(doc),
                            serde_json::json!({
                                "document_id": message.document_id, "kind": message.kind,
                                "recipients": message.recipients, "hub_doc_id": hub_id,
                            }),
                        )?;
                    }
                }
                Outcome::Retry { state, error, next_attempt_at } => {
                    exchange::mark_attempt(tx, message.id, *state, error, *next_attempt_at)?
                }
                Outcome::Failed { error } => {
                    exchange::mark_attempt(tx, message.id, OutboxState::Failed, error, None)?;
                    let entity = message.document.clone().unwrap_or_else(|| message.document_id.clone());
                    exchange::audit(
                        tx,
                        now,
                        station.actor,
                        "exchange.send_refused",
                        AuditSubject::Message(&entity),
                        serde_json::json!({
                            "document_id": message.document_id, "kind": message.kind, "error": error,
                        }),
                    )?;
                }
            }
            Ok(())
        })?;
        match (&outcome, &result) {
            (Outcome::Sent { .. }, Ok(accepted)) => {
                report.sent += 1;
                report.already_held += u32::from(accepted.duplicate);
            }
            (Outcome::Failed { .. }, _) => report.failed += 1,
            _ => {}
        }
        // Only a hub error stops a pass.
        if let (Then::Stop, Err(e)) = (then, result) {
            return Err(e.into());
        }
    }
    Ok(())
}

/// An attempt may have reached the hub: ask it first; send only if it does not hold the message.
fn ask_then_send(store: &Store, hub: &dyn Hub, m: &OutboxMessage) -> Result<Accepted, HubError> {
    let held = hub.sent(&m.document_id)?;
    match held.into_iter().find(|s| s.kind == m.kind) {
        Some(s) => Ok(Accepted { hub_id: s.hub_id, duplicate: true }),
        None => send(store, hub, m),
    }
}

fn send(store: &Store, hub: &dyn Hub, m: &OutboxMessage) -> Result<Accepted, HubError> {
    let path = store.files().path_of(&m.sha256);
    // A message whose bytes are gone cannot be sent; the hub would refuse nothing: say so plainly.
    let body = std::fs::File::open(&path).map_err(|e| HubError::Refused {
        code: "LOCAL".into(),
        message: format!("không đọc được gói tin đã lập ({}): {e}", path.display()),
        permanent: true,
    })?;
    match m.messagetype {
        MessageType::Edoc => hub.send_package(body),
        MessageType::Status => hub.send_status(body),
    }
}

fn pull(store: &Store, hub: &dyn Hub, station: &Station<'_>, report: &mut PassReport) -> Result<()> {
    let mut seen = HashSet::new();
    while seen.len() < PULL_MAX {
        let deliveries = hub.list_received(PULL_BATCH)?;
        let fresh: Vec<Delivery> = deliveries.into_iter().filter(|d| !seen.contains(&d.hub_id)).collect();
        if fresh.is_empty() {
            break;
        }
        for d in fresh {
            seen.insert(d.hub_id.clone());
            match receive(store, hub, station, &d, report)? {
                Received::Kept => hub.acknowledge(&d.hub_id, None)?,
                Received::Refused(reason) => hub.acknowledge(&d.hub_id, Some(&reason))?,
                Received::Mismatched => report.mismatched += 1,
            }
        }
    }
    Ok(())
}

/// What became of one delivery.
enum Received {
    /// Kept (or already held): acknowledged `done`.
    Kept,
    /// Refused for good, with the reason: acknowledged `fail`.
    Refused(String),
    /// The bytes fetched are not those the hub listed: not acknowledged, fetched again at a later
    /// pass. A cut connection fails the fetch itself; a complete answer that still differs means
    /// the hub's copy is not what it lists, which must not hold back the deliveries behind it.
    Mismatched,
}

/// Fetches, checks and keeps one delivery.
fn receive(
    store: &Store,
    hub: &dyn Hub,
    station: &Station<'_>,
    d: &Delivery,
    report: &mut PassReport,
) -> Result<Received> {
    let mut writer = store.files().writer()?;
    hub.fetch(&d.hub_id, &mut writer)?;
    let stored = writer.finish()?;
    if d.sha256.as_deref().is_some_and(|sha| !sha.eq_ignore_ascii_case(&stored.sha256)) || stored.size != d.size {
        return Ok(Received::Mismatched);
    }
    let verdict = match d.messagetype {
        WireType::Edoc => receive_package(store, station, d, &stored, report)?,
        WireType::Status => receive_status(store, station, d, &stored, report)?,
    };
    // A reason can quote the package (an element's name): kept short enough for the hub to take the
    // acknowledgement, or the same refusal would come back at every pass and block what follows.
    let verdict = verdict.map(|reason| shorten(&reason, REASON_CHARS));
    if let Some(reason) = &verdict {
        report.refused += 1;
        let now = (station.now)();
        store.write(|tx| {
            exchange::audit(
                tx,
                now,
                station.actor,
                "exchange.receive_refused",
                AuditSubject::Message(&d.hub_id),
                serde_json::json!({
                    "from": d.from, "document_id": d.document_id, "messagetype": d.messagetype.as_str(),
                    "sha256": stored.sha256, "reason": reason,
                }),
            )
        })?;
    }
    Ok(verdict.map_or(Received::Kept, Received::Refused))
}

/// The longest reason we send with a refusal (the hub takes up to
/// [`vanthu_edxml::vxp::MAX_REASON_CHARS`]).
const REASON_CHARS: usize = 500;
const _: () = assert!(REASON_CHARS <= vanthu_edxml::vxp::MAX_REASON_CHARS);

/// `text`, cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn receive_package(
    store: &Store,
    station: &Station<'_>,
    d: &Delivery,
    stored: &StoredFile,
    report: &mut PassReport,
) -> Result<Option<String>> {
    let (package, files) = match compose::read_package(store.files(), stored) {
        Ok(parsed) => parsed,
        Err(SyncError::Edxml(e)) => return Ok(Some(format!("gói tin không hợp lệ: {e}"))),
        Err(e) => return Err(e),
    };
    let org = station.org;
    if package.header.from.organ_id != d.from {
        return Ok(Some(format!(
            "cơ quan gửi trong gói tin ({}) khác tài khoản đã gửi ({})",
            package.header.from.organ_id, d.from
        )));
    }
    if !package.header.to.iter().any(|t| t.organ_id == org.org_id) {
        return Ok(Some(format!("gói tin không gửi cho cơ quan {}", org.org_id)));
    }
    let key = MessageKey::of_package(&package);
    let metadata = compose::arrival_metadata(&package);
    let now = (station.now)();
    let recall = package.business.doc_type == BusinessDocType::Recall;
    let verdict = if recall { None } else { (station.verify)(&files) };
    let arrived = prepare_status(store, org, &package, StatusCode::Arrived, None, station.actor, now)?;
    let (agreed, refused) = if recall {
        (
            Some(prepare_status(store, org, &package, StatusCode::RecallAgreed, None, station.actor, now)?),
            Some(prepare_status(
                store,
                org,
                &package,
                StatusCode::RecallRefused,
                Some("Không tìm thấy văn bản được thu hồi"),
                station.actor,
                now,
            )?),
        )
    } else {
        (None, None)
    };
    let metadata_json = serde_json::to_value(&metadata).map_err(|e| SyncError::Invalid(e.to_string()))?;
    let promulgation = metadata.issued_date.clone();
    let outcome = store.write(|tx| {
        let Some(inbox_id) = exchange::insert_arrival(
            tx,
            &NewArrival {
                hub_doc_id: &d.hub_id,
                sender: &key.sender,
                sender_name: &metadata.organ_name,
                document_id: &key.document_id,
                kind: &key.kind,
                package: stored,
                code: metadata.code.as_deref(),
                subject: &metadata.subject,
                type_name: metadata.type_name.as_deref(),
                priority: metadata.priority,
                promulgation_date: promulgation.as_deref(),
                reason: package.business.reason.as_deref(),
                metadata: &metadata_json,
                files: &files,
                verdict: verdict.as_deref(),
                at: now,
            },
        )?
        else {
            return Ok(Kept::Repeated);
        };
        queue_status(tx, &arrived, None, station.actor, now)?;
        if !recall {
            return Ok(Kept::Arrival);
        }
        let reason = package.business.reason.clone().unwrap_or_else(|| "Bên gửi thu hồi văn bản".to_owned());
        let applied = apply_recall(tx, station, &key, &metadata, &reason, inbox_id, now)?;
        let answer = if applied { agreed.as_ref() } else { refused.as_ref() };
        if let Some(answer) = answer {
            queue_status(tx, answer, None, station.actor, now)?;
        }
        Ok(Kept::Recall)
    })?;
    match outcome {
        Kept::Repeated => report.repeated += 1,
        Kept::Arrival => report.received += 1,
        Kept::Recall => report.recalls += 1,
    }
    Ok(None)
}

enum Kept {
    Arrival,
    Recall,
    Repeated,
}

/// A recall of `key.document_id` from its sender: the registered document is cancelled (its number
/// and history kept), or the waiting package withdrawn. `false` when there is nothing to recall.
fn apply_recall(
    tx: &Transaction<'_>,
    station: &Station<'_>,
    key: &MessageKey,
    metadata: &ArrivalMetadata,
    reason: &str,
    recall_row: i64,
    now: OffsetDateTime,
) -> vanthu_store::Result<bool> {
    let note = format!("{} thu hồi: {reason}", metadata.organ_name);
    let registered = exchange::document_by_exchange_id(tx, &key.document_id, false)?
        .filter(|doc| doc.organ_id.as_deref().is_none_or(|o| o == key.sender));
    if let Some(doc) = registered {
        if !doc.cancelled {
            register::cancel(tx, &doc.id, &note, now, station.actor)?;
        }
        exchange::decide(
            tx,
            recall_row,
            InboxState::Applied,
            Some(&doc.id),
            Some("Đã hủy văn bản đến"),
            now,
            station.actor,
        )?;
        return Ok(true);
    }
    let waiting = exchange::inbox_by_key(tx, &key.sender, &key.document_id, "edoc:0")?;
    match waiting {
        Some(item) if item.state == InboxState::Waiting => {
            exchange::decide(tx, item.id, InboxState::Withdrawn, None, Some(&note), now, station.actor)?;
            exchange::decide(
                tx,
                recall_row,
                InboxState::Applied,
                None,
                Some("Gói tin chưa đăng ký đã được rút lại"),
                now,
                station.actor,
            )?;
            Ok(true)
        }
        Some(_) => {
            exchange::decide(
                tx,
                recall_row,
                InboxState::Applied,
                None,
                Some("Gói tin đã được xử lý trước đó"),
                now,
                station.actor,
            )?;
            Ok(true)
        }
        None => {
            exchange::decide(
                tx,
                recall_row,
                InboxState::Applied,
                None,
                Some("Không tìm thấy văn bản được thu hồi"),
                now,
                station.actor,
            )?;
            Ok(false)
        }
    }
}

fn receive_status(
    store: &Store,
    station: &Station<'_>,
    d: &Delivery,
    stored: &StoredFile,
    report: &mut PassReport,
) -> Result<Option<String>> {
    let path = store.files().path_of(&stored.sha256);
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_STATUS_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| SyncError::Store(vanthu_store::StoreError::Io { path: path.clone(), source: e }))?;
    if bytes.len() as u64 > MAX_STATUS_BYTES {
        return Ok(Some("gói trạng thái quá lớn".to_owned()));
    }
    let status = match vanthu_edxml::parse_status(&bytes) {
        Ok(s) => s,
        Err(e) => return Ok(Some(format!("gói trạng thái không hợp lệ: {e}"))),
    };
    if status.from.organ_id != d.from {
        return Ok(Some(format!(
            "cơ quan gửi trạng thái ({}) khác tài khoản đã gửi ({})",
            status.from.organ_id, d.from
        )));
    }
    let Some(document_id) = status.response_for.document_id.clone() else {
        return Ok(Some("trạng thái không nêu mã văn bản (DocumentId)".to_owned()));
    };
    if status.response_for.organ_id.as_deref().is_some_and(|o| o != station.org.org_id) {
        return Ok(Some("trạng thái về văn bản không do cơ quan này gửi".to_owned()));
    }
    let now = (station.now)();
    let at = status.timestamp.assume_offset(VIETNAM_OFFSET);
    let new = store.write(|tx| {
        let document = exchange::document_by_exchange_id(tx, &document_id, true)?.map(|d| d.id);
        exchange::record_status(
            tx,
            &StatusRecord {
                document_id: document_id.clone(),
                document,
                way: "in".to_owned(),
                organ_id: status.from.organ_id.clone(),
                organ_name: Some(status.from.organ_name.clone()),
                code: status.code.code().to_owned(),
                description: status.description.clone(),
                at: vietnam_rfc3339(at),
                recorded_at: vietnam_rfc3339(now),
            },
        )
    })?;
    if new {
        report.statuses += 1;
    } else {
        report.repeated += 1;
    }
    Ok(None)
}

/// A status packet made and stored, ready to queue in a transaction.
#[derive(Clone, Debug)]
pub struct PreparedStatus {
    file: StoredFile,
    kind: String,
    record: StatusRecord,
    to: String,
}

/// Makes the status packet telling `package`'s sender what we did (`code`), and stores its bytes
/// (outside any transaction, like every file).
pub fn prepare_status(
    store: &Store,
    org: &Organisation,
    package: &Package,
    code: StatusCode,
    description: Option<&str>,
    staff: &str,
    at: OffsetDateTime,
) -> Result<PreparedStatus> {
    let code_text = package.header.code.to_string();
    answer(
        store,
        org,
        &Answer {
            sender: &package.header.from.organ_id,
            sender_name: &package.header.from.organ_name,
            document_id: &package.header.document_id,
            code_text: (!code_text.is_empty()).then_some(code_text.as_str()),
            code,
            description,
            staff,
        },
        at,
    )
}

/// Makes and stores the status packet of `a`.
pub fn answer(store: &Store, org: &Organisation, a: &Answer<'_>, at: OffsetDateTime) -> Result<PreparedStatus> {
    let (status, bytes) = compose::status_packet(org, a, at)?;
    let file = store.files().put_bytes(&bytes)?;
    let wire = status.timestamp.assume_offset(VIETNAM_OFFSET);
    Ok(PreparedStatus {
        file,
        kind: MessageKey::of_status(&status).map(|k| k.kind).unwrap_or_default(),
        record: StatusRecord {
            document_id: a.document_id.to_owned(),
            document: None,
            way: "out".to_owned(),
            organ_id: a.sender.to_owned(),
            organ_name: Some(a.sender_name.to_owned()),
            code: a.code.code().to_owned(),
            description: a.description.map(str::to_owned),
            at: vietnam_rfc3339(wire),
            recorded_at: vietnam_rfc3339(at),
        },
        to: a.sender.to_owned(),
    })
}

/// Queues a prepared status and records it in the history, in the caller's transaction; `document`:
/// the register's document it is about, once registered.
pub fn queue_status(
    tx: &Transaction<'_>,
    prepared: &PreparedStatus,
    document: Option<&str>,
    actor: &str,
    at: OffsetDateTime,
) -> vanthu_store::Result<()> {
    let recipients = [prepared.to.clone()];
    exchange::enqueue(
        tx,
        &NewMessage {
            document: None,
            messagetype: MessageType::Status,
            document_id: &prepared.record.document_id,
            kind: &prepared.kind,
            recipients: &recipients,
            file: &prepared.file,
            at,
            actor,
        },
    )?;
    let mut record = prepared.record.clone();
    record.document = document.map(str::to_owned);
    exchange::record_status(tx, &record)?;
    Ok(())
}
