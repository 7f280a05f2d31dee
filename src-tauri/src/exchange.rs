//! The exchange commands (trục liên thông) and the background worker that sends and receives.
//!
//! The commands, like every command here, parse a DTO, call one `Desk` method on a blocking thread and
//! map the answer (see [`crate::exchange_dto`]). Those that queue something for the hub (sending a
//! document, registering or rejecting a package, saving the account) then wake the worker, so the
//! message leaves at once when the link is up instead of at the next poll.
//!
//! The worker ([`start_worker`]) is a thread that calls [`vanthu_app::Desk::sync_step`] and waits as
//! the step says (or until woken). It takes the desk afresh for every step, so a restore can close
//! the register between two steps; after each step it emits `exchange-changed`, on which the window
//! re-reads the connection indicator and whatever exchange screen is open.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tauri::ipc::Request;
use vanthu_app::exchange::{self as app, Wake};

use crate::commands::{DeskState, blocking, parse};
use crate::dto::{CommandError, DocumentId, IncomingRegistered};
use crate::exchange_dto::*;

type Reply<T> = Result<T, CommandError>;
type DeskRef<'a> = tauri::State<'a, DeskState>;
type WakeRef<'a> = tauri::State<'a, Worker>;

/// The event the window listens to after every pass and every change to what waits.
pub const CHANGED: &str = "exchange-changed";

/// The worker's wake-up call, kept in Tauri state for the commands that queue.
#[derive(Clone, Default)]
pub struct Worker {
    wake: Arc<Wake>,
}

impl Worker {
    /// Wakes the worker: something was queued, or the account changed.
    pub fn wake(&self) {
        self.wake.notify();
    }
}

/// Starts the worker thread: a pass now, then as the link's state says, or sooner when woken.
pub fn start_worker(app: tauri::AppHandle, state: DeskState, worker: &Worker) {
    use tauri::Emitter;
    let wake = worker.wake.clone();
    std::thread::spawn(move || {
        // Never set: the worker lives as long as the window.
        let stop = AtomicBool::new(false);
        loop {
            let wait = match state.desk() {
                Ok(desk) => desk.sync_step().wait,
                // The register is being restored (or could not be opened): try again later.
                Err(_) => Duration::from_secs(30),
            };
            let _ = app.emit(CHANGED, ());
            wake.wait(wait, &stop);
        }
    });
}

fn delivery(state: app::OutboxState) -> Delivery {
    match state {
        app::OutboxState::Pending => Delivery::Pending,
        app::OutboxState::Unknown => Delivery::Unknown,
        app::OutboxState::Sent => Delivery::Sent,
        app::OutboxState::Failed => Delivery::Failed,
    }
}

fn inbox_state(state: app::InboxState) -> InboxState {
    match state {
        app::InboxState::Waiting => InboxState::Waiting,
        app::InboxState::Registered => InboxState::Registered,
        app::InboxState::Rejected => InboxState::Rejected,
        app::InboxState::Withdrawn => InboxState::Withdrawn,
        app::InboxState::Applied => InboxState::Applied,
    }
}

fn message_dto(m: app::OutboxMessage) -> OutboxMessage {
    OutboxMessage {
        id: m.id,
        label: app::kind_label(&m.kind),
        recipients: m.recipients,
        delivery: delivery(m.state),
        attempts: m.attempts,
        last_error: m.last_error,
        created_at: m.created_at,
        sent_at: m.sent_at,
    }
}

fn inbox_dto(i: app::InboxItem) -> InboxItem {
    InboxItem {
        id: i.id,
        sender: i.sender,
        sender_name: i.sender_name,
        document_id: i.document_id,
        kind_label: app::kind_label(&i.kind),
        code: i.code,
        subject: i.subject,
        type_name: i.type_name,
        priority: i.priority,
        promulgation_date: i.promulgation_date,
        received_at: i.received_at,
        verdict: i.verdict,
        state: inbox_state(i.state),
        document: i.document,
        decided_at: i.decided_at,
        decided_by: i.decided_by,
        decision_note: i.decision_note,
        files: i
            .files
            .into_iter()
            .map(|f| ArrivalFile { name: f.name, media_type: f.media_type, sha256: f.file.sha256, size: f.file.size })
            .collect(),
    }
}

fn overview_dto(o: app::ExchangeOverview) -> ExchangeOverview {
    let state = match o.state() {
        app::LinkState::Unconfigured => LinkState::Unconfigured,
        app::LinkState::Unknown => LinkState::Unknown,
        app::LinkState::Online => LinkState::Online,
        app::LinkState::Offline => LinkState::Offline,
    };
    ExchangeOverview {
        state,
        hub_url: o.hub_url,
        outbox: o.counts.outbox,
        failed: o.counts.failed,
        inbox: o.counts.inbox,
        last_attempt_at: o.link.last_attempt_at,
        last_success_at: o.link.last_success_at,
        next_attempt_at: o.link.next_attempt_at,
        last_error: o.link.last_error,
        failures: o.link.failures,
    }
}

fn account_dto(a: app::HubAccount) -> HubAccount {
    HubAccount { url: a.url, user: a.user, organ_id: a.organ_id, ca_file: a.ca_file }
}

