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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    /// snake_case code, e.g. `invalid_input`, `not_initialised`, `duplicate`, `not_signed_in`.
    pub code: String,
    /// Vietnamese, shown as is.
    pub message: String,
    /// With `duplicate`: the earlier registration, shown before the clerk confirms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub details: Option<Box<DuplicateOf>>,
}

impl CommandError {
    /// An error without details.
    pub fn new(code: &str, message: impl Into<String>) -> CommandError {
        CommandError { code: code.to_owned(), message: message.into(), details: None }
    }
}

/// The earlier registration a new one seems to duplicate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateOf {
    /// `same-document-id` or `same-code-and-issuer`.
    pub reason: String,
    /// The earlier registration.
    pub earlier: RegisterRow,
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
    /// Whether the register has accounts (sign-in required) or runs in open mode.
    pub has_accounts: bool,
    /// The signed-in session, if any.
    pub session: Option<SessionInfo>,
    /// Today in Vietnam time (yyyy-mm-dd) by the register's clock (`--now` fixes it): the default
    /// year of the catalogue and of the printed registers.
    pub today: String,
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
    /// The series it is numbered in (`den`, `di`, `di/mat`…).
    pub series: String,
    /// Our number as written (outgoing): "05".
    pub code_number: Option<String>,
    /// Our notation (outgoing): "UBND-VP".
    pub code_notation: Option<String>,
    /// The issuer's mã định danh, when known.
    pub organ_id: Option<String>,
    /// Giấy or điện tử.
    pub channel: Option<Channel>,
    /// By when it must be registered and presented (RFC 3339).
    pub register_deadline: Option<String>,
    /// When it was cancelled.
    pub cancelled_at: Option<String>,
    /// The exchange document id.
    pub exchange_id: Option<String>,
    /// The incoming document it answers (outgoing).
    pub response_for: Option<String>,
    /// Whether it was recalled (thu hồi): the record is frozen.
    pub recalled: bool,
    /// When.
    pub recalled_at: Option<String>,
    /// Why.
    pub recall_reason: Option<String>,
    /// Where its handling stands (incoming, once assigned).
    pub handling_status: Option<HandlingStatus>,
    /// Hạn giải quyết (RFC 3339), once assigned.
    pub handling_deadline: Option<String>,
    /// The lead unit or person, once assigned.
    pub lead: Option<String>,
}

/// Giấy (paper) or điện tử (electronic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// Bản giấy.
    Paper,
    /// Điện tử.
    Electronic,
}

/// A user's role (vai trò).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Văn thư.
    Clerk,
    /// Lãnh đạo.
    Leader,
    /// Chuyên viên.
    Specialist,
    /// Quản trị.
    Admin,
}

/// Where the handling of an incoming document stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum HandlingStatus {
    /// Đã giao, chưa bắt đầu.
    Assigned,
    /// Đang giải quyết.
    InProgress,
    /// Đã giải quyết.
    Done,
}

/// An account as the window shows it (never its password).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Id.
    #[ts(type = "number")]
    pub id: i64,
    /// Tên đăng nhập.
    pub username: String,
    /// Họ và tên.
    pub full_name: String,
    /// Chức vụ.
    pub position: Option<String>,
    /// Vai trò.
    pub role: Role,
    /// Đơn vị.
    #[ts(type = "number | null")]
    pub unit_id: Option<i64>,
    /// Must change the password at the next sign-in.
    pub must_change_password: bool,
    /// Failed sign-ins in a row.
    pub failed_attempts: u32,
    /// Locked until (RFC 3339).
    pub locked_until: Option<String>,
    /// Active (not disabled).
    pub active: bool,
}

/// The signed-in session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// Who.
    pub account: Account,
    /// Minutes without input after which the session ends.
    pub idle_minutes: u32,
}

/// Arguments of `sign_in`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    /// Tên đăng nhập.
    pub username: String,
    /// Mật khẩu.
    pub password: String,
}

/// Arguments of `change_password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChangePassword {
    /// The current password.
    pub old_password: String,
    /// The new one.
    pub new_password: String,
}

/// A unit (đơn vị) typed at setup or by an administrator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewUnit {
    /// Tên viết tắt (`VP`).
    pub abbreviation: String,
    /// Tên đơn vị.
    pub name: String,
}

/// A unit of the organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    /// Id.
    #[ts(type = "number")]
    pub id: i64,
    /// Tên viết tắt.
    pub abbreviation: String,
    /// Tên đơn vị.
    pub name: String,
    /// Still in use.
    pub active: bool,
}

/// A register series of a year with its last number (domain.md §3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SeriesState {
    /// Series key (`den`, `di`, `di/qppl/QĐ`…).
    pub key: String,
    /// Tên sổ.
    pub title: String,
    /// Năm.
    pub year: i32,
    /// The last number given.
    #[ts(type = "number")]
    pub last_number: i64,
}

