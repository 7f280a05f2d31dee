//! Signatures in the register: certificates kept for proof, the organisation's trust anchors and
//! cached CRLs, the verdicts kept with incoming records (and their audited overrides), the files
//! signed with the organisation's key (each use audited), and the timestamp upgrades still owed.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use crate::Result;
use crate::audit::{self, NewAuditEntry};
use crate::capture::remember_file;
use crate::files::StoredFile;
use crate::register::{rowid_of, vietnam_rfc3339};

/// Keep a PDF's row in `file` (its bytes are already in the file store).
pub fn remember_pdf(tx: &Transaction<'_>, file: &StoredFile, at: OffsetDateTime) -> Result<()> {
    remember_file(tx, file, "application/pdf", &vietnam_rfc3339(at))
}

/// A certificate as the register keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificateRecord {
    /// SHA-256 of the DER, hex.
    pub sha256: String,
    /// The DER.
    #[serde(skip)]
    pub der: Vec<u8>,
    /// Subject, as people read it.
    pub subject: String,
    /// Issuer, as people read it.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
}

/// Keep a certificate (once).
pub fn remember_certificate(tx: &Transaction<'_>, certificate: &CertificateRecord, at: OffsetDateTime) -> Result<()> {
    tx.execute(
        "INSERT INTO certificate (sha256, der, subject, issuer, serial, not_before, not_after, first_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (sha256) DO NOTHING",
        params![
            certificate.sha256,
            certificate.der,
            certificate.subject,
            certificate.issuer,
            certificate.serial,
            certificate.not_before,
            certificate.not_after,
            vietnam_rfc3339(at)
        ],
    )?;
    Ok(())
}

fn certificate_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CertificateRecord> {
    Ok(CertificateRecord {
        sha256: r.get(0)?,
        der: r.get(1)?,
        subject: r.get(2)?,
        issuer: r.get(3)?,
        serial: r.get(4)?,
        not_before: r.get(5)?,
        not_after: r.get(6)?,
    })
}

const CERTIFICATE_COLUMNS: &str = "c.sha256, c.der, c.subject, c.issuer, c.serial, c.not_before, c.not_after";

/// Trust a CA certificate (audited). Trusting it again after removal brings it back.
pub fn add_trust_anchor(
    tx: &Transaction<'_>,
    certificate: &CertificateRecord,
    at: OffsetDateTime,
    actor: &str,
) -> Result<()> {
    remember_certificate(tx, certificate, at)?;
    let when = vietnam_rfc3339(at);
    tx.execute(
        "INSERT INTO trust_anchor (sha256, added_at, added_by) VALUES (?1, ?2, ?3)
         ON CONFLICT (sha256) DO UPDATE SET added_at = excluded.added_at, added_by = excluded.added_by, removed_at = NULL",
        params![certificate.sha256, when, actor],
    )?;
    audit::append(
        tx,
        &NewAuditEntry {
            at: &when,
            actor,
            action: "trust.anchor_added",
            entity: "certificate",
            entity_id: &certificate.sha256,
            old: None,
            new: Some(json!({ "subject": certificate.subject, "not_after": certificate.not_after })),
        },
    )?;
    Ok(())
}

/// Stop trusting a CA certificate (audited); its row stays.
pub fn remove_trust_anchor(tx: &Transaction<'_>, sha256: &str, at: OffsetDateTime, actor: &str) -> Result<bool> {
    let when = vietnam_rfc3339(at);
    let changed = tx.execute(
        "UPDATE trust_anchor SET removed_at = ?2 WHERE sha256 = ?1 AND removed_at IS NULL",
        params![sha256, when],
    )?;
    if changed > 0 {
        audit::append(
            tx,
            &NewAuditEntry {
                at: &when,
                actor,
                action: "trust.anchor_removed",
                entity: "certificate",
                entity_id: sha256,
                old: None,
                new: None,
            },
        )?;
    }
    Ok(changed > 0)
}

