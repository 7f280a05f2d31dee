-- The hub's store on SQLite: the directory, the messages with their bytes, one delivery per
-- (message, recipient), and the log of refusals. Append-only: a change is a new file.

CREATE TABLE organisation (
    organ_id    TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    address     TEXT,
    email       TEXT,
    telephone   TEXT,
    -- argon2id, PHC string; never the secret itself.
    secret_hash TEXT NOT NULL,
    created     TEXT NOT NULL
);

CREATE TABLE message (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sender       TEXT NOT NULL,
    document_id  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    message_type TEXT NOT NULL CHECK (message_type IN ('edoc', 'status')),
    -- Status packets only: the code, the organisation the status is about (ResponseFor/OrganId)
    -- and the packet's own timestamp as on the wire (yyyy/MM/dd HH:mm:ss, sorts as text).
    status_code  TEXT,
    status_about TEXT,
    status_at    TEXT,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    body         BLOB NOT NULL,
    created      TEXT NOT NULL,
    CONSTRAINT message_key UNIQUE (sender, document_id, kind),
    CHECK ((message_type = 'status') = (status_code IS NOT NULL))
);

CREATE TABLE delivery (
    message_id   INTEGER NOT NULL REFERENCES message (id),
    recipient    TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'fail')),
    delivered_at TEXT,
    reason       TEXT,
    PRIMARY KEY (message_id, recipient),
    CHECK ((state = 'pending') = (delivered_at IS NULL)),
    CHECK (state = 'fail' OR reason IS NULL)
);

CREATE INDEX message_sent ON message (sender, id);
CREATE INDEX delivery_waiting ON delivery (recipient, state, message_id);

CREATE TABLE event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    organ_id    TEXT,
    peer        TEXT,
    operation   TEXT NOT NULL,
    code        TEXT NOT NULL,
    description TEXT NOT NULL
);