/// The series of which year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SeriesRequest {
    /// Năm.
    pub year: i32,
}

/// A new account (the first administrator at setup, or one an administrator creates).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewAccount {
    /// Tên đăng nhập.
    pub username: String,
    /// Họ và tên.
    pub full_name: String,
    /// Chức vụ.
    #[serde(default)]
    #[ts(optional)]
    pub position: Option<String>,
    /// Vai trò (administrator at setup).
    #[serde(default)]
    #[ts(optional)]
    pub role: Option<Role>,
    /// Đơn vị.
    #[serde(default)]
    #[ts(optional, type = "number | null")]
    pub unit_id: Option<i64>,
    /// Mật khẩu ban đầu.
    pub password: String,
}

/// Arguments of `setup`: everything the first start asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Setup {
    /// The organisation.
    pub organisation: InitOrganisation,
    /// Its units.
    pub units: Vec<NewUnit>,
    /// The first administrator.
    pub admin: NewAccount,
}

/// Arguments of `update_account`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAccount {
    /// Which account.
    #[ts(type = "number")]
    pub id: i64,
    /// Họ và tên.
    pub full_name: String,
    /// Chức vụ.
    #[serde(default)]
    #[ts(optional)]
    pub position: Option<String>,
    /// Vai trò.
    pub role: Role,
    /// Đơn vị.
    #[serde(default)]
    #[ts(optional, type = "number | null")]
    pub unit_id: Option<i64>,
    /// Active or disabled.
    pub active: bool,
}

/// Arguments of `reset_password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResetPassword {
    /// Which account.
    #[ts(type = "number")]
    pub id: i64,
    /// The temporary password (to be changed at the next sign-in).
    pub temporary: String,
}

/// Account security: lockout and idle sign-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SecurityPolicy {
    /// Failed sign-ins in a row that lock the account.
    pub max_failed_attempts: u32,
    /// Minutes a locked account stays locked.
    pub lockout_minutes: u32,
    /// Idle minutes before sign-out.
    pub idle_minutes: u32,
}

/// The working calendar's adjustments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CalendarSettings {
    /// Working weekdays, 1 = Monday … 7 = Sunday.
    pub working_weekdays: Vec<u8>,
    /// Office sessions (`["07:30", "11:30"]`).
    pub office_hours: Vec<(String, String)>,
    /// Extra days off (yyyy-mm-dd).
    pub added_holidays: Vec<String>,
    /// Built-in holidays that are working days this time.
    pub removed_holidays: Vec<String>,
    /// Make-up working days.
    pub extra_working_days: Vec<String>,
}

/// Arguments of `register_incoming`: the App. VI fields as typed. Dates are `yyyy-mm-dd`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IncomingForm {
    /// Cơ quan ban hành.
    pub organ_name: String,
    /// Its mã định danh.
    #[serde(default)]
    #[ts(optional)]
    pub organ_id: Option<String>,
    /// Số, ký hiệu (`136/TTr-STTTT`).
    #[serde(default)]
    #[ts(optional)]
    pub code: Option<String>,
    /// Ngày văn bản.
    #[serde(default)]
    #[ts(optional)]
    pub issued_date: Option<String>,
    /// Tên loại.
    pub type_name: String,
    /// Trích yếu.
    pub subject: String,
    /// Người ký.
    #[serde(default)]
    #[ts(optional)]
    pub signer: Option<String>,
    /// Độ khẩn.
    #[serde(default)]
    #[ts(optional)]
    pub urgency: Option<Urgency>,
    /// Độ mật.
    #[serde(default)]
    #[ts(optional)]
    pub secrecy: Option<Secrecy>,
    /// Hạn xử lý.
    #[serde(default)]
    #[ts(optional)]
    pub due_date: Option<String>,
    /// Giấy or điện tử.
    #[serde(default)]
    #[ts(optional)]
    pub channel: Option<Channel>,
    /// Số trang.
    #[serde(default)]
    #[ts(optional)]
    pub page_amount: Option<u32>,
    /// Đơn vị hoặc người nhận.
    #[serde(default)]
    #[ts(optional)]
    pub handler: Option<String>,
    /// Ghi chú.
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
    /// Files on disk; the first is the document.
    #[serde(default)]
    pub files: Vec<String>,
    /// A draft of the review queue whose assembled PDF is the document.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub from_capture: Option<i64>,
    /// Register even if it looks like an earlier registration.
    #[serde(default)]
    pub allow_duplicate: bool,
    /// An electronic arrival whose signatures do not verify: the clerk's reason to register it anyway
    /// (kept with the verdict, audited). Without it such an arrival is refused (`signature_invalid`).
    #[serde(default)]
    #[ts(optional)]
    pub signature_override: Option<String>,
}

