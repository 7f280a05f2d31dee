-- 0004: digitising paper. The review queue (drafts of documents and their scanned pages), the files
-- already taken in (so the same file is never imported twice), and the stamped archive copies.
-- Append-only: never edit once released; add 0005_… instead.

-- A document in preparation (bản nháp số hoá): the pages of one piece of mail, from a scanner, the
-- watched folder or files the clerk picked. Splitting a feeder batch makes several drafts. A draft
-- made from a PDF keeps that PDF whole (pdf_sha256) and has no pages.
CREATE TABLE capture_draft (
    id              INTEGER PRIMARY KEY,
    source          TEXT NOT NULL CHECK (source IN ('scanner', 'folder', 'file')),
    label           TEXT NOT NULL,                   -- the device, or the file's safe name
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    pdf_sha256      TEXT REFERENCES file (sha256),
    state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'registered', 'discarded')),
    document_rowid  INTEGER REFERENCES document (rowid), -- the registration it became
    closed_at       TEXT,
    CHECK ((state = 'registered') = (document_rowid IS NOT NULL))
) STRICT;

CREATE INDEX capture_draft_open ON capture_draft (id) WHERE state = 'open';

-- One page of a draft: a JPEG in the file store, compressed at most once (scans) or as it came (JPEG
-- files). Rotation is written into the PDF as /Rotate, never by re-encoding.
CREATE TABLE capture_page (
    id          INTEGER PRIMARY KEY,
    draft_id    INTEGER NOT NULL REFERENCES capture_draft (id),
    position    INTEGER NOT NULL,
    sha256      TEXT NOT NULL REFERENCES file (sha256),
    width       INTEGER NOT NULL CHECK (width > 0),
    height      INTEGER NOT NULL CHECK (height > 0),
    dpi         REAL NOT NULL CHECK (dpi > 0),
    rotation    INTEGER NOT NULL DEFAULT 0 CHECK (rotation IN (0, 90, 180, 270)),
    ink         REAL NOT NULL DEFAULT 0,
    blank       INTEGER NOT NULL DEFAULT 0 CHECK (blank IN (0, 1)),
    separator   INTEGER NOT NULL DEFAULT 0 CHECK (separator IN (0, 1)),
    passthrough INTEGER NOT NULL DEFAULT 0 CHECK (passthrough IN (0, 1)),
    thumb_sha256 TEXT REFERENCES file (sha256),
    UNIQUE (draft_id, position)
) STRICT;

-- Every file taken in, by the hash of its bytes: a file dropped twice is recognised, never imported
-- twice, and the watcher never loops on it.
CREATE TABLE capture_source (
    sha256      TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('scanner', 'folder', 'file')),
    draft_id    INTEGER REFERENCES capture_draft (id),
    taken_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The archive copy (bản lưu) of a registered document: its main file with the arrival stamp drawn
-- on page 1 as an incremental update. The original stays as it was; moving the stamp makes a new
-- copy from the original, so the latest row is the current one.
CREATE TABLE archive_copy (
    id              INTEGER PRIMARY KEY,
    document_rowid  INTEGER NOT NULL REFERENCES document (rowid),
    source_sha256   TEXT NOT NULL REFERENCES file (sha256),
    sha256          TEXT NOT NULL REFERENCES file (sha256),
    x_mm            REAL NOT NULL,
    y_mm            REAL NOT NULL,
    made_at         TEXT NOT NULL,
    made_by         TEXT NOT NULL
) STRICT;

CREATE INDEX archive_copy_document ON archive_copy (document_rowid, id);
