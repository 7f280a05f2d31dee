//! The command line's grammar (clap derive). Only parsing lives here: turning text into the façade's
//! input types; the rules themselves are applied by the façade.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use vanthu_app::{Channel, Direction, IncomingDraft, NewOrganisation, OutgoingDraft, Role, Secrecy, Urgency};

/// Sổ đăng ký văn bản: the register of a Vietnamese records office.
#[derive(Debug, Parser)]
#[command(name = "vanthu", version, about = "Sổ đăng ký văn bản đến, đi — Vanthu", long_about = None)]
pub struct Cli {
    /// The register database (default: the platform data folder).
    #[arg(long, global = true, env = "VANTHU_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print one JSON object on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Replace the clock with this instant (RFC 3339, e.g. 2026-03-05T14:30:00+07:00).
    #[arg(long, global = true, value_name = "TIME", value_parser = parse_time)]
    pub now: Option<OffsetDateTime>,
    /// Who is acting: the account to sign in with (its password from `VANTHU_PASSWORD` or
    /// `--password-stdin`). On a register without accounts, only the name recorded in the audit log
    /// (default: the system user).
    #[arg(long, global = true, env = "VANTHU_USER", value_name = "NAME")]
    pub user: Option<String>,
    /// Read the password of `--user` from the first line of standard input.
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the register for an organisation, without accounts (see `setup` for accounts).
    Init(OrgArgs),
    /// Incoming documents (văn bản đến).
    #[command(subcommand)]
    Incoming(RegisterCommand),
    /// Outgoing documents (văn bản đi).
    #[command(subcommand)]
    Outgoing(OutgoingCommand),
    /// A page of a register, newest first.
    List {
        /// Which register.
        register: RegisterArg,
        /// Only this year.
        #[arg(long)]
        year: Option<i32>,
        /// Page number, from 1.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        page: u32,
        /// Rows per page.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
        page_size: u32,
    },
    /// Full-text search; diacritics and case do not matter ("quyet dinh" finds "Quyết định").
    Search {
        /// What to look for.
        #[arg(required = true)]
        query: Vec<String>,
        /// Only one register.
        #[arg(long)]
        register: Option<RegisterArg>,
        /// Page number, from 1.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        page: u32,
        /// Rows per page.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
        page_size: u32,
    },
    /// One document with its files and history.
    Show {
        /// The document's id.
        id: String,
    },
    /// Cancel a registration (it keeps its number).
    Cancel {
        /// The document's id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// First-run setup: the organisation, its units and the first administrator (whose password is
    /// read from VANTHU_NEW_PASSWORD). From then on every command needs --user and a password.
    Setup {
        /// The organisation.
        #[command(flatten)]
        org: OrgArgs,
        /// A unit, as ABBR=Name (repeat), e.g. --unit "VP=Văn phòng".
        #[arg(long = "unit", value_name = "ABBR=NAME")]
        units: Vec<String>,
        /// The administrator's user name.
        #[arg(long)]
        admin: String,
        /// The administrator's full name.
        #[arg(long)]
        admin_name: String,
    },
    /// Accounts (administrators).
    #[command(subcommand)]
    User(UserCommand),
    /// Change the password of --user: the current one as for signing in, the new one from
    /// VANTHU_NEW_PASSWORD.
    Password,
    /// Assign the handling of an incoming document (leaders): lead, co-handlers, deadline.
    Assign {
        /// The document's id.
        id: String,
        /// The lead: unit:ABBR or user:NAME.
        #[arg(long, value_name = "unit:ABBR|user:NAME")]
        lead: String,
        /// A co-handler (repeat): unit:ABBR or user:NAME.
        #[arg(long = "co", value_name = "unit:ABBR|user:NAME")]
        co: Vec<String>,
        /// Deadline: this many working days from today, at the end of office hours.
        #[arg(long, conflicts_with = "deadline")]
        days: Option<u32>,
        /// Deadline as a time (RFC 3339).
        #[arg(long, value_parser = parse_time)]
        deadline: Option<OffsetDateTime>,
        /// Ý kiến chỉ đạo.
        #[arg(long)]
        directions: Option<String>,
    },
    /// Report progress on a document one handles: in-progress or done.
    Progress {
        /// The document's id.
        id: String,
        /// The new status.
        #[arg(long)]
        status: ProgressArg,
        /// What was done.
        #[arg(long)]
        note: Option<String>,
    },
    /// Recall an issued outgoing document (its record is frozen).
    Recall {
        /// The document's id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Exchange with the document hub once (`--once`), or keep exchanging until stopped.
    Sync {
        /// One pass, then exit (exit 8 when the hub cannot be reached).
        #[arg(long)]
        once: bool,
    },
    /// Packages that arrived from the hub.
    #[command(subcommand)]
    Inbox(InboxCommand),
    /// The hub account (kept in the desktop's Secret Service, never in the register).
    #[command(subcommand)]
    Hub(HubCommand),
    /// A document's exchange: each recipient's delivery and status, and the status history.
    Exchange {
        /// The document's id.
        id: String,
    },
    /// The home screen: arrived today, urgent, due today, overdue, per handler.
    Dashboard,
    /// Record that an incoming document is the report one of our outgoing documents asked for.
    Answers {
        /// The incoming document's id.
        incoming: String,
        /// The outgoing document it answers.
        #[arg(long = "to", value_name = "OUTGOING_ID")]
        outgoing: String,
    },
    /// Outgoing documents whose requested report is due within N days (or overdue), not answered yet.
    Awaited {
        /// How many days ahead.
        #[arg(long, default_value_t = 7)]
        days: u32,
    },
    /// Print a register book (Decree 30 App. IV, with its cover) for a date range, as PDF.
    Print {
        /// Which book.
        #[arg(long)]
        book: BookArg,
        /// First date.
        #[arg(long, value_parser = parse_date)]
        from: Date,
        /// Last date (same year).
        #[arg(long, value_parser = parse_date)]
        to: Date,
        /// Quyển số.
        #[arg(long)]
        volume: Option<u32>,
    },
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check everything: database integrity, audit chain, numbering continuity, file fixity.
    Check,
    /// Make a verified backup into a new folder.
    Backup {
        /// The folder to create.
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore the register from a backup folder (verified first; the current register is kept aside).
    Restore {
        /// The backup folder.
        #[arg(long)]
        from: PathBuf,
    },
    /// Scan paper into a PDF that meets the digitisation standard (needs no register).
    Scan {
        /// The SANE device, e.g. test:0 (see `vanthu scanners`).
        #[arg(long)]
        device: String,
        /// Stop after N pages (a flatbed scans one, a feeder until it is empty).
        #[arg(long)]
        pages: Option<u32>,
        /// Dots per inch, at least 200.
        #[arg(long, default_value_t = 200)]
        resolution: u32,
        /// Flatbed, feeder or duplex.
        #[arg(long, value_enum, default_value_t = SourceArg::Flatbed)]
        source: SourceArg,
        /// A further device option, NAME=VALUE (repeatable), as scanimage names it.
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// The PDF to write (atomically: nothing is left behind after an error).
        #[arg(long)]
        out: PathBuf,
    },
    /// The scanners SANE finds.
    Scanners,
    /// The separator sheet to put between documents in a feeder batch, as a PDF to print.
    SeparatorSheet {
        /// The PDF to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Images (JPEG, PNG, TIFF) into one PDF that meets the digitisation standard (needs no register).
    Digitise {
        /// The PDF to write (atomically).
        #[arg(long)]
        out: PathBuf,
        /// The images, in page order.
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
    /// Take the files of a scan folder into the review queue; unreadable ones go to its quarantine
    /// subfolder with the reason.
    Watch {
        /// The folder.
        dir: PathBuf,
        /// One pass, then exit (otherwise watch until interrupted).
        #[arg(long)]
        once: bool,
        /// Poll instead of file-system events (network shares).
        #[arg(long)]
        poll: bool,
        /// Seconds a file must stay unchanged before it is taken.
        #[arg(long, default_value_t = 2.0)]
        settle: f64,
    },
    /// The review queue: drafts waiting for registration.
    #[command(subcommand)]
    Queue(QueueCommand),
    /// Draw the arrival stamp on the archive copy of an incoming document (the original is untouched).
    Stamp {
        /// The document's id.
        id: String,
        /// The stamp's left edge, in mm from the page's left (default: the usual place).
        #[arg(long, requires = "y")]
        x: Option<f32>,
        /// The stamp's top edge, in mm from the page's top.
        #[arg(long, requires = "x")]
        y: Option<f32>,
    },
    /// Print a document's archive copy (or its original) through CUPS, marked as printed by the system.
    PrintCopy {
        /// The document's id.
        id: String,
        /// The printer (default: the system's default printer).
        #[arg(long)]
        printer: Option<String>,
        /// Print the original file instead of the stamped archive copy.
        #[arg(long)]
        original: bool,
    },
    /// Check a PDF against the digitisation standard: exit 0 when it meets it, 4 when not (with reasons).
    CheckPdf {
        /// The PDF.
        file: PathBuf,
    },
    /// Sign a PDF with the organisation's PKCS#11 token (PAdES, as an incremental update). The PIN is
    /// read from standard input (`--pin-stdin`, or asked for); it is never stored or logged.
    Sign(Box<SignArgs>),
    /// The trust incoming signatures are judged by: CA certificates and CRLs.
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Append the document timestamp owed by files signed offline (B-B), now that the timestamp
    /// authority can be reached.
    Timestamps {
        /// The RFC 3161 timestamp authority.
        #[arg(long, value_name = "URL")]
        tsa: String,
    },
    /// Verify every signature of a PDF: exit 0 when all are valid, 4 when not (or unsigned).
    Verify {
        /// The PDF.
        file: PathBuf,
        /// A CA certificate to trust (PEM or DER); repeatable.
        #[arg(long, value_name = "CA.pem")]
        trust: Vec<PathBuf>,
        /// An intermediate certificate that signatures may not carry; repeatable.
        #[arg(long, value_name = "CERT.pem")]
        intermediate: Vec<PathBuf>,
        /// A CRL (DER or PEM) for revocation; repeatable.
        #[arg(long, value_name = "F.crl")]
        crl: Vec<PathBuf>,
    },
}

/// `vanthu trust …`.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// The CA certificates trusted, and the cached CRLs.
    List,
    /// Trust the CA certificates of a file (PEM bundle or DER).
    Add {
        /// The certificate file.
        file: PathBuf,
    },
    /// Stop trusting a CA, by its SHA-256 (`vanthu trust list`).
    Remove {
        /// The certificate's SHA-256.
        sha256: String,
    },
    /// Cache a CRL (DER or PEM) for verifying offline.
    Crl {
        /// The CRL file.
        file: PathBuf,
    },
    /// While online: fetch the CRLs named by the certificates the register knows.
    Refresh,
}

/// What a signature shows and with which key.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The PDF to sign.
    #[arg(long = "in", value_name = "F")]
    pub input: PathBuf,
    /// Where to write the signed PDF (never over the input).
    #[arg(long, value_name = "G")]
    pub out: PathBuf,
    /// The token's PKCS#11 library.
    #[arg(long, env = "VANTHU_PKCS11_MODULE", value_name = "LIB")]
    pub module: PathBuf,
    /// The token's label.
    #[arg(long, value_name = "L")]
    pub token_label: String,
    /// The key's label, when the token holds several.
    #[arg(long, value_name = "K")]
    pub key_label: Option<String>,
    /// Read the PIN from the first line of standard input (after the password when both are read).
    #[arg(long)]
    pub pin_stdin: bool,
    /// issued (number, date, seal), copy (SAO Y) or attachment.
    #[arg(long, value_parser = ["issued", "copy", "attachment"])]
    pub profile: String,
    /// An RFC 3161 timestamp authority: B-T when it answers, else B-B.
    #[arg(long, value_name = "URL")]
    pub tsa: Option<String>,
    /// Sign an RSA key with RSASSA-PSS instead of PKCS#1 v1.5.
    #[arg(long)]
    pub rsa_pss: bool,
    /// issued: the number written in its blank ("15").
    #[arg(long)]
    pub number: Option<String>,
    /// issued: the date (YYYY-MM-DD, written "ngày 05 tháng 3 năm 2026", or the line as it is).
    #[arg(long)]
    pub date: Option<String>,
    /// issued: the seal image (transparent PNG).
    #[arg(long, value_name = "PNG")]
    pub seal: Option<PathBuf>,
    /// issued: the seal's real size in mm, WxH (default: from the PNG, else 36x36).
    #[arg(long, value_name = "WxH")]
    pub seal_size: Option<String>,
    /// issued: the seal's top-left corner in mm from the page's top-left, X,Y (default: over the
    /// left third of the signer's signature).
    #[arg(long, value_name = "X,Y")]
    pub seal_at: Option<String>,
    /// issued: the seal's page, from 1 (default: the last).
    #[arg(long)]
    pub seal_page: Option<usize>,
    /// issued: where the number goes on page 1, X,Y mm.
    #[arg(long, value_name = "X,Y")]
    pub number_at: Option<String>,
    /// issued: where the date goes on page 1, X,Y mm.
    #[arg(long, value_name = "X,Y")]
    pub date_at: Option<String>,
    /// copy/attachment: the first line (default "SAO Y"; an attachment's number).
    #[arg(long)]
    pub form: Option<String>,
    /// copy/attachment: the mark's top-left, X,Y mm (default: top right of page 1).
    #[arg(long, value_name = "X,Y")]
    pub mark_at: Option<String>,
    /// The organisation's name (default: the register's).
    #[arg(long)]
    pub organisation: Option<String>,
}

/// `vanthu queue …`.
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// The drafts waiting for registration.
    List,
    /// Take picked files into the queue, one draft per file.
    Add {
        /// The files (JPEG, PNG, TIFF, PDF).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The pages of a draft.
    Show {
        /// The draft.
        draft: i64,
    },
    /// Split a draft at its blank or separator sheets.
    Split {
        /// The draft.
        draft: i64,
    },
    /// Turn a page a quarter turn clockwise (negative: anticlockwise).
    Rotate {
        /// The page.
        page: i64,
        /// Quarter turns.
        #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
        turns: i32,
    },
    /// Remove a page from its draft.
    Delete {
        /// The page.
        page: i64,
    },
    /// Discard a draft.
    Discard {
        /// The draft.
        draft: i64,
    },
}

/// `--source`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SourceArg {
    /// The flatbed glass.
    Flatbed,
    /// The document feeder.
    Feeder,
    /// The feeder, both sides.
    Duplex,
}

/// `vanthu audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain.
    Verify,
}

/// The organisation whose register it is.
#[derive(Debug, Args)]
pub struct OrgArgs {
    /// Mã định danh, e.g. 000.00.00.H24.
    #[arg(long)]
    pub org_id: String,
    /// Full name, e.g. "Ủy ban nhân dân tỉnh Lào Cai".
    #[arg(long)]
    pub org_name: String,
    /// Abbreviation used in code notations, e.g. UBND.
    #[arg(long)]
    pub org_abbr: String,
}

impl From<OrgArgs> for NewOrganisation {
    fn from(o: OrgArgs) -> NewOrganisation {
        NewOrganisation { org_id: o.org_id, name: o.org_name, abbreviation: o.org_abbr }
    }
}

/// `vanthu user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; its first password is read from VANTHU_NEW_PASSWORD and must be changed at
    /// the first sign-in.
    Add {
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Họ và tên.
        #[arg(long)]
        full_name: String,
        /// Role.
        #[arg(long)]
        role: RoleArg,
        /// The unit's abbreviation.
        #[arg(long)]
        unit: Option<String>,
        /// Chức vụ.
        #[arg(long)]
        position: Option<String>,
    },
    /// Every account.
    List,
}