/// The answer of `register_incoming`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IncomingRegistered {
    /// The new document's id.
    pub id: String,
    /// Số đến.
    #[ts(type = "number")]
    pub arrival_number: i64,
    /// Ngày đến.
    pub arrival_date: String,
    /// The register's year.
    pub year: i32,
    /// By when it must be presented.
    pub register_deadline: Option<String>,
    /// The row.
    pub document: RegisterRow,
}

/// A recipient of an outgoing document: an internal unit or an external organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    /// An internal unit (true) or an external organisation.
    pub internal: bool,
    /// Mã định danh of an external organisation.
    #[serde(default)]
    pub organ_id: Option<String>,
    /// Name.
    pub name: String,
    /// Electronic or paper.
    pub channel: Channel,
}

/// Arguments of `register_outgoing` and `preview_outgoing`. Dates are `yyyy-mm-dd`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingForm {
    /// Tên loại or its abbreviation.
    pub type_name: String,
    /// Đơn vị soạn thảo (abbreviation).
    #[serde(default)]
    #[ts(optional)]
    pub drafting_unit: Option<String>,
    /// Văn bản quy phạm pháp luật.
    #[serde(default)]
    pub legal: bool,
    /// Trích yếu.
    pub subject: String,
    /// Người ký.
    pub signer: String,
    /// Chức vụ người ký.
    #[serde(default)]
    #[ts(optional)]
    pub signer_position: Option<String>,
    /// Nơi nhận.
    #[serde(default)]
    pub recipients: Vec<Recipient>,
    /// Số lượng bản.
    #[serde(default)]
    #[ts(optional)]
    pub copies: Option<u32>,
    /// Đơn vị, người nhận bản lưu.
    #[serde(default)]
    #[ts(optional)]
    pub archive_holder: Option<String>,
    /// Độ khẩn.
    #[serde(default)]
    #[ts(optional)]
    pub urgency: Option<Urgency>,
    /// Độ mật.
    #[serde(default)]
    #[ts(optional)]
    pub secrecy: Option<Secrecy>,
    /// Hạn trả lời.
    #[serde(default)]
    #[ts(optional)]
    pub due_date: Option<String>,
    /// Số trang.
    #[serde(default)]
    #[ts(optional)]
    pub page_amount: Option<u32>,
    /// Ghi chú.
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
    /// Files on disk; the first is the document.
    #[serde(default)]
    pub files: Vec<String>,
    /// The incoming document it answers.
    #[serde(default)]
    #[ts(optional)]
    pub response_for: Option<String>,
}

/// The number an outgoing document would get now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingPreview {
    /// "05/UBND-VP".
    pub code: String,
    /// "05".
    pub number: String,
    /// "UBND-VP".
    pub notation: String,
    /// The series, in words.
    pub series: String,
}

/// The answer of `register_outgoing`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingRegistered {
    /// The new document's id.
    pub id: String,
    /// "01".
    pub code_number: String,
    /// "QĐ-UBND".
    pub code_notation: String,
    /// "01/QĐ-UBND".
    pub code: String,
    /// Ngày ban hành.
    pub issued_date: String,
    /// The register's year.
    pub year: i32,
    /// The series key.
    pub series: String,
    /// The row.
    pub document: RegisterRow,
}

/// Arguments naming one document, with a reason (`cancel_document`, `recall_document`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocumentReason {
    /// The document.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// Arguments naming one document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocumentId {
    /// The document.
    pub id: String,
}

/// A file attached to a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocumentFile {
    /// Content address.
    pub sha256: String,
    /// Bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// File name as received.
    pub name: String,
    /// Media type sniffed from the bytes.
    pub media_type: String,
    /// `main` or `attachment`.
    pub role: String,
}

/// One entry of a document's history (the audit log).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// Position in the log.
    #[ts(type = "number")]
    pub seq: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What (`incoming.register`, `handling.assign`…); the UI words it in Vietnamese.
    pub action: String,
    /// The state after (JSON), when recorded.
    pub new_json: Option<String>,
}

/// A unit or a person who handles a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HandlerRef {
    /// `unit` or `account`.
    pub kind: HandlerKind,
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
}

/// What a [`HandlerRef`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum HandlerKind {
    /// A unit of the organisation.
    Unit,
    /// A person (account).
    Account,
}

/// A handler as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Handler {
    /// Chủ trì (lead) or phối hợp.
    pub lead: bool,
    /// Who.
    pub who: HandlerRef,
    /// Unit name or full name.
    pub name: String,
}

/// A progress report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProgressEntry {
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// The status it set.
    pub status: HandlingStatus,
    /// What was done.
    pub note: Option<String>,
}

