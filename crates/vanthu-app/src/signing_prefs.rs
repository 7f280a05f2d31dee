//! Which token and key the organisation signs with, remembered for the signing dialog: the PKCS#11
//! library, the token's and the key's labels, the timestamp authority. **Never the PIN.**
//!
//! They are kept in the desktop's Secret Service ([`crate::credentials`], scoped by the
//! organisation's id). A machine without one (no session bus, no keyring daemon: a kiosk session, a
//! test run) keeps them in the register instead, as the setting `signing.token` (audited like every
//! setting): none of them is a secret. Reading prefers the Secret Service and falls back to the
//! register; [`TokenPlace`] says where they came from or went.

use serde::Serialize;

use crate::credentials::{Credentials, TokenPreferences};
use crate::error::{ApiError, ErrorCode};
use crate::{ApiResult, Desk};
use vanthu_core::access::Permission;

/// The register setting that holds the preferences when there is no Secret Service.
const TOKEN_SETTING: &str = "signing.token";

/// Where the token preferences are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPlace {
    /// The desktop's Secret Service (GNOME Keyring, KWallet…).
    Keyring,
    /// The register (setting `signing.token`): this machine has no Secret Service.
    Register,
}

impl Desk {
    /// The stored credentials of this register: scoped by the organisation's id (or, before setup,
    /// by a hash of the register's path).
    pub(crate) fn credentials(&self) -> ApiResult<Credentials> {
        let scope = match self.organisation()? {
            Some(organisation) => organisation.org_id,
            None => {
                use sha2::Digest;
                let digest = sha2::Sha256::digest(self.db_path().display().to_string().as_bytes());
                digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
            }
        };
        Ok(Credentials::new(&scope))
    }

    /// The token preferences and where they were found, or `None` if none were saved.
    pub fn token_preferences(&self) -> ApiResult<Option<(TokenPreferences, TokenPlace)>> {
        self.authorise_passive(Permission::ManageTrust)?;
        match self.credentials()?.token_preferences() {
            Ok(Some(preferences)) => return Ok(Some((preferences, TokenPlace::Keyring))),
            Ok(None) => {}
            Err(error) if error.code == ErrorCode::KeyringUnavailable => {}
            Err(error) => return Err(error),
        }
        let Some(value) = self.store.read(|c| vanthu_store::accounts::setting(c, TOKEN_SETTING))? else {
            return Ok(None);
        };
        let preferences: TokenPreferences = serde_json::from_value(value).map_err(|e| {
            ApiError::new(ErrorCode::Internal, format!("Thiết lập token ký số trong sổ không đọc được: {e}."))
        })?;
        Ok(Some((preferences, TokenPlace::Register)))
    }

    /// Save the token preferences (clerks, who hold the token, and administrators): in the Secret
    /// Service, or in the register when this machine has none.
    pub fn set_token_preferences(&self, preferences: &TokenPreferences) -> ApiResult<TokenPlace> {
        let actor = self.authorise(Permission::ManageTrust)?;
        let cleaned = TokenPreferences {
            module: preferences.module.trim().to_owned(),
            token_label: preferences.token_label.trim().to_owned(),
            key_label: preferences.key_label.as_deref().map(str::trim).filter(|k| !k.is_empty()).map(str::to_owned),
            tsa_url: preferences.tsa_url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned),
        };
        if cleaned.module.is_empty() {
            return Err(ApiError::invalid("Chưa chọn thư viện PKCS#11 (trình điều khiển) của token."));
        }
        if cleaned.token_label.is_empty() {
            return Err(ApiError::invalid("Chưa nhập nhãn của token."));
        }
        if let Some(url) = &cleaned.tsa_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ApiError::invalid("Địa chỉ máy chủ dấu thời gian phải bắt đầu bằng http:// hoặc https://."));
        }
        match self.credentials()?.set_token_preferences(&cleaned) {
            Ok(()) => Ok(TokenPlace::Keyring),
            Err(error) if error.code == ErrorCode::KeyringUnavailable => {
                let value = serde_json::to_value(&cleaned)
                    .map_err(|e| ApiError::new(ErrorCode::Internal, format!("Không ghi được thiết lập: {e}.")))?;
                let now = self.now();
                self.store
                    .write(|tx| vanthu_store::accounts::put_setting(tx, TOKEN_SETTING, &value, now, &actor.name))?;
                Ok(TokenPlace::Register)
            }
            Err(error) => Err(error),
        }
    }
}
