-- 0006: exchange with the document hub (trục liên thông): what leaves (outbox), what arrives (inbox),
-- and every status that passes, in the register's own database and transactions (ADR 0006).
-- Append-only: never edit this file once released; add 0007_… instead.

-- A message to send: a package (a document issued, recalled, updated or replaced) or a status packet
-- (what we did with a document that arrived). Its bytes are made once, when it is queued, and kept in
-- the file store, so that every attempt sends the same bytes. (document_id, kind) is the hub's message
-- key (the sender is always us): the same key is the same message, here and at the hub.
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

CREATE INDEX outbox_waiting ON outbox (id) WHERE state IN ('pending', 'unknown');
CREATE INDEX outbox_document ON outbox (document_rowid) WHERE document_rowid IS NOT NULL;

-- Secret documents never go through a hub (domain §8): refused here too, whatever the caller checked.
CREATE TRIGGER outbox_never_secret BEFORE INSERT ON outbox
WHEN NEW.document_rowid IS NOT NULL
 AND (SELECT secrecy FROM document WHERE rowid = NEW.document_rowid) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'secret documents are never sent through a hub'); END;

-- What a message says never changes once queued; only its delivery state moves.
CREATE TRIGGER outbox_message_is_fixed BEFORE UPDATE OF document_rowid, messagetype, document_id, kind,
    recipients, sha256, size, created_at, created_by ON outbox
BEGIN SELECT RAISE(ABORT, 'an outbox message never changes once queued'); END;
CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'outbox rows are kept'); END;

-- A package that arrived from the hub, kept as received (sha256: the edXML file; its attachments are
-- in inbox_file), unique on its message key so a repeated delivery is stored once. Waiting until the
-- clerk registers or rejects it; a recall is applied to what it recalls.
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

CREATE INDEX inbox_waiting ON inbox (received_at) WHERE state = 'waiting';
CREATE TRIGGER inbox_no_delete BEFORE DELETE ON inbox
BEGIN SELECT RAISE(ABORT, 'inbox rows are kept'); END;

CREATE TABLE inbox_file (
    inbox_id    INTEGER NOT NULL REFERENCES inbox (id),
    ordinal     INTEGER NOT NULL,
    sha256      TEXT NOT NULL REFERENCES file (sha256),
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    PRIMARY KEY (inbox_id, ordinal)
) STRICT, WITHOUT ROWID;

-- Every status that passed, both ways: 'in', sent to us by a recipient about our outgoing document;
-- 'out', sent by us about a document that arrived. Unique on what the status packet says, so a status
-- delivered twice is recorded once.
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

CREATE INDEX exchange_status_document ON exchange_status (document_id, id);

-- The link: when the worker last tried, last succeeded, how many passes failed in a row, and when it
-- tries again (exponential backoff with full jitter). One row.
CREATE TABLE sync_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    last_attempt_at  TEXT,
    last_success_at  TEXT,
    failures         INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    next_attempt_at  TEXT,
    last_error       TEXT
) STRICT;

INSERT INTO sync_state (id) VALUES (1);
