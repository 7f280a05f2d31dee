//! Units, accounts and settings: who works at the desk and how it is set up.
//!
//! Password hashes arrive already hashed (argon2id, by the façade) and never leave this module except
//! to the sign-in check; they are never written to the audit log. Every change here is audited with
//! its old and new values, like a registration.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use vanthu_core::access::Role;

use crate::audit::{self, NewAuditEntry};
use crate::register::vietnam_rfc3339;
use crate::{Result, StoreError};

/// A unit (phòng ban) of the organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Row id.
    pub id: i64,
    /// Abbreviation, written last in a công văn's notation (`VP`).
    pub abbreviation: String,
    /// Full name.
    pub name: String,
    /// Still in use.
    pub active: bool,
}

/// An account as shown to administrators (no hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Row id.
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
    /// Must change the password at next sign-in.
    pub must_change_password: bool,
    /// Failed sign-ins in a row.
    pub failed_attempts: u32,
    /// Locked until (RFC 3339), if locked.
    pub locked_until: Option<String>,
    /// May sign in.
    pub active: bool,
}

/// An account with what the sign-in check needs.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The account.
    pub account: Account,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// A new account.
#[derive(Clone, Debug)]
pub struct NewAccount<'a> {
    /// Checked, lower-case.
    pub username: &'a str,
    /// NFC.
    pub full_name: &'a str,
    /// NFC.
    pub position: Option<&'a str>,
    /// Role.
    pub role: Role,
    /// Unit.
    pub unit_id: Option<i64>,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// Ask for a new password at first sign-in.
    pub must_change_password: bool,
}

/// What an administrator may change on an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChange {
    /// Họ và tên.
    pub full_name: String,
    /// Chức vụ.
    pub position: Option<String>,
    /// Role.
    pub role: Role,
    /// Unit.
    pub unit_id: Option<i64>,
    /// May sign in.
    pub active: bool,
}

const ACCOUNT_COLUMNS: &str = "id, username, full_name, position, role, unit_id, must_change_password, failed_attempts,
    locked_until, active, password_hash";

fn map_account(r: &Row<'_>) -> rusqlite::Result<Credentials> {
    let role: String = r.get(4)?;
    Ok(Credentials {
        account: Account {
            id: r.get(0)?,
            username: r.get(1)?,
            full_name: r.get(2)?,
            position: r.get(3)?,
            role: Role::parse(&role).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, format!("role {role}").into())
            })?,
            unit_id: r.get(5)?,
            must_change_password: r.get(6)?,
            failed_attempts: r.get(7)?,
            locked_until: r.get(8)?,
            active: r.get(9)?,
        },
        password_hash: r.get(10)?,
    })
}

/// Appends an audit entry about an account.
fn audit_account(
    tx: &Transaction<'_>,
    at: &str,
    actor: &str,
    action: &str,
    username: &str,
    old: Option<serde_json::Value>,
    new: Option<serde_json::Value>,
) -> Result<()> {
    audit::append(tx, &NewAuditEntry { at, actor, action, entity: "account", entity_id: username, old, new })?;
    Ok(())
}

fn audit_json<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// How many accounts exist (0 = a register from before accounts, or before setup).
pub fn account_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM account", [], |r| r.get(0))?)
}

/// Every account, by user name.
pub fn list_accounts(conn: &Connection) -> Result<Vec<Account>> {
    let mut stmt = conn.prepare(&format!("SELECT {ACCOUNT_COLUMNS} FROM account ORDER BY username"))?;
    let rows = stmt.query_map([], map_account)?;
    Ok(rows.map(|r| r.map(|c| c.account)).collect::<rusqlite::Result<_>>()?)
}

/// One account with its hash, by user name.
pub fn credentials(conn: &Connection, username: &str) -> Result<Option<Credentials>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM account WHERE username = ?1");
    Ok(conn.query_row(&sql, [username], map_account).optional()?)
}

