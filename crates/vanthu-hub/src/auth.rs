//! Who is calling: HTTP Basic credentials (user = OrganId, password = the organisation's secret),
//! checked against the argon2id hash in the store.
//!
//! Secrets never touch the disk in clear: `org add` stores the PHC string of an argon2id hash.
//! Verifying one costs tens of milliseconds of CPU, too much for every request of a station that
//! sends thousands of packages, so a successful verification is remembered in memory for a few
//! minutes, keyed by the OrganId, a SHA-256 of the presented secret **and the stored hash**: the
//! hash is read from the store on every request, so a secret changed by another hub process (or
//! an organisation removed) takes effect at once — the cache can never answer differently from
//! the store. Failed attempts are never cached and cost a full verification, also for an unknown
//! OrganId (against a dummy hash), so that timing does not tell which OrganIds exist.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use base64::Engine as _;
use rand::RngCore as _;
use sha2::Digest as _;

use crate::error::{HubError, StoreError};
use crate::store::Store;

/// How long a successful verification is remembered.
const CACHE_TTL: Duration = Duration::from_secs(300);
/// At most this many remembered verifications (the cache is emptied beyond).
const CACHE_CAPACITY: usize = 10_000;
/// Shortest accepted secret, in characters.
pub const MIN_SECRET_CHARS: usize = 8;
/// Longest accepted secret, in characters.
pub const MAX_SECRET_CHARS: usize = 256;

/// Credentials presented with a request.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The claimed OrganId.
    pub organ_id: String,
    /// The secret, in clear (held only for the request's verification).
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("organ_id", &self.organ_id).finish_non_exhaustive()
    }
}

/// Reads an `Authorization: Basic …` header value, if it is one.
pub fn parse_basic(value: &[u8]) -> Option<Credentials> {
    let value = std::str::from_utf8(value).ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (organ_id, secret) = text.split_once(':')?;
    Some(Credentials { organ_id: organ_id.to_owned(), secret: secret.to_owned() })
}

/// Checks a secret offered to `org add` / `org secret`: 8 to 256 characters, no control
/// characters (it travels in an HTTP header).
pub fn check_secret(secret: &str) -> Result<(), HubError> {
    let chars = secret.chars().count();
    if chars < MIN_SECRET_CHARS {
        return Err(HubError::Secret(format!("Mật khẩu phải có ít nhất {MIN_SECRET_CHARS} ký tự")));
    }
    if chars > MAX_SECRET_CHARS {
        return Err(HubError::Secret(format!("Mật khẩu dài quá {MAX_SECRET_CHARS} ký tự")));
    }
    if secret.chars().any(char::is_control) {
        return Err(HubError::Secret("Mật khẩu không được chứa ký tự điều khiển".into()));
    }
    Ok(())
}

/// A new random secret: 24 bytes of the thread's CSPRNG (seeded by the operating system), as
/// 48 hexadecimal digits.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The argon2id hash of a secret, as a PHC string (argon2's default parameters, random salt).
pub fn hash_secret(secret: &str) -> Result<String, HubError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| HubError::Secret(format!("Không tạo được muối: {e}")))?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HubError::Secret(format!("Không băm được mật khẩu: {e}")))
}

/// Whether `secret` matches the PHC string `hash` (a malformed hash matches nothing).
fn verify_hash(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
}

/// A hash of a random secret, verified against when the OrganId is unknown.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_secret(&generate_secret()).unwrap_or_default())
}

type CacheKey = (String, [u8; 32]);

/// Verifies credentials against the store, remembering successes briefly (see the module doc).
#[derive(Default)]
pub struct Verifier {
    cache: Mutex<HashMap<CacheKey, (String, Instant)>>,
}

impl Verifier {
    /// Whether the credentials are those of an organisation of the directory.
    pub async fn verify(&self, store: &Store, credentials: &Credentials) -> Result<bool, StoreError> {
        let stored = store.secret_hash(&credentials.organ_id).await?;
        let key: CacheKey = (credentials.organ_id.clone(), sha2::Sha256::digest(credentials.secret.as_bytes()).into());
        if let Some(hash) = &stored {
            let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((cached_hash, at)) = cache.get(&key)
                && cached_hash == hash
                && at.elapsed() < CACHE_TTL
            {
                return Ok(true);
            }
        }
        let secret = credentials.secret.clone();
        let hash = stored.clone();
        let ok = tokio::task::spawn_blocking(move || match &hash {
            Some(hash) => verify_hash(&secret, hash),
            None => {
                verify_hash(&secret, dummy_hash());
                false
            }
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?;
        if let (true, Some(hash)) = (ok, stored) {
            let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if cache.len() >= CACHE_CAPACITY {
                cache.clear();
            }
            cache.insert(key, (hash, Instant::now()));
        }
        Ok(ok)
    }
}
