-- index archive_copy_document
CREATE INDEX archive_copy_document ON archive_copy (document_rowid, id);

-- index audit_log_entity
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- index capture_draft_open
CREATE INDEX capture_draft_open ON capture_draft (id) WHERE state = 'open';

-- index case_file_document_by_document
CREATE INDEX case_file_document_by_document ON case_file_document (document_rowid);

-- index crl_cache_issuer
CREATE INDEX crl_cache_issuer ON crl_cache (issuer, this_update);

-- index document_duplicate
CREATE INDEX document_duplicate ON document (code_number, code_notation, organ_fold)
    WHERE direction = 'incoming';

-- index document_exchange_id
CREATE INDEX document_exchange_id ON document (exchange_id) WHERE exchange_id IS NOT NULL;

-- index document_register_date
CREATE INDEX document_register_date ON document (direction, register_date);

-- index document_register_deadline
CREATE INDEX document_register_deadline ON document (register_deadline) WHERE direction = 'incoming' AND cancelled_at IS NULL;

-- index document_reply_due
CREATE INDEX document_reply_due ON document (due_date)
    WHERE direction = 'outgoing' AND due_date IS NOT NULL AND cancelled_at IS NULL AND recalled_at IS NULL;

-- index document_response_for
CREATE INDEX document_response_for ON document (response_for) WHERE response_for IS NOT NULL;

-- index document_urgent
CREATE INDEX document_urgent ON document (register_date)
    WHERE direction = 'incoming' AND urgency IS NOT NULL AND cancelled_at IS NULL;

-- index exchange_status_document
CREATE INDEX exchange_status_document ON exchange_status (document_id, id);

-- index handler_account
CREATE INDEX handler_account ON handler (account_id) WHERE account_id IS NOT NULL;

-- index handler_once
CREATE UNIQUE INDEX handler_once ON handler (document_rowid, coalesce(unit_id, 0), coalesce(account_id, 0));

-- index handler_unit
CREATE INDEX handler_unit ON handler (unit_id) WHERE unit_id IS NOT NULL;

-- index handling_open_deadline
CREATE INDEX handling_open_deadline ON handling (deadline) WHERE status <> 'done';

-- index inbox_waiting
CREATE INDEX inbox_waiting ON inbox (received_at) WHERE state = 'waiting';

-- index outbox_document
CREATE INDEX outbox_document ON outbox (document_rowid) WHERE document_rowid IS NOT NULL;

-- index outbox_waiting
CREATE INDEX outbox_waiting ON outbox (id) WHERE state IN ('pending', 'unknown');

-- index progress_document
CREATE INDEX progress_document ON progress (document_rowid, id);

-- index signature_verdict_document
CREATE INDEX signature_verdict_document ON signature_verdict (document_rowid, id);

-- index signed_copy_document
CREATE INDEX signed_copy_document ON signed_copy (document_rowid, id);

-- index timestamp_queue_pending
CREATE INDEX timestamp_queue_pending ON timestamp_queue (signed_copy_id) WHERE done_at IS NULL;

-- table account
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

-- table archive_copy
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

-- table audit_log
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    old_json   TEXT,
    new_json   TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
) STRICT;

-- table backup_run
CREATE TABLE backup_run (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    folder     TEXT NOT NULL,
    scheduled  INTEGER NOT NULL CHECK (scheduled IN (0, 1)),
    ok         INTEGER NOT NULL CHECK (ok IN (0, 1)),
    message    TEXT NOT NULL
) STRICT;

-- table capture_draft
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

-- table capture_page
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

-- table capture_source
CREATE TABLE capture_source (
    sha256      TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('scanner', 'folder', 'file')),
    draft_id    INTEGER REFERENCES capture_draft (id),
    taken_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- table case_file
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

-- table case_file_document
CREATE TABLE case_file_document (
    case_file_id    INTEGER NOT NULL REFERENCES case_file (id),
    document_rowid  INTEGER NOT NULL REFERENCES document (rowid),
    added_at        TEXT NOT NULL,
    added_by        TEXT NOT NULL,
    PRIMARY KEY (case_file_id, document_rowid)
) STRICT, WITHOUT ROWID;

