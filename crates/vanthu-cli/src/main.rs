//! `vanthu`: the register from the command line, on the same façade ([`vanthu_app::Desk`]) as the
//! desktop app. Every command takes `--json` (one JSON object on stdout), `--db PATH` (or `VANTHU_DB`)
//! and `--now TIME` (RFC 3339, replaces the clock).
//!
//! Exit codes: 0 success; 1 error; 2 usage; 3 a likely duplicate (nothing written; `--allow-duplicate`
//! registers anyway); 4 a check found a problem; 5 the register is busy (retry); 6 access refused (not
//! signed in, wrong password, locked account, or the role does not allow it).
#![allow(clippy::print_stdout)]

mod args;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use serde_json::json;
use vanthu_app::{
    ApiError, Clock, Desk, Direction, ErrorCode, IncomingInput, ListQuery, NewOrganisation, OutgoingInput, SearchQuery,
};

use args::{AuditCommand, Cli, Command, RegisterCommand};

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

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn exit_code(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::Duplicate => 3,
        ErrorCode::CheckFailed => 4,
        ErrorCode::Busy => 5,
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
    let mut desk = Desk::open(&path, clock)?;
    if desk.has_accounts()? {
        sign_in(&desk, &cli)?;
    } else if let Some(user) = &cli.user {
        desk = desk.with_actor(user.clone());
    }
    match cli.command {
        Command::Init { org_id, org_name, org_abbr } => {
            let org = desk.init(&NewOrganisation { org_id, name: org_name, abbreviation: org_abbr })?;
            out.organisation(&org, desk.db_path());
        }
        Command::Incoming(RegisterCommand::Add(add)) => {
            let input = IncomingInput { files: add.files(), allow_duplicate: add.allow_duplicate, draft: add.draft() };
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
        Command::Backup { to } => out.backup(&desk.backup(&to)?, &to),
        // Handled above, before the register is opened.
        Command::Restore { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// Signs in with `--user` and the password from `--password-stdin` or `VANTHU_PASSWORD`.
fn sign_in(desk: &Desk, cli: &Cli) -> Result<(), ApiError> {
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
    Ok(())
}

fn direction_title(direction: Option<Direction>) -> &'static str {
    match direction {
        Some(Direction::Incoming) => "Sổ văn bản đến",
        Some(Direction::Outgoing) => "Sổ văn bản đi",
        None => "Kết quả tìm kiếm",
    }
}
