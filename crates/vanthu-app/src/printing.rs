//! Printing through the operating system: CUPS on Linux, through its own command-line clients (`lp`,
//! `lpstat`), which every CUPS installation has and which speak to the local scheduler the way the
//! desktop's print dialogs do. The façade decides *what* is printed (a marked copy); this module only
//! hands a file to a printer and reads back the job's id.

use std::path::Path;
use std::process::Command;

use crate::{ApiError, ApiResult, ErrorCode};

use crate::digitise::Printer;

fn cups_missing(e: &std::io::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Io,
        format!("Không gọi được hệ thống in (CUPS): {e}. Hãy cài CUPS (gói cups, cups-client) hoặc dùng \"Mở để in\"."),
    )
}

/// The printers (CUPS destinations), the default first.
pub(crate) fn printers() -> ApiResult<Vec<Printer>> {
    let out = Command::new("lpstat").arg("-e").output().map_err(|e| cups_missing(&e))?;
    let default = default_name();
    let mut list: Vec<Printer> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|name| Printer { name: name.to_owned(), default: default.as_deref() == Some(name) })
        .collect();
    list.sort_by_key(|p| !p.default);
    Ok(list)
}

fn default_name() -> Option<String> {
    let out = Command::new("lpstat").arg("-d").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // "system default destination: VanthuPDF" (or "no system default destination").
    text.lines().find_map(|l| l.split_once("destination:").map(|(_, n)| n.trim().to_owned())).filter(|n| !n.is_empty())
}

/// The default printer, else the only one; an error names the choice to make otherwise.
pub(crate) fn default_printer() -> ApiResult<String> {
    let list = printers()?;
    if let Some(p) = list.iter().find(|p| p.default) {
        return Ok(p.name.clone());
    }
    match list.as_slice() {
        [only] => Ok(only.name.clone()),
        [] => Err(ApiError::new(ErrorCode::NotFound, "Chưa có máy in nào trong hệ thống in (CUPS).")),
        _ => Err(ApiError::invalid("Có nhiều máy in và chưa đặt máy in mặc định: hãy chọn máy in.")),
    }
}

/// Sends `file` to `printer` with a job title; returns CUPS's job id (e.g. `VanthuPDF-12`).
pub(crate) fn print(printer: &str, title: &str, file: &Path) -> ApiResult<String> {
    if printer.is_empty() || printer.starts_with('-') || printer.chars().any(|c| c.is_control() || c == '/') {
        return Err(ApiError::invalid("Tên máy in không hợp lệ."));
    }
    let out =
        Command::new("lp").args(["-d", printer, "-t", title, "--"]).arg(file).output().map_err(|e| cups_missing(&e))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return Err(ApiError::new(ErrorCode::Io, format!("Máy in {printer} không nhận lệnh in: {why}")));
    }
    // "request id is VanthuPDF-12 (1 file(s))"
    let job = stdout
        .split_whitespace()
        .skip_while(|w| *w != "is")
        .nth(1)
        .map(str::to_owned)
        .unwrap_or_else(|| stdout.trim().to_owned());
    Ok(job)
}