-- table certificate
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

-- table crl_cache
CREATE TABLE crl_cache (
    sha256       TEXT PRIMARY KEY,          -- of the DER
    issuer       TEXT NOT NULL,
    der          BLOB NOT NULL,
    this_update  TEXT NOT NULL,
    next_update  TEXT,
    source       TEXT NOT NULL,             -- the URL it came from, or 'import'
    fetched_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- table document
CREATE TABLE document (
    rowid            INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,          -- opaque id (UUID v7)
    direction        TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    year             INTEGER NOT NULL,
    position         INTEGER NOT NULL,              -- row in register_book (direction, year)
    series_id        INTEGER NOT NULL REFERENCES series (id),
    number           INTEGER NOT NULL CHECK (number > 0),  -- số đến, or the outgoing number
    code_number      TEXT,                           -- incoming: the sender's; outgoing: '01'
    code_notation    TEXT,                           -- incoming: the sender's; outgoing: 'QĐ-UBND'
    registered_at    TEXT NOT NULL,                  -- RFC 3339, +07:00
    register_date    TEXT NOT NULL,                  -- arrival date (incoming) or issue date (outgoing)
    document_date    TEXT,                           -- the date written on the document
    organ_id         TEXT,
    organ_name       TEXT NOT NULL,                  -- author (tác giả) / issuing organisation
    organ_fold       TEXT NOT NULL,                  -- folded organ_name, for the duplicate check
    type_name        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    signer           TEXT,
    signer_position  TEXT,
    recipients       TEXT NOT NULL DEFAULT '[]',     -- JSON array of strings
    handler          TEXT,
    archive_holder   TEXT,
    copies           INTEGER,
    page_amount      INTEGER,
    urgency          TEXT CHECK (urgency IN ('khan', 'thuong-khan', 'hoa-toc')),
    secrecy          TEXT CHECK (secrecy IN ('mat', 'toi-mat', 'tuyet-mat')),
    channel          TEXT CHECK (channel IN ('paper', 'electronic')),
    due_date         TEXT,
    register_deadline TEXT,                          -- by when it must be registered and presented
    note             TEXT,
    exchange_id      TEXT,                           -- {OrganId},{yyyy/MM/dd},{number}/{notation}
    cancelled_at     TEXT,
    cancel_reason    TEXT,
    audit_seq        INTEGER NOT NULL REFERENCES audit_log (seq), response_for INTEGER REFERENCES document (rowid), recalled_at TEXT, recall_reason TEXT,
    UNIQUE (series_id, number),
    UNIQUE (direction, year, position)
) STRICT;

-- table document_file
CREATE TABLE document_file (
    document_rowid  INTEGER NOT NULL REFERENCES document (rowid),
    ordinal         INTEGER NOT NULL,
    sha256          TEXT NOT NULL REFERENCES file (sha256),
    name            TEXT NOT NULL,                   -- the name the clerk gave it
    role            TEXT NOT NULL CHECK (role IN ('main', 'attachment')),
    PRIMARY KEY (document_rowid, ordinal)
) STRICT, WITHOUT ROWID;

-- table document_search
CREATE VIRTUAL TABLE document_search USING fts5 (
    folded,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61',
    prefix = '2 3'
);

-- table exchange_status
CREATE TABLE exchange_status (
    id              INTEGER PRIMARY KEY,
    document_id     TEXT NOT NULL,
    document_rowid  INTEGER REFERENCES document (rowid),
    way             TEXT NOT NULL CHECK (way IN ('in', 'out')),
    organ_id        TEXT NOT NULL,                            -- in: who sent it; out: to whom
    organ_name      TEXT,
    code            TEXT NOT NULL,                            -- 01 … 16
    description     TEXT,
    at              TEXT NOT NULL,                            -- the packet's timestamp (Vietnam time)
    recorded_at     TEXT NOT NULL,
    UNIQUE (document_id, way, organ_id, code, at)
) STRICT;

-- table file
CREATE TABLE file (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL CHECK (size >= 0),
    media_type  TEXT NOT NULL,
    stored_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- table handler
CREATE TABLE handler (
    document_rowid  INTEGER NOT NULL REFERENCES handling (document_rowid),
    role            TEXT NOT NULL CHECK (role IN ('lead', 'co')),
    unit_id         INTEGER REFERENCES unit (id),
    account_id      INTEGER REFERENCES account (id),
    CHECK ((unit_id IS NULL) <> (account_id IS NULL))
) STRICT;

-- table handling
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

-- table inbox
CREATE TABLE inbox (
    id                 INTEGER PRIMARY KEY,
    hub_doc_id         TEXT NOT NULL,
    sender             TEXT NOT NULL,                         -- OrganId
    sender_name        TEXT NOT NULL,
    document_id        TEXT NOT NULL,
    kind               TEXT NOT NULL,                         -- edoc:0 new, 1 recall, 2 update, 3 replace
    sha256             TEXT NOT NULL REFERENCES file (sha256),
    size               INTEGER NOT NULL,
    code               TEXT,                                  -- "7816/VPCP-TTĐT"
    subject            TEXT NOT NULL,
    type_name          TEXT,
    priority           INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 4),
    promulgation_date  TEXT,                                  -- yyyy-mm-dd
    reason             TEXT,                                  -- BussinessDocReason (recall, update…)
    metadata           TEXT NOT NULL,                         -- JSON: what registration needs
    received_at        TEXT NOT NULL,
    verdict            TEXT,                                  -- signatures: valid | invalid | indeterminate | none
    state              TEXT NOT NULL DEFAULT 'waiting'
                       CHECK (state IN ('waiting', 'registered', 'rejected', 'withdrawn', 'applied')),
    document_rowid     INTEGER REFERENCES document (rowid),   -- once registered (or what a recall applied to)
    decided_at         TEXT,
    decided_by         TEXT,
    decision_note      TEXT,                                  -- the rejection's reason, what a recall did
    UNIQUE (sender, document_id, kind)
) STRICT;

-- table inbox_file
CREATE TABLE inbox_file (
    inbox_id    INTEGER NOT NULL REFERENCES inbox (id),
    ordinal     INTEGER NOT NULL,
    sha256      TEXT NOT NULL REFERENCES file (sha256),
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    PRIMARY KEY (inbox_id, ordinal)
) STRICT, WITHOUT ROWID;

-- table organ
CREATE TABLE organ (
    id            INTEGER PRIMARY KEY,
    organ_id      TEXT,                               -- mã định danh, when known
    name          TEXT NOT NULL,
    name_fold     TEXT NOT NULL UNIQUE,               -- folded name: one entry per organisation
    uses          INTEGER NOT NULL DEFAULT 0,
    last_used_at  TEXT
) STRICT;

-- table organisation
CREATE TABLE organisation (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    org_id        TEXT NOT NULL,          -- mã định danh, e.g. 000.00.00.H24
    name          TEXT NOT NULL,          -- Ủy ban nhân dân tỉnh Lào Cai
    abbreviation  TEXT NOT NULL,          -- UBND
    created_at    TEXT NOT NULL
) STRICT;

-- table outbox
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    document_rowid   INTEGER REFERENCES document (rowid),    -- NULL: a status about an arrival not registered
    messagetype      TEXT NOT NULL CHECK (messagetype IN ('edoc', 'status')),
    document_id      TEXT NOT NULL,                           -- the DocumentId it is about
    kind             TEXT NOT NULL,                           -- edoc:N | status:CC@timestamp
    recipients       TEXT NOT NULL,                           -- JSON array of OrganIds
    sha256           TEXT NOT NULL REFERENCES file (sha256),  -- the bytes to send
    size             INTEGER NOT NULL CHECK (size > 0),
    -- pending: not sent yet; unknown: an attempt failed after the upload began (ask the hub before
    -- sending again); sent: the hub holds it (hub_doc_id); failed: the hub refused it for good.
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'unknown', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TEXT,                                    -- RFC 3339; NULL: at the next pass
    last_error       TEXT,
    hub_doc_id       TEXT,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    sent_at          TEXT,
    UNIQUE (document_id, kind),
    CHECK ((state = 'sent') = (hub_doc_id IS NOT NULL))
) STRICT;

