-- Signatures: what the organisation signed with its key, what arrived signed and how it verified,
-- the trust it was judged by. Append-only like every migration.

-- Certificates met in signatures made or verified, kept for later proof (Circular 41/2017): the
-- verdict of a document can be re-explained years later from these bytes.
CREATE TABLE certificate (
    sha256      TEXT PRIMARY KEY,          -- of the DER
    der         BLOB NOT NULL,
    subject     TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    serial      TEXT NOT NULL,             -- hex
    not_before  TEXT NOT NULL,             -- RFC 3339
    not_after   TEXT NOT NULL,
    first_seen  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The organisation's trust anchors: imported CA certificates (the government CA's roots when
-- supplied). A removed anchor keeps its row, with removed_at.
CREATE TABLE trust_anchor (
    sha256      TEXT PRIMARY KEY REFERENCES certificate (sha256),
    added_at    TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    removed_at  TEXT
) STRICT, WITHOUT ROWID;

-- CRLs fetched while online or imported, used offline. One per issuer and CRL number: the newest
-- (by this_update) is the one used.
CREATE TABLE crl_cache (
    sha256       TEXT PRIMARY KEY,          -- of the DER
    issuer       TEXT NOT NULL,
    der          BLOB NOT NULL,
    this_update  TEXT NOT NULL,
    next_update  TEXT,
    source       TEXT NOT NULL,             -- the URL it came from, or 'import'
    fetched_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX crl_cache_issuer ON crl_cache (issuer, this_update);

-- Every verification kept with the record it was made for: the verdict, the full report (JSON, one
-- entry per signature), and who registered it anyway (an audited override) when it did not verify.
CREATE TABLE signature_verdict (
    id               INTEGER PRIMARY KEY,
    document_rowid   INTEGER REFERENCES document (rowid),
    file_sha256      TEXT NOT NULL REFERENCES file (sha256),
    verified_at      TEXT NOT NULL,
    verdict          TEXT NOT NULL CHECK (verdict IN ('valid', 'invalid', 'indeterminate', 'unsigned')),
    report           TEXT NOT NULL,
    override_reason  TEXT,
    overridden_by    TEXT,
    CHECK ((override_reason IS NULL) = (overridden_by IS NULL))
) STRICT;

CREATE INDEX signature_verdict_document ON signature_verdict (document_rowid, id);

CREATE TABLE verdict_certificate (
    verdict_id  INTEGER NOT NULL REFERENCES signature_verdict (id),
    sha256      TEXT NOT NULL REFERENCES certificate (sha256),
    PRIMARY KEY (verdict_id, sha256)
) STRICT, WITHOUT ROWID;

-- Files signed with the organisation's key: the source, the signed file (the source followed by the
-- signature's revision), the profile, the certificate, and the timestamp's time once it has one.
-- Each use is also in the audit log.
CREATE TABLE signed_copy (
    id                  INTEGER PRIMARY KEY,
    document_rowid      INTEGER REFERENCES document (rowid),
    source_sha256       TEXT NOT NULL REFERENCES file (sha256),
    sha256              TEXT NOT NULL REFERENCES file (sha256),
    profile             TEXT NOT NULL CHECK (profile IN ('issued', 'copy', 'attachment')),
    certificate_sha256  TEXT NOT NULL REFERENCES certificate (sha256),
    signed_at           TEXT NOT NULL,
    signed_by           TEXT NOT NULL,
    timestamp_at        TEXT
) STRICT;

CREATE INDEX signed_copy_document ON signed_copy (document_rowid, id);

-- Signatures made offline (B-B) waiting for the timestamp authority: the upgrade appends a document
-- timestamp and records the new file in result_sha256.
CREATE TABLE timestamp_queue (
    signed_copy_id  INTEGER PRIMARY KEY REFERENCES signed_copy (id),
    queued_at       TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT,
    done_at         TEXT,
    result_sha256   TEXT REFERENCES file (sha256)
) STRICT;

CREATE INDEX timestamp_queue_pending ON timestamp_queue (signed_copy_id) WHERE done_at IS NULL;