/// A role.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    /// Văn thư.
    Clerk,
    /// Lãnh đạo.
    Leader,
    /// Chuyên viên.
    Specialist,
    /// Quản trị.
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Clerk => Role::Clerk,
            RoleArg::Leader => Role::Leader,
            RoleArg::Specialist => Role::Specialist,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// A progress status.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ProgressArg {
    /// Đang giải quyết.
    InProgress,
    /// Đã giải quyết.
    Done,
}

/// A register book.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum BookArg {
    /// Sổ đăng ký văn bản đến.
    Incoming,
    /// Sổ đăng ký văn bản đi.
    Outgoing,
    /// Sổ theo dõi giải quyết văn bản đến.
    Handling,
}

/// `vanthu incoming …`.
#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// Register an incoming document.
    Add(Box<IncomingAdd>),
}

/// `vanthu outgoing …`.
#[derive(Debug, Subcommand)]
pub enum OutgoingCommand {
    /// Register an outgoing document: it gets the next number of its series.
    Add(Box<OutgoingAdd>),
    /// Send an outgoing document through the hub (queued now, sent when the link is up).
    Send {
        /// The document's id.
        id: String,
        /// A recipient's OrganId; repeatable (default: its electronic recipients with an OrganId).
        #[arg(long = "to", value_name = "ORGID")]
        to: Vec<String>,
    },
}

