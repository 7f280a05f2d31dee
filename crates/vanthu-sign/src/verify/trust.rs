//! The trust path: from a signer's certificate to an anchor the organisation configured, and what
//! each certificate on it must satisfy at the signing time (RFC 5280 §6, the parts a records office
//! needs, strictly).
//!
//! - Building: issuer candidates by name among the signature's own certificates, the store's
//!   intermediates and its anchors; the authority key identifier orders them; the issuer's signature
//!   decides. Depth at most [`MAX_DEPTH`], a certificate never twice, a budget of signature checks
//!   so that a hostile bag of certificates cannot make us spin.
//! - Checks: validity at the signing time, basicConstraints cA and keyUsage keyCertSign (and the
//!   path length) for issuers, the signer's keyUsage (digitalSignature or nonRepudiation) or the
//!   TSA's extendedKeyUsage timeStamping, no unknown critical extension. The anchor is taken as
//!   configured: only its validity period is checked.
//! - Revocation: the store's CRLs whose issuer is the certificate's issuer, signed by that issuer's
//!   key, issued by `now`. A CRL counts as a check if it is current at `now` or was issued after the
//!   signing time; a stale one still proves a revocation.

use std::sync::Arc;

use const_oid::ObjectIdentifier;
use time::OffsetDateTime;

use super::certs::Cert;
use super::{TrustStore, TrustVerdict, vn_time};

/// The longest path (signer included) we build.
pub(crate) const MAX_DEPTH: usize = 8;
/// How many certificate signatures one path search may check.
const SIGNATURE_BUDGET: usize = 64;

const EKU_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");

/// What the leaf certificate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A document signer: keyUsage digitalSignature or nonRepudiation.
    Signing,
    /// A timestamp authority: extendedKeyUsage timeStamping.
    Timestamping,
}

/// The outcome: the verdict, the path (leaf first; partial when no anchor was reached) and the
/// reasons, in Vietnamese.
pub(crate) struct Evaluation {
    pub verdict: TrustVerdict,
    pub chain: Vec<Arc<Cert>>,
    pub problems: Vec<String>,
}