/// One account by id.
pub fn account(conn: &Connection, id: i64) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM account WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], map_account).optional()?.map(|c| c.account))
}

/// Creates an account.
pub fn create_account(tx: &Transaction<'_>, new: &NewAccount<'_>, at: OffsetDateTime, actor: &str) -> Result<Account> {
    if credentials(tx, new.username)?.is_some() {
        return Err(StoreError::Conflict(format!("tên đăng nhập {} đã có", new.username)));
    }
    if let Some(unit) = new.unit_id {
        require_unit(tx, unit)?;
    }
    let at = vietnam_rfc3339(at);
    tx.execute(
        "INSERT INTO account (username, full_name, position, role, unit_id, password_hash, must_change_password,
            created_at, password_changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            new.username,
            new.full_name,
            new.position,
            new.role.code(),
            new.unit_id,
            new.password_hash,
            new.must_change_password,
            at
        ],
    )?;
    let id = tx.last_insert_rowid();
    let account = account(tx, id)?.ok_or_else(|| StoreError::NotFound(new.username.to_owned()))?;
    audit_account(tx, &at, actor, "account.create", new.username, None, Some(audit_json(&account)?))?;
    Ok(account)
}

/// Changes an account's name, role, unit or status; audited with old and new values (an alert when
/// rights change, domain.md §9, is the audit entry the administrators see).
pub fn update_account(
    tx: &Transaction<'_>,
    id: i64,
    change: &AccountChange,
    at: OffsetDateTime,
    actor: &str,
) -> Result<Account> {
    let before = account(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("tài khoản {id}")))?;
    if let Some(unit) = change.unit_id {
        require_unit(tx, unit)?;
    }
    let at = vietnam_rfc3339(at);
    tx.execute(
        "UPDATE account SET full_name = ?2, position = ?3, role = ?4, unit_id = ?5, active = ?6 WHERE id = ?1",
        params![id, change.full_name, change.position, change.role.code(), change.unit_id, change.active],
    )?;
    let after = account(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("tài khoản {id}")))?;
    audit_account(
        tx,
        &at,
        actor,
        "account.update",
        &after.username,
        Some(audit_json(&before)?),
        Some(audit_json(&after)?),
    )?;
    Ok(after)
}

/// Sets a new password hash (own change or an administrator's reset) and unlocks the account.
pub fn set_password(
    tx: &Transaction<'_>,
    id: i64,
    password_hash: &str,
    must_change: bool,
    at: OffsetDateTime,
    actor: &str,
) -> Result<()> {
    let before = account(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("tài khoản {id}")))?;
    let at = vietnam_rfc3339(at);
    tx.execute(
        "UPDATE account SET password_hash = ?2, must_change_password = ?3, password_changed_at = ?4,
            failed_attempts = 0, locked_until = NULL WHERE id = ?1",
        params![id, password_hash, must_change, at],
    )?;
    let action = if actor == before.username { "account.password_change" } else { "account.password_reset" };
    audit_account(tx, &at, actor, action, &before.username, None, Some(json!({"must_change_password": must_change})))?;
    Ok(())
}

/// Records a failed sign-in: one more failure, and the lock when the policy says so.
pub fn record_failed_sign_in(
    tx: &Transaction<'_>,
    id: i64,
    failed_attempts: u32,
    locked_until: Option<OffsetDateTime>,
    at: OffsetDateTime,
) -> Result<()> {
    let username: String = tx.query_row("SELECT username FROM account WHERE id = ?1", [id], |r| r.get(0))?;
    let locked_until = locked_until.map(vietnam_rfc3339);
    tx.execute(
        "UPDATE account SET failed_attempts = ?2, locked_until = ?3 WHERE id = ?1",
        params![id, failed_attempts, locked_until],
    )?;
    let at = vietnam_rfc3339(at);
    audit_account(
        tx,
        &at,
        &username,
        if locked_until.is_some() { "account.locked" } else { "account.sign_in_failed" },
        &username,
        None,
        Some(json!({"failed_attempts": failed_attempts, "locked_until": locked_until})),
    )?;
    Ok(())
}