/// The handling of an incoming document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Handling {
    /// Where it stands.
    pub status: HandlingStatus,
    /// Ý kiến chỉ đạo.
    pub directions: Option<String>,
    /// Hạn giải quyết (RFC 3339).
    pub deadline: Option<String>,
    /// Who assigned it.
    pub assigned_by: String,
    /// When.
    pub assigned_at: String,
    /// Last change.
    pub updated_at: String,
    /// When it was done.
    pub done_at: Option<String>,
    /// Lead first, then co-handlers.
    pub handlers: Vec<Handler>,
    /// Progress reports, oldest first.
    pub progress: Vec<ProgressEntry>,
    /// Outgoing documents that answer it.
    pub replies: Vec<RegisterRow>,
}

/// A case file (hồ sơ).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseFile {
    /// Id.
    #[ts(type = "number")]
    pub id: i64,
    /// Catalogue year.
    pub year: i32,
    /// Số và ký hiệu hồ sơ.
    pub notation: String,
    /// Tiêu đề.
    pub title: String,
    /// Thời hạn bảo quản.
    pub maintenance: String,
    /// Chế độ sử dụng.
    pub rights: String,
    /// Người lập.
    pub creator: String,
    /// Đơn vị.
    #[ts(type = "number | null")]
    pub unit_id: Option<i64>,
    /// Ngôn ngữ.
    pub language: String,
    /// Mô tả.
    pub description: Option<String>,
    /// Opened (RFC 3339).
    pub opened_at: String,
    /// Closed.
    pub closed_at: Option<String>,
    /// Due at the archive (yyyy-mm-dd).
    pub archive_due: Option<String>,
    /// Documents in it.
    #[ts(type = "number")]
    pub documents: i64,
}

/// A document with everything about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocumentDetail {
    /// The row.
    pub document: RegisterRow,
    /// Attached files.
    pub files: Vec<DocumentFile>,
    /// Its history, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Its handling (incoming, once assigned).
    pub handling: Option<Handling>,
    /// Recipients in detail (outgoing).
    pub delivery: Vec<Recipient>,
    /// The case files it is in.
    pub case_files: Vec<CaseFile>,
    /// The incoming document it answers (outgoing).
    pub answers: Option<RegisterRow>,
}

/// Arguments of `assign_handling`. `deadline` is RFC 3339 or `yyyy-mm-ddTHH:MM` (Vietnam time).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AssignHandling {
    /// The document.
    pub id: String,
    /// Chủ trì.
    pub lead: HandlerRef,
    /// Phối hợp.
    #[serde(default)]
    pub co: Vec<HandlerRef>,
    /// Hạn giải quyết.
    #[serde(default)]
    #[ts(optional)]
    pub deadline: Option<String>,
    /// Ý kiến chỉ đạo.
    #[serde(default)]
    #[ts(optional)]
    pub directions: Option<String>,
}

/// Arguments of `report_progress`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportProgress {
    /// The document.
    pub id: String,
    /// In progress or done.
    pub status: HandlingStatus,
    /// What was done.
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
}

/// Arguments of `suggest_deadline`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SuggestDeadline {
    /// Working days from today.
    pub working_days: u32,
}

/// Arguments of `suggest_organs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SuggestOrgans {
    /// What the clerk typed.
    pub typed: String,
    /// How many at most.
    pub limit: u32,
}

/// An organisation of the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Organ {
    /// Id.
    #[ts(type = "number")]
    pub id: i64,
    /// Mã định danh.
    pub organ_id: Option<String>,
    /// Name.
    pub name: String,
    /// How often it was used.
    #[ts(type = "number")]
    pub uses: i64,
}

/// Which deadline a home-screen item is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineKind {
    /// Present it for assignment.
    Presentation,
    /// Hạn giải quyết.
    Handling,
}

/// An open deadline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeadlineItem {
    /// The document.
    pub document: RegisterRow,
    /// The deadline (RFC 3339).
    pub deadline: String,
    /// Which.
    pub kind: DeadlineKind,
}

/// Open load per handler.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HandlerLoad {
    /// Unit or person.
    pub name: String,
    /// Open.
    #[ts(type = "number")]
    pub open: i64,
    /// Due today.
    #[ts(type = "number")]
    pub due_today: i64,
    /// Overdue.
    #[ts(type = "number")]
    pub overdue: i64,
}

/// The home screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// Arrived today.
    pub arrived_today: Vec<RegisterRow>,
    /// Urgent, not done.
    pub urgent_open: Vec<RegisterRow>,
    /// Due today.
    pub due_today: Vec<DeadlineItem>,
    /// Overdue.
    pub overdue: Vec<DeadlineItem>,
    /// Per handler.
    pub per_handler: Vec<HandlerLoad>,
}

/// Where a document stands, as a search filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum StatusFilter {
    /// Not assigned yet.
    Unassigned,
    /// Assigned.
    Assigned,
    /// In progress.
    InProgress,
    /// Done.
    Done,
    /// Overdue.
    Overdue,
    /// Cancelled.
    Cancelled,
    /// Recalled.
    Recalled,
}

