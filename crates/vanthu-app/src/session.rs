//! Accounts and the signed-in session: sign-in with lockout, idle sign-out, password changes, and the
//! check every use case runs first ([`Desk::authorise`]).
//!
//! A register without any account (one created before accounts existed, or by `vanthu init` without
//! an administrator) runs in *open* mode: the acting name comes from the system user and every
//! permission is granted, as before. Creating the first administrator closes it for good: from then on
//! every use case needs a signed-in account whose role allows it (ADR 0003).
//!
//! Passwords are hashed with argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes) and never
//! logged, stored in clear or written to the audit log.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use vanthu_core::access::{Permission, Role, SecurityPolicy, check_password, check_username};
use vanthu_core::text::clean;
use vanthu_store::accounts::{self, Account, AccountChange, NewAccount};

use crate::{ApiError, ApiResult, Desk, ErrorCode, settings};

/// Who is acting in a use case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// Recorded in the audit log: the user name, or the system user in open mode.
    pub name: String,
    /// The account, unless the register is in open mode.
    pub account: Option<Account>,
}

impl Actor {
    /// The role, `None` in open mode (everything allowed).
    pub fn role(&self) -> Option<Role> {
        self.account.as_ref().map(|a| a.role)
    }
}

/// The signed-in session as the UI sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The account.
    pub account: Account,
    /// Minutes of inactivity after which the session ends.
    pub idle_minutes: u32,
}

/// A colleague, as the assignment form lists them (no security details).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Account id (for [`vanthu_store::handling::HandlerRef::Account`]).
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Họ và tên.
    pub full_name: String,
    /// Chức vụ.
    pub position: Option<String>,
    /// Role.
    pub role: Role,
    /// Unit.
    pub unit_id: Option<i64>,
}

/// A new account typed by an administrator (or the first administrator at setup).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccountInput {
    /// Sign-in name.
    pub username: String,
    /// Họ và tên.
    pub full_name: String,
    /// Chức vụ.
    pub position: Option<String>,
    /// Role.
    pub role: Option<Role>,
    /// Unit.
    pub unit_id: Option<i64>,
    /// Initial password (the user changes it at first sign-in, unless it is the first administrator).
    pub password: String,
}

/// A new account's fields, checked and in stored form, with the password already hashed.
pub(crate) struct CheckedAccount {
    username: String,
    full_name: String,
    position: Option<String>,
    password_hash: String,
}

impl CheckedAccount {
    /// Checks the user name, the name and the password policy, and hashes the password.
    pub(crate) fn from_input(input: &NewAccountInput) -> ApiResult<CheckedAccount> {
        let username = check_username(&input.username).map_err(ApiError::invalid)?;
        let full_name = clean(&input.full_name);
        if full_name.is_empty() {
            return Err(ApiError::invalid("Thiếu họ và tên."));
        }
        check_password(&username, &input.password).map_err(ApiError::invalid)?;
        Ok(CheckedAccount {
            password_hash: hash_password(&input.password)?,
            position: input.position.as_deref().map(clean).filter(|p| !p.is_empty()),
            username,
            full_name,
        })
    }

    /// The account to write.
    pub(crate) fn new_account(&self, role: Role, unit_id: Option<i64>, must_change_password: bool) -> NewAccount<'_> {
        NewAccount {
            username: &self.username,
            full_name: &self.full_name,
            position: self.position.as_deref(),
            role,
            unit_id,
            password_hash: &self.password_hash,
            must_change_password,
        }
    }

    /// The user name (lower case).
    pub(crate) fn username(&self) -> &str {
        &self.username
    }
}

#[derive(Debug)]
pub(crate) struct ActiveSession {
    account_id: i64,
    last_activity: OffsetDateTime,
}

pub(crate) fn hash_password(password: &str) -> ApiResult<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
        .to_string())
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

fn bad_credentials() -> ApiError {
    ApiError::new(ErrorCode::BadCredentials, "Tên đăng nhập hoặc mật khẩu không đúng.")
}

fn locked(until: &str) -> ApiError {
    let shown = until.get(11..16).unwrap_or(until);
    ApiError::new(
        ErrorCode::Locked,
        format!(
            "Tài khoản tạm khóa đến {shown} do nhập sai mật khẩu nhiều lần. Hãy thử lại sau, hoặc nhờ quản trị viên mở khóa."
        ),
    )
}

impl Desk {
    /// Whether the register has accounts (closed mode) or not (open mode).
    pub fn has_accounts(&self) -> ApiResult<bool> {
        Ok(self.store.read(accounts::account_count)? > 0)
    }

    /// The check every use case runs first: who acts, and may they do `p`? Touches the session.
    pub fn authorise(&self, p: Permission) -> ApiResult<Actor> {
        self.authorise_as(p, true)
    }

