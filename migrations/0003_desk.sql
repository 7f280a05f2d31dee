-- 0003: the clerk's desk. Units and accounts, settings, the directory of organisations, handling of
-- incoming documents (lead, co-handlers, deadline, progress), outgoing recipients, replies and recall,
-- case files, saved searches, the backup log. Append-only: never edit once released; add 0004_… instead.

-- The organisation's units (phòng ban), with the abbreviation written last in a công văn's notation.
CREATE TABLE unit (
    id            INTEGER PRIMARY KEY,
    abbreviation  TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

-- One account per person (Thanh Hóa art. 8). Password hashes are argon2id PHC strings.
CREATE TABLE account (
    id                    INTEGER PRIMARY KEY,
    username              TEXT NOT NULL UNIQUE,
    full_name             TEXT NOT NULL,
    position              TEXT,                       -- chức vụ
    role                  TEXT NOT NULL CHECK (role IN ('clerk', 'leader', 'specialist', 'admin')),
    unit_id               INTEGER REFERENCES unit (id),
    password_hash         TEXT NOT NULL,
    must_change_password  INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    failed_attempts       INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until          TEXT,
    active                INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at            TEXT NOT NULL,
    password_changed_at   TEXT NOT NULL
) STRICT;

-- Settings as JSON documents under a key (calendar, security, backup schedule).
CREATE TABLE setting (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The directory of organisations the clerk writes to and receives from; it grows as they work.
CREATE TABLE organ (
    id            INTEGER PRIMARY KEY,
    organ_id      TEXT,                               -- mã định danh, when known
    name          TEXT NOT NULL,
    name_fold     TEXT NOT NULL UNIQUE,               -- folded name: one entry per organisation
    uses          INTEGER NOT NULL DEFAULT 0,
    last_used_at  TEXT
) STRICT;

-- Handling of an incoming document: one row once a leader assigns it.
CREATE TABLE handling (
    document_rowid  INTEGER PRIMARY KEY REFERENCES document (rowid),
    status          TEXT NOT NULL CHECK (status IN ('assigned', 'in_progress', 'done')),
    directions      TEXT,                             -- ý kiến chỉ đạo
    deadline        TEXT,                             -- RFC 3339, +07:00
    assigned_by     TEXT NOT NULL,
    assigned_at     TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    done_at         TEXT
) STRICT;

CREATE INDEX handling_open_deadline ON handling (deadline) WHERE status <> 'done';

-- Who handles it: one lead, any number of co-handlers; a unit or a person.
CREATE TABLE handler (
    document_rowid  INTEGER NOT NULL REFERENCES handling (document_rowid),
    role            TEXT NOT NULL CHECK (role IN ('lead', 'co')),
    unit_id         INTEGER REFERENCES unit (id),
    account_id      INTEGER REFERENCES account (id),
    CHECK ((unit_id IS NULL) <> (account_id IS NULL))
) STRICT;

CREATE UNIQUE INDEX handler_once ON handler (document_rowid, coalesce(unit_id, 0), coalesce(account_id, 0));
CREATE INDEX handler_account ON handler (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX handler_unit ON handler (unit_id) WHERE unit_id IS NOT NULL;

-- Progress reports, oldest first.
CREATE TABLE progress (
    id              INTEGER PRIMARY KEY,
    document_rowid  INTEGER NOT NULL REFERENCES document (rowid),
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('assigned', 'in_progress', 'done')),
    note            TEXT
) STRICT;

CREATE INDEX progress_document ON progress (document_rowid, id);

-- An outgoing document's recipients: internal units or external organisations, electronic or paper.
CREATE TABLE recipient (
    document_rowid  INTEGER NOT NULL REFERENCES document (rowid),
    ordinal         INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('unit', 'organ')),
    organ_id        TEXT,
    name            TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('electronic', 'paper')),
    PRIMARY KEY (document_rowid, ordinal)
) STRICT, WITHOUT ROWID;

-- The document it answers (ResponseFor): an outgoing reply to an incoming document, or an incoming
-- report answering one of our outgoing requests; and recall.
ALTER TABLE document ADD COLUMN response_for INTEGER REFERENCES document (rowid);
ALTER TABLE document ADD COLUMN recalled_at TEXT;
ALTER TABLE document ADD COLUMN recall_reason TEXT;

-- Day lists (arrived today), date-range printouts and filters read documents by register date.
CREATE INDEX document_register_date ON document (direction, register_date);
-- Urgent documents are few: the home screen and the "urgent" filter read them through this index.
CREATE INDEX document_urgent ON document (register_date)
    WHERE direction = 'incoming' AND urgency IS NOT NULL AND cancelled_at IS NULL;
CREATE INDEX document_response_for ON document (response_for) WHERE response_for IS NOT NULL;
-- Outgoing documents that ask for a report by a date (the sender tracks the replies).
CREATE INDEX document_reply_due ON document (due_date)
    WHERE direction = 'outgoing' AND due_date IS NOT NULL AND cancelled_at IS NULL AND recalled_at IS NULL;
CREATE INDEX document_register_deadline ON document (register_deadline) WHERE direction = 'incoming' AND cancelled_at IS NULL;

-- A recalled document is frozen: its record never changes again (domain.md §2).
CREATE TRIGGER document_recalled_is_frozen BEFORE UPDATE ON document
WHEN OLD.recalled_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'document is recalled and frozen'); END;

-- Case files (hồ sơ) of the yearly catalogue; one document may sit in many without being copied.
CREATE TABLE case_file (
    id           INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,
    notation     TEXT NOT NULL,                       -- số và ký hiệu hồ sơ, e.g. 01.TH
    title        TEXT NOT NULL,
    maintenance  TEXT NOT NULL,                       -- thời hạn bảo quản: "Vĩnh viễn", "10 năm"
    rights       TEXT NOT NULL DEFAULT 'Hạn chế',
    creator      TEXT NOT NULL,                       -- người lập hồ sơ
    unit_id      INTEGER REFERENCES unit (id),
    language     TEXT NOT NULL DEFAULT 'Tiếng Việt',
    description  TEXT,
    opened_at    TEXT NOT NULL,
    closed_at    TEXT,
    archive_due  TEXT,                                -- yyyy-mm-dd: due at the agency's archive
    UNIQUE (year, notation)
) STRICT;

CREATE TABLE case_file_document (
    case_file_id    INTEGER NOT NULL REFERENCES case_file (id),
    document_rowid  INTEGER NOT NULL REFERENCES document (rowid),
    added_at        TEXT NOT NULL,
    added_by        TEXT NOT NULL,
    PRIMARY KEY (case_file_id, document_rowid)
) STRICT, WITHOUT ROWID;

CREATE INDEX case_file_document_by_document ON case_file_document (document_rowid);

-- A user's saved searches.
CREATE TABLE saved_search (
    id          INTEGER PRIMARY KEY,
    owner       TEXT NOT NULL,                        -- user name
    name        TEXT NOT NULL,
    query       TEXT NOT NULL,                        -- JSON
    created_at  TEXT NOT NULL,
    UNIQUE (owner, name)
) STRICT;

-- Every backup attempt, on demand or scheduled, with its outcome.
CREATE TABLE backup_run (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    folder     TEXT NOT NULL,
    scheduled  INTEGER NOT NULL CHECK (scheduled IN (0, 1)),
    ok         INTEGER NOT NULL CHECK (ok IN (0, 1)),
    message    TEXT NOT NULL
) STRICT;