/// A filtered search. Dates are `yyyy-mm-dd`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Filter {
    /// Full text, diacritics optional.
    #[ts(optional)]
    pub text: Option<String>,
    /// One register.
    #[ts(optional)]
    pub direction: Option<Direction>,
    /// Year.
    #[ts(optional)]
    pub year: Option<i32>,
    /// Tên loại.
    #[ts(optional)]
    pub type_name: Option<String>,
    /// Cơ quan ban hành.
    #[ts(optional)]
    pub organ: Option<String>,
    /// Độ khẩn.
    #[ts(optional)]
    pub urgency: Option<Urgency>,
    /// Any urgent.
    pub any_urgent: bool,
    /// Status.
    #[ts(optional)]
    pub status: Option<StatusFilter>,
    /// From (inclusive).
    #[ts(optional)]
    pub date_from: Option<String>,
    /// To (inclusive).
    #[ts(optional)]
    pub date_to: Option<String>,
}

/// Arguments of `find_register`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindRegister {
    /// The filter.
    pub filter: Filter,
    /// 0-based page.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// A saved search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedSearch {
    /// Id.
    #[ts(type = "number")]
    pub id: i64,
    /// Name.
    pub name: String,
    /// The filter.
    pub filter: Filter,
    /// Columns shown.
    pub columns: Vec<String>,
}

/// Arguments of `save_search`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveSearch {
    /// Name.
    pub name: String,
    /// The filter.
    pub filter: Filter,
    /// Columns shown.
    pub columns: Vec<String>,
}

/// Arguments naming a numeric id (saved search, case file, account).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NumericId {
    /// The id.
    #[ts(type = "number")]
    pub id: i64,
}

/// Arguments of `case_files`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseFileYear {
    /// One year, or all.
    #[serde(default)]
    #[ts(optional)]
    pub year: Option<i32>,
}

/// Arguments of `open_case_file`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseFileInput {
    /// Catalogue year (this year when absent).
    #[serde(default)]
    #[ts(optional)]
    pub year: Option<i32>,
    /// Số và ký hiệu hồ sơ.
    pub notation: String,
    /// Tiêu đề.
    pub title: String,
    /// Thời hạn bảo quản.
    pub maintenance: String,
    /// Đơn vị.
    #[serde(default)]
    #[ts(optional, type = "number | null")]
    pub unit_id: Option<i64>,
    /// Mô tả.
    #[serde(default)]
    #[ts(optional)]
    pub description: Option<String>,
}

/// A case file with its documents, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseFileDetail {
    /// The file.
    pub file: CaseFile,
    /// Its documents.
    pub documents: Vec<RegisterRow>,
}

/// Arguments of `add_to_case_file` and `remove_from_case_file`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseFileDocument {
    /// The case file.
    #[ts(type = "number")]
    pub file: i64,
    /// The document.
    pub document: String,
}

/// When and where scheduled backups go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupSchedule {
    /// The folder; none = no scheduled backup.
    pub folder: Option<String>,
    /// Hours between backups (0 = off).
    pub every_hours: u32,
}

/// One backup attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupRun {
    /// When.
    pub at: String,
    /// Where.
    pub folder: String,
    /// Scheduled or on demand.
    pub scheduled: bool,
    /// Succeeded.
    pub ok: bool,
    /// What happened, in Vietnamese.
    pub message: String,
}

/// The backup schedule and the last results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    /// The schedule.
    pub schedule: BackupSchedule,
    /// The last attempt.
    pub last: Option<BackupRun>,
    /// The last success.
    pub last_ok: Option<BackupRun>,
    /// When the next scheduled backup is due.
    pub next_due: Option<String>,
}

/// Arguments of `backup_now` and `restore_backup`: a folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Folder {
    /// Absolute path.
    pub folder: String,
}

/// What a backup holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupMade {
    /// Where it was written.
    pub folder: String,
    /// When it was made.
    pub created_at: String,
    /// Documents in it.
    #[ts(type = "number")]
    pub documents: u64,
    /// Files in it.
    #[ts(type = "number")]
    pub files: u64,
}

/// What a restore did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Restored {
    /// The backup restored.
    pub backup: BackupMade,
    /// Where the replaced register was kept.
    pub previous_moved_to: Option<String>,
}

/// Arguments of `read_file`: a file the clerk picked (for the page preview).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FilePath {
    /// Absolute path.
    pub path: String,
}

/// Arguments of `stored_file_bytes` and `stored_file_path`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StoredFile {
    /// Content address.
    pub sha256: String,
}