    /// Like [`Desk::authorise`] for reads the window makes on its own (the home screen's minute poll,
    /// the status bar): they do not count as activity, so the idle sign-out still happens.
    pub(crate) fn authorise_passive(&self, p: Permission) -> ApiResult<Actor> {
        self.authorise_as(p, false)
    }

    fn authorise_as(&self, p: Permission, touch: bool) -> ApiResult<Actor> {
        let actor = self.current_actor(touch)?;
        if let Some(role) = actor.role()
            && !role.allows(p)
        {
            return Err(ApiError::new(ErrorCode::Forbidden, p.refusal()));
        }
        Ok(actor)
    }

    /// The acting user, with the idle and password-change rules applied (no permission check).
    fn current_actor(&self, touch: bool) -> ApiResult<Actor> {
        if !self.has_accounts()? {
            return Ok(Actor { name: self.os_actor.clone(), account: None });
        }
        let account = self.session_account(touch)?;
        if account.must_change_password {
            return Err(ApiError::new(
                ErrorCode::PasswordChangeRequired,
                "Bạn phải đổi mật khẩu trước khi làm việc tiếp.",
            ));
        }
        Ok(Actor { name: account.username.clone(), account: Some(account) })
    }

    /// The signed-in account (fresh from the register), ending the session when it was idle too long
    /// or the account was disabled.
    fn session_account(&self, touch: bool) -> ApiResult<Account> {
        let now = self.now();
        let policy = settings::security(self)?;
        let mut guard = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(session) = guard.as_mut() else {
            return Err(ApiError::new(ErrorCode::NotSignedIn, "Hãy đăng nhập để tiếp tục."));
        };
        let account = self.store.read(|c| accounts::account(c, session.account_id))?;
        let Some(account) = account.filter(|a| a.active) else {
            *guard = None;
            return Err(ApiError::new(ErrorCode::NotSignedIn, "Tài khoản đã bị khóa hoặc xóa; hãy đăng nhập lại."));
        };
        if now - session.last_activity > Duration::minutes(i64::from(policy.idle_minutes)) {
            *guard = None;
            drop(guard);
            self.store.write(|tx| accounts::record_sign_out(tx, &account.username, true, now))?;
            return Err(ApiError::new(
                ErrorCode::SessionExpired,
                format!(
                    "Phiên làm việc đã kết thúc sau {} phút không thao tác; hãy đăng nhập lại.",
                    policy.idle_minutes
                ),
            ));
        }
        if touch {
            session.last_activity = now;
        }
        Ok(account)
    }

    /// Signs in, or says why not: a wrong name or password (the same message for both), a locked or
    /// disabled account. Repeated failures lock the account for a while (the security policy).
    pub fn sign_in(&self, username: &str, password: &str) -> ApiResult<SessionInfo> {
        let now = self.now();
        let policy = settings::security(self)?;
        let username = username.trim().to_ascii_lowercase();
        let Some(creds) = self.store.read(|c| accounts::credentials(c, &username))? else {
            // Spend the same time as a real check, so that timing does not tell which names exist.
            let _ = verify_password(password, dummy_hash());
            return Err(bad_credentials());
        };
        let account = creds.account;
        if !account.active {
            return Err(ApiError::new(ErrorCode::Locked, "Tài khoản đã bị vô hiệu hóa; hãy liên hệ quản trị viên."));
        }
        if let Some(until) = &account.locked_until
            && until.as_str() > crate::rfc3339(now).as_str()
        {
            return Err(locked(until));
        }
        if !verify_password(password, &creds.password_hash) {
            let failed = account.failed_attempts + 1;
            let lock_until = (failed >= policy.max_failed_attempts)
                .then(|| now + Duration::minutes(i64::from(policy.lockout_minutes)));
            let (failed, lock) = if lock_until.is_some() { (0, lock_until) } else { (failed, None) };
            self.store.write(|tx| accounts::record_failed_sign_in(tx, account.id, failed, lock, now))?;
            if let Some(until) = lock {
                return Err(locked(&crate::rfc3339(until)));
            }
            let left = policy.max_failed_attempts - account.failed_attempts - 1;
            return Err(ApiError::new(
                ErrorCode::BadCredentials,
                format!("Tên đăng nhập hoặc mật khẩu không đúng. Còn {left} lần thử trước khi tài khoản bị tạm khóa."),
            ));
        }
        self.store.write(|tx| accounts::record_sign_in(tx, account.id, now))?;
        let account = self.store.read(|c| accounts::account(c, account.id))?.ok_or_else(bad_credentials)?;
        *self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(ActiveSession { account_id: account.id, last_activity: now });
        Ok(SessionInfo { account, idle_minutes: policy.idle_minutes })
    }

    /// Signs out (a no-op when nobody is signed in).
    pub fn sign_out(&self) -> ApiResult<()> {
        let session = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(s) = session
            && let Some(account) = self.store.read(|c| accounts::account(c, s.account_id))?
        {
            let now = self.now();
            self.store.write(|tx| accounts::record_sign_out(tx, &account.username, false, now))?;
        }
        Ok(())
    }

