//! `vanthu`: the register from the command line, on the same façade ([`vanthu_app::Desk`]) as the
//! desktop app. Every command takes `--json` (one JSON object on stdout), `--db PATH` (or `VANTHU_DB`)
//! and `--now TIME` (RFC 3339, replaces the clock).
//!
//! Exit codes: 0 success; 1 error; 2 usage; 3 a likely duplicate (nothing written; `--allow-duplicate`
//! registers anyway); 4 a check found a problem; 5 the register is busy (retry); 6 access refused (not
//! signed in, wrong password, locked account, or the role does not allow it); 7 an arrival's signatures do
//! not verify; 8 the document hub cannot be reached or refuses the account (what was queued stays queued).
#![allow(clippy::print_stdout)]

mod args;
mod exchange;
mod render;
mod sign;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use serde_json::json;
use vanthu_app::digitise::{FolderEvent, FolderWatch, WatchConfig, WatchMode};
use vanthu_app::{
    ApiError, AssignInput, Book, Clock, Desk, Direction, ErrorCode, FirstRun, HandlerRef, HandlingStatus,
    IncomingInput, ListQuery, NewAccountInput, NewUnit, OutgoingInput, Placement, PrintWhat, RegisterPrint, Role,
    ScanRequest, ScanSource, SearchQuery, digitise,
};

use args::{AuditCommand, BookArg, Cli, Command, ProgressArg, QueueCommand, RegisterCommand, SourceArg, UserCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lỗi: {}", one_line(&e.message));
            ExitCode::from(exit_code(e.code))
        }
    }
}

/// `vanthu verify`: 0 when every signature is valid, 4 when not (or the file is unsigned).
fn verdict_exit(report: &vanthu_app::signing::PdfReport) -> ExitCode {
    if report.verdict == vanthu_app::signing::FileVerdict::Valid { ExitCode::SUCCESS } else { ExitCode::from(4) }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn exit_code(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::Duplicate => 3,
        ErrorCode::CheckFailed => 4,
        ErrorCode::Busy => 5,
        ErrorCode::SignatureInvalid => 7,
        ErrorCode::HubUnavailable => 8,
        ErrorCode::NotSignedIn
        | ErrorCode::SessionExpired
        | ErrorCode::BadCredentials
        | ErrorCode::Locked
        | ErrorCode::PasswordChangeRequired
        | ErrorCode::Forbidden => 6,
        _ => 1,
    }
}

fn db_path(cli: &Cli) -> Result<PathBuf, ApiError> {
    match &cli.db {
        Some(p) => Ok(p.clone()),
        None => Desk::default_db_path(),
    }
}