-- table progress
CREATE TABLE progress (
    id              INTEGER PRIMARY KEY,
    document_rowid  INTEGER NOT NULL REFERENCES document (rowid),
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('assigned', 'in_progress', 'done')),
    note            TEXT
) STRICT;

-- table recipient
CREATE TABLE recipient (
    document_rowid  INTEGER NOT NULL REFERENCES document (rowid),
    ordinal         INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('unit', 'organ')),
    organ_id        TEXT,
    name            TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('electronic', 'paper')),
    PRIMARY KEY (document_rowid, ordinal)
) STRICT, WITHOUT ROWID;

-- table register_book
CREATE TABLE register_book (
    direction  TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    year       INTEGER NOT NULL,
    last_row   INTEGER NOT NULL DEFAULT 0 CHECK (last_row >= 0),
    PRIMARY KEY (direction, year)
) STRICT, WITHOUT ROWID;

-- table saved_search
CREATE TABLE saved_search (
    id          INTEGER PRIMARY KEY,
    owner       TEXT NOT NULL,                        -- user name
    name        TEXT NOT NULL,
    query       TEXT NOT NULL,                        -- JSON
    created_at  TEXT NOT NULL,
    UNIQUE (owner, name)
) STRICT;

-- table series
CREATE TABLE series (
    id           INTEGER PRIMARY KEY,
    series_key   TEXT NOT NULL,           -- den | di | di/qppl/QĐ | di/mat | di/sao | di/tu-van/…
    year         INTEGER NOT NULL,
    last_number  INTEGER NOT NULL DEFAULT 0 CHECK (last_number >= 0),
    UNIQUE (series_key, year)
) STRICT;

