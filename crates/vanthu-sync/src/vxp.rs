//! The national axis's REST shape (VXP), as `vanthu_edxml::vxp` fixes it: the first [`Hub`] adapter.
//!
//! HTTP Basic with the organisation's id and secret, over TLS (rustls; the hub's own CA can be
//! given, for a province's hub or a test hub). Every call is bounded in time. Transport failures are
//! sorted into "nothing was sent" ([`HubError::Unreachable`]) and "it may have been"
//! ([`HubError::Interrupted`]); the hub's refusals keep its code and whether retrying can help.

use std::fs::File;
use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use ureq::http::Response;
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::{Body, Timeout};
use vanthu_edxml::vxp::{
    AckStatus, Acknowledge, Agency, ListReply, MessageType, ReceivedItem, Reply, SendReply, SentItem, error_code,
    header, path,
};

use crate::error::HubError;
use crate::hub::{Accepted, Delivery, Hub, SentMessage};

/// How to reach a VXP-shaped hub.
#[derive(Clone)]
pub struct VxpConfig {
    /// The hub's base address, e.g. `https://truc.laocai.gov.vn` (the paths are appended).
    pub url: String,
    /// Our OrganId (the `from` header).
    pub organ_id: String,
    /// The account's user name (usually the OrganId).
    pub user: String,
    /// The account's secret.
    pub secret: String,
    /// PEM certificates to trust instead of the public roots (a province's own CA, a test CA).
    pub ca_pem: Option<Vec<u8>>,
    /// The longest one call may take, upload or download included.
    pub timeout: Duration,
}

impl std::fmt::Debug for VxpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VxpConfig")
            .field("url", &self.url)
            .field("organ_id", &self.organ_id)
            .field("user", &self.user)
            .field("secret", &"…")
            .finish()
    }
}

/// The largest message fetched (the hub's own default limit).
const MAX_MESSAGE_BYTES: u64 = 512 << 20;
/// The largest JSON reply read.
const MAX_REPLY_BYTES: u64 = 16 << 20;

/// A client of one VXP-shaped hub.
#[derive(Debug)]
pub struct VxpClient {
    base: String,
    organ_id: String,
    authorization: String,
    agent: ureq::Agent,
}