fn run(cli: Cli) -> Result<ExitCode, ApiError> {
    let clock = match cli.now {
        Some(t) => Clock::Fixed(t),
        None => Clock::System,
    };
    let path = db_path(&cli)?;
    let out = render::Output { json: cli.json };
    if let Command::Restore { from } = &cli.command {
        let restored = Desk::restore(from, &path)?;
        out.restored(&restored, &path);
        return Ok(ExitCode::SUCCESS);
    }
    // Digitising on its own needs no register.
    let now = || cli.now.unwrap_or_else(time::OffsetDateTime::now_utc);
    match &cli.command {
        Command::Scan { device, pages, resolution, source, set, out: file } => {
            let req = ScanRequest {
                device: device.clone(),
                resolution: *resolution,
                source: match source {
                    SourceArg::Flatbed => ScanSource::Flatbed,
                    SourceArg::Feeder => ScanSource::Feeder,
                    SourceArg::Duplex => ScanSource::Duplex,
                },
                pages: *pages,
                options: set.iter().map(|o| device_option(o)).collect::<Result<_, _>>()?,
            };
            let done = digitise::scan_to_pdf(&req, file, now())?;
            out.digitised(&done);
            return Ok(ExitCode::SUCCESS);
        }
        Command::Scanners => {
            let list = digitise::scanners()?;
            let text =
                list.iter().map(|d| format!("{}\t{} {} ({})", d.name, d.vendor, d.model, d.kind)).collect::<Vec<_>>();
            let value: Vec<_> = list
                .iter()
                .map(|d| json!({ "name": d.name, "vendor": d.vendor, "model": d.model, "kind": d.kind }))
                .collect();
            out.value(&json!({ "scanners": value }), &text.join("\n"));
            return Ok(ExitCode::SUCCESS);
        }
        Command::Digitise { out: file, images } => {
            let done = digitise::digitise_files(images, file, now())?;
            out.digitised(&done);
            return Ok(ExitCode::SUCCESS);
        }
        Command::SeparatorSheet { out: file } => {
            out.digitised(&digitise::separator_sheet_pdf(file, now())?);
            return Ok(ExitCode::SUCCESS);
        }
        Command::CheckPdf { file } => {
            let report = digitise::check_pdf(file)?;
            out.pdf_report(&report);
            return Ok(if report.compliant { ExitCode::SUCCESS } else { ExitCode::from(4) });
        }
        // Outside a register, signing and verifying work on the files alone.
        Command::Sign(args) if !path.exists() => {
            let signed = sign::sign(None, args, now())?;
            out.signed(&signed, &args.out);
            return Ok(ExitCode::SUCCESS);
        }
        Command::Verify { file, trust, intermediate, crl } if !path.exists() => {
            let report = sign::verify(None, file, trust, intermediate, crl, now())?;
            out.signature_report(file, &report);
            return Ok(verdict_exit(&report));
        }
        _ => {}
    }
    let mut desk = Desk::open(&path, clock)?;
    let mut signed_in_with = None;
    if desk.has_accounts()? {
        signed_in_with = Some(sign_in(&desk, &cli)?);
    } else if let Some(user) = &cli.user {
        desk = desk.with_actor(user.clone());
    }
    match cli.command {
        Command::Init(org) => {
            let org = desk.init(&org.into())?;
            out.organisation(&org, desk.db_path());
        }
        Command::Incoming(RegisterCommand::Add(add)) => {
            let input = IncomingInput {
                files: add.files(),
                allow_duplicate: add.allow_duplicate,
                draft: add.draft(),
                from_capture: add.from_queue,
                signature_override: add.override_signature.clone(),
            };
            out.incoming(&desk.register_incoming(&input)?);
        }
        Command::Outgoing(args::OutgoingCommand::Add(add)) => {
            let input = OutgoingInput {
                files: add.files(),
                draft: add.draft(),
                delivery: Vec::new(),
                response_for: add.answers.clone(),
            };
            out.outgoing(&desk.register_outgoing(&input)?);
        }
        Command::List { register, year, page, page_size } => {
            let direction: Direction = register.into();
            let page0 = page.saturating_sub(1);
            let result = desk.list(&ListQuery { direction, year, page: page0, page_size })?;
            out.page(&result, direction_title(Some(direction)));
        }
        Command::Search { query, register, page, page_size } => {
            let direction = register.map(Direction::from);
            let q = SearchQuery { text: query.join(" "), direction, page: page.saturating_sub(1), page_size };
            let result = desk.search(&q)?;
            out.page(&result, direction_title(direction));
        }
        Command::Show { id } => out.detail(&desk.show(&id)?),
        Command::Cancel { id, reason } => out.cancelled(&desk.cancel(&id, &reason)?),
        Command::Audit(AuditCommand::Verify) => {
            let report = desk.audit_verify()?;
            out.value(&json!(report), &render::chain_text(&report));
            if let Some(e) = report.error {
                return Err(ApiError::new(ErrorCode::CheckFailed, format!("Nhật ký không toàn vẹn: {e}.")));
            }
        }
        Command::Check => {
            let report = desk.check()?;
            out.value(&json!({ "ok": report.ok(), "report": report }), &render::check_text(&report));
            if !report.ok() {
                return Err(ApiError::new(ErrorCode::CheckFailed, render::check_summary(&report)));
            }
        }
        Command::Setup { org, units, admin, admin_name } => {
            let units = units
                .iter()
                .map(|u| {
                    let (abbreviation, name) = u.split_once('=').ok_or_else(|| {
                        ApiError::invalid(format!("Đơn vị \"{u}\" phải viết dạng VIẾT_TẮT=Tên (ví dụ VP=Văn phòng)."))
                    })?;
                    Ok(NewUnit { abbreviation: abbreviation.to_owned(), name: name.to_owned() })
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            let setup = FirstRun {
                organisation: org.into(),
                units,
                admin: NewAccountInput {
                    username: admin,
                    full_name: admin_name,
                    role: Some(Role::Admin),
                    password: new_password()?,
                    ..Default::default()
                },
            };
            let org = desk.setup(&setup)?;
            out.organisation(&org, desk.db_path());
        }
        Command::User(UserCommand::Add { username, full_name, role, unit, position }) => {
            let unit_id = match unit {
                Some(abbr) => Some(unit_id(&desk, &abbr)?),
                None => None,
            };
            let account = desk.create_account(&NewAccountInput {
                username,
                full_name,
                position,
                role: Some(role.into()),
                unit_id,
                password: new_password()?,
            })?;
            out.value(&json!(account), &format!("Đã tạo tài khoản {} ({})", account.username, account.role.label()));
        }
        Command::Password => {
            let current = signed_in_with
                .as_deref()
                .ok_or_else(|| ApiError::invalid("Sổ này chưa có tài khoản nào: không có mật khẩu để đổi."))?;
            desk.change_password(current, &new_password()?)?;
            out.value(&json!({ "changed": true }), "Đã đổi mật khẩu.");
        }
        Command::User(UserCommand::List) => {
            let accounts = desk.accounts()?;
            let text = accounts
                .iter()
                .map(|a| {
                    format!(
                        "{:<16} {:<12} {}{}",
                        a.username,
                        a.role.label(),
                        a.full_name,
                        if a.active { "" } else { " (khóa)" }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            out.value(&json!({ "accounts": accounts }), &text);
        }
        Command::Assign { id, lead, co, days, deadline, directions } => {
            let deadline = match (days, deadline) {
                (Some(n), _) => Some(desk.suggest_deadline(n)?),
                (None, d) => d,
            };
            let input = AssignInput {
                lead: handler_ref(&desk, &lead)?,
                co: co.iter().map(|c| handler_ref(&desk, c)).collect::<Result<_, _>>()?,
                deadline,
                directions,
            };
            let handling = desk.assign(&id, &input)?;
            out.value(
                &json!(handling),
                &format!(
                    "Đã phân công: {}",
                    handling.handlers.iter().map(|h| h.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        Command::Progress { id, status, note } => {
            let status = match status {
                ProgressArg::InProgress => HandlingStatus::InProgress,
                ProgressArg::Done => HandlingStatus::Done,
            };
            let handling = desk.report_progress(&id, status, note.as_deref())?;
            out.value(&json!(handling), &format!("Tiến độ: {}", handling.status.label()));
        }
        Command::Sync { once } => return exchange::sync(&desk, &out, once),
        Command::Outgoing(args::OutgoingCommand::Send { id, to }) => exchange::send(&desk, &out, &id, &to)?,
        Command::Inbox(command) => exchange::inbox(&desk, &out, command)?,
        Command::Hub(command) => exchange::hub(&desk, &out, command)?,
        Command::Exchange { id } => exchange::document(&desk, &out, &id)?,
        Command::Recall { id, reason } => {
            let row = desk.recall(&id, &reason)?;
            out.value(&json!(row), &format!("Đã thu hồi văn bản {}", row.code));
        }
        Command::Dashboard => {
            let d = desk.dashboard()?;
            let text = format!(
                "Đến hôm nay: {} · Khẩn chưa xong: {} · Đến hạn hôm nay: {} · Quá hạn: {}",
                d.arrived_today.len(),
                d.urgent_open.len(),
                d.due_today.len(),
                d.overdue.len()
            );
            out.value(&json!(d), &text);
        }
        Command::Answers { incoming, outgoing } => {
            let row = desk.record_reply(&incoming, &outgoing)?;
            out.value(&json!(row), &format!("Đã ghi: văn bản số đến {} trả lời văn bản đi {outgoing}", row.number));
        }
        Command::Awaited { days } => {
            let awaited = desk.replies_awaited(days)?;
            let text = awaited
                .iter()
                .map(|a| {
                    format!(
                        "{} hạn {}{} — {}",
                        a.document.code,
                        a.due_date,
                        if a.overdue { " (QUÁ HẠN)" } else { "" },
                        a.document.subject
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            out.value(
                &json!({ "awaited": awaited }),
                if text.is_empty() { "Không có văn bản nào đang chờ trả lời." } else { &text },
            );
        }
        Command::Print { book, from, to, volume } => {
            let book = match book {
                BookArg::Incoming => Book::Incoming,
                BookArg::Outgoing => Book::Outgoing,
                BookArg::Handling => Book::Handling,
            };
            let e = desk.print_register(&RegisterPrint { book, from, to, volume })?;
            out.value(&json!(e), &format!("Đã in {} dòng vào {}", e.rows, e.path.display()));
        }
        Command::Backup { to } => out.backup(&desk.backup(&to)?, &to),
        Command::Watch { dir, once, poll, settle } => watch(desk, &out, &dir, once, poll, settle)?,
        Command::Queue(q) => queue(&desk, &out, q)?,
        Command::Stamp { id, x, y } => {
            let at = x.zip(y).map(|(x_mm, y_mm)| Placement { x_mm, y_mm });
            let copy = desk.stamp_archive_copy(&id, at)?;
            out.value(
                &json!(copy),
                &format!("Đã đóng dấu đến lên bản lưu ({:.0}; {:.0} mm): {}", copy.x_mm, copy.y_mm, copy.sha256),
            );
        }
        Command::PrintCopy { id, printer, original } => {
            let what = if original { PrintWhat::Original } else { PrintWhat::ArchiveCopy };
            let job = desk.print_document(&id, what, printer.as_deref())?;
            out.value(&json!(job), &format!("Đã gửi lệnh in {} tới máy in {}", job.job, job.printer));
        }
        // Handled above, before the register is opened.
        Command::Restore { .. }
        | Command::Scan { .. }
        | Command::Scanners
        | Command::SeparatorSheet { .. }
        | Command::Digitise { .. }
        | Command::CheckPdf { .. } => {}
        Command::Sign(args) => {
            let signed = sign::sign(Some(&desk), &args, desk.now())?;
            out.signed(&signed, &args.out);
        }
        Command::Verify { file, trust, intermediate, crl } => {
            let report = sign::verify(Some(&desk), &file, &trust, &intermediate, &crl, desk.now())?;
            out.signature_report(&file, &report);
            return Ok(verdict_exit(&report));
        }
        Command::Trust(command) => sign::trust(&desk, &out, command)?,
        Command::Timestamps { tsa } => {
            let run = desk.upgrade_timestamps(&tsa)?;
            let text = format!("Đã gắn dấu thời gian: {}; còn chờ: {}", run.done, run.waiting);
            out.value(&serde_json::to_value(&run).unwrap_or_default(), &text);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `NAME=VALUE` of `scan --set`.
fn device_option(text: &str) -> Result<(String, String), ApiError> {
    text.split_once('=')
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .filter(|(n, _)| !n.is_empty())
        .ok_or_else(|| ApiError::invalid(format!("\"{text}\": viết TÊN=GIÁ_TRỊ.")))
}

/// `vanthu watch DIR`: one pass, or until interrupted.
fn watch(
    desk: Desk,
    out: &render::Output,
    dir: &std::path::Path,
    once: bool,
    poll: bool,
    settle: f64,
) -> Result<(), ApiError> {
    let settle = std::time::Duration::from_secs_f64(settle.clamp(0.0, 3600.0));
    if once {
        let events = desk.watch_once(dir, settle)?;
        out.watch_events(&events, true);
        return Ok(());
    }
    let mut config = WatchConfig::new(dir.to_path_buf());
    config.mode = if poll { WatchMode::Poll } else { WatchMode::Notify };
    config.settle = settle;
    let folder =
        FolderWatch::start(config, move |a| desk.capture_arrival(a)).map_err(|e| ApiError::invalid(e.to_string()))?;
    eprintln!("Đang theo dõi {} ({:?}); Ctrl+C để dừng.", dir.display(), folder.mode());
    for event in folder.events() {
        out.watch_events(&[FolderEvent::from(&event)], false);
    }
    Ok(())
}

/// `vanthu queue …`.
fn queue(desk: &Desk, out: &render::Output, q: QueueCommand) -> Result<(), ApiError> {
    match q {
        QueueCommand::List => {
            let drafts = desk.drafts()?;
            let text = drafts
                .iter()
                .map(|d| format!("{}\t{} trang\t{}\t{}", d.id, d.pages, d.label, d.created_at))
                .collect::<Vec<_>>();
            out.value(&json!(drafts), &text.join("\n"));
        }
        QueueCommand::Add { files } => {
            let o = desk.capture_files(&files)?;
            let mut text = vec![format!("Đã đưa {} tệp vào hàng chờ: bản nháp {:?}", o.drafts.len(), o.drafts)];
            text.extend(o.problems.iter().map(|p| format!("Không nhận {}: {}", p.name, p.message)));
            out.value(&json!(o), &text.join("\n"));
            if !o.problems.is_empty() && o.drafts.is_empty() {
                return Err(ApiError::invalid(
                    o.problems.iter().map(|p| format!("{}: {}", p.name, p.message)).collect::<Vec<_>>().join("; "),
                ));
            }
        }
        QueueCommand::Show { draft } => {
            let pages = desk.draft_pages(draft)?;
            let text = pages
                .iter()
                .map(|p| {
                    let flags = [(p.blank, " trắng"), (p.separator, " phân tách"), (p.passthrough, " giữ nguyên JPEG")]
                        .iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, t)| *t)
                        .collect::<String>();
                    format!(
                        "{}\ttrang {}\t{}×{} {:.0} dpi, xoay {}°{flags}",
                        p.id, p.position, p.width, p.height, p.dpi, p.rotation
                    )
                })
                .collect::<Vec<_>>();
            out.value(&json!(pages), &text.join("\n"));
        }
        QueueCommand::Split { draft } => {
            let drafts = desk.split_at_blanks(draft)?;
            out.value(&json!(drafts), &format!("Đã tách thành {} bản nháp: {drafts:?}", drafts.len()));
        }
        QueueCommand::Rotate { page, turns } => {
            let r = desk.rotate_page(page, turns)?;
            out.value(&json!({ "page": page, "rotation": r }), &format!("Trang {page}: xoay {r}°"));
        }
        QueueCommand::Delete { page } => {
            desk.delete_page(page)?;
            out.value(&json!({ "page": page, "deleted": true }), &format!("Đã xoá trang {page}"));
        }
        QueueCommand::Discard { draft } => {
            desk.discard_draft(draft)?;
            out.value(&json!({ "draft": draft, "discarded": true }), &format!("Đã bỏ bản nháp {draft}"));
        }
    }
    Ok(())
}

/// The new password of `setup` and `user add`, from `VANTHU_NEW_PASSWORD`.
fn new_password() -> Result<String, ApiError> {
    std::env::var("VANTHU_NEW_PASSWORD")
        .map_err(|_| ApiError::invalid("Đặt mật khẩu của tài khoản mới trong biến môi trường VANTHU_NEW_PASSWORD."))
}

fn unit_id(desk: &Desk, abbreviation: &str) -> Result<i64, ApiError> {
    desk.units()?
        .into_iter()
        .find(|u| u.abbreviation.eq_ignore_ascii_case(abbreviation.trim()))
        .map(|u| u.id)
        .ok_or_else(|| ApiError::invalid(format!("Không có đơn vị viết tắt \"{abbreviation}\".")))
}

/// `unit:ABBR` or `user:NAME`.
fn handler_ref(desk: &Desk, text: &str) -> Result<HandlerRef, ApiError> {
    match text.split_once(':') {
        Some(("unit", abbr)) => Ok(HandlerRef::Unit(unit_id(desk, abbr)?)),
        Some(("user", name)) => desk
            .people()?
            .into_iter()
            .find(|a| a.username == name.trim().to_ascii_lowercase())
            .map(|a| HandlerRef::Account(a.id))
            .ok_or_else(|| ApiError::invalid(format!("Không có tài khoản \"{name}\"."))),
        _ => Err(ApiError::invalid(format!("\"{text}\": viết unit:VIẾT_TẮT hoặc user:TÊN_ĐĂNG_NHẬP."))),
    }
}

/// Signs in with `--user` and the password from `--password-stdin` or `VANTHU_PASSWORD`.
/// Returns the password it signed in with (`vanthu password` needs it as the current one).
fn sign_in(desk: &Desk, cli: &Cli) -> Result<String, ApiError> {
    let user = cli.user.as_deref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotSignedIn,
            "Sổ này có tài khoản: hãy đăng nhập bằng --user TÊN và mật khẩu (VANTHU_PASSWORD hoặc --password-stdin).",
        )
    })?;
    let password = if cli.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("Không đọc được mật khẩu: {e}.")))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        std::env::var("VANTHU_PASSWORD").map_err(|_| {
            ApiError::new(ErrorCode::NotSignedIn, "Thiếu mật khẩu: đặt VANTHU_PASSWORD hoặc dùng --password-stdin.")
        })?
    };
    desk.sign_in(user, &password)?;
    Ok(password)
}

fn direction_title(direction: Option<Direction>) -> &'static str {
    match direction {
        Some(Direction::Incoming) => "Sổ văn bản đến",
        Some(Direction::Outgoing) => "Sổ văn bản đi",
        None => "Kết quả tìm kiếm",
    }
}
