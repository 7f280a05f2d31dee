//! The VXP operations of `vanthu_edxml::vxp`, from an HTTP request to its reply: routing,
//! authentication, the checks of each operation, and refusals — each answered with the
//! contract's `ErrorCode`, its HTTP status and a Vietnamese `ErrorDesc`, and **logged**: one line
//! on stderr and one `event` row in the store.
//!
//! Nothing here is remembered between requests but the authentication cache (which is checked
//! against the store on every request): every answer comes from the store.

use std::collections::HashMap;
use std::net::SocketAddr;

use http_body_util::Full;
use hyper::body::{Body as _, Bytes, Incoming};
use hyper::header::{CONNECTION, CONTENT_TYPE, EXPECT, HeaderValue, WWW_AUTHENTICATE};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode};
use serde::Serialize;
use vanthu_edxml::vxp::{
    self, AckStatus, Acknowledge, ListReply, MAX_REASON_CHARS, MessageKey, MessageType, Reply, SendReply, error_code,
    header, path,
};
use vanthu_edxml::{AttachmentMeta, AttachmentSink, EdxmlError, Limits, parse_package, parse_status};

use crate::auth::{Verifier, parse_basic};
use crate::body::{BodyError, drain, read_bounded};
use crate::config::Config;
use crate::error::StoreError;
use crate::store::{Acknowledged, Event, NewMessage, StatusFacts, Store, sha256_hex};

/// The reply body type.
pub(crate) type Body = Full<Bytes>;

/// Default and largest `limit` of the list operations.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1_000;
/// The largest `updateStatus` body.
const MAX_ACK_BYTES: u64 = 64 << 10;
/// The one message for every authentication failure (which part was wrong is not told).
const AUTH_FAILED: &str = "Sai mã cơ quan hoặc mật khẩu";

/// A request the hub will not carry out, with the contract's code.
#[derive(Debug)]
pub(crate) struct Refusal {
    code: &'static str,
    /// `ErrorDesc`, for the caller.
    description: String,
    /// For the log only (never sent): what the caller should not learn, e.g. a store's error.
    note: Option<String>,
}

impl Refusal {
    fn new(code: &'static str, description: impl Into<String>) -> Refusal {
        Refusal { code, description: description.into(), note: None }
    }

    fn with_note(mut self, note: impl Into<String>) -> Refusal {
        self.note = Some(note.into());
        self
    }

    fn malformed(description: impl Into<String>) -> Refusal {
        Refusal::new(error_code::MALFORMED, description)
    }

    fn invalid(description: impl Into<String>) -> Refusal {
        Refusal::new(error_code::INVALID, description)
    }

    fn forbidden(description: impl Into<String>) -> Refusal {
        Refusal::new(error_code::FORBIDDEN, description)
    }

    fn not_found(description: impl Into<String>) -> Refusal {
        Refusal::new(error_code::NOT_FOUND, description)
    }

    fn internal(note: impl Into<String>) -> Refusal {
        Refusal::new(error_code::INTERNAL, "Lỗi bên trong trục").with_note(note)
    }

    /// The HTTP status of the code, as `vxp::error_code` tabulates it.
    fn status(&self) -> StatusCode {
        match self.code {
            error_code::AUTH => StatusCode::UNAUTHORIZED,
            error_code::FORBIDDEN => StatusCode::FORBIDDEN,
            error_code::MALFORMED => StatusCode::BAD_REQUEST,
            error_code::INVALID | error_code::UNKNOWN_RECIPIENT => StatusCode::UNPROCESSABLE_ENTITY,
            error_code::LIMIT => StatusCode::PAYLOAD_TOO_LARGE,
            error_code::NOT_FOUND => StatusCode::NOT_FOUND,
            error_code::UNAVAILABLE => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn response(&self) -> Response<Body> {
        let reply = Reply {
            status: vxp::STATUS_FAIL.into(),
            error_code: self.code.into(),
            error_desc: self.description.clone(),
        };
        let mut response = json(self.status(), &reply);
        if self.code == error_code::AUTH {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"vanthu-hub\", charset=\"UTF-8\""));
        }
        response
    }
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Refusal {
        Refusal::new(error_code::UNAVAILABLE, "Kho dữ liệu của trục tạm thời không trả lời, xin gửi lại sau")
            .with_note(error.to_string())
    }
}

