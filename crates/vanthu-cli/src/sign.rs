//! `vanthu sign` and `vanthu verify`: the organisation's token and anyone's signatures, on files.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use vanthu_app::signing::{
    self, CopyLook, IssuedLook, PdfReport, Profile, SignRequest, SignedFile, TokenChoice, TrustInput,
};
use vanthu_app::{ApiError, Desk};

use serde_json::json;

use crate::args::{SignArgs, TrustCommand};
use crate::render::Output;

/// Sign `args.input` into `args.out` (written atomically, never over the input). With a register,
/// the use of the key is recorded and audited there, and a registered document's number, date and
/// the organisation's seal come from it.
pub fn sign(desk: Option<&Desk>, args: &SignArgs, now: OffsetDateTime) -> Result<SignedFile, ApiError> {
    let input = read(&args.input)?;
    if same_file(&args.input, &args.out) {
        return Err(ApiError::invalid("Tệp ký ra phải khác tệp gốc: bản gốc không bao giờ bị ghi đè."));
    }
    let profile: Profile = args.profile.parse()?;
    let seal_png = args.seal.as_ref().map(|path| read(path)).transpose()?;
    let organisation = args.organisation.clone().unwrap_or_default();
    let request = SignRequest {
        profile,
        token: TokenChoice {
            module: args.module.clone(),
            token_label: args.token_label.clone(),
            key_label: args.key_label.clone(),
            rsa_pss: args.rsa_pss,
        },
        tsa_url: args.tsa.clone(),
        organisation,
        issued: IssuedLook {
            number: args.number.clone(),
            date: args.date.as_deref().map(date_line),
            number_at: args.number_at.as_deref().map(|t| pair(t, "--number-at")).transpose()?,
            date_at: args.date_at.as_deref().map(|t| pair(t, "--date-at")).transpose()?,
            seal_png,
            seal_size_mm: args.seal_size.as_deref().map(size).transpose()?,
            seal_at: args.seal_at.as_deref().map(|t| pair(t, "--seal-at")).transpose()?,
            seal_page: args.seal_page,
        },
        copy: CopyLook {
            form: args.form.clone(),
            at: args.mark_at.as_deref().map(|t| pair(t, "--mark-at")).transpose()?,
        },
    };
    let pin = read_pin(args.pin_stdin)?;
    let signed = match desk {
        Some(desk) => desk.sign_file(&input, &request, &pin).map(|(signed, copy)| (signed, Some((desk, copy)))),
        None => signing::sign_pdf(&input, &request, &pin, now).map(|signed| (signed, None)),
    };
    drop(pin);
    let (signed, stored) = signed?;
    match stored {
        // The register signed the document's latest file, which may not be the input: write the
        // file it stored.
        Some((desk, copy)) => write_atomically(&args.out, &[&read(&desk.stored_file(&copy.sha256)?)?])?,
        None => write_atomically(&args.out, &[&input, &signed.revision])?,
    }
    Ok(signed)
}

/// Verify every signature of `file` with the trust given (and the register's, when there is one).
pub fn verify(
    desk: Option<&Desk>,
    file: &Path,
    trust: &[PathBuf],
    intermediates: &[PathBuf],
    crls: &[PathBuf],
    now: OffsetDateTime,
) -> Result<PdfReport, ApiError> {
    let pdf = read(file)?;
    let input = TrustInput {
        anchors: trust.iter().map(|p| read(p)).collect::<Result<_, _>>()?,
        intermediates: intermediates.iter().map(|p| read(p)).collect::<Result<_, _>>()?,
        crls: crls.iter().map(|p| read(p)).collect::<Result<_, _>>()?,
    };
    let mut store = match desk {
        Some(desk) => desk.trust()?,
        None => Default::default(),
    };
    signing::extend_trust(&mut store, &input)?;
    signing::verify_pdf(&pdf, &store, now)
}

