//! Stored credentials: the token preferences and the hub account, in the desktop's Secret Service.
//!
//! One [`Credentials`] per register (its *scope*: the organisation's id, or a hash of the register's
//! path), so that two registers on one machine never read each other's settings. Each value is one
//! item of the Secret Service (GNOME Keyring, KWallet…) with the attributes `service = vanthu` and
//! `username = <scope>/token` or `<scope>/hub`, holding JSON; `secret-tool search service vanthu` lists
//! them.
//!
//! **The token's PIN is never stored**, here or anywhere: there is no API for it. It is asked for at each
//! signing and kept only in memory for that signing.
//!
//! The store is keyring-core's default store, connected on first use (once per process; a failed
//! connection is tried again at the next call, a connection that fails later is dropped and made anew).
//! Every call runs on a thread of its own and is bounded ([`Credentials::with_timeout`], 25 s by
//! default, D-Bus's own default): a missing session bus, a daemon that does not answer, a locked
//! collection whose unlock prompt cannot be shown all end as [`ErrorCode::KeyringUnavailable`], never a
//! panic or a hang.

use std::collections::HashMap;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{ApiError, ErrorCode};

/// The `service` attribute of every item Vanthu stores.
pub const SERVICE: &str = "vanthu";

/// How long one call may wait for the Secret Service by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(25);

/// How the signing token is found, remembered per register. Never the PIN.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPreferences {
    /// The token's PKCS#11 library (e.g. `/usr/lib/softhsm/libsofthsm2.so`, or the vendor's driver).
    pub module: String,
    /// The token's label (the slot number changes when tokens are plugged in another order).
    pub token_label: String,
    /// The label of the signing key on the token, when it holds more than one.
    #[serde(default)]
    pub key_label: Option<String>,
    /// The time-stamping authority (RFC 3161) to ask at each signing.
    #[serde(default)]
    pub tsa_url: Option<String>,
}

/// The account on the exchange hub (trục liên thông) that sends and receives documents.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubCredentials {
    /// The hub's address.
    pub url: String,
    /// Our organisation's id on the hub (mã định danh).
    pub organ_id: String,
    /// The account's user name.
    pub user: String,
    /// The account's password or key. Never printed ([`std::fmt::Debug`] hides it).
    pub secret: String,
    /// A PEM file of the CA the hub's TLS certificate chains to, when it is not a public one (a
    /// province's own CA); `None`: the public roots.
    #[serde(default)]
    pub ca_file: Option<String>,
}

impl std::fmt::Debug for HubCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubCredentials")
            .field("url", &self.url)
            .field("organ_id", &self.organ_id)
            .field("user", &self.user)
            .field("secret", &"<hidden>")
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// The stored credentials of one register. The token's PIN is never stored: there is no API for it.
#[derive(Clone, Debug)]
pub struct Credentials {
    scope: String,
    timeout: Duration,
}

/// What one stored value is: the suffix of its `username` and its label in the keyring's UI.
#[derive(Clone, Copy)]
enum Part {
    Token,
    Hub,
}

impl Part {
    fn suffix(self) -> &'static str {
        match self {
            Part::Token => "token",
            Part::Hub => "hub",
        }
    }

    fn label(self, scope: &str) -> String {
        match self {
            Part::Token => format!("Vanthu: token ký số ({scope})"),
            Part::Hub => format!("Vanthu: tài khoản trục liên thông ({scope})"),
        }
    }
}

impl Credentials {
    /// The credentials of the register identified by `scope` (the organisation's id, or a hash of the
    /// register's path: anything stable and distinct per register), in the Secret Service.
    pub fn new(scope: &str) -> Credentials {
        Credentials { scope: scope.trim().to_owned(), timeout: DEFAULT_TIMEOUT }
    }

    /// The same credentials with another bound on each call's wait for the Secret Service.
    pub fn with_timeout(mut self, timeout: Duration) -> Credentials {
        self.timeout = timeout;
        self
    }

