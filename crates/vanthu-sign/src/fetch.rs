//! Fetching over HTTP what verification needs while the link is up: CRLs from their distribution
//! points. Bounded in time and size; offline is an ordinary error the caller retries later.

use std::time::Duration;

use crate::{Result, SignError};

/// How long one fetch may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// The largest CRL accepted (national CAs' CRLs are a few MiB at most).
const MAX_BYTES: u64 = 64 << 20;

/// GET `url` and return its body.
pub fn fetch(url: &str) -> Result<Vec<u8>> {
    let failed = |reason: String| SignError::Fetch { url: url.to_string(), reason };
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(TIMEOUT)).http_status_as_error(false).build().into();
    let mut response = agent.get(url).call().map_err(|error| failed(format!("không kết nối được ({error})")))?;
    if response.status() != 200 {
        return Err(failed(format!("máy chủ trả lời mã {}", response.status())));
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(|error| failed(format!("đọc dữ liệu lỗi ({error})")))
}