impl VxpClient {
    /// A client; fails only on an unreadable CA.
    pub fn new(config: &VxpConfig) -> Result<VxpClient, HubError> {
        let mut builder = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .timeout_connect(Some(config.timeout.min(Duration::from_secs(10))))
            .http_status_as_error(false)
            .max_idle_connections_per_host(4);
        if let Some(pem) = &config.ca_pem {
            let certs = ureq::tls::parse_pem(pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<Vec<Certificate<'static>>, _>>()
                .map_err(|e| HubError::Unreachable(format!("chứng thư của trục không đọc được: {e}")))?;
            if certs.is_empty() {
                return Err(HubError::Unreachable("tệp chứng thư của trục không có chứng thư nào".into()));
            }
            builder = builder.tls_config(TlsConfig::builder().root_certs(RootCerts::Specific(Arc::new(certs))).build());
        }
        let credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", config.user, config.secret));
        Ok(VxpClient {
            base: config.url.trim_end_matches('/').to_owned(),
            organ_id: config.organ_id.clone(),
            authorization: format!("Basic {credentials}"),
            agent: builder.build().into(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn send(&self, messagetype: MessageType, body: File) -> Result<Accepted, HubError> {
        let response = self
            .agent
            .post(self.url(path::SEND))
            .header("Authorization", &self.authorization)
            .header(header::FROM, &self.organ_id)
            .header(header::SERVICE_TYPE, header::SERVICE_EDOC)
            .header(header::MESSAGE_TYPE, messagetype.as_str())
            .header("Content-Type", "application/xml")
            .send(&body)
            .map_err(|e| transport(e, true))?;
        let reply: SendReply = json(response)?;
        let hub_id = reply.doc_id.ok_or_else(|| HubError::Protocol("thiếu DocId trong trả lời".into()))?;
        Ok(Accepted { hub_id, duplicate: reply.duplicate })
    }

    fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Response<Body>, HubError> {
        let mut request = self.agent.get(self.url(path)).header("Authorization", &self.authorization);
        for (k, v) in query {
            request = request.query(*k, *v);
        }
        request.call().map_err(|e| transport(e, false))
    }
}

impl Hub for VxpClient {
    fn send_package(&self, body: File) -> Result<Accepted, HubError> {
        self.send(MessageType::Edoc, body)
    }

    fn send_status(&self, body: File) -> Result<Accepted, HubError> {
        self.send(MessageType::Status, body)
    }

    fn list_received(&self, limit: u32) -> Result<Vec<Delivery>, HubError> {
        let limit = limit.to_string();
        let reply: ListReply<ReceivedItem> = json(self.get(path::RECEIVED, &[("limit", &limit)])?)?;
        Ok(reply
            .data
            .into_iter()
            .map(|i| Delivery {
                hub_id: i.doc_id,
                from: i.from,
                messagetype: i.messagetype,
                document_id: i.document_id,
                kind: i.kind,
                size: i.size,
                sha256: Some(i.sha256),
            })
            .collect())
    }

    fn fetch(&self, hub_id: &str, into: &mut dyn Write) -> Result<u64, HubError> {
        let response = self.get(path::FETCH, &[("docId", hub_id)])?;
        if response.status() != 200 {
            return Err(refusal(response));
        }
        let mut reader = response.into_body().into_with_config().limit(MAX_MESSAGE_BYTES).reader();
        io::copy(&mut reader, into).map_err(|e| HubError::Interrupted(format!("tải gói tin {hub_id}: {e}")))
    }

    fn acknowledge(&self, hub_id: &str, refusal: Option<&str>) -> Result<(), HubError> {
        let ack = Acknowledge {
            doc_id: hub_id.to_owned(),
            status: if refusal.is_some() { AckStatus::Fail } else { AckStatus::Done },
            reason: refusal.map(str::to_owned),
        };
        let response = self
            .agent
            .post(self.url(path::ACKNOWLEDGE))
            .header("Authorization", &self.authorization)
            .header("Content-Type", "application/json")
            .send(serde_json::to_vec(&ack).map_err(|e| HubError::Protocol(e.to_string()))?)
            .map_err(|e| transport(e, false))?;
        let _: Reply = json(response)?;
        Ok(())
    }

    fn sent(&self, document_id: &str) -> Result<Vec<SentMessage>, HubError> {
        let reply: ListReply<SentItem> = json(self.get(path::SENT, &[("documentId", document_id)])?)?;
        Ok(reply
            .data
            .into_iter()
            .map(|i| SentMessage { hub_id: i.doc_id, kind: i.kind, recipients: i.recipients })
            .collect())
    }

    fn directory(&self) -> Result<Vec<Agency>, HubError> {
        let reply: ListReply<Agency> = json(self.get(path::AGENCIES, &[])?)?;
        Ok(reply.data)
    }
}

/// Reads a JSON reply, or the hub's refusal.
fn json<T: serde::de::DeserializeOwned>(response: Response<Body>) -> Result<T, HubError> {
    if response.status() != 200 {
        return Err(refusal(response));
    }
    let bytes =
        response.into_body().with_config().limit(MAX_REPLY_BYTES).read_to_vec().map_err(|e| transport(e, true))?;
    serde_json::from_slice(&bytes).map_err(|e| HubError::Protocol(e.to_string()))
}

/// The hub's refusal: its `ErrorCode` and `ErrorDesc` when it sent them, else the HTTP status.
fn refusal(response: Response<Body>) -> HubError {
    let status = response.status().as_u16();
    let bytes = response.into_body().with_config().limit(MAX_REPLY_BYTES).read_to_vec().unwrap_or_default();
    let reply: Option<Reply> = serde_json::from_slice(&bytes).ok();
    let (code, message) = match reply {
        Some(r) => (r.error_code, r.error_desc),
        None => (status.to_string(), format!("mã HTTP {status}")),
    };
    if status == 401 || code == error_code::AUTH {
        return HubError::Auth(message);
    }
    // What the same request will always meet: a malformed or invalid message, a forbidden sender,
    // an unknown recipient, a size limit, a message that is not there.
    let permanent = matches!(status, 400 | 403 | 404 | 409 | 413 | 422)
        || [
            error_code::MALFORMED,
            error_code::INVALID,
            error_code::FORBIDDEN,
            error_code::UNKNOWN_RECIPIENT,
            error_code::LIMIT,
            error_code::NOT_FOUND,
        ]
        .contains(&code.as_str());
    HubError::Refused { code, message, permanent }
}

/// Sorts a transport failure: could the request have reached the hub? `sending`: the request had a
/// body that may have been taken.
fn transport(e: ureq::Error, sending: bool) -> HubError {
    let nothing_sent = match &e {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::BadUri(_) | ureq::Error::Tls(_) => {
            true
        }
        ureq::Error::Timeout(t) => matches!(t, Timeout::Resolve | Timeout::Connect),
        // InvalidData: TLS refused the hub's certificate or the handshake, before any request.
        ureq::Error::Io(io) => matches!(
            io.kind(),
            io::ErrorKind::ConnectionRefused
                | io::ErrorKind::AddrNotAvailable
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::HostUnreachable
                | io::ErrorKind::InvalidData
        ),
        _ => false,
    };
    if nothing_sent || !sending { HubError::Unreachable(e.to_string()) } else { HubError::Interrupted(e.to_string()) }
}
