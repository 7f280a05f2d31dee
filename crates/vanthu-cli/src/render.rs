//! What the command line prints: with `--json`, exactly one JSON object on stdout; otherwise short,
//! readable Vietnamese text.
#![allow(clippy::print_stdout)]

use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};
use vanthu_app::{
    ChainReport, CheckReport, DocumentDetail, IncomingRegistered, Manifest, Organisation, OutgoingRegistered, Page,
    RegisterRow, Restored,
};

/// The output mode.
pub struct Output {
    /// `--json`.
    pub json: bool,
}

impl Output {
    /// Prints `value` as JSON, or `text` for people.
    pub fn value(&self, value: &Value, text: &str) {
        if self.json {
            println!("{value}");
        } else {
            println!("{text}");
        }
    }

    fn serialised(&self, value: &impl Serialize, text: &str) {
        let value = serde_json::to_value(value).unwrap_or_else(|e| json!({ "error": e.to_string() }));
        self.value(&value, text);
    }

    pub fn organisation(&self, org: &Organisation, db: &Path) {
        let value = json!({ "org_id": org.org_id, "org_name": org.name, "org_abbr": org.abbreviation,
                            "db": db.display().to_string() });
        self.value(&value, &format!("Đã khởi tạo sổ cho {} ({}) tại {}", org.name, org.org_id, db.display()));
    }

    pub fn incoming(&self, r: &IncomingRegistered) {
        self.serialised(
            r,
            &format!(
                "Đã đăng ký văn bản đến: SỐ ĐẾN {} ngày {} (năm {})\nmã: {}",
                r.arrival_number, r.arrival_date, r.year, r.id
            ),
        );
    }

    pub fn outgoing(&self, r: &OutgoingRegistered) {
        self.serialised(r, &format!("Đã cấp số văn bản đi: Số: {} ngày {}\nmã: {}", r.code, r.issued_date, r.id));
    }

    pub fn page(&self, page: &Page<RegisterRow>, title: &str) {
        let value = json!({
            "items": page.items,
            "page": page.page + 1,
            "page_size": page.page_size,
            "total": page.total,
            "has_more": page.has_more,
        });
        let mut text = format!("{title} — trang {}", page.page + 1);
        if let Some(total) = page.total {
            text.push_str(&format!(" ({total} văn bản)"));
        }
        for row in &page.items {
            text.push('\n');
            text.push_str(&row_line(row));
        }
        if page.items.is_empty() {
            text.push_str("\n(không có văn bản)");
        }
        self.value(&value, &text);
    }

    pub fn detail(&self, d: &DocumentDetail) {
        let mut text = row_line(&d.document);
        text.push_str(&format!("\nmã: {}", d.document.id));
        for f in &d.files {
            text.push_str(&format!("\ntệp: {} ({} byte, sha256 {})", f.name, f.size, f.sha256));
        }
        for h in &d.history {
            text.push_str(&format!("\n{} {} {}", h.at, h.actor, h.action));
        }
        self.serialised(d, &text);
    }

    pub fn cancelled(&self, row: &RegisterRow) {
        self.serialised(row, &format!("Đã hủy: {}", row_line(row)));
    }

    pub fn backup(&self, m: &Manifest, to: &Path) {
        self.serialised(
            m,
            &format!("Đã sao lưu và kiểm tra: {} văn bản, {} tệp, vào {}", m.documents, m.files.len(), to.display()),
        );
    }

    pub fn restored(&self, r: &Restored, db: &Path) {
        let mut text = format!("Đã khôi phục {} văn bản vào {}", r.manifest.documents, db.display());
        if let Some(prev) = &r.previous_moved_to {
            text.push_str(&format!("\nSổ cũ được giữ lại tại {}", prev.display()));
        }
        self.serialised(r, &text);
    }
}

fn row_line(r: &RegisterRow) -> String {
    let mut marks = Vec::new();
    if let Some(u) = r.urgency {
        marks.push(u.label().to_uppercase());
    }
    if let Some(s) = r.secrecy {
        marks.push(s.label().to_uppercase());
    }
    if r.cancelled {
        marks.push(format!("ĐÃ HỦY: {}", r.cancel_reason.as_deref().unwrap_or("")));
    }
    let marks = if marks.is_empty() { String::new() } else { format!(" [{}]", marks.join(", ")) };
    match r.direction {
        vanthu_app::Direction::Incoming => format!(
            "{} | số đến {} | {} | {} | {} {}{}",
            r.arrival_date.as_deref().unwrap_or(""),
            r.number,
            r.organ_name,
            r.code,
            r.type_name,
            r.subject,
            marks
        ),
        vanthu_app::Direction::Outgoing => format!(
            "{} | {} | {} {} | {}{}",
            r.code,
            r.document_date.as_deref().unwrap_or(""),
            r.type_name,
            r.subject,
            r.signer.as_deref().unwrap_or(""),
            marks
        ),
    }
}

pub fn chain_text(r: &ChainReport) -> String {
    match &r.error {
        None => format!("Nhật ký toàn vẹn: {} mục.", r.entries),
        Some(e) => format!("NHẬT KÝ KHÔNG TOÀN VẸN: {e}"),
    }
}