/// The trust anchors in force.
pub fn trust_anchors(conn: &Connection) -> Result<Vec<CertificateRecord>> {
    let mut statement = conn.prepare(&format!(
        "SELECT {CERTIFICATE_COLUMNS} FROM trust_anchor t JOIN certificate c USING (sha256)
         WHERE t.removed_at IS NULL ORDER BY c.subject"
    ))?;
    let rows = statement.query_map([], certificate_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The DER of every certificate the register keeps (anchors, signers met): where CRLs are named.
pub fn known_certificates(conn: &Connection) -> Result<Vec<Vec<u8>>> {
    let mut statement = conn.prepare("SELECT der FROM certificate ORDER BY sha256")?;
    let rows = statement.query_map([], |r| r.get::<_, Vec<u8>>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A CRL as the register caches it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CrlRecord {
    /// SHA-256 of the DER, hex.
    pub sha256: String,
    /// The issuer, as people read it.
    pub issuer: String,
    /// The DER.
    #[serde(skip)]
    pub der: Vec<u8>,
    /// thisUpdate, RFC 3339.
    pub this_update: String,
    /// nextUpdate, RFC 3339.
    pub next_update: Option<String>,
    /// Where it came from: its URL, or `import`.
    pub source: String,
}

/// Cache a CRL (once per content).
pub fn store_crl(tx: &Transaction<'_>, crl: &CrlRecord, at: OffsetDateTime) -> Result<bool> {
    let inserted = tx.execute(
        "INSERT INTO crl_cache (sha256, issuer, der, this_update, next_update, source, fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (sha256) DO NOTHING",
        params![crl.sha256, crl.issuer, crl.der, crl.this_update, crl.next_update, crl.source, vietnam_rfc3339(at)],
    )?;
    Ok(inserted > 0)
}

/// The newest cached CRL of each issuer.
pub fn crls(conn: &Connection) -> Result<Vec<CrlRecord>> {
    let mut statement = conn.prepare(
        "SELECT sha256, issuer, der, this_update, next_update, source FROM crl_cache c
         WHERE this_update = (SELECT max(this_update) FROM crl_cache d WHERE d.issuer = c.issuer)
         ORDER BY issuer",
    )?;
    let rows = statement
        .query_map([], |r| {
            Ok(CrlRecord {
                sha256: r.get(0)?,
                issuer: r.get(1)?,
                der: r.get(2)?,
                this_update: r.get(3)?,
                next_update: r.get(4)?,
                source: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A verification kept with a record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VerdictRecord {
    /// Row id.
    pub id: i64,
    /// The file verified.
    pub file_sha256: String,
    /// When, RFC 3339.
    pub verified_at: String,
    /// valid | invalid | indeterminate | unsigned.
    pub verdict: String,
    /// The full report (JSON).
    pub report: serde_json::Value,
    /// Why it was registered anyway.
    pub override_reason: Option<String>,
    /// Who decided that.
    pub overridden_by: Option<String>,
}

/// What to keep of one verification.
#[derive(Clone, Debug)]
pub struct NewVerdict<'a> {
    /// The file verified.
    pub file_sha256: &'a str,
    /// valid | invalid | indeterminate | unsigned.
    pub verdict: &'a str,
    /// The full report.
    pub report: &'a serde_json::Value,
    /// The certificates the signatures carried.
    pub certificates: &'a [CertificateRecord],
    /// Registered although it did not verify: the reason.
    pub override_reason: Option<&'a str>,
}

/// Keep a verdict with a document (inside its registration's transaction); an override is audited.
pub fn record_verdict(
    tx: &Transaction<'_>,
    document_id: &str,
    verdict: &NewVerdict<'_>,
    at: OffsetDateTime,
    actor: &str,
) -> Result<i64> {
    let rowid = rowid_of(tx, document_id)?;
    let when = vietnam_rfc3339(at);
    tx.execute(
        "INSERT INTO signature_verdict (document_rowid, file_sha256, verified_at, verdict, report, override_reason, overridden_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            rowid,
            verdict.file_sha256,
            when,
            verdict.verdict,
            verdict.report.to_string(),
            verdict.override_reason,
            verdict.override_reason.map(|_| actor)
        ],
    )?;
    let id = tx.last_insert_rowid();
    for certificate in verdict.certificates {
        remember_certificate(tx, certificate, at)?;
        tx.execute(
            "INSERT INTO verdict_certificate (verdict_id, sha256) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![id, certificate.sha256],
        )?;
    }
    audit::append(
        tx,
        &NewAuditEntry {
            at: &when,
            actor,
            action: if verdict.override_reason.is_some() { "signature.override" } else { "signature.verified" },
            entity: "document",
            entity_id: document_id,
            old: None,
            new: Some(json!({
                "file_sha256": verdict.file_sha256,
                "verdict": verdict.verdict,
                "override_reason": verdict.override_reason,
            })),
        },
    )?;
    Ok(id)
}

/// The verdicts kept with a document, oldest first.
pub fn verdicts(conn: &Connection, document_id: &str) -> Result<Vec<VerdictRecord>> {
    let rowid = rowid_of(conn, document_id)?;
    let mut statement = conn.prepare(
        "SELECT id, file_sha256, verified_at, verdict, report, override_reason, overridden_by
         FROM signature_verdict WHERE document_rowid = ?1 ORDER BY id",
    )?;
    let rows = statement
        .query_map([rowid], |r| {
            let report: String = r.get(4)?;
            Ok(VerdictRecord {
                id: r.get(0)?,
                file_sha256: r.get(1)?,
                verified_at: r.get(2)?,
                verdict: r.get(3)?,
                report: serde_json::from_str(&report).unwrap_or(serde_json::Value::Null),
                override_reason: r.get(5)?,
                overridden_by: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A file signed with the organisation's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignedCopy {
    /// Row id.
    pub id: i64,
    /// The document, when the file belongs to one.
    pub document_id: Option<String>,
    /// What was signed.
    pub source_sha256: String,
    /// The signed file.
    pub sha256: String,
    /// issued | copy | attachment.
    pub profile: String,
    /// The certificate used.
    pub certificate_sha256: String,
    /// When, RFC 3339.
    pub signed_at: String,
    /// By whom.
    pub signed_by: String,
    /// The timestamp's time, when it has one.
    pub timestamp_at: Option<String>,
    /// The file with its later document timestamp, once the queued upgrade was done.
    pub upgraded_sha256: Option<String>,
}

/// What to record of one use of the organisation's key.
#[derive(Clone, Debug)]
pub struct NewSignedCopy<'a> {
    /// The document, when the file belongs to one.
    pub document_id: Option<&'a str>,
    /// What was signed (already in the file store).
    pub source_sha256: &'a str,
    /// The signed file (already in the file store).
    pub signed: &'a StoredFile,
    /// issued | copy | attachment.
    pub profile: &'a str,
    /// The certificate used.
    pub certificate: &'a CertificateRecord,
    /// The timestamp's time (B-T), if one was obtained.
    pub timestamp_at: Option<OffsetDateTime>,
    /// Queue a timestamp upgrade (signed offline with an authority configured), with the reason.
    pub queue_timestamp: Option<&'a str>,
}

/// Record a use of the organisation's key, with its audit entry: document, certificate, time, user.
pub fn record_signed_copy(
    tx: &Transaction<'_>,
    copy: &NewSignedCopy<'_>,
    at: OffsetDateTime,
    actor: &str,
) -> Result<SignedCopy> {
    let when = vietnam_rfc3339(at);
    let rowid = copy.document_id.map(|id| rowid_of(tx, id)).transpose()?;
    remember_certificate(tx, copy.certificate, at)?;
    remember_file(tx, copy.signed, "application/pdf", &when)?;
    let timestamp_at = copy.timestamp_at.map(vietnam_rfc3339);
    tx.execute(
        "INSERT INTO signed_copy (document_rowid, source_sha256, sha256, profile, certificate_sha256, signed_at, signed_by, timestamp_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            rowid,
            copy.source_sha256,
            copy.signed.sha256,
            copy.profile,
            copy.certificate.sha256,
            when,
            actor,
            timestamp_at
        ],
    )?;
    let id = tx.last_insert_rowid();
    if let Some(reason) = copy.queue_timestamp {
        tx.execute(
            "INSERT INTO timestamp_queue (signed_copy_id, queued_at, last_error) VALUES (?1, ?2, ?3)",
            params![id, when, reason],
        )?;
    }
    let (entity, entity_id) = match copy.document_id {
        Some(document) => ("document", document.to_owned()),
        None => ("file", copy.source_sha256.to_owned()),
    };
    audit::append(
        tx,
        &NewAuditEntry {
            at: &when,
            actor,
            action: "key.sign",
            entity,
            entity_id: &entity_id,
            old: None,
            new: Some(json!({
                "profile": copy.profile,
                "source_sha256": copy.source_sha256,
                "sha256": copy.signed.sha256,
                "certificate_sha256": copy.certificate.sha256,
                "certificate_subject": copy.certificate.subject,
                "certificate_serial": copy.certificate.serial,
                "timestamp_at": timestamp_at,
                "timestamp_queued": copy.queue_timestamp.is_some(),
            })),
        },
    )?;
    Ok(SignedCopy {
        id,
        document_id: copy.document_id.map(str::to_owned),
        source_sha256: copy.source_sha256.to_owned(),
        sha256: copy.signed.sha256.clone(),
        profile: copy.profile.to_owned(),
        certificate_sha256: copy.certificate.sha256.clone(),
        signed_at: when,
        signed_by: actor.to_owned(),
        timestamp_at,
        upgraded_sha256: None,
    })
}

const SIGNED_COPY_COLUMNS: &str = "s.id, d.id, s.source_sha256, s.sha256, s.profile, s.certificate_sha256, s.signed_at,
     s.signed_by, s.timestamp_at, q.result_sha256";

fn signed_copy_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SignedCopy> {
    Ok(SignedCopy {
        id: r.get(0)?,
        document_id: r.get(1)?,
        source_sha256: r.get(2)?,
        sha256: r.get(3)?,
        profile: r.get(4)?,
        certificate_sha256: r.get(5)?,
        signed_at: r.get(6)?,
        signed_by: r.get(7)?,
        timestamp_at: r.get(8)?,
        upgraded_sha256: r.get(9)?,
    })
}

/// The files a document had signed, oldest first.
pub fn signed_copies(conn: &Connection, document_id: &str) -> Result<Vec<SignedCopy>> {
    let rowid = rowid_of(conn, document_id)?;
    let mut statement = conn.prepare(&format!(
        "SELECT {SIGNED_COPY_COLUMNS} FROM signed_copy s LEFT JOIN document d ON d.rowid = s.document_rowid
         LEFT JOIN timestamp_queue q ON q.signed_copy_id = s.id WHERE s.document_rowid = ?1 ORDER BY s.id"
    ))?;
    let rows = statement.query_map([rowid], signed_copy_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Signed files still waiting for their timestamp, oldest first.
pub fn pending_timestamps(conn: &Connection) -> Result<Vec<SignedCopy>> {
    let mut statement = conn.prepare(&format!(
        "SELECT {SIGNED_COPY_COLUMNS} FROM timestamp_queue q JOIN signed_copy s ON s.id = q.signed_copy_id
         LEFT JOIN document d ON d.rowid = s.document_rowid WHERE q.done_at IS NULL ORDER BY s.id"
    ))?;
    let rows = statement.query_map([], signed_copy_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A failed attempt at the timestamp upgrade (still offline).
pub fn timestamp_failed(tx: &Transaction<'_>, signed_copy_id: i64, error: &str) -> Result<()> {
    tx.execute(
        "UPDATE timestamp_queue SET attempts = attempts + 1, last_error = ?2 WHERE signed_copy_id = ?1 AND done_at IS NULL",
        params![signed_copy_id, error],
    )?;
    Ok(())
}

/// The upgrade done: the file with its document timestamp, audited.
pub fn timestamp_done(
    tx: &Transaction<'_>,
    signed_copy_id: i64,
    result: &StoredFile,
    stamped_at: OffsetDateTime,
    at: OffsetDateTime,
    actor: &str,
) -> Result<()> {
    let when = vietnam_rfc3339(at);
    remember_file(tx, result, "application/pdf", &when)?;
    tx.execute(
        "UPDATE timestamp_queue SET attempts = attempts + 1, done_at = ?2, result_sha256 = ?3, last_error = NULL
         WHERE signed_copy_id = ?1 AND done_at IS NULL",
        params![signed_copy_id, when, result.sha256],
    )?;
    tx.execute(
        "UPDATE signed_copy SET timestamp_at = ?2 WHERE id = ?1",
        params![signed_copy_id, vietnam_rfc3339(stamped_at)],
    )?;
    let document: Option<String> = tx
        .query_row(
            "SELECT d.id FROM signed_copy s JOIN document d ON d.rowid = s.document_rowid WHERE s.id = ?1",
            [signed_copy_id],
            |r| r.get(0),
        )
        .optional()?;
    audit::append(
        tx,
        &NewAuditEntry {
            at: &when,
            actor,
            action: "key.timestamp_upgrade",
            entity: if document.is_some() { "document" } else { "signed_copy" },
            entity_id: &document.unwrap_or_else(|| signed_copy_id.to_string()),
            old: None,
            new: Some(json!({ "sha256": result.sha256, "timestamp_at": vietnam_rfc3339(stamped_at) })),
        },
    )?;
    Ok(())
}