/// Which register book to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Book {
    /// Sổ đăng ký văn bản đến.
    Incoming,
    /// Sổ đăng ký văn bản đi.
    Outgoing,
    /// Sổ theo dõi giải quyết văn bản đến.
    Handling,
}

/// A file format for exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    /// PDF.
    Pdf,
    /// Excel workbook.
    Xlsx,
    /// XML.
    Xml,
}

/// Arguments of `print_register`. Dates are `dd/mm/yyyy` or `yyyy-mm-dd`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrintRegister {
    /// Which book.
    pub book: Book,
    /// From (inclusive).
    pub from: String,
    /// To (inclusive).
    pub to: String,
    /// Quyển số.
    #[serde(default)]
    #[ts(optional)]
    pub volume: Option<u32>,
}

/// Arguments of `export_case_file`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportCaseFile {
    /// The case file.
    #[ts(type = "number")]
    pub id: i64,
    /// PDF or XML.
    pub format: ExportFormat,
}

/// Arguments of `export_results`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportResults {
    /// The search.
    pub filter: Filter,
    /// The columns, in order (ids of `result_columns`).
    pub columns: Vec<String>,
    /// PDF or XLSX.
    pub format: ExportFormat,
}

/// A file written by a printout or an export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    /// Where it is.
    pub path: String,
    /// Its media type.
    pub media_type: String,
    /// Rows (documents) in it.
    #[ts(type = "number")]
    pub rows: u64,
}

/// A column a result list can show and export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResultColumn {
    /// Its id.
    pub id: String,
    /// Its Vietnamese header.
    pub title: String,
}

/// A colleague who can be given a document to handle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// Account id.
    #[ts(type = "number")]
    pub id: i64,
    /// Tên đăng nhập.
    pub username: String,
    /// Họ và tên.
    pub full_name: String,
    /// Chức vụ.
    pub position: Option<String>,
    /// Vai trò.
    pub role: Role,
    /// Đơn vị.
    #[ts(type = "number | null")]
    pub unit_id: Option<i64>,
}

/// An outgoing document whose requested report has not come yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplyAwaited {
    /// The outgoing document.
    pub document: RegisterRow,
    /// The report is due (yyyy-mm-dd).
    pub due_date: String,
    /// Whether it is overdue.
    pub overdue: bool,
}

/// Arguments of `replies_awaited`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RepliesAwaited {
    /// Due within this many days (or overdue).
    pub days: u32,
}

/// Arguments of `record_reply`: this incoming document is the report that outgoing one asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordReply {
    /// The incoming document (the report).
    pub incoming: String,
    /// The outgoing document that asked for it.
    pub outgoing: String,
}

// ---- Digitising: the review queue, the arrival stamp, printing ----

/// A scanner SANE found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Scanner {
    /// SANE device name, e.g. `test:0`.
    pub name: String,
    /// Maker.
    pub vendor: String,
    /// Model.
    pub model: String,
    /// Kind (flatbed scanner, virtual device…).
    pub kind: String,
}

/// Which paper feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ScanSource {
    /// The glass.
    Flatbed,
    /// The feeder.
    Feeder,
    /// The feeder, both sides.
    Duplex,
}

/// Arguments of `scan_to_queue`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScanToQueue {
    /// SANE device.
    pub device: String,
    /// Dots per inch (≥ 200).
    pub resolution: u32,
    /// Feed.
    pub source: ScanSource,
    /// At most this many pages.
    #[serde(default)]
    #[ts(optional)]
    pub pages: Option<u32>,
    /// Add to this draft (scanning on after a jam) instead of a new one.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub into: Option<i64>,
}

/// What a scan gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScanOutcome {
    /// The draft the pages went into.
    #[ts(type = "number | null")]
    pub draft_id: Option<i64>,
    /// Pages kept.
    pub pages: u32,
    /// The device fault that stopped it, in Vietnamese.
    pub fault: Option<String>,
}

/// Arguments of `capture_files`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaptureFiles {
    /// Absolute paths.
    pub paths: Vec<String>,
}

/// A file refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileProblem {
    /// Its name.
    pub name: String,
    /// Why.
    pub message: String,
}

/// What importing files gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    /// New drafts.
    #[ts(type = "Array<number>")]
    pub drafts: Vec<i64>,
    /// Refused files.
    pub problems: Vec<FileProblem>,
}

/// A draft of the review queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    /// Id.
    #[ts(type = "number")]
    pub id: i64,
    /// `scanner`, `folder` or `file`.
    pub source: String,
    /// Device or file name.
    pub label: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// By whom.
    pub created_by: String,
    /// A PDF kept whole.
    pub pdf_sha256: Option<String>,
    /// Pages.
    pub pages: u32,
    /// Blank or separator pages.
    pub blank_pages: u32,
}