/// `vanthu inbox …`.
#[derive(Debug, Subcommand)]
pub enum InboxCommand {
    /// Packages waiting for registration (`--all`: every package, whatever became of it).
    List {
        /// Every package, not only those waiting.
        #[arg(long)]
        all: bool,
    },
    /// One package.
    Show {
        /// The package's number in the inbox.
        id: i64,
    },
    /// Register a package as an incoming document (status 03 goes back to the sender).
    Register {
        /// The package's number in the inbox.
        id: i64,
        /// Who handles it.
        #[arg(long)]
        handler: Option<String>,
        /// A note.
        #[arg(long)]
        note: Option<String>,
        /// Register even though its signatures do not verify, for this reason (audited).
        #[arg(long, value_name = "REASON")]
        override_signature: Option<String>,
        /// Register even if it looks like an earlier registration.
        #[arg(long)]
        allow_duplicate: bool,
    },
    /// Reject a package; the sender is told why (status 02).
    Reject {
        /// The package's number in the inbox.
        id: i64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// `vanthu hub …`.
#[derive(Debug, Subcommand)]
pub enum HubCommand {
    /// Save the hub account (the secret from standard input).
    Set {
        /// The hub's address, e.g. https://truc.tinh.gov.vn.
        #[arg(long)]
        url: String,
        /// The account's user name (default: the organisation's id).
        #[arg(long, default_value = "")]
        user: String,
        /// A PEM file of the CA the hub's certificate chains to, when not a public one.
        #[arg(long, value_name = "CA.pem")]
        ca: Option<PathBuf>,
        /// Read the secret from the first line of standard input (required: never on the command line).
        #[arg(long)]
        secret_stdin: bool,
    },
    /// The configured account (without its secret), the link and the counts.
    Show,
    /// The hub's directory of organisations.
    Agencies,
}

/// Which register.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RegisterArg {
    /// Sổ văn bản đến.
    Incoming,
    /// Sổ văn bản đi.
    Outgoing,
}

impl From<RegisterArg> for Direction {
    fn from(r: RegisterArg) -> Direction {
        match r {
            RegisterArg::Incoming => Direction::Incoming,
            RegisterArg::Outgoing => Direction::Outgoing,
        }
    }
}

/// Độ khẩn.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum UrgencyArg {
    /// Khẩn.
    Khan,
    /// Thượng khẩn.
    ThuongKhan,
    /// Hỏa tốc.
    HoaToc,
}