/// The connection indicator.
#[tauri::command]
pub async fn exchange_overview(state: DeskRef<'_>) -> Reply<ExchangeOverview> {
    Ok(overview_dto(blocking(state.desk()?, |desk| desk.exchange_overview()).await?))
}

/// Asks the worker for a pass now.
#[tauri::command]
pub async fn sync_now(worker: WakeRef<'_>) -> Reply<()> {
    worker.wake();
    Ok(())
}

/// The hub account, if configured (administrators).
#[tauri::command]
pub async fn hub_account(state: DeskRef<'_>) -> Reply<Option<HubAccount>> {
    Ok(blocking(state.desk()?, |desk| desk.hub_account()).await?.map(account_dto))
}

/// Saves the hub account; the secret goes to the Secret Service only (administrators).
#[tauri::command]
pub async fn set_hub_account(state: DeskRef<'_>, worker: WakeRef<'_>, request: Request<'_>) -> Reply<HubAccount> {
    let input: SetHubAccount = parse(&request)?;
    let saved = blocking(state.desk()?, move |desk| {
        desk.set_hub_account(&input.url, &input.user, &input.secret, input.ca_file.as_deref())
    })
    .await?;
    worker.wake();
    Ok(account_dto(saved))
}

/// The hub's directory of organisations (asks the hub: fails when it cannot be reached).
#[tauri::command]
pub async fn hub_agencies(state: DeskRef<'_>) -> Reply<Vec<Agency>> {
    let agencies = blocking(state.desk()?, |desk| desk.hub_agencies()).await?;
    Ok(agencies.into_iter().map(|a| Agency { organ_id: a.organ_id, name: a.organ_name }).collect())
}

/// Queues an outgoing document for the hub and wakes the worker.
#[tauri::command]
pub async fn send_outgoing(state: DeskRef<'_>, worker: WakeRef<'_>, request: Request<'_>) -> Reply<OutboxMessage> {
    let input: SendOutgoing = parse(&request)?;
    let queued = blocking(state.desk()?, move |desk| desk.send_outgoing(&input.id, &input.to)).await?;
    worker.wake();
    Ok(message_dto(queued))
}

/// The packages that arrived: waiting ones, or all.
#[tauri::command]
pub async fn inbox(state: DeskRef<'_>, request: Request<'_>) -> Reply<Vec<InboxItem>> {
    let input: InboxQuery = parse(&request)?;
    let filter = if input.all { None } else { Some(app::InboxState::Waiting) };
    Ok(blocking(state.desk()?, move |desk| desk.inbox(filter)).await?.into_iter().map(inbox_dto).collect())
}

/// Registers a package as an incoming document (status 03 is queued with it).
#[tauri::command]
pub async fn register_from_inbox(
    state: DeskRef<'_>,
    worker: WakeRef<'_>,
    request: Request<'_>,
) -> Reply<IncomingRegistered> {
    let input: RegisterFromInbox = parse(&request)?;
    let registration = app::InboxRegistration {
        handler: input.handler,
        note: input.note,
        signature_override: input.signature_override,
        allow_duplicate: input.allow_duplicate.unwrap_or(false),
    };
    let registered =
        blocking(state.desk()?, move |desk| desk.register_from_inbox(input.inbox_id, &registration)).await?;
    worker.wake();
    Ok(registered.into())
}

/// Rejects a package with a reason (status 02 is queued with it).
#[tauri::command]
pub async fn reject_inbox(state: DeskRef<'_>, worker: WakeRef<'_>, request: Request<'_>) -> Reply<InboxItem> {
    let input: RejectInbox = parse(&request)?;
    let item = blocking(state.desk()?, move |desk| desk.reject_inbox(input.inbox_id, &input.reason)).await?;
    worker.wake();
    Ok(inbox_dto(item))
}

/// Queues again a message the hub refused for good.
#[tauri::command]
pub async fn retry_message(state: DeskRef<'_>, worker: WakeRef<'_>, request: Request<'_>) -> Reply<()> {
    let input: RetryMessage = parse(&request)?;
    blocking(state.desk()?, move |desk| desk.retry_message(input.message_id)).await?;
    worker.wake();
    Ok(())
}

/// A document's exchange: its messages, each recipient's state, the status history, its arrival.
#[tauri::command]
pub async fn document_exchange(state: DeskRef<'_>, request: Request<'_>) -> Reply<DocumentExchange> {
    let input: DocumentId = parse(&request)?;
    let x = blocking(state.desk()?, move |desk| desk.document_exchange(&input.id)).await?;
    Ok(DocumentExchange {
        document_id: x.document_id,
        messages: x.messages.into_iter().map(message_dto).collect(),
        recipients: x
            .recipients
            .into_iter()
            .map(|r| RecipientStatus {
                organ_id: r.organ_id,
                name: r.name,
                delivery: delivery(r.delivery),
                last_name: r.last_code.as_deref().map(|c| app::status_name(c).to_owned()),
                last_code: r.last_code,
                last_description: r.last_description,
                last_at: r.last_at,
            })
            .collect(),
        history: x
            .history
            .into_iter()
            .map(|s| StatusEntry {
                name: app::status_name(&s.code).to_owned(),
                way: s.way,
                organ_id: s.organ_id,
                organ_name: s.organ_name,
                code: s.code,
                description: s.description,
                at: s.at,
            })
            .collect(),
        arrival: x.arrival.map(inbox_dto),
    })
}