/// Records a successful sign-in (resets the failure count).
pub fn record_sign_in(tx: &Transaction<'_>, id: i64, at: OffsetDateTime) -> Result<()> {
    let username: String = tx.query_row("SELECT username FROM account WHERE id = ?1", [id], |r| r.get(0))?;
    tx.execute("UPDATE account SET failed_attempts = 0, locked_until = NULL WHERE id = ?1", [id])?;
    let at = vietnam_rfc3339(at);
    audit_account(tx, &at, &username, "account.sign_in", &username, None, None)?;
    Ok(())
}

/// Records a sign-out (by the user, or because the session was idle too long).
pub fn record_sign_out(tx: &Transaction<'_>, username: &str, idle: bool, at: OffsetDateTime) -> Result<()> {
    let at = vietnam_rfc3339(at);
    audit_account(
        tx,
        &at,
        username,
        if idle { "account.idle_sign_out" } else { "account.sign_out" },
        username,
        None,
        None,
    )?;
    Ok(())
}

fn require_unit(conn: &Connection, id: i64) -> Result<Unit> {
    unit(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("đơn vị {id}")))
}

/// One unit.
pub fn unit(conn: &Connection, id: i64) -> Result<Option<Unit>> {
    Ok(conn
        .query_row("SELECT id, abbreviation, name, active FROM unit WHERE id = ?1", [id], |r| {
            Ok(Unit { id: r.get(0)?, abbreviation: r.get(1)?, name: r.get(2)?, active: r.get(3)? })
        })
        .optional()?)
}

/// Every unit, by name.
pub fn list_units(conn: &Connection) -> Result<Vec<Unit>> {
    let mut stmt = conn.prepare("SELECT id, abbreviation, name, active FROM unit ORDER BY name")?;
    let rows = stmt
        .query_map([], |r| Ok(Unit { id: r.get(0)?, abbreviation: r.get(1)?, name: r.get(2)?, active: r.get(3)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds a unit.
pub fn add_unit(tx: &Transaction<'_>, abbreviation: &str, name: &str, at: OffsetDateTime, actor: &str) -> Result<Unit> {
    let exists: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM unit WHERE abbreviation = ?1)", [abbreviation], |r| r.get(0))?;
    if exists {
        return Err(StoreError::Conflict(format!("đã có đơn vị viết tắt {abbreviation}")));
    }
    tx.execute("INSERT INTO unit (abbreviation, name) VALUES (?1, ?2)", params![abbreviation, name])?;
    let unit = require_unit(tx, tx.last_insert_rowid())?;
    let at = vietnam_rfc3339(at);
    audit::append(
        tx,
        &NewAuditEntry {
            at: &at,
            actor,
            action: "unit.add",
            entity: "unit",
            entity_id: abbreviation,
            old: None,
            new: Some(audit_json(&unit)?),
        },
    )?;
    Ok(unit)
}

/// A setting's JSON value.
pub fn setting(conn: &Connection, key: &str) -> Result<Option<serde_json::Value>> {
    let text: Option<String> =
        conn.query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Invalid(format!("thiết lập {key}: {e}")))).transpose()
}

/// Stores a setting, audited with its old and new values.
pub fn put_setting(
    tx: &Transaction<'_>,
    key: &str,
    value: &serde_json::Value,
    at: OffsetDateTime,
    actor: &str,
) -> Result<()> {
    let old = setting(tx, key)?;
    if old.as_ref() == Some(value) {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value.to_string()],
    )?;
    let at = vietnam_rfc3339(at);
    audit::append(
        tx,
        &NewAuditEntry {
            at: &at,
            actor,
            action: "setting.change",
            entity: "setting",
            entity_id: key,
            old,
            new: Some(value.clone()),
        },
    )?;
    Ok(())
}