impl From<EdxmlError> for Refusal {
    fn from(error: EdxmlError) -> Refusal {
        let code = match &error {
            EdxmlError::Malformed(_) | EdxmlError::Unsafe(_) | EdxmlError::Io(_) => error_code::MALFORMED,
            EdxmlError::Invalid { .. } => error_code::INVALID,
            EdxmlError::Limit { .. } => error_code::LIMIT,
        };
        Refusal::new(code, error.to_string())
    }
}

fn body_refusal(error: BodyError, limit: u64) -> Refusal {
    match error {
        BodyError::TooLarge => {
            Refusal::new(error_code::LIMIT, format!("Nội dung yêu cầu vượt quá giới hạn {limit} byte của trục"))
        }
        BodyError::Timeout => Refusal::malformed("Quá thời gian chờ nội dung yêu cầu"),
        BodyError::Broken(e) => Refusal::malformed("Kết nối bị đứt khi đang nhận nội dung").with_note(e),
    }
}

/// The operations, by path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    Send,
    Received,
    Fetch,
    Acknowledge,
    Sent,
    Agencies,
    Health,
}

impl Operation {
    fn of(p: &str) -> Option<Operation> {
        Some(match p {
            path::SEND => Operation::Send,
            path::RECEIVED => Operation::Received,
            path::FETCH => Operation::Fetch,
            path::ACKNOWLEDGE => Operation::Acknowledge,
            path::SENT => Operation::Sent,
            path::AGENCIES => Operation::Agencies,
            path::HEALTH => Operation::Health,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Operation::Send => "sendEdoc",
            Operation::Received => "getReceivedEdocList",
            Operation::Fetch => "getEdoc",
            Operation::Acknowledge => "updateStatus",
            Operation::Sent => "getSentEdocList",
            Operation::Agencies => "getAgenciesList",
            Operation::Health => "health",
        }
    }

    fn method(self) -> Method {
        match self {
            Operation::Send | Operation::Acknowledge => Method::POST,
            _ => Method::GET,
        }
    }
}

/// What is known of a request while it is handled, for the log.
struct Context {
    peer: SocketAddr,
    operation: String,
    organ_id: Option<String>,
}

/// The hub: its store, the authentication cache and the limits. Shared by every connection.
pub struct Hub {
    store: Store,
    verifier: Verifier,
    max_body_bytes: u64,
    limits: Limits,
}

impl Hub {
    /// A hub over `store` with the configuration's limits.
    pub fn new(store: Store, config: &Config) -> Hub {
        Hub {
            store,
            verifier: Verifier::default(),
            max_body_bytes: config.max_body_bytes,
            limits: config.limits.clone(),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Answers one request. Never fails: a refusal is a reply, logged.
    pub(crate) async fn handle(&self, request: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
        let (parts, mut body) = request.into_parts();
        // A client waiting for "100 Continue" has not sent its body yet: a refusal is answered
        // without asking for it.
        let expects_continue =
            parts.headers.get(EXPECT).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        let operation = Operation::of(parts.uri.path());
        let mut ctx = Context {
            peer,
            operation: operation.map_or_else(|| clip(parts.uri.path(), 100), |o| o.name().to_owned()),
            organ_id: None,
        };
        let result = match operation {
            None => Err(Refusal::not_found(format!("Trục không có thao tác {}", clip(parts.uri.path(), 100)))),
            Some(op) if parts.method != op.method() => {
                Err(Refusal::malformed(format!("Thao tác {} dùng phương thức {}", op.name(), op.method())))
            }
            Some(Operation::Health) => self.health().await,
            Some(op) => match self.authenticate(&parts).await {
                Ok(organ_id) => {
                    ctx.organ_id = Some(organ_id.clone());
                    self.operate(op, &organ_id, &parts, &mut body).await
                }
                Err(refusal) => Err(refusal),
            },
        };
        let finished = if result.is_err() && expects_continue { body.is_end_stream() } else { drain(&mut body).await };
        let mut response = match result {
            Ok(response) => response,
            Err(refusal) => {
                self.log(&ctx, &refusal).await;
                refusal.response()
            }
        };
        if !finished {
            response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }

    async fn operate(
        &self,
        op: Operation,
        organ_id: &str,
        parts: &Parts,
        body: &mut Incoming,
    ) -> Result<Response<Body>, Refusal> {
        let query = query(parts);
        match op {
            Operation::Send => self.send(organ_id, parts, body).await,
            Operation::Received => self.received(organ_id, &query).await,
            Operation::Fetch => self.fetch(organ_id, &query).await,
            Operation::Acknowledge => self.acknowledge(organ_id, body).await,
            Operation::Sent => self.sent(organ_id, &query).await,
            Operation::Agencies => self.agencies().await,
            Operation::Health => self.health().await,
        }
    }

    async fn health(&self) -> Result<Response<Body>, Refusal> {
        self.store.health().await?;
        Ok(response(StatusCode::OK, "text/plain; charset=utf-8", Bytes::from_static(b"ok")))
    }

    /// The authenticated OrganId, or `AUTH`.
    async fn authenticate(&self, parts: &Parts) -> Result<String, Refusal> {
        let Some(credentials) = parts.headers.get(hyper::header::AUTHORIZATION).and_then(|v| parse_basic(v.as_bytes()))
        else {
            return Err(Refusal::new(error_code::AUTH, AUTH_FAILED).with_note("không có thông tin xác thực Basic"));
        };
        if self.verifier.verify(&self.store, &credentials).await? {
            Ok(credentials.organ_id)
        } else {
            Err(Refusal::new(error_code::AUTH, AUTH_FAILED)
                .with_note(format!("tên đăng nhập {}", clip(&credentials.organ_id, 64))))
        }
    }

    /// `sendEdoc`.
    async fn send(&self, organ_id: &str, parts: &Parts, body: &mut Incoming) -> Result<Response<Body>, Refusal> {
        let from = header_value(parts, header::FROM)
            .ok_or_else(|| Refusal::malformed("Thiếu tiêu đề from (mã cơ quan gửi)"))?;
        if from != organ_id {
            return Err(Refusal::forbidden(format!(
                "Tiêu đề from ({}) không phải cơ quan đã xác thực ({organ_id})",
                clip(from, 64)
            )));
        }
        match header_value(parts, header::SERVICE_TYPE) {
            Some(v) if v.eq_ignore_ascii_case(header::SERVICE_EDOC) => {}
            Some(v) => {
                return Err(Refusal::malformed(format!(
                    "Tiêu đề servicetype phải là {}, không phải {}",
                    header::SERVICE_EDOC,
                    clip(v, 32)
                )));
            }
            None => return Err(Refusal::malformed("Thiếu tiêu đề servicetype")),
        }
        let message_type = header_value(parts, header::MESSAGE_TYPE)
            .and_then(MessageType::parse)
            .ok_or_else(|| Refusal::malformed("Tiêu đề messagetype phải là edoc hoặc status"))?;
        let bytes = read_bounded(body, self.max_body_bytes).await.map_err(|e| body_refusal(e, self.max_body_bytes))?;
        let limits = self.limits.clone();
        let message = tokio::task::spawn_blocking(move || understand(bytes, message_type, &limits))
            .await
            .map_err(|e| Refusal::internal(e.to_string()))??;
        if message.key.sender != organ_id {
            return Err(Refusal::forbidden(format!(
                "Cơ quan gửi trong thông điệp (From/OrganId = {}) không phải cơ quan đã xác thực ({organ_id})",
                clip(&message.key.sender, 64)
            )));
        }
        let unknown = self.store.unknown_organisations(&message.recipients).await?;
        if !unknown.is_empty() {
            return Err(Refusal::new(
                error_code::UNKNOWN_RECIPIENT,
                format!("Cơ quan nhận không có trong danh mục của trục: {}", unknown.join(", ")),
            ));
        }
        let accepted = self.store.insert_message(message).await?;
        let reply = SendReply {
            status: vxp::STATUS_OK.into(),
            error_code: error_code::OK.into(),
            error_desc: if accepted.duplicate {
                "Trục đã nhận thông điệp này trước đó"
            } else {
                "Đã nhận"
            }
            .into(),
            doc_id: Some(accepted.doc_id),
            duplicate: accepted.duplicate,
        };
        Ok(json(StatusCode::OK, &reply))
    }

    /// `getReceivedEdocList`.
    async fn received(&self, organ_id: &str, query: &HashMap<String, String>) -> Result<Response<Body>, Refusal> {
        let message_type = match query.get("messagetype") {
            None => None,
            Some(v) => Some(
                MessageType::parse(v)
                    .ok_or_else(|| Refusal::malformed("Tham số messagetype phải là edoc hoặc status"))?,
            ),
        };
        let limit = limit(query)?;
        let items = self.store.received(organ_id, message_type, limit).await?;
        Ok(json(StatusCode::OK, &list(items)))
    }

    /// `getEdoc`.
    async fn fetch(&self, organ_id: &str, query: &HashMap<String, String>) -> Result<Response<Body>, Refusal> {
        let doc_id = query.get("docId").ok_or_else(|| Refusal::malformed("Thiếu tham số docId"))?;
        let not_found = || Refusal::not_found(format!("Không có thông điệp {} gửi cho {organ_id}", clip(doc_id, 40)));
        let id: i64 = doc_id.parse().map_err(|_| not_found())?;
        let bytes = self.store.fetch(id, organ_id).await?.ok_or_else(not_found)?;
        Ok(response(StatusCode::OK, "application/xml", Bytes::from(bytes)))
    }

    /// `updateStatus`.
    async fn acknowledge(&self, organ_id: &str, body: &mut Incoming) -> Result<Response<Body>, Refusal> {
        let bytes = read_bounded(body, MAX_ACK_BYTES).await.map_err(|e| body_refusal(e, MAX_ACK_BYTES))?;
        let ack: Acknowledge = serde_json::from_slice(&bytes)
            .map_err(|e| Refusal::malformed(format!("Nội dung updateStatus không phải JSON hợp lệ: {e}")))?;
        let reason = ack.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        if ack.status == AckStatus::Fail {
            let Some(reason) = reason else {
                return Err(Refusal::invalid("Cần lý do (reason) khi từ chối thông điệp (fail)"));
            };
            if reason.chars().count() > MAX_REASON_CHARS {
                return Err(Refusal::invalid(format!("Lý do từ chối dài quá {MAX_REASON_CHARS} ký tự")));
            }
        }
        let not_found =
            || Refusal::not_found(format!("Không có thông điệp {} gửi cho {organ_id}", clip(&ack.doc_id, 40)));
        let id: i64 = ack.doc_id.parse().map_err(|_| not_found())?;
        match self.store.acknowledge(id, organ_id, ack.status, reason, &crate::now_rfc3339()).await? {
            Acknowledged::Recorded | Acknowledged::Repeated => Ok(json(StatusCode::OK, &ok_reply("Đã ghi nhận"))),
            Acknowledged::NotFound => Err(not_found()),
            Acknowledged::Conflict { recorded } => Err(Refusal::invalid(format!(
                "Thông điệp {} đã được ghi nhận là {recorded} trước đó; không thay đổi được",
                ack.doc_id
            ))),
        }
    }

    /// `getSentEdocList`.
    async fn sent(&self, organ_id: &str, query: &HashMap<String, String>) -> Result<Response<Body>, Refusal> {
        let after = match query.get("after") {
            None => 0,
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| Refusal::malformed("Tham số after phải là một DocId"))?,
        };
        let limit = limit(query)?;
        let document_id = query.get("documentId").map(String::as_str);
        let items = self.store.sent(organ_id, document_id, after, limit).await?;
        Ok(json(StatusCode::OK, &list(items)))
    }

    /// `getAgenciesList`.
    async fn agencies(&self) -> Result<Response<Body>, Refusal> {
        Ok(json(StatusCode::OK, &list(self.store.agencies().await?)))
    }

    /// One line on stderr and one `event` row (if the store answers).
    async fn log(&self, ctx: &Context, refusal: &Refusal) {
        let description = match &refusal.note {
            Some(note) => format!("{} ({note})", refusal.description),
            None => refusal.description.clone(),
        };
        let event = Event {
            at: crate::now_rfc3339(),
            organ_id: ctx.organ_id.clone(),
            peer: Some(ctx.peer.to_string()),
            operation: ctx.operation.clone(),
            code: refusal.code.to_owned(),
            description,
        };
        eprintln!(
            "{} vanthu-hub: từ chối {} {} [cơ quan {}, {}]: {}",
            event.at,
            event.operation,
            event.code,
            event.organ_id.as_deref().unwrap_or("-"),
            ctx.peer,
            event.description
        );
        if let Err(e) = self.store.log_event(&event).await {
            eprintln!("{} vanthu-hub: không ghi được sự kiện vào kho: {e}", event.at);
        }
    }
}

/// An attachment sink that keeps nothing: the hub stores the message's bytes as received.
struct Discard;

impl AttachmentSink for Discard {
    fn begin(&mut self, _: &AttachmentMeta) -> std::io::Result<()> {
        Ok(())
    }
    fn write(&mut self, _: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
    fn end(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Parses and checks a message; returns it ready to keep (routing, key, digest).
fn understand(body: Vec<u8>, message_type: MessageType, limits: &Limits) -> Result<NewMessage, Refusal> {
    let (key, recipients, status) = match message_type {
        MessageType::Edoc => {
            let package = parse_package(body.as_slice(), limits, &mut Discard)?;
            let recipients = package.header.to.iter().map(|o| o.organ_id.clone()).collect();
            (MessageKey::of_package(&package), recipients, None)
        }
        MessageType::Status => {
            let status = parse_status(&body)?;
            let key = MessageKey::of_status(&status).ok_or_else(|| {
                Refusal::invalid(
                    "Gói tin trạng thái thiếu ResponseFor/DocumentId: không biết trạng thái của văn bản nào",
                )
            })?;
            let about = status.response_for.organ_id.clone().filter(|o| !o.trim().is_empty()).ok_or_else(|| {
                Refusal::invalid("Gói tin trạng thái thiếu ResponseFor/OrganId: không biết gửi trạng thái cho ai")
            })?;
            let at = key.kind.split_once('@').map(|(_, at)| at.to_owned()).unwrap_or_default();
            let facts = StatusFacts { code: status.code.code().to_owned(), about: about.clone(), at };
            (key, vec![about], Some(facts))
        }
    };
    Ok(NewMessage {
        key,
        message_type,
        status,
        recipients,
        sha256: sha256_hex(&body),
        body,
        created: crate::now_rfc3339(),
    })
}

fn header_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

fn query(parts: &Parts) -> HashMap<String, String> {
    form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()).into_owned().collect()
}

/// The `limit` query parameter: default 100, at most 1 000.
fn limit(query: &HashMap<String, String>) -> Result<u32, Refusal> {
    match query.get("limit") {
        None => Ok(DEFAULT_LIMIT),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(|n| n.min(MAX_LIMIT))
            .ok_or_else(|| Refusal::malformed("Tham số limit phải là số nguyên dương")),
    }
}

fn ok_reply(description: &str) -> Reply {
    Reply { status: vxp::STATUS_OK.into(), error_code: error_code::OK.into(), error_desc: description.into() }
}

fn list<T>(data: Vec<T>) -> ListReply<T> {
    ListReply { status: vxp::STATUS_OK.into(), error_code: error_code::OK.into(), error_desc: String::new(), data }
}

fn response(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(bytes) => response(status, "application/json; charset=utf-8", Bytes::from(bytes)),
        Err(_) => response(StatusCode::INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", Bytes::new()),
    }
}

/// Text from a caller, safe for a log line: at most `max` characters, no control characters.
fn clip(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).map(|c| if c.is_control() { '?' } else { c }).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}