impl From<UrgencyArg> for Urgency {
    fn from(u: UrgencyArg) -> Urgency {
        match u {
            UrgencyArg::Khan => Urgency::Khan,
            UrgencyArg::ThuongKhan => Urgency::ThuongKhan,
            UrgencyArg::HoaToc => Urgency::HoaToc,
        }
    }
}

/// Độ mật.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SecrecyArg {
    /// Mật.
    Mat,
    /// Tối mật.
    ToiMat,
    /// Tuyệt mật.
    TuyetMat,
}

impl From<SecrecyArg> for Secrecy {
    fn from(s: SecrecyArg) -> Secrecy {
        match s {
            SecrecyArg::Mat => Secrecy::Mat,
            SecrecyArg::ToiMat => Secrecy::ToiMat,
            SecrecyArg::TuyetMat => Secrecy::TuyetMat,
        }
    }
}

/// How it arrived.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ChannelArg {
    /// On paper.
    Paper,
    /// Electronically.
    Electronic,
}

impl From<ChannelArg> for Channel {
    fn from(c: ChannelArg) -> Channel {
        match c {
            ChannelArg::Paper => Channel::Paper,
            ChannelArg::Electronic => Channel::Electronic,
        }
    }
}

/// `vanthu incoming add`.
#[derive(Debug, Args)]
pub struct IncomingAdd {
    /// The document's file (PDF); more with --attach.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Further attached files.
    #[arg(long)]
    pub attach: Vec<PathBuf>,
    /// The issuing organisation (cơ quan ban hành).
    #[arg(long)]
    pub from: String,
    /// Its organisation id (mã định danh).
    #[arg(long)]
    pub from_id: Option<String>,
    /// Số, ký hiệu as written on the document, e.g. 136/TTr-STTTT.
    #[arg(long)]
    pub number: Option<String>,
    /// Ngày tháng văn bản (YYYY-MM-DD or DD/MM/YYYY).
    #[arg(long, value_parser = parse_date)]
    pub issued: Option<Date>,
    /// Tên loại, e.g. "Tờ trình".
    #[arg(long = "type")]
    pub type_name: String,
    /// Trích yếu nội dung.
    #[arg(long)]
    pub subject: String,
    /// Người ký.
    #[arg(long)]
    pub signer: Option<String>,
    /// Độ khẩn.
    #[arg(long)]
    pub urgency: Option<UrgencyArg>,
    /// Độ mật.
    #[arg(long)]
    pub secrecy: Option<SecrecyArg>,
    /// Hạn xử lý (YYYY-MM-DD or DD/MM/YYYY).
    #[arg(long, value_parser = parse_date)]
    pub due: Option<Date>,
    /// Paper (default) or electronic.
    #[arg(long)]
    pub channel: Option<ChannelArg>,
    /// Số trang.
    #[arg(long)]
    pub pages: Option<u32>,
    /// Đơn vị hoặc người nhận.
    #[arg(long)]
    pub handler: Option<String>,
    /// Ghi chú.
    #[arg(long)]
    pub note: Option<String>,
    /// Register even if it looks like an earlier registration.
    #[arg(long)]
    pub allow_duplicate: bool,
    /// A draft of the review queue (`vanthu queue list`): its assembled PDF is the document.
    #[arg(long = "draft", value_name = "DRAFT", conflicts_with = "file")]
    pub from_queue: Option<i64>,
    /// Register an electronic arrival whose signatures do not verify, for this reason (audited).
    #[arg(long, value_name = "REASON")]
    pub override_signature: Option<String>,
}