    /// The scope given to [`Credentials::new`].
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The token preferences, or `None` if none were saved.
    pub fn token_preferences(&self) -> Result<Option<TokenPreferences>, ApiError> {
        self.read(Part::Token)
    }

    /// Saves the token preferences, replacing earlier ones.
    pub fn set_token_preferences(&self, p: &TokenPreferences) -> Result<(), ApiError> {
        if p.module.trim().is_empty() {
            return Err(ApiError::invalid("Chưa chọn thư viện PKCS#11 (trình điều khiển) của token."));
        }
        if p.token_label.trim().is_empty() {
            return Err(ApiError::invalid("Chưa nhập nhãn của token."));
        }
        self.write(Part::Token, p)
    }

    /// The hub account, or `None` if none was saved.
    pub fn hub_credentials(&self) -> Result<Option<HubCredentials>, ApiError> {
        self.read(Part::Hub)
    }

    /// Saves the hub account, replacing an earlier one.
    pub fn set_hub_credentials(&self, c: &HubCredentials) -> Result<(), ApiError> {
        for (value, what) in
            [(&c.url, "địa chỉ trục liên thông"), (&c.organ_id, "mã định danh"), (&c.user, "tên tài khoản")]
        {
            if value.trim().is_empty() {
                return Err(ApiError::invalid(format!("Chưa nhập {what}.")));
            }
        }
        self.write(Part::Hub, c)
    }

    /// Removes everything stored for this register (nothing to remove is not an error).
    pub fn forget_all(&self) -> Result<(), ApiError> {
        for part in [Part::Token, Part::Hub] {
            let (user, label) = (self.user(part), part.label(&self.scope));
            self.bounded(move || {
                let entry = entry(&user, &label)?;
                match entry.delete_credential() {
                    Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
                    Err(KeyringError::Ambiguous(all)) => delete_each(all),
                    Err(e) => Err(keyring_error(e)),
                }
            })?;
        }
        Ok(())
    }

    fn user(&self, part: Part) -> String {
        format!("{}/{}", self.scope, part.suffix())
    }

    fn read<T: DeserializeOwned>(&self, part: Part) -> Result<Option<T>, ApiError> {
        let (user, label) = (self.user(part), part.label(&self.scope));
        let text = self.bounded(move || {
            let entry = entry(&user, &label)?;
            match entry.get_password() {
                Ok(text) => Ok(Some(text)),
                Err(KeyringError::NoEntry) => Ok(None),
                Err(KeyringError::Ambiguous(_)) => Err(ApiError::new(
                    ErrorCode::Internal,
                    "Kho mật khẩu có nhiều mục trùng nhau cho cùng một thiết lập của Vanthu: hãy lưu lại thiết lập.",
                )),
                Err(e) => Err(keyring_error(e)),
            }
        })?;
        let Some(text) = text else { return Ok(None) };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                "Thiết lập lưu trong kho mật khẩu không đọc được (có thể do ứng dụng khác ghi): hãy nhập và lưu lại.",
            )
            .with_details(serde_json::json!({ "cause": e.to_string() }))
        })
    }

    fn write<T: Serialize>(&self, part: Part, value: &T) -> Result<(), ApiError> {
        let json = serde_json::to_string(value)
            .map_err(|e| ApiError::new(ErrorCode::Internal, format!("Không ghi được thiết lập: {e}.")))?;
        let (user, label) = (self.user(part), part.label(&self.scope));
        self.bounded(move || {
            let entry = entry(&user, &label)?;
            match entry.set_password(&json) {
                Ok(()) => Ok(()),
                // Items left by another program under the same name: replace them all with ours.
                Err(KeyringError::Ambiguous(all)) => {
                    delete_each(all)?;
                    entry.set_password(&json).map_err(keyring_error)
                }
                Err(e) => Err(keyring_error(e)),
            }
        })
    }

    /// Runs `work` (connecting first if needed) on a thread of its own and waits for it at most
    /// `self.timeout`. A thread that is still blocked after that is left behind, which is all one can do
    /// with a blocking D-Bus call; it ends when the bus or the daemon answers or goes away.
    fn bounded<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (tx, rx) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("vanthu-keyring".to_owned())
            .spawn(move || {
                let result = connect().and_then(|()| work());
                // The caller may have stopped waiting: nobody to tell then.
                let _ = tx.send(result);
            })
            .map_err(|e| ApiError::new(ErrorCode::Internal, format!("Không tạo được luồng xử lý: {e}.")))?;
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => Err(unavailable(
                &format!(
                    "dịch vụ không trả lời sau {} giây. Nếu máy đang hỏi mật khẩu mở khóa kho, hãy nhập rồi thử lại",
                    self.timeout.as_secs_f32().ceil()
                ),
                "timed out",
            )),
            Err(RecvTimeoutError::Disconnected) => {
                Err(ApiError::new(ErrorCode::Internal, "Lỗi khi truy cập kho mật khẩu của hệ điều hành."))
            }
        }
    }
}

