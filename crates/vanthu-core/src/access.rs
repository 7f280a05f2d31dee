//! Who may do what: the four roles of a records office (Thanh Hóa art. 7–9, domain.md §9) and the
//! permission each use case needs.
//!
//! The table here is the only place the rules live; the façade asks [`Role::allows`] before every use
//! case, whatever the caller (desktop, command line, tests), so hiding a button in the UI is never the
//! only protection. The password policy is here too because it is a rule, not an implementation: the
//! hashing itself (argon2id) lives in the façade.

use serde::{Deserialize, Serialize};

/// A user's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Văn thư: registers, numbers, issues and prints; keeps case files.
    Clerk,
    /// Lãnh đạo: assigns handling (chủ trì, phối hợp, hạn).
    Leader,
    /// Chuyên viên: handles what is assigned and reports progress; keeps case files.
    Specialist,
    /// Quản trị: users, settings, backups.
    Admin,
}

/// Every role, in the order a form lists them.
pub const ROLES: [Role; 4] = [Role::Clerk, Role::Leader, Role::Specialist, Role::Admin];

impl Role {
    /// Stored form.
    pub fn code(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Leader => "leader",
            Role::Specialist => "specialist",
            Role::Admin => "admin",
        }
    }

    /// Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Role::Clerk => "Văn thư",
            Role::Leader => "Lãnh đạo",
            Role::Specialist => "Chuyên viên",
            Role::Admin => "Quản trị",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Role> {
        ROLES.into_iter().find(|r| r.code() == s.trim())
    }

    /// Whether this role may do `p`.
    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Clerk => {
                matches!(
                    p,
                    ReadRegister
                        | Register
                        | Cancel
                        | Recall
                        | Print
                        | CaseFiles
                        | Directory
                        | SavedSearches
                        | Sign
                        | ManageTrust
                )
            }
            Role::Leader => matches!(p, ReadRegister | Assign | ReportProgress | Print | SavedSearches),
            Role::Specialist => matches!(p, ReadRegister | ReportProgress | CaseFiles | SavedSearches),
            Role::Admin => {
                matches!(
                    p,
                    ReadRegister
                        | ManageUsers
                        | Settings
                        | Backup
                        | Audit
                        | Print
                        | Directory
                        | SavedSearches
                        | ManageTrust
                )
            }
        }
    }
}

/// What a use case needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the registers, documents, their history; search.
    ReadRegister,
    /// Register incoming and outgoing documents (draw numbers).
    Register,
    /// Cancel a registration (the number stays, marked cancelled).
    Cancel,
    /// Recall an issued outgoing document (freezes it).
    Recall,
    /// Assign handling: lead, co-handlers, deadline.
    Assign,
    /// Report progress on a document one handles.
    ReportProgress,
    /// Print and export registers, forms and results.
    Print,
    /// Open, fill, close and export case files.
    CaseFiles,
    /// Edit the directory of organisations.
    Directory,
    /// Keep one's own saved searches.
    SavedSearches,
    /// Create users, reset passwords, unlock accounts, change roles.
    ManageUsers,
    /// The organisation, its units, the calendar, security settings.
    Settings,
    /// Backups and restores, on demand and scheduled.
    Backup,
    /// Verify the audit chain and run the integrity checks.
    Audit,
    /// Use the organisation's key (domain §7: the clerk keeps the token; every use is logged).
    Sign,
    /// Import trust anchors and CRLs, the trust incoming signatures are judged by.
    ManageTrust,
}

impl Permission {
    /// What the clerk is told when the role lacks it.
    pub fn refusal(self) -> &'static str {
        use Permission::*;
        match self {
            ReadRegister => "Tài khoản của bạn không được xem sổ văn bản.",
            Register => "Chỉ văn thư được đăng ký và cấp số văn bản.",
            Cancel => "Chỉ văn thư được hủy đăng ký văn bản.",
            Recall => "Chỉ văn thư được thu hồi văn bản đã ban hành.",
            Assign => "Chỉ lãnh đạo được phân công giải quyết văn bản.",
            ReportProgress => "Chỉ người được giao giải quyết (hoặc lãnh đạo) được cập nhật tiến độ.",
            Print => "Tài khoản của bạn không được in hoặc xuất sổ.",
            CaseFiles => "Chỉ văn thư và chuyên viên được lập hồ sơ.",
            Directory => "Tài khoản của bạn không được sửa danh bạ cơ quan.",
            SavedSearches => "Tài khoản của bạn không được lưu tìm kiếm.",
            ManageUsers => "Chỉ quản trị viên được quản lý tài khoản.",
            Settings => "Chỉ quản trị viên được thay đổi thiết lập.",
            Backup => "Chỉ quản trị viên được sao lưu và khôi phục.",
            Audit => "Chỉ quản trị viên được kiểm tra nhật ký và tính toàn vẹn.",
            Sign => "Chỉ văn thư được ký số bằng khóa của cơ quan.",
            ManageTrust => "Chỉ văn thư và quản trị viên được cấu hình chứng thư tin cậy.",
        }
    }
}