impl IncomingAdd {
    /// The files, the document first.
    pub fn files(&self) -> Vec<PathBuf> {
        self.file.iter().chain(&self.attach).cloned().collect()
    }

    /// The draft for the façade.
    pub fn draft(&self) -> IncomingDraft {
        IncomingDraft {
            organ_name: self.from.clone(),
            organ_id: self.from_id.clone(),
            code: self.number.clone(),
            issued_date: self.issued,
            type_name: self.type_name.clone(),
            subject: self.subject.clone(),
            signer: self.signer.clone(),
            urgency: self.urgency.map(Into::into),
            secrecy: self.secrecy.map(Into::into),
            due_date: self.due,
            channel: self.channel.map(Into::into),
            page_amount: self.pages,
            handler: self.handler.clone(),
            note: self.note.clone(),
        }
    }
}

/// `vanthu outgoing add`.
#[derive(Debug, Args)]
pub struct OutgoingAdd {
    /// The document's file (PDF); more with --attach.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Further attached files.
    #[arg(long)]
    pub attach: Vec<PathBuf>,
    /// Tên loại or its abbreviation: QĐ, "Quyết định", "Công văn", TB, SY…
    #[arg(long = "type")]
    pub type_name: String,
    /// The drafting unit's abbreviation (written last in a công văn's notation), e.g. VP.
    #[arg(long)]
    pub unit: Option<String>,
    /// A legal normative document (own series per type; the year in the notation).
    #[arg(long)]
    pub legal: bool,
    /// An advisory body issuing under the agency's seal (its abbreviation; own series).
    #[arg(long)]
    pub advisory_body: Option<String>,
    /// Độ mật (secret documents have their own series).
    #[arg(long)]
    pub secrecy: Option<SecrecyArg>,
    /// Độ khẩn.
    #[arg(long)]
    pub urgency: Option<UrgencyArg>,
    /// Trích yếu nội dung.
    #[arg(long)]
    pub subject: String,
    /// Người ký.
    #[arg(long)]
    pub signer: String,
    /// Chức vụ of the signer.
    #[arg(long)]
    pub position: Option<String>,
    /// A recipient (organisation id or name); repeat for more.
    #[arg(long = "to")]
    pub to: Vec<String>,
    /// Số lượng bản.
    #[arg(long)]
    pub copies: Option<u32>,
    /// Đơn vị, người nhận bản lưu.
    #[arg(long)]
    pub archive_holder: Option<String>,
    /// Deadline for replies (YYYY-MM-DD or DD/MM/YYYY).
    #[arg(long, value_parser = parse_date)]
    pub due: Option<Date>,
    /// Số trang.
    #[arg(long)]
    pub pages: Option<u32>,
    /// Ghi chú.
    #[arg(long)]
    pub note: Option<String>,
    /// The id of the incoming document this one answers.
    #[arg(long, value_name = "ID")]
    pub answers: Option<String>,
}