/// A page of a draft.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftPage {
    /// Id.
    #[ts(type = "number")]
    pub id: i64,
    /// Its draft.
    #[ts(type = "number")]
    pub draft_id: i64,
    /// 1-based.
    pub position: u32,
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// Resolution.
    pub dpi: f32,
    /// 0, 90, 180, 270 (clockwise).
    pub rotation: u16,
    /// Looks blank.
    pub blank: bool,
    /// A separator sheet.
    pub separator: bool,
    /// JPEG kept as it came.
    pub passthrough: bool,
}

/// A draft, as an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftRef {
    /// The draft.
    #[ts(type = "number")]
    pub draft_id: i64,
}

/// A page, as an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PageRef {
    /// The page.
    #[ts(type = "number")]
    pub page_id: i64,
}

/// Arguments of `page_image`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PageImage {
    /// The page.
    #[ts(type = "number")]
    pub page_id: i64,
    /// The small image rather than the full page.
    pub thumbnail: bool,
}

/// Arguments of `rotate_page`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RotatePage {
    /// The page.
    #[ts(type = "number")]
    pub page_id: i64,
    /// Quarter turns, clockwise (negative: anticlockwise).
    pub turns: i32,
}

/// Arguments of `move_page`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MovePage {
    /// The page.
    #[ts(type = "number")]
    pub page_id: i64,
    /// New 1-based position.
    pub position: u32,
}

/// Arguments of `join_drafts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinDrafts {
    /// Kept.
    #[ts(type = "number")]
    pub into: i64,
    /// Appended, then discarded.
    #[ts(type = "number")]
    pub from: i64,
}

/// Arguments of `render_page`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RenderPage {
    /// The stored PDF.
    pub sha256: String,
    /// Page, from 1.
    pub page: u32,
    /// Width in pixels.
    pub width: u32,
}

/// An archive copy with the arrival stamp.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ArchiveCopy {
    /// The stamped copy.
    pub sha256: String,
    /// The original it was made from.
    pub source_sha256: String,
    /// Stamp's left edge, mm.
    pub x_mm: f32,
    /// Stamp's top edge, mm.
    pub y_mm: f32,
    /// When.
    pub made_at: String,
    /// By whom.
    pub made_by: String,
}

/// Page 1 and the stamp's place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StampLayout {
    /// The original PDF.
    pub source_sha256: String,
    /// Page width, mm.
    pub page_width_mm: f32,
    /// Page height, mm.
    pub page_height_mm: f32,
    /// Stamp width, mm.
    pub stamp_width_mm: f32,
    /// Stamp height, mm.
    pub stamp_height_mm: f32,
    /// Stamp's left edge, mm.
    pub x_mm: f32,
    /// Stamp's top edge, mm.
    pub y_mm: f32,
    /// The current archive copy.
    pub current: Option<ArchiveCopy>,
}

/// Arguments of `stamp_archive_copy`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StampRequest {
    /// The document.
    pub id: String,
    /// Stamp's left edge, mm (default: the usual place).
    #[serde(default)]
    #[ts(optional)]
    pub x_mm: Option<f32>,
    /// Stamp's top edge, mm.
    #[serde(default)]
    #[ts(optional)]
    pub y_mm: Option<f32>,
}

/// A printer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Printer {
    /// CUPS name.
    pub name: String,
    /// The default printer.
    pub default: bool,
}

/// Arguments of `print_document`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrintDocument {
    /// The document.
    pub id: String,
    /// The original instead of the archive copy.
    #[serde(default)]
    pub original: bool,
    /// The printer (default printer otherwise).
    #[serde(default)]
    #[ts(optional)]
    pub printer: Option<String>,
}

/// A print job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrintJob {
    /// The printer.
    pub printer: String,
    /// CUPS job id.
    pub job: String,
    /// The marked copy that was printed.
    pub file: String,
}

/// The watched scan folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScanFolder {
    /// The folder.
    pub dir: Option<String>,
    /// Polling (network shares).
    pub poll: bool,
    /// `notify` or `poll` while watching; none when not.
    pub watching: Option<String>,
    /// Files waiting in its quarantine subfolder.
    pub quarantine: u32,
}

/// Arguments of `set_scan_folder`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetScanFolder {
    /// The folder; none or empty to stop watching.
    #[serde(default)]
    #[ts(optional)]
    pub dir: Option<String>,
    /// Poll instead of file-system events.
    #[serde(default)]
    pub poll: bool,
}

#[cfg(test)]
mod bindings {
    //! Regenerates `ui/src/bindings/`. Run by `cargo test -p vanthu-desktop`; CI then checks
    //! `git diff --exit-code ui/src/bindings`.

    use std::path::{Path, PathBuf};

    use ts_rs::TS;

    use super::*;
    use crate::exchange_dto::*;
    use crate::signing_dto::*;

