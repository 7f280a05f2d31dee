//! `vanthu sync`, `outgoing send`, `inbox …`, `hub …` and `exchange`: the exchange with the document
//! hub from the command line, on the façade's use cases.

use std::io::BufRead;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use serde_json::json;
use vanthu_app::exchange::{InboxRegistration, InboxState, Wake, status_name};
use vanthu_app::{ApiError, Desk, ErrorCode};

use crate::args::{HubCommand, InboxCommand};
use crate::render::Output;

/// `vanthu sync [--once]`.
pub fn sync(desk: &Desk, out: &Output, once: bool) -> Result<ExitCode, ApiError> {
    if once {
        let report = desk.sync_once()?;
        out.value(&json!(report), &pass_text(&report));
        if let Some(error) = report.error {
            return Err(ApiError::new(ErrorCode::HubUnavailable, error));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let stop = AtomicBool::new(false);
    desk.run_sync(&stop, &Wake::default(), |result| match result {
        Ok(report) => out.value(&json!(report), &pass_text(report)),
        Err(e) => eprintln!("lỗi: {}", e.message),
    });
    Ok(ExitCode::SUCCESS)
}

fn pass_text(r: &vanthu_app::exchange::PassReport) -> String {
    let mut text = format!(
        "Đã gửi {} · từ chối {} · đã nhận {} văn bản, {} trạng thái, {} thu hồi · lặp lại {} · không nhận {}",
        r.sent, r.failed, r.received, r.statuses, r.recalls, r.repeated, r.refused
    );
    if let Some(e) = &r.error {
        text.push_str(&format!("\nChưa xong: {e}"));
    }
    text
}

/// `vanthu outgoing send ID --to ORGID …`.
pub fn send(desk: &Desk, out: &Output, id: &str, to: &[String]) -> Result<(), ApiError> {
    let message = desk.send_outgoing(id, to)?;
    out.value(
        &json!(message),
        &format!(
            "Đã xếp vào hộp gửi đến {} (mã văn bản liên thông {}); văn bản được gửi khi có kết nối (vanthu sync).",
            message.recipients.join(", "),
            message.document_id
        ),
    );
    Ok(())
}

/// `vanthu inbox …`.
pub fn inbox(desk: &Desk, out: &Output, command: InboxCommand) -> Result<(), ApiError> {
    match command {
        InboxCommand::List { all } => {
            let items = desk.inbox(if all { None } else { Some(InboxState::Waiting) })?;
            let text = if items.is_empty() {
                "Không có gói tin nào đang chờ.".to_owned()
            } else {
                items
                    .iter()
                    .map(|i| {
                        format!(
                            "{}\t{}\t{}\t{}\t{}\t{}",
                            i.id,
                            i.state.as_str(),
                            i.code.as_deref().unwrap_or("—"),
                            i.sender_name,
                            i.subject,
                            i.verdict.as_deref().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            out.value(&json!({ "items": items }), &text);
        }
        InboxCommand::Show { id } => {
            let item = desk.inbox_item(id)?;
            let text = format!(
                "{} — {}\nTừ: {} ({})\nMã văn bản liên thông: {}\nTrạng thái: {}\nTệp: {}",
                item.code.as_deref().unwrap_or("—"),
                item.subject,
                item.sender_name,
                item.sender,
                item.document_id,
                item.state.as_str(),
                item.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
            );
            out.value(&json!(item), &text);
        }
        InboxCommand::Register { id, handler, note, override_signature, allow_duplicate } => {
            let registered = desk.register_from_inbox(
                id,
                &InboxRegistration { handler, note, signature_override: override_signature, allow_duplicate },
            )?;
            out.incoming(&registered);
        }
        InboxCommand::Reject { id, reason } => {
            let item = desk.reject_inbox(id, &reason)?;
            out.value(&json!(item), &format!("Đã từ chối gói tin {id}; cơ quan gửi sẽ nhận lý do khi có kết nối."));
        }
    }
    Ok(())
}

/// `vanthu hub …`.
pub fn hub(desk: &Desk, out: &Output, command: HubCommand) -> Result<(), ApiError> {
    match command {
        HubCommand::Set { url, user, ca, secret_stdin } => {
            if !secret_stdin {
                return Err(ApiError::invalid(
                    "Mật khẩu kết nối trục đọc từ đầu vào chuẩn: dùng --secret-stdin (không ghi trên dòng lệnh).",
                ));
            }
            let mut secret = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut secret)
                .map_err(|e| ApiError::new(ErrorCode::Io, format!("Không đọc được mật khẩu: {e}.")))?;
            let ca = ca.map(|p| p.display().to_string());
            let account = desk.set_hub_account(&url, &user, secret.trim_end_matches(['\r', '\n']), ca.as_deref())?;
            out.value(&json!(account), &format!("Đã lưu tài khoản trục {} ({})", account.url, account.user));
        }
        HubCommand::Show => {
            let overview = desk.exchange_overview()?;
            let text = format!(
                "Trục: {}\nHộp gửi: {} chờ gửi, {} bị từ chối · Hộp đến: {} chờ đăng ký\nLần cuối thành công: {}{}",
                overview.hub_url.as_deref().unwrap_or("chưa cấu hình"),
                overview.counts.outbox,
                overview.counts.failed,
                overview.counts.inbox,
                overview.link.last_success_at.as_deref().unwrap_or("chưa có"),
                overview.link.last_error.as_deref().map(|e| format!("\nLỗi gần nhất: {e}")).unwrap_or_default()
            );
            out.value(&json!(overview), &text);
        }
        HubCommand::Agencies => {
            let agencies = desk.hub_agencies()?;
            let text =
                agencies.iter().map(|a| format!("{}\t{}", a.organ_id, a.organ_name)).collect::<Vec<_>>().join("\n");
            out.value(&json!({ "agencies": agencies }), &text);
        }
    }
    Ok(())
}

/// `vanthu exchange ID`.
pub fn document(desk: &Desk, out: &Output, id: &str) -> Result<(), ApiError> {
    let exchange = desk.document_exchange(id)?;
    let mut lines = Vec::new();
    for r in &exchange.recipients {
        lines.push(format!(
            "{}\t{}\t{}\t{}",
            r.organ_id,
            r.name,
            r.delivery.as_str(),
            r.last_code.as_deref().map(|c| format!("{c} {}", status_name(c))).unwrap_or_default()
        ));
    }
    for s in &exchange.history {
        lines.push(format!(
            "{}\t{}\t{}\t{} {}{}",
            s.at,
            if s.way == "in" { "nhận từ" } else { "gửi tới" },
            s.organ_id,
            s.code,
            status_name(&s.code),
            s.description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
        ));
    }
    out.value(&json!(exchange), &lines.join("\n"));
    Ok(())
}