pub fn check_summary(r: &CheckReport) -> String {
    let mut problems = Vec::new();
    if !r.integrity.is_empty() {
        problems.push(format!("cơ sở dữ liệu hỏng ({})", r.integrity.len()));
    }
    if let Some(e) = &r.audit.error {
        problems.push(format!("nhật ký: {e}"));
    }
    if !r.audit_links.is_empty() {
        problems.push(format!("{} văn bản không khớp nhật ký", r.audit_links.len()));
    }
    if !r.numbering.is_empty() {
        problems.push(format!("{} lỗi đánh số", r.numbering.len()));
    }
    if !r.files.is_empty() {
        problems.push(format!("{} tệp bị mất hoặc bị sửa", r.files.len()));
    }
    if !r.consistency.is_empty() {
        problems.push(format!("{} bản ghi không nhất quán", r.consistency.len()));
    }
    if problems.is_empty() {
        "Mọi kiểm tra đều đạt.".to_owned()
    } else {
        format!("Kiểm tra phát hiện lỗi: {}.", problems.join("; "))
    }
}

pub fn check_text(r: &CheckReport) -> String {
    let mut text = format!(
        "{}\n{} văn bản, {} mục nhật ký, {} tệp đã kiểm tra.",
        check_summary(r),
        r.documents,
        r.audit.entries,
        r.files_checked
    );
    for m in &r.integrity {
        text.push_str(&format!("\n- {m}"));
    }
    for m in &r.audit_links {
        text.push_str(&format!("\n- {m}"));
    }
    for f in &r.numbering {
        text.push_str(&format!("\n- sổ {} năm {}: {:?}", f.series, f.year, f.fault));
    }
    for f in &r.files {
        text.push_str(&format!("\n- tệp {}: {:?}", f.sha256, f.state));
    }
    for m in &r.consistency {
        text.push_str(&format!("\n- {m}"));
    }
    text
}

impl Output {
    /// A PDF written by `digitise` or `scan`.
    /// A file signed with the organisation's key.
    pub fn signed(&self, s: &vanthu_app::signing::SignedFile, out: &std::path::Path) {
        let mut text = vec![format!("Đã ký {} ({}), người ký: {}", out.display(), s.field, s.signer)];
        text.push(format!("  thời điểm ký: {} · {}", s.signed_at, s.algorithm));
        match (&s.timestamp_at, &s.timestamp_error) {
            (Some(at), _) => text.push(format!("  dấu thời gian: {at}")),
            (None, Some(error)) => text.push(format!("  chưa có dấu thời gian (ký B-B): {error}")),
            _ => {}
        }
        let mut value = serde_json::to_value(s).unwrap_or_default();
        value["out"] = serde_json::Value::String(out.display().to_string());
        self.value(&value, &text.join("\n"));
    }

    /// The verdict on every signature of a file.
    pub fn signature_report(&self, file: &std::path::Path, r: &vanthu_app::signing::PdfReport) {
        let mut text = vec![format!("{}: {}", file.display(), r.summary)];
        for s in &r.signatures {
            text.push(format!(
                "  {} ({}): {} — người ký: {}, thời điểm ký: {}",
                s.field,
                s.subfilter,
                s.verdict.label(),
                s.signer.as_deref().unwrap_or("?"),
                s.signing_time.as_deref().unwrap_or("?")
            ));
            text.push(format!(
                "    toàn vẹn: {} · phủ toàn bộ tệp: {} · tin cậy: {}",
                yes(s.intact),
                yes(s.covers_whole_file),
                yes(s.trusted)
            ));
            if let Some(reason) = &s.reason {
                text.push(format!("    lý do: {reason}"));
            }
            for m in &s.modifications {
                text.push(format!("    sửa đổi sau khi ký: {m}"));
            }
        }
        let mut value = serde_json::to_value(r).unwrap_or_default();
        value["file"] = serde_json::Value::String(file.display().to_string());
        self.value(&value, &text.join("\n"));
    }

    pub fn digitised(&self, d: &vanthu_app::Digitised) {
        self.serialised(
            d,
            &format!(
                "Đã ghi {} ({} trang, {} trang giữ nguyên JPEG, {} byte)",
                d.path.display(),
                d.pages,
                d.passthrough,
                d.bytes
            ),
        );
    }

    /// `check-pdf`: the report, or its verdict and reasons.
    pub fn pdf_report(&self, r: &vanthu_app::PdfReport) {
        let mut text = vec![format!(
            "PDF {} · {} trang · PDF/A: {}",
            r.version,
            r.pages.len(),
            r.pdfa.as_deref().unwrap_or("không")
        )];
        for p in &r.pages {
            let dpi = p.dpi.map(|d| format!("{d:.0} dpi")).unwrap_or_else(|| "—".into());
            let colour = match p.colour {
                Some(true) => "màu",
                Some(false) => "không màu",
                None => "—",
            };
            let scale = p.scale_percent.map(|s| format!("{s:.0} %")).unwrap_or_else(|| "—".into());
            text.push(format!(
                "  trang {}: {:.0} × {:.0} mm, {:?}, {colour}, {dpi}, tỉ lệ {scale}",
                p.page, p.width_mm, p.height_mm, p.kind
            ));
        }
        if r.compliant {
            text.push("Đạt tiêu chuẩn số hoá (PDF ≥ 1.4, màu, ≥ 200 dpi, tỉ lệ 100 %).".into());
        } else {
            text.push("Không đạt tiêu chuẩn số hoá:".into());
            text.extend(r.problems.iter().map(|p| format!("  - {}", p.message)));
        }
        self.serialised(r, &text.join("\n"));
    }

    /// What the watched folder did: one object `{events}` for a single pass (`once`), else one JSON
    /// line per event as it happens.
    pub fn watch_events(&self, events: &[vanthu_app::digitise::FolderEvent], once: bool) {
        if once {
            let text = if events.is_empty() {
                "Không có tệp mới.".to_owned()
            } else {
                events.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("\n")
            };
            self.serialised(&json!({ "events": events }), &text);
        } else {
            for e in events {
                self.serialised(e, &e.message);
            }
        }
    }
}

fn yes(value: bool) -> &'static str {
    if value { "có" } else { "không" }
}