/// Account security: lockout and idle sign-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPolicy {
    /// Failed sign-ins in a row that lock the account.
    pub max_failed_attempts: u32,
    /// How long a locked account stays locked, in minutes.
    pub lockout_minutes: u32,
    /// Idle minutes after which the session ends.
    pub idle_minutes: u32,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy { max_failed_attempts: 5, lockout_minutes: 15, idle_minutes: 15 }
    }
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Checks a new password against the policy: at least [`MIN_PASSWORD_CHARS`] characters, a letter and
/// a digit, and not the user name.
pub fn check_password(username: &str, password: &str) -> Result<(), &'static str> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err("Mật khẩu phải có ít nhất 8 ký tự.");
    }
    if password.chars().count() > 256 {
        return Err("Mật khẩu dài quá 256 ký tự.");
    }
    if !password.chars().any(char::is_alphabetic) || !password.chars().any(|c| c.is_ascii_digit()) {
        return Err("Mật khẩu phải có cả chữ và số.");
    }
    if password.trim().eq_ignore_ascii_case(username.trim()) {
        return Err("Mật khẩu không được trùng tên đăng nhập.");
    }
    Ok(())
}

/// Checks a user name: 3–32 characters of `a-z`, `0-9`, `.`, `_`, `-`, starting with a letter. Returns
/// it lower-cased.
pub fn check_username(username: &str) -> Result<String, &'static str> {
    let u = username.trim().to_ascii_lowercase();
    let len = u.chars().count();
    let ok = (3..=32).contains(&len)
        && u.starts_with(|c: char| c.is_ascii_lowercase())
        && u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(u)
    } else {
        Err("Tên đăng nhập gồm 3–32 ký tự a–z, 0–9, dấu chấm, gạch dưới hoặc gạch ngang, bắt đầu bằng chữ (không dấu).")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, written out: a change to who may do what shows up here.
    #[test]
    fn permission_table() {
        use Permission::*;
        let all = [
            ReadRegister,
            Register,
            Cancel,
            Recall,
            Assign,
            ReportProgress,
            Print,
            CaseFiles,
            Directory,
            SavedSearches,
            ManageUsers,
            Settings,
            Backup,
            Audit,
        ];
        let expect: [(Role, &str); 4] = [
            (Role::Clerk, "ReadRegister Register Cancel Recall Print CaseFiles Directory SavedSearches"),
            (Role::Leader, "ReadRegister Assign ReportProgress Print SavedSearches"),
            (Role::Specialist, "ReadRegister ReportProgress CaseFiles SavedSearches"),
            (Role::Admin, "ReadRegister Print Directory SavedSearches ManageUsers Settings Backup Audit"),
        ];
        for (role, allowed) in expect {
            let got: Vec<String> = all.iter().filter(|p| role.allows(**p)).map(|p| format!("{p:?}")).collect();
            assert_eq!(got.join(" "), allowed, "{role:?}");
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in ROLES {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn passwords() {
        let cases = [
            ("lan", "ngan", Err("Mật khẩu phải có ít nhất 8 ký tự.")),
            ("lan", "abcdefgh", Err("Mật khẩu phải có cả chữ và số.")),
            ("lan", "12345678", Err("Mật khẩu phải có cả chữ và số.")),
            ("vanthu1x", "VANTHU1X", Err("Mật khẩu không được trùng tên đăng nhập.")),
            ("lan", "Mùa thu 2026", Ok(())),
        ];
        for (user, pw, expect) in cases {
            assert_eq!(check_password(user, pw), expect, "{pw}");
        }
    }

    #[test]
    fn usernames() {
        assert_eq!(check_username(" Lan.NT "), Ok("lan.nt".to_owned()));
        for bad in ["ab", "1abc", "lan nt", "lân", "a/b", &"x".repeat(33)] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
    }
}