    /// The signed-in session, if any and not idle too long (does not count as activity).
    pub fn session_info(&self) -> ApiResult<Option<SessionInfo>> {
        if self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_none() {
            return Ok(None);
        }
        match self.session_account(false) {
            Ok(account) => Ok(Some(SessionInfo { account, idle_minutes: settings::security(self)?.idle_minutes })),
            Err(e) if matches!(e.code, ErrorCode::NotSignedIn) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Changes the signed-in user's own password (allowed, and required, when it must be changed).
    pub fn change_password(&self, old: &str, new: &str) -> ApiResult<()> {
        let account = self.session_account(true)?;
        let creds = self.store.read(|c| accounts::credentials(c, &account.username))?.ok_or_else(bad_credentials)?;
        if !verify_password(old, &creds.password_hash) {
            return Err(ApiError::new(ErrorCode::BadCredentials, "Mật khẩu hiện tại không đúng."));
        }
        if old == new {
            return Err(ApiError::invalid("Mật khẩu mới phải khác mật khẩu cũ."));
        }
        check_password(&account.username, new).map_err(ApiError::invalid)?;
        let hash = hash_password(new)?;
        let now = self.now();
        self.store.write(|tx| accounts::set_password(tx, account.id, &hash, false, now, &account.username))?;
        Ok(())
    }

    /// Creates an account (administrators; or the first administrator of a register without any).
    pub fn create_account(&self, input: &NewAccountInput) -> ApiResult<Account> {
        let bootstrap = !self.has_accounts()?;
        let actor = if bootstrap {
            if input.role != Some(Role::Admin) {
                return Err(ApiError::invalid("Tài khoản đầu tiên phải là tài khoản quản trị."));
            }
            self.os_actor.clone()
        } else {
            self.authorise(Permission::ManageUsers)?.name
        };
        let role = input.role.ok_or_else(|| ApiError::invalid("Chưa chọn vai trò."))?;
        let checked = CheckedAccount::from_input(input)?;
        let now = self.now();
        Ok(self.store.write(|tx| {
            accounts::create_account(tx, &checked.new_account(role, input.unit_id, !bootstrap), now, &actor)
        })?)
    }

    /// The active colleagues who can be given a document to handle (anyone signed in may list them).
    pub fn people(&self) -> ApiResult<Vec<Person>> {
        self.authorise(Permission::ReadRegister)?;
        Ok(self
            .store
            .read(accounts::list_accounts)?
            .into_iter()
            .filter(|a| a.active && a.role != Role::Admin)
            .map(|a| Person {
                id: a.id,
                username: a.username,
                full_name: a.full_name,
                position: a.position,
                role: a.role,
                unit_id: a.unit_id,
            })
            .collect())
    }

    /// Every account (administrators).
    pub fn accounts(&self) -> ApiResult<Vec<Account>> {
        self.authorise(Permission::ManageUsers)?;
        Ok(self.store.read(accounts::list_accounts)?)
    }

    /// Changes an account's name, role, unit or status (administrators). An administrator cannot take
    /// away their own administration rights (the register would be left without one).
    pub fn update_account(&self, id: i64, change: &AccountChange) -> ApiResult<Account> {
        let actor = self.authorise(Permission::ManageUsers)?;
        if actor.account.as_ref().is_some_and(|a| a.id == id) && (change.role != Role::Admin || !change.active) {
            return Err(ApiError::invalid("Không thể tự bỏ quyền quản trị hoặc tự khóa tài khoản của mình."));
        }
        let change = AccountChange {
            full_name: clean(&change.full_name),
            position: change.position.as_deref().map(clean).filter(|p| !p.is_empty()),
            ..change.clone()
        };
        if change.full_name.is_empty() {
            return Err(ApiError::invalid("Thiếu họ và tên."));
        }
        let now = self.now();
        Ok(self.store.write(|tx| accounts::update_account(tx, id, &change, now, &actor.name))?)
    }

    /// Sets a temporary password (administrators): unlocks the account, and the user must change it
    /// at the next sign-in.
    pub fn reset_password(&self, id: i64, temporary: &str) -> ApiResult<()> {
        let actor = self.authorise(Permission::ManageUsers)?;
        let account = self
            .store
            .read(|c| accounts::account(c, id))?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Không có tài khoản này."))?;
        check_password(&account.username, temporary).map_err(ApiError::invalid)?;
        let hash = hash_password(temporary)?;
        let now = self.now();
        self.store.write(|tx| accounts::set_password(tx, id, &hash, true, now, &actor.name))?;
        Ok(())
    }

    /// The security policy (lockout, idle sign-out).
    pub fn security_policy(&self) -> ApiResult<SecurityPolicy> {
        settings::security(self)
    }
}

/// An argon2id hash of a random password, checked against when the user name does not exist.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("không-phải-mật-khẩu-nào-cả-0").unwrap_or_default())
}