impl OutgoingAdd {
    /// The files, the document first.
    pub fn files(&self) -> Vec<PathBuf> {
        self.file.iter().chain(&self.attach).cloned().collect()
    }

    /// The draft for the façade.
    pub fn draft(&self) -> OutgoingDraft {
        OutgoingDraft {
            type_name: self.type_name.clone(),
            drafting_unit: self.unit.clone(),
            legal: self.legal,
            advisory_body: self.advisory_body.clone(),
            subject: self.subject.clone(),
            signer: self.signer.clone(),
            signer_position: self.position.clone(),
            recipients: self.to.clone(),
            copies: self.copies,
            archive_holder: self.archive_holder.clone(),
            urgency: self.urgency.map(Into::into),
            secrecy: self.secrecy.map(Into::into),
            due_date: self.due,
            page_amount: self.pages,
            note: self.note.clone(),
        }
    }
}

fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s.trim(), &Rfc3339)
        .map_err(|_| format!("\"{s}\" không phải thời điểm RFC 3339 (ví dụ 2026-03-05T14:30:00+07:00)"))
}

fn parse_date(s: &str) -> Result<Date, String> {
    let s = s.trim();
    let bad = || format!("\"{s}\" không phải ngày hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY)");
    let parts: Vec<&str> = if s.contains('-') { s.split('-').collect() } else { s.split('/').collect() };
    if parts.len() != 3 {
        return Err(bad());
    }
    let nums: Vec<i32> = parts.iter().map(|p| p.parse::<i32>()).collect::<Result<_, _>>().map_err(|_| bad())?;
    let (y, m, d) = if s.contains('-') { (nums[0], nums[1], nums[2]) } else { (nums[2], nums[1], nums[0]) };
    let month = u8::try_from(m).ok().and_then(|m| time::Month::try_from(m).ok()).ok_or_else(bad)?;
    let day = u8::try_from(d).map_err(|_| bad())?;
    Date::from_calendar_date(y, month, day).map_err(|_| bad())
}