/// The default store this module set, to drop it (and connect anew) when it fails.
static OURS: Mutex<Option<Arc<CredentialStore>>> = Mutex::new(None);

/// Makes sure keyring-core has a default store: the Secret Service, connected now if none is set.
fn connect() -> Result<(), ApiError> {
    let mut ours = OURS.lock().unwrap_or_else(PoisonError::into_inner);
    if keyring_core::get_default_store().is_some() {
        return Ok(());
    }
    let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new().map_err(|e| {
        unavailable(
            "không kết nối được. Hãy chạy Vanthu trong phiên đăng nhập của màn hình (GNOME, KDE…) có kho mật khẩu",
            &e.to_string(),
        )
    })?;
    keyring_core::set_default_store(Arc::clone(&store));
    *ours = Some(store);
    Ok(())
}

/// Forgets the default store if it is the one this module set: its connection may be broken (the
/// daemon restarted, the session ended), so the next call connects anew.
fn disconnect() {
    let mut ours = OURS.lock().unwrap_or_else(PoisonError::into_inner);
    if let (Some(mine), Some(current)) = (ours.as_ref(), keyring_core::get_default_store())
        && Arc::ptr_eq(mine, &current)
    {
        keyring_core::unset_default_store();
        *ours = None;
    }
}

fn entry(user: &str, label: &str) -> Result<Entry, ApiError> {
    Entry::new_with_modifiers(SERVICE, user, &HashMap::from([("label", label)])).map_err(keyring_error)
}

fn delete_each(entries: Vec<Entry>) -> Result<(), ApiError> {
    for e in entries {
        match e.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => {}
            Err(e) => return Err(keyring_error(e)),
        }
    }
    Ok(())
}

fn unavailable(why: &str, cause: &str) -> ApiError {
    ApiError::new(
        ErrorCode::KeyringUnavailable,
        format!("Không truy cập được kho mật khẩu của hệ điều hành (Secret Service): {why}."),
    )
    .with_details(serde_json::json!({ "cause": cause }))
}

fn keyring_error(e: KeyringError) -> ApiError {
    let cause = e.to_string();
    match e {
        KeyringError::NoStorageAccess(_) => unavailable(
            "kho đang khóa, chưa được tạo hoặc từ chối truy cập. Hãy mở khóa kho mật khẩu (bằng mật khẩu đăng nhập máy) rồi thử lại",
            &cause,
        ),
        KeyringError::PlatformFailure(_) | KeyringError::NoDefaultStore => {
            disconnect();
            unavailable("dịch vụ báo lỗi. Hãy thử lại; nếu vẫn lỗi, đăng xuất rồi đăng nhập lại máy", &cause)
        }
        KeyringError::TooLong(..) | KeyringError::Invalid(..) => {
            ApiError::invalid("Thiết lập quá dài hoặc không hợp lệ để lưu vào kho mật khẩu.")
                .with_details(serde_json::json!({ "cause": cause }))
        }
        _ => ApiError::new(ErrorCode::Internal, "Lỗi khi truy cập kho mật khẩu của hệ điều hành.")
            .with_details(serde_json::json!({ "cause": cause })),
    }
}