-- table setting
CREATE TABLE setting (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- table signature_verdict
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

-- table signed_copy
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

-- table sync_state
CREATE TABLE sync_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    last_attempt_at  TEXT,
    last_success_at  TEXT,
    failures         INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    next_attempt_at  TEXT,
    last_error       TEXT
) STRICT;

-- table timestamp_queue
CREATE TABLE timestamp_queue (
    signed_copy_id  INTEGER PRIMARY KEY REFERENCES signed_copy (id),
    queued_at       TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT,
    done_at         TEXT,
    result_sha256   TEXT REFERENCES file (sha256)
) STRICT;

-- table trust_anchor
CREATE TABLE trust_anchor (
    sha256      TEXT PRIMARY KEY REFERENCES certificate (sha256),
    added_at    TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    removed_at  TEXT
) STRICT, WITHOUT ROWID;

-- table unit
CREATE TABLE unit (
    id            INTEGER PRIMARY KEY,
    abbreviation  TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

-- table verdict_certificate
CREATE TABLE verdict_certificate (
    verdict_id  INTEGER NOT NULL REFERENCES signature_verdict (id),
    sha256      TEXT NOT NULL REFERENCES certificate (sha256),
    PRIMARY KEY (verdict_id, sha256)
) STRICT, WITHOUT ROWID;

-- trigger audit_log_no_delete
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- trigger audit_log_no_update
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- trigger document_recalled_is_frozen
CREATE TRIGGER document_recalled_is_frozen BEFORE UPDATE ON document
WHEN OLD.recalled_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'document is recalled and frozen'); END;

-- trigger inbox_no_delete
CREATE TRIGGER inbox_no_delete BEFORE DELETE ON inbox
BEGIN SELECT RAISE(ABORT, 'inbox rows are kept'); END;

-- trigger outbox_message_is_fixed
CREATE TRIGGER outbox_message_is_fixed BEFORE UPDATE OF document_rowid, messagetype, document_id, kind,
    recipients, sha256, size, created_at, created_by ON outbox
BEGIN SELECT RAISE(ABORT, 'an outbox message never changes once queued'); END;

-- trigger outbox_never_secret
CREATE TRIGGER outbox_never_secret BEFORE INSERT ON outbox
WHEN NEW.document_rowid IS NOT NULL
 AND (SELECT secrecy FROM document WHERE rowid = NEW.document_rowid) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'secret documents are never sent through a hub'); END;

-- trigger outbox_no_delete
CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'outbox rows are kept'); END;

-- user_version 6
