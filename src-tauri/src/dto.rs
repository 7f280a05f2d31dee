//! The shapes that cross the IPC boundary, and nothing else.
//!
//! Every type here is a plain copy of a `vanthu_app` type (or of a command's arguments) with one naming
//! policy: **camelCase field names**, kebab-case enum values. They derive [`ts_rs::TS`]; the test
//! `bindings::export` writes them to `ui/src/bindings/`, which is committed, so that
//! `git diff --exit-code ui/src/bindings` proves the front end's types match the shell's.
//!
//! The façade's own types never cross the boundary directly: a rename in `vanthu-app` must show up as a
//! compile error here, not as an `undefined` in the window.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which register: sổ văn bản đến (incoming) or sổ văn bản đi (outgoing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Văn bản đến.
    Incoming,
    /// Văn bản đi.
    Outgoing,
}

/// Độ khẩn. Absent means normal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    /// Khẩn.
    Khan,
    /// Thượng khẩn.
    ThuongKhan,
    /// Hỏa tốc.
    HoaToc,
}

/// Độ mật. Absent means not secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Secrecy {
    /// Mật.
    Mat,
    /// Tối mật.
    ToiMat,
    /// Tuyệt mật.
    TuyetMat,
}

/// The error every command rejects with: a machine-readable `code` the UI may act on, and a message in
/// Vietnamese for the clerk. The UI never parses `message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    /// snake_case code, e.g. `invalid_input`, `not_initialised`, `storage`.
    pub code: String,
    /// Vietnamese, shown as is.
    pub message: String,
}

/// The organisation that keeps the register (cơ quan, tổ chức).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Organisation {
    /// Mã định danh, e.g. `000.00.00.H24`.
    pub org_id: String,
    /// Tên cơ quan.
    pub name: String,
    /// Tên viết tắt, used in code notations (`01/QĐ-UBND`).
    pub abbreviation: String,
}

/// Arguments of `init_organisation`: the organisation entered on first start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InitOrganisation {
    /// Mã định danh.
    pub org_id: String,
    /// Tên cơ quan.
    pub name: String,
    /// Tên viết tắt.
    pub abbreviation: String,
}

/// What `app_status` answers: is the register initialised, and for whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    /// True once an organisation has been recorded.
    pub initialised: bool,
    /// The organisation, when initialised.
    pub organisation: Option<Organisation>,
    /// Where the register lives on disk (shown in the status bar).
    pub db_path: String,
}

/// Arguments of `list_register`: one page of a register, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ListRegister {
    /// Which register.
    pub direction: Direction,
    /// Only this year's register; all years when absent.
    #[serde(default)]
    #[ts(optional)]
    pub year: Option<i32>,
    /// 0-based page index.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// Arguments of `search_register`: free text, diacritics optional ("quyet dinh" finds "Quyết định").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchRegister {
    /// What the clerk typed.
    pub text: String,
    /// Only this register; both when absent.
    #[serde(default)]
    #[ts(optional)]
    pub direction: Option<Direction>,
    /// 0-based page index.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// One page of register rows. `total` is the number of rows of the whole listing when known.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegisterPage {
    /// The rows, newest first.
    pub items: Vec<RegisterRow>,
    /// 0-based page index.
    pub page: u32,
    /// Rows per page asked for.
    pub page_size: u32,
    /// Rows in the whole listing, when the backend counted them.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// Whether a further page exists.
    pub has_more: bool,
}

/// One line of a register (App. IV of Decree 30), incoming or outgoing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegisterRow {
    /// Stable id of the document.
    pub id: String,
    /// Which register.
    pub direction: Direction,
    /// The register's year.
    pub year: i32,
    /// Số đến (incoming) or the document's number (outgoing).
    #[ts(type = "number")]
    pub number: i64,
    /// The number as printed in the register (e.g. `0012`).
    pub number_text: String,
    /// Số, ký hiệu: the sender's for incoming (`136/TTr-STTTT`), ours for outgoing (`01/QĐ-UBND`).
    pub code: String,
    /// When the row was registered (RFC 3339).
    pub registered_at: String,
    /// Ngày đến (incoming only).
    pub arrival_date: Option<String>,
    /// Ngày tháng văn bản.
    pub document_date: Option<String>,
    /// Tác giả: the issuing organisation.
    pub organ_name: String,
    /// Tên loại: Tờ trình, Quyết định…
    pub type_name: String,
    /// Trích yếu nội dung.
    pub subject: String,
    /// Người ký.
    pub signer: Option<String>,
    /// Nơi nhận.
    pub recipients: Vec<String>,
    /// Đơn vị hoặc người nhận (incoming): who handles it.
    pub handler: Option<String>,
    /// Đơn vị, người nhận bản lưu (outgoing).
    pub archive_holder: Option<String>,
    /// Số lượng bản (outgoing).
    pub copies: Option<u32>,
    /// Độ khẩn.
    pub urgency: Option<Urgency>,
    /// Độ mật.
    pub secrecy: Option<Secrecy>,
    /// Hạn giải quyết.
    pub due_date: Option<String>,
    /// Whether the registration was cancelled (đã hủy); the row stays in the register.
    pub cancelled: bool,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Ghi chú.
    pub note: Option<String>,
}

#[cfg(test)]
mod bindings {
    //! Regenerates `ui/src/bindings/`. Run by `cargo test -p vanthu-desktop`; CI then checks
    //! `git diff --exit-code ui/src/bindings`.

    use std::path::PathBuf;

    use ts_rs::TS;

    use super::*;

    fn out_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings")
    }

    #[test]
    fn export() {
        let dir = out_dir();
        // Start from an empty folder so that a renamed or removed DTO leaves no stale file behind.
        if dir.exists()
            && let Err(e) = std::fs::remove_dir_all(&dir)
        {
            panic!("cannot clear {}: {e}", dir.display());
        }
        let results = [
            CommandError::export_all_to(&dir),
            AppStatus::export_all_to(&dir),
            InitOrganisation::export_all_to(&dir),
            ListRegister::export_all_to(&dir),
            SearchRegister::export_all_to(&dir),
            RegisterPage::export_all_to(&dir),
        ];
        for result in results {
            if let Err(e) = result {
                panic!("exporting the TypeScript bindings to {} failed: {e}", dir.display());
            }
        }
    }
}
