//! RFC 3161 timestamps: a trusted time over a signature (PAdES B-T) or over a whole file (a document
//! timestamp, how a B-B signature made offline is upgraded once the link returns).
//!
//! The request carries the SHA-256 of what is stamped, a random nonce and asks for the TSA's
//! certificate; the answer is checked here for what binds it to *our* request (status granted,
//! the same imprint, the same nonce). Whether the token's own signature and its TSA certificate are
//! trusted is the verifier's business ([`crate::verify`]), the same as for anyone's timestamp.

use std::time::Duration;

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::asn1::{Int, OctetString};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

use crate::{Result, SignError};

/// How long a timestamp authority may take before we sign without it.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// The largest answer we read (a token with its certificates is a few KiB).
const MAX_RESPONSE: u64 = 1 << 20;

/// A timestamp token and the time it proves.
#[derive(Clone, Debug)]
pub struct Timestamp {
    /// The token: a CMS `ContentInfo` (SignedData over a TSTInfo), DER.
    pub token: Vec<u8>,
    /// The time the authority vouches for.
    pub time: OffsetDateTime,
}

/// Ask the authority at `url` for a timestamp over `data` (hashed here with SHA-256).
pub fn timestamp(url: &str, data: &[u8]) -> Result<Timestamp> {
    let failed = |reason: String| SignError::Timestamp { url: url.to_string(), reason };
    let imprint = Sha256::digest(data);
    let nonce: [u8; 8] = rand::random();
    let nonce = Int::new(&[&[0x01][..], &nonce[..]].concat()).map_err(|error| failed(error.to_string()))?;
    let request = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned { oid: const_oid::db::rfc5912::ID_SHA_256, parameters: None },
            hashed_message: OctetString::new(imprint.to_vec()).map_err(|error| failed(error.to_string()))?,
        },
        req_policy: None,
        nonce: Some(nonce.clone()),
        cert_req: true,
        extensions: None,
    };
    let body = request.to_der().map_err(|error| failed(error.to_string()))?;
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(TIMEOUT)).http_status_as_error(false).build().into();
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .send(&body[..])
        .map_err(|error| failed(format!("không kết nối được ({error})")))?;
    if response.status() != 200 {
        return Err(failed(format!("máy chủ trả lời mã {}", response.status())));
    }
    let answer = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE)
        .read_to_vec()
        .map_err(|error| failed(format!("đọc câu trả lời lỗi ({error})")))?;
    accept(&answer, &imprint, &nonce).map_err(failed)
}

/// Check that an answer is a granted token over our imprint with our nonce.
fn accept(answer: &[u8], imprint: &[u8], nonce: &Int) -> std::result::Result<Timestamp, String> {
    let response =
        TimeStampResp::from_der(answer).map_err(|error| format!("câu trả lời không đúng RFC 3161 ({error})"))?;
    // PKIStatus: 0 granted, 1 grantedWithMods; anything else is a refusal.
    let status = response.status.status as u8;
    if status > 1 {
        return Err(format!("máy chủ từ chối cấp dấu thời gian (trạng thái {status})"));
    }
    let token = response.time_stamp_token.ok_or("câu trả lời không có dấu thời gian")?;
    let info = tst_info(&token)?;
    if info.message_imprint.hashed_message.as_bytes() != imprint {
        return Err("dấu thời gian không khớp với dữ liệu đã gửi".into());
    }
    if info.nonce.as_ref() != Some(nonce) {
        return Err("dấu thời gian không khớp số ngẫu nhiên (nonce) của yêu cầu".into());
    }
    let time = OffsetDateTime::from_unix_timestamp(info.gen_time.to_unix_duration().as_secs() as i64)
        .map_err(|error| error.to_string())?;
    let token = token.to_der().map_err(|error| error.to_string())?;
    Ok(Timestamp { token, time })
}

/// The TSTInfo inside a timestamp token.
pub fn tst_info(token: &ContentInfo) -> std::result::Result<TstInfo, String> {
    let signed: SignedData = token.content.decode_as().map_err(|error| format!("dấu thời gian hỏng ({error})"))?;
    let content = signed.encap_content_info.econtent.ok_or("dấu thời gian không có nội dung TSTInfo")?;
    let octets = OctetString::from_der(&content.to_der().map_err(|error| error.to_string())?)
        .map_err(|error| format!("TSTInfo hỏng ({error})"))?;
    TstInfo::from_der(octets.as_bytes()).map_err(|error| format!("TSTInfo hỏng ({error})"))
}