/// Evaluates `leaf` against the store. `signing_time` is the time decided for the signature (None:
/// `now` is used and any listed revocation counts); `time_attested` says it comes from a valid
/// timestamp (a revocation dated after a merely claimed time is then reported).
pub(crate) fn evaluate(
    leaf: &Arc<Cert>,
    bundled: &[Arc<Cert>],
    store: &TrustStore,
    signing_time: Option<OffsetDateTime>,
    time_attested: bool,
    now: OffsetDateTime,
    purpose: Purpose,
) -> Evaluation {
    let mut builder = Builder { pool: Vec::new(), anchors: &store.anchors, budget: SIGNATURE_BUDGET, best: Vec::new() };
    for cert in bundled.iter().chain(store.intermediates.iter()) {
        if !builder.pool.iter().any(|c| c.sha256 == cert.sha256) {
            builder.pool.push(cert.clone());
        }
    }
    let mut chain = vec![leaf.clone()];
    let path_found = builder.is_anchor(leaf) || builder.extend(&mut chain);
    if !path_found {
        chain = std::mem::take(&mut builder.best);
        if chain.is_empty() {
            chain.push(leaf.clone());
        }
    }

    let at = signing_time.unwrap_or(now);
    let mut problems = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut expired = false;
    let mut not_yet_valid = false;
    let last = chain.len() - 1;
    for (index, cert) in chain.iter().enumerate() {
        let is_anchor = path_found && index == last;
        if at > cert.info.not_after {
            expired = true;
            problems.push(format!(
                "Chứng thư \"{}\" đã hết hạn vào {} (thời điểm kiểm tra: {})",
                cert.label(),
                vn_time(cert.info.not_after),
                vn_time(at)
            ));
        }
        if at < cert.info.not_before {
            not_yet_valid = true;
            problems.push(format!(
                "Chứng thư \"{}\" chưa có hiệu lực (hiệu lực từ {}; thời điểm kiểm tra: {})",
                cert.label(),
                vn_time(cert.info.not_before),
                vn_time(at)
            ));
        }
        if index == 0 {
            match purpose {
                Purpose::Signing => {
                    if let Some(usage) = &cert.key_usage
                        && !usage.digital_signature()
                        && !usage.non_repudiation()
                    {
                        failures.push(format!(
                            "Chứng thư \"{}\" không được phép dùng để ký (keyUsage thiếu digitalSignature và nonRepudiation)",
                            cert.label()
                        ));
                    }
                }
                Purpose::Timestamping => {
                    if !cert.eku.as_ref().is_some_and(|eku| eku.contains(&EKU_TIME_STAMPING)) {
                        failures.push(format!(
                            "Chứng thư \"{}\" không phải chứng thư cấp dấu thời gian (thiếu extendedKeyUsage timeStamping)",
                            cert.label()
                        ));
                    }
                }
            }
        }
        if is_anchor {
            continue;
        }
        for problem in &cert.ext_problems {
            failures.push(format!("Chứng thư \"{}\": {problem}", cert.label()));
        }
        if index > 0 {
            if !cert.is_ca() {
                failures.push(format!(
                    "Chứng thư \"{}\" không phải của tổ chức cấp chứng thư (thiếu basicConstraints cA)",
                    cert.label()
                ));
            }
            if let Some(usage) = &cert.key_usage
                && !usage.key_cert_sign()
            {
                failures.push(format!(
                    "Chứng thư \"{}\" không được phép ký chứng thư khác (thiếu keyCertSign)",
                    cert.label()
                ));
            }
            // The certificates between this CA and the signer (not counting the signer itself).
            let below = chain.get(1..index).unwrap_or_default().iter().filter(|c| !c.self_issued()).count();
            if let Some(limit) = cert.basic.as_ref().and_then(|b| b.path_len_constraint)
                && usize::from(limit) < below
            {
                failures.push(format!(
                    "Chứng thư \"{}\" vượt giới hạn độ dài đường dẫn (pathLenConstraint {limit})",
                    cert.label()
                ));
            }
        }
    }

    // Revocation, for every certificate whose issuer is on the path.
    let mut revoked: Option<OffsetDateTime> = None;
    let mut all_checked = true;
    for (index, cert) in chain.iter().enumerate() {
        if path_found && index == last {
            continue;
        }
        let Some(issuer) = chain.get(index + 1) else {
            all_checked = false;
            continue;
        };
        let mut checked = false;
        let mut stale = None;
        for crl in store.crls.iter().filter(|crl| crl.issuer_key == cert.issuer_key) {
            if crl.this_update > now {
                problems.push(format!(
                    "CRL của \"{}\" phát hành lúc {}, sau thời điểm kiểm tra; đã bỏ qua",
                    crl.info.issuer,
                    vn_time(crl.this_update)
                ));
                continue;
            }
            if let Err(error) = crl.verify_issued_by(issuer) {
                problems.push(format!(
                    "CRL mang tên \"{}\" không được ký bởi khoá của chứng thư \"{}\" ({error}); đã bỏ qua",
                    crl.info.issuer,
                    issuer.label()
                ));
                continue;
            }
            if let Some(usage) = &issuer.key_usage
                && !usage.crl_sign()
            {
                problems.push(format!(
                    "Chứng thư \"{}\" không được phép ký CRL (thiếu cRLSign); CRL đã bị bỏ qua",
                    issuer.label()
                ));
                continue;
            }
            if let Some(why) = &crl.unsupported {
                problems.push(format!("CRL của \"{}\" không dùng được ({why}); đã bỏ qua", crl.info.issuer));
                continue;
            }
            if (crl.only_user && cert.is_ca()) || (crl.only_ca && !cert.is_ca()) {
                continue;
            }
            if let Some(date) = crl.revoked.get(cert.serial()) {
                if signing_time.is_none() || *date <= at {
                    if revoked.is_none_or(|r| *date < r) {
                        revoked = Some(*date);
                    }
                    problems.push(format!("Chứng thư \"{}\" đã bị thu hồi từ {}", cert.label(), vn_time(*date)));
                } else if !time_attested {
                    problems.push(format!(
                        "Chứng thư \"{}\" bị thu hồi từ {}, sau thời điểm ký {}; thời điểm ký này không được bảo đảm bằng dấu thời gian",
                        cert.label(),
                        vn_time(*date),
                        vn_time(at)
                    ));
                }
            }
            let current = crl.next_update.is_none_or(|next| next >= now) || crl.this_update >= at;
            if current {
                checked = true;
            } else {
                stale = crl.next_update;
            }
        }
        if !checked {
            all_checked = false;
            let why = match stale {
                Some(next) => format!("CRL của \"{}\" đã quá hạn cập nhật từ {}", cert.info.issuer, vn_time(next)),
                None => format!("không có CRL hợp lệ của \"{}\" trong kho tin cậy", cert.info.issuer),
            };
            problems.push(format!("Chứng thư \"{}\": chưa kiểm tra được tình trạng thu hồi ({why})", cert.label()));
        }
    }

    let leaf_label = leaf.label().to_string();
    let reason = if !path_found {
        Some(format!(
            "Không tin cậy: không xây dựng được đường dẫn tin cậy tới chứng thư gốc đã cấu hình (chứng thư \"{leaf_label}\" do \"{}\" cấp)",
            chain.last().map_or(leaf.info.issuer.as_str(), |c| c.info.issuer.as_str())
        ))
    } else if let Some(date) = revoked {
        Some(format!("Không tin cậy: chứng thư đã bị thu hồi từ {}", vn_time(date)))
    } else if expired {
        Some(format!("Không tin cậy: chứng thư đã hết hạn tại thời điểm ký ({})", vn_time(at)))
    } else if not_yet_valid {
        Some(format!("Không tin cậy: chứng thư chưa có hiệu lực tại thời điểm ký ({})", vn_time(at)))
    } else {
        failures.first().map(|f| format!("Không tin cậy: {}", lower_first(f)))
    };
    if !path_found {
        problems.insert(0, reason.clone().unwrap_or_default());
    }
    let trusted = path_found && failures.is_empty() && !expired && !not_yet_valid && revoked.is_none();
    problems.extend(failures);
    Evaluation {
        verdict: TrustVerdict {
            trusted,
            path_found,
            expired_at_signing: expired,
            not_yet_valid,
            revoked,
            revocation_checked: path_found && all_checked,
            reason,
        },
        chain,
        problems,
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

struct Builder<'a> {
    pool: Vec<Arc<Cert>>,
    anchors: &'a [Arc<Cert>],
    budget: usize,
    best: Vec<Arc<Cert>>,
}

impl Builder<'_> {
    fn is_anchor(&self, cert: &Cert) -> bool {
        self.anchors.iter().any(|a| a.sha256 == cert.sha256)
    }

    /// Extends `chain` towards an anchor; true when one is reached (the chain then ends with it).
    fn extend(&mut self, chain: &mut Vec<Arc<Cert>>) -> bool {
        if chain.len() > self.best.len() {
            self.best = chain.clone();
        }
        let Some(last) = chain.last().cloned() else { return false };
        if chain.len() >= MAX_DEPTH {
            return false;
        }
        let mut candidates: Vec<(u8, bool, Arc<Cert>)> = Vec::new();
        let all = self.anchors.iter().map(|c| (true, c)).chain(self.pool.iter().map(|c| (false, c)));
        for (anchor, cert) in all {
            if cert.subject_key != last.issuer_key
                || chain.iter().any(|c| c.sha256 == cert.sha256)
                || candidates.iter().any(|(_, _, c)| c.sha256 == cert.sha256)
            {
                continue;
            }
            let rank = match (&last.aki, &cert.ski) {
                (Some(aki), Some(ski)) if aki == ski => 0,
                (Some(_), Some(_)) => 2,
                _ => 1,
            };
            candidates.push((rank, anchor, cert.clone()));
        }
        candidates.sort_by_key(|(rank, anchor, _)| (*rank, !*anchor));
        for (_, anchor, candidate) in candidates {
            if self.budget == 0 {
                return false;
            }
            self.budget -= 1;
            if last.verify_issued_by(&candidate).is_err() {
                continue;
            }
            chain.push(candidate.clone());
            if anchor || self.is_anchor(&candidate) {
                return true;
            }
            if self.extend(chain) {
                return true;
            }
            chain.pop();
        }
        false
    }
}