    fn out_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings")
    }

    fn all(dir: &Path) -> Vec<Result<(), ts_rs::ExportError>> {
        vec![
            CommandError::export_all_to(dir),
            AppStatus::export_all_to(dir),
            InitOrganisation::export_all_to(dir),
            ListRegister::export_all_to(dir),
            SearchRegister::export_all_to(dir),
            RegisterPage::export_all_to(dir),
            SignIn::export_all_to(dir),
            ChangePassword::export_all_to(dir),
            Setup::export_all_to(dir),
            Unit::export_all_to(dir),
            SeriesState::export_all_to(dir),
            SeriesRequest::export_all_to(dir),
            UpdateAccount::export_all_to(dir),
            ResetPassword::export_all_to(dir),
            SecurityPolicy::export_all_to(dir),
            CalendarSettings::export_all_to(dir),
            IncomingForm::export_all_to(dir),
            IncomingRegistered::export_all_to(dir),
            OutgoingForm::export_all_to(dir),
            OutgoingPreview::export_all_to(dir),
            OutgoingRegistered::export_all_to(dir),
            DocumentReason::export_all_to(dir),
            DocumentId::export_all_to(dir),
            DocumentDetail::export_all_to(dir),
            AssignHandling::export_all_to(dir),
            ReportProgress::export_all_to(dir),
            SuggestDeadline::export_all_to(dir),
            SuggestOrgans::export_all_to(dir),
            Organ::export_all_to(dir),
            Dashboard::export_all_to(dir),
            FindRegister::export_all_to(dir),
            SavedSearch::export_all_to(dir),
            SaveSearch::export_all_to(dir),
            NumericId::export_all_to(dir),
            CaseFileYear::export_all_to(dir),
            CaseFileInput::export_all_to(dir),
            CaseFileDetail::export_all_to(dir),
            CaseFileDocument::export_all_to(dir),
            BackupStatus::export_all_to(dir),
            Folder::export_all_to(dir),
            BackupMade::export_all_to(dir),
            Restored::export_all_to(dir),
            FilePath::export_all_to(dir),
            StoredFile::export_all_to(dir),
            PrintRegister::export_all_to(dir),
            ExportCaseFile::export_all_to(dir),
            ExportResults::export_all_to(dir),
            Exported::export_all_to(dir),
            ResultColumn::export_all_to(dir),
            Person::export_all_to(dir),
            ReplyAwaited::export_all_to(dir),
            RepliesAwaited::export_all_to(dir),
            RecordReply::export_all_to(dir),
            Scanner::export_all_to(dir),
            ScanSource::export_all_to(dir),
            ScanToQueue::export_all_to(dir),
            ScanOutcome::export_all_to(dir),
            CaptureFiles::export_all_to(dir),
            FileProblem::export_all_to(dir),
            ImportOutcome::export_all_to(dir),
            Draft::export_all_to(dir),
            DraftPage::export_all_to(dir),
            DraftRef::export_all_to(dir),
            PageRef::export_all_to(dir),
            PageImage::export_all_to(dir),
            RotatePage::export_all_to(dir),
            MovePage::export_all_to(dir),
            JoinDrafts::export_all_to(dir),
            RenderPage::export_all_to(dir),
            ArchiveCopy::export_all_to(dir),
            StampLayout::export_all_to(dir),
            StampRequest::export_all_to(dir),
            Printer::export_all_to(dir),
            PrintDocument::export_all_to(dir),
            PrintJob::export_all_to(dir),
            ScanFolder::export_all_to(dir),
            SetScanFolder::export_all_to(dir),
            // Signing (signing_dto.rs).
            SignatureReport::export_all_to(dir),
            SignatureVerdict::export_all_to(dir),
            SignDocument::export_all_to(dir),
            SignOutcome::export_all_to(dir),
            CrlView::export_all_to(dir),
            CrlRefresh::export_all_to(dir),
            SealSetting::export_all_to(dir),
            SetSeal::export_all_to(dir),
            StoredTokenPreferences::export_all_to(dir),
            UpgradeTimestamps::export_all_to(dir),
            TimestampRun::export_all_to(dir),
            // Exchange (exchange_dto.rs).
            ExchangeOverview::export_all_to(dir),
            HubAccount::export_all_to(dir),
            SetHubAccount::export_all_to(dir),
            Agency::export_all_to(dir),
            SendOutgoing::export_all_to(dir),
            OutboxMessage::export_all_to(dir),
            InboxItem::export_all_to(dir),
            InboxQuery::export_all_to(dir),
            RegisterFromInbox::export_all_to(dir),
            RejectInbox::export_all_to(dir),
            RetryMessage::export_all_to(dir),
            DocumentExchange::export_all_to(dir),
        ]
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
        for result in all(&dir) {
            if let Err(e) = result {
                panic!("exporting the TypeScript bindings to {} failed: {e}", dir.display());
            }
        }
    }
}