/// `vanthu trust …`.
pub fn trust(desk: &Desk, out: &Output, command: TrustCommand) -> Result<(), ApiError> {
    match command {
        TrustCommand::List => {
            let anchors = desk.trust_anchors()?;
            let crls = desk.crls()?;
            let mut text: Vec<String> =
                anchors.iter().map(|a| format!("{}  {} (đến {})", a.sha256, a.subject, a.not_after)).collect();
            text.extend(crls.iter().map(|c| format!("CRL {} · {} · {}", c.issuer, c.this_update, c.source)));
            out.value(&json!({ "anchors": anchors, "crls": crls }), &text.join("\n"));
        }
        TrustCommand::Add { file } => {
            let added = desk.import_trust_anchors(&read(&file)?)?;
            let text: Vec<String> = added.iter().map(|a| format!("Đã tin cậy: {} ({})", a.subject, a.sha256)).collect();
            out.value(&json!({ "added": added }), &text.join("\n"));
        }
        TrustCommand::Remove { sha256 } => {
            let removed = desk.remove_trust_anchor(&sha256)?;
            out.value(
                &json!({ "removed": removed }),
                if removed { "Đã bỏ tin cậy." } else { "Không có chứng thư này." },
            );
        }
        TrustCommand::Crl { file } => {
            let crl = desk.import_crl(&read(&file)?, "import")?;
            out.value(&json!({ "crl": crl }), &format!("Đã lưu CRL của {} ({})", crl.issuer, crl.this_update));
        }
        TrustCommand::Refresh => {
            let refresh = desk.refresh_crls()?;
            let text = format!("Đã tải {} CRL; lỗi {}", refresh.fetched.len(), refresh.failed.len());
            out.value(&serde_json::to_value(&refresh).unwrap_or_default(), &text);
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, ApiError> {
    std::fs::read(path).map_err(|e| ApiError::invalid(format!("Không đọc được tệp {}: {e}.", path.display())))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A YYYY-MM-DD date becomes Decree 30's line; anything else is written as given.
fn date_line(text: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(text.trim(), format) {
        Ok(date) => signing::decree30_date(date),
        Err(_) => text.trim().to_string(),
    }
}

fn pair(text: &str, flag: &str) -> Result<(f32, f32), ApiError> {
    let (x, y) = text.split_once(',').ok_or_else(|| ApiError::invalid(format!("{flag}: viết X,Y (mm).")))?;
    let number = |v: &str| {
        v.trim()
            .parse::<f32>()
            .ok()
            .filter(|n| n.is_finite() && (0.0..=5080.0).contains(n))
            .ok_or_else(|| ApiError::invalid(format!("{flag}: \"{text}\" không phải toạ độ mm hợp lệ.")))
    };
    Ok((number(x)?, number(y)?))
}

fn size(text: &str) -> Result<(f32, f32), ApiError> {
    let (w, h) = text
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| ApiError::invalid("--seal-size: viết RỘNGxCAO (mm), ví dụ 36x36."))?;
    pair(&format!("{w},{h}"), "--seal-size")
}

/// The PIN: the first line of standard input, or asked for on the terminal. It is not echoed back, logged or kept.
fn read_pin(from_stdin: bool) -> Result<String, ApiError> {
    if !from_stdin {
        eprint!("Mã PIN của thiết bị ký số: ");
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let line = lines
        .next()
        .transpose()
        .map_err(|e| ApiError::invalid(format!("Không đọc được mã PIN: {e}.")))?
        .unwrap_or_default();
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Write `parts`, in order, to a new file that replaces `path` once it is on disk.
fn write_atomically(path: &Path, parts: &[&[u8]]) -> Result<(), ApiError> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let failed = |e: std::io::Error| ApiError::invalid(format!("Không ghi được tệp {}: {e}.", path.display()));
    let mut temporary = tempfile::NamedTempFile::new_in(folder).map_err(failed)?;
    for part in parts {
        std::io::Write::write_all(&mut temporary, part).map_err(failed)?;
    }
    temporary.as_file().sync_all().map_err(failed)?;
    temporary.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}
