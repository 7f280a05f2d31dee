//! Request bodies read in bounded memory and time, and left-over bodies drained so that a client
//! still sending gets the refusal instead of a reset connection.

use std::time::Duration;

use http_body_util::BodyExt as _;
use hyper::body::{Body as _, Incoming};

/// How long the hub waits for the next piece of a body.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How much of a refused body is read and thrown away, at most, before replying; beyond it the
/// connection is closed after the reply.
const DRAIN_CAP: u64 = 16 << 20;
/// The largest buffer reserved in advance from a `Content-Length`.
const MAX_RESERVE: u64 = 16 << 20;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Longer than the limit.
    TooLarge,
    /// The client stopped sending for [`IDLE_TIMEOUT`].
    Timeout,
    /// The connection failed mid-body.
    Broken(String),
}

/// Reads the whole body, refusing it as soon as it is known to exceed `limit` bytes (from its
/// declared length or as it arrives).
pub(crate) async fn read_bounded(body: &mut Incoming, limit: u64) -> Result<Vec<u8>, BodyError> {
    let declared = body.size_hint().exact();
    if declared.is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge);
    }
    let reserve = declared.unwrap_or(0).min(MAX_RESERVE);
    let mut bytes = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
    loop {
        let frame = match tokio::time::timeout(IDLE_TIMEOUT, body.frame()).await {
            Err(_) => return Err(BodyError::Timeout),
            Ok(None) => return Ok(bytes),
            Ok(Some(Err(e))) => return Err(BodyError::Broken(e.to_string())),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            if (bytes.len() + data.len()) as u64 > limit {
                return Err(BodyError::TooLarge);
            }
            bytes.extend_from_slice(&data);
        }
    }
}

/// Reads and discards what is left of a body, up to [`DRAIN_CAP`] bytes. Returns whether the
/// body was read to its end (if not, the connection must be closed after the reply).
pub(crate) async fn drain(body: &mut Incoming) -> bool {
    if body.is_end_stream() {
        return true;
    }
    if body.size_hint().lower() > DRAIN_CAP {
        return false;
    }
    let mut drained = 0u64;
    loop {
        match tokio::time::timeout(Duration::from_secs(10), body.frame()).await {
            Ok(None) => return true,
            Ok(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    drained += data.len() as u64;
                    if drained > DRAIN_CAP {
                        return false;
                    }
                }
            }
            Ok(Some(Err(_))) | Err(_) => return false,
        }
    }
}
