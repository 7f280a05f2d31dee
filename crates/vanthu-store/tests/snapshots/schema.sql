-- index audit_log_entity
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- index document_duplicate
CREATE INDEX document_duplicate ON document (code_number, code_notation, organ_fold)
    WHERE direction = 'incoming';

-- index document_exchange_id
CREATE INDEX document_exchange_id ON document (exchange_id) WHERE exchange_id IS NOT NULL;

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
    audit_seq        INTEGER NOT NULL REFERENCES audit_log (seq),
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

-- table file
CREATE TABLE file (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL CHECK (size >= 0),
    media_type  TEXT NOT NULL,
    stored_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- table organisation
CREATE TABLE organisation (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    org_id        TEXT NOT NULL,          -- mã định danh, e.g. 000.00.00.H24
    name          TEXT NOT NULL,          -- Ủy ban nhân dân tỉnh Lào Cai
    abbreviation  TEXT NOT NULL,          -- UBND
    created_at    TEXT NOT NULL
) STRICT;

-- table register_book
CREATE TABLE register_book (
    direction  TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    year       INTEGER NOT NULL,
    last_row   INTEGER NOT NULL DEFAULT 0 CHECK (last_row >= 0),
    PRIMARY KEY (direction, year)
) STRICT, WITHOUT ROWID;

-- table series
CREATE TABLE series (
    id           INTEGER PRIMARY KEY,
    series_key   TEXT NOT NULL,           -- den | di | di/qppl/QĐ | di/mat | di/sao | di/tu-van/…
    year         INTEGER NOT NULL,
    last_number  INTEGER NOT NULL DEFAULT 0 CHECK (last_number >= 0),
    UNIQUE (series_key, year)
) STRICT;

-- trigger audit_log_no_delete
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- trigger audit_log_no_update
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- user_version 2
