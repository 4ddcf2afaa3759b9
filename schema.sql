-- mailflow database schema: the documented contract for ad-hoc SQL.
--
-- Tables may change between versions; the views at the end (v_events, v_expired,
-- v_connector_daily, v_top_causes, v_parse_issues, v_files) keep their names and
-- columns (new columns are only added at the end). Times are stored as INTEGER
-- milliseconds since the Unix epoch, UTC; the views also give ISO 8601 text with
-- milliseconds and 'Z'. Schema version: PRAGMA user_version (2).

-- One row per ingested input (file, or standard input).
CREATE TABLE IF NOT EXISTS source_file (
    id              INTEGER PRIMARY KEY,
    path            TEXT    NOT NULL,           -- the path as given on the command line
    fingerprint     TEXT    NOT NULL,           -- content fingerprint (size + hash of the first 64 KiB)
    size            INTEGER NOT NULL,           -- bytes on disk (compressed size for gzip)
    format          TEXT    NOT NULL,           -- e.g. 'exchange-message-tracking'
    encoding        TEXT    NOT NULL,           -- 'utf-8', 'utf-8-bom', ...
    compression     TEXT    NOT NULL,           -- 'none' or 'gzip'
    bytes_scanned   INTEGER NOT NULL DEFAULT 0, -- decompressed bytes read
    records         INTEGER NOT NULL DEFAULT 0, -- records kept
    events          INTEGER NOT NULL DEFAULT 0, -- events stored (record x recipient)
    rejected        INTEGER NOT NULL DEFAULT 0, -- candidate records dropped
    issues          INTEGER NOT NULL DEFAULT 0, -- parse issues found
    first_ms        INTEGER,                    -- smallest record time
    last_ms         INTEGER,                    -- largest record time
    ingested_ms     INTEGER NOT NULL,           -- when the ingest committed
    first_event_id  INTEGER,                    -- this file's events are event.id first..last
    last_event_id   INTEGER,
    first_message_ref INTEGER,                  -- first message.id this file created
    file_root       INTEGER,                    -- id of the row that read the file from its start
    start_offset    INTEGER NOT NULL DEFAULT 0, -- byte where this read began (a resumed, grown file)
    head_len        INTEGER,                    -- bytes covered by head_hash (at most 64 KiB)
    head_hash       TEXT,                       -- hash of the first head_len bytes
    resume_offset   INTEGER,                    -- plain files: byte after the last complete line
    resume_line     INTEGER,                    -- line number at resume_offset
    tail_hash       TEXT,                       -- hash of the 4 KiB before resume_offset
    fields          TEXT,                       -- decoder state at resume_offset (#Fields: line, CSV header, syslog year)
    skipped         INTEGER NOT NULL DEFAULT 0, -- lines of other programs skipped (Postfix maillog)
    time_rule       TEXT                        -- how times were read: zone, year rule (e.g. '--year 2026, +1 at Dec->Jan')
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS source_file_fingerprint ON source_file(fingerprint);

-- Interned dimensions: each distinct value is stored once and referenced by id.
CREATE TABLE IF NOT EXISTS connector (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE                   -- Send/Receive connector name as logged
) STRICT;
CREATE TABLE IF NOT EXISTS domain (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE                   -- recipient domain, lower case
) STRICT;
CREATE TABLE IF NOT EXISTS address (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE                   -- sender or recipient address as logged
) STRICT;
CREATE TABLE IF NOT EXISTS host (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE                   -- remote host name or IP address
) STRICT;
CREATE TABLE IF NOT EXISTS status (
    id   INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE                   -- status text (the LED= value when present)
) STRICT;

-- Event names as logged, with their Exchange 'source' (e.g. 'DEFER' from 'SMTP').
CREATE TABLE IF NOT EXISTS event_name (
    id        INTEGER PRIMARY KEY,
    raw_event TEXT,
    source    TEXT,
    UNIQUE (raw_event, source)
) STRICT;

-- One row per message: by Message-ID header as logged, or for Postfix by queue id (its
-- Message-ID, from the cleanup line, may be unknown: NULL).
CREATE TABLE IF NOT EXISTS message (
    id         INTEGER PRIMARY KEY,
    message_id TEXT,
    msg_key    INTEGER NOT NULL,                -- 64-bit hash of message_id (or of the queue id)
    first_ms   INTEGER NOT NULL,                -- time of its first event
    queue_id   TEXT                             -- Postfix queue id
) STRICT;

-- Unified event kinds (DESIGN section 5), so that views can list them by name.
CREATE TABLE IF NOT EXISTS event_kind (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;
INSERT OR IGNORE INTO event_kind(id, name) VALUES
    (0, 'received'), (1, 'submitted'), (2, 'sent'), (3, 'delivered'), (4, 'deferred'),
    (5, 'failed'), (6, 'expired'), (7, 'dropped'), (8, 'dsn'), (9, 'routed'), (10, 'other');

-- One row per log record and recipient.
CREATE TABLE IF NOT EXISTS event (
    id             INTEGER PRIMARY KEY,
    file_id        INTEGER NOT NULL,            -- source_file.id
    line           INTEGER NOT NULL,            -- 1-based physical line of the record
    time_ms        INTEGER NOT NULL,            -- ms since the Unix epoch, UTC
    kind           INTEGER NOT NULL,            -- event_kind.id
    name_id        INTEGER,                     -- event_name.id (raw event and source as logged)
    connector_id   INTEGER,                     -- connector.id
    message_ref    INTEGER,                     -- message.id
    sender_id      INTEGER,                     -- address.id
    recipient_id   INTEGER,                     -- address.id
    domain_id      INTEGER,                     -- domain.id of the recipient
    reply_code     INTEGER,                     -- RFC 5321 reply code of the outer status
    enhanced_code  TEXT,                        -- RFC 3463 code of the outer status
    root_cause     TEXT,                        -- innermost real cause (deferred/failed/expired)
    status_id      INTEGER,                     -- status.id
    remote_host_id INTEGER,                     -- host.id
    remote_ip_id   INTEGER                      -- host.id
) STRICT;
-- Deferred, failed, expired and dropped events by time (reports, top causes). Other
-- kinds are reached through daily_rollup and the rowid range of their file.
CREATE INDEX IF NOT EXISTS event_problem_time ON event(time_ms) WHERE kind BETWEEN 4 AND 7;

-- Delivery lifecycle of each (message, recipient) that met a deferral or failure: one row
-- across files and runs.
CREATE TABLE IF NOT EXISTS delivery (
    message_ref       INTEGER NOT NULL,         -- message.id
    recipient_id      INTEGER NOT NULL,         -- address.id (0 = no recipient)
    connector_id      INTEGER,
    domain_id         INTEGER,
    first_deferral_ms INTEGER,
    attempts          INTEGER NOT NULL,         -- deferred and failed events
    last_cause        TEXT,                     -- root cause of the latest deferral or failure
    outcome           TEXT    NOT NULL,         -- 'pending', 'delivered', 'failed', 'expired', 'dropped'
    outcome_ms        INTEGER,
    root_cause        TEXT,                     -- cause attributed to the outcome
    last_deferral_ms  INTEGER,                  -- time of the latest deferral (its cause is last_cause)
    last_status_id    INTEGER,                  -- status.id of the latest deferral or failure (the last error)
    source            TEXT,                     -- 'exchange', 'exo' or 'postfix': whose retry window applies
    PRIMARY KEY (message_ref, recipient_id)
) STRICT, WITHOUT ROWID;

-- Per day (UTC), connector, kind and enhanced code: counts kept up to date by ingest.
CREATE TABLE IF NOT EXISTS daily_rollup (
    day           TEXT    NOT NULL,             -- YYYY-MM-DD, UTC
    connector_id  INTEGER NOT NULL,             -- 0 = no connector
    kind          INTEGER NOT NULL,
    enhanced_code TEXT    NOT NULL,             -- '' = none
    events        INTEGER NOT NULL,
    messages      INTEGER NOT NULL,             -- distinct message ids
    PRIMARY KEY (day, connector_id, kind, enhanced_code)
) STRICT, WITHOUT ROWID;

-- Per day (UTC) and connector: sent events per remote host (the connector's next hop).
CREATE TABLE IF NOT EXISTS daily_next_hop (
    day           TEXT    NOT NULL,
    connector_id  INTEGER NOT NULL,
    host_id       INTEGER NOT NULL,             -- host.id of the remote host
    events        INTEGER NOT NULL,
    PRIMARY KEY (day, connector_id, host_id)
) STRICT, WITHOUT ROWID;

-- Records that were rejected or damaged, with their position.
CREATE TABLE IF NOT EXISTS parse_issue (
    id          INTEGER PRIMARY KEY,
    file_id     INTEGER NOT NULL REFERENCES source_file(id),
    line        INTEGER NOT NULL,               -- 1-based physical line
    byte_offset INTEGER NOT NULL,               -- offset of that line's first byte
    kind        TEXT    NOT NULL,               -- 'ragged-row', 'unterminated-quote', ...
    sample      BLOB    NOT NULL,               -- at most 200 bytes of the record, as found
    detail      TEXT
) STRICT;

-- Knowledge base: status code -> category, cause and fix (loaded from the binary on
-- every ingest). Ranges of the reference table (e.g. 4.7.500-699) are expanded to one
-- row per code; `listed_as` keeps the row they came from.
CREATE TABLE IF NOT EXISTS status_code (
    code          TEXT PRIMARY KEY,             -- '4.4.316', '421', 'socket:10061', 'dns', 'tls'
    typical_reply TEXT,                         -- basic reply usually paired with it ('450', '4xx')
    category      TEXT NOT NULL,                -- dns, connection, tls, recipient, expiry, ...
    title         TEXT NOT NULL,
    cause         TEXT NOT NULL,
    fix           TEXT NOT NULL,
    source        TEXT NOT NULL,                -- where the facts come from (RFC, Microsoft page)
    listed_as     TEXT NOT NULL                 -- the knowledge-base row ('4.7.500-699' for a range)
) STRICT;

-- ---------------------------------------------------------------------------
-- The SQL contract.

-- One row per event (log record x recipient).
CREATE VIEW IF NOT EXISTS v_events AS
SELECT strftime('%Y-%m-%dT%H:%M:%fZ', e.time_ms / 1000.0, 'unixepoch') AS time_utc,
       e.time_ms,
       k.name        AS kind,
       n.raw_event,
       n.source,
       c.name        AS connector,
       m.message_id,
       s.name        AS sender,
       r.name        AS recipient,
       d.name        AS recipient_domain,
       e.reply_code,
       e.enhanced_code,
       e.root_cause,
       st.text       AS status_text,
       h.name        AS remote_host,
       ip.name       AS remote_ip,
       f.path        AS file,
       e.line
FROM event e
JOIN event_kind k ON k.id = e.kind
JOIN source_file f ON f.id = e.file_id
LEFT JOIN event_name n ON n.id = e.name_id
LEFT JOIN connector c ON c.id = e.connector_id
LEFT JOIN message m ON m.id = e.message_ref
LEFT JOIN address s ON s.id = e.sender_id
LEFT JOIN address r ON r.id = e.recipient_id
LEFT JOIN domain d ON d.id = e.domain_id
LEFT JOIN status st ON st.id = e.status_id
LEFT JOIN host h ON h.id = e.remote_host_id
LEFT JOIN host ip ON ip.id = e.remote_ip_id;

-- One row per expired (message, recipient); recipient NULL when a whole message expired
-- with no recipient known (Postfix 'status=expired' without an earlier deferral).
CREATE VIEW IF NOT EXISTS v_expired AS
SELECT m.message_id,
       r.name AS recipient,
       d.name AS recipient_domain,
       c.name AS connector,
       strftime('%Y-%m-%dT%H:%M:%fZ', m.first_ms / 1000.0, 'unixepoch') AS first_seen_utc,
       strftime('%Y-%m-%dT%H:%M:%fZ', x.outcome_ms / 1000.0, 'unixepoch') AS expired_utc,
       (x.outcome_ms - m.first_ms) / 1000 AS queue_seconds,
       x.attempts,
       x.root_cause,
       m.queue_id,
       st.text AS last_error
FROM delivery x
JOIN message m ON m.id = x.message_ref
LEFT JOIN address r ON r.id = x.recipient_id
LEFT JOIN domain d ON d.id = x.domain_id
LEFT JOIN connector c ON c.id = x.connector_id
LEFT JOIN status st ON st.id = x.last_status_id
WHERE x.outcome = 'expired';

-- One row per (message, recipient) that met a deferral, failure, expiry or drop: its
-- lifecycle across files and runs. Pending rows are still queued at the end of the data
-- (the report calls them overdue past their source's retry window).
CREATE VIEW IF NOT EXISTS v_deliveries AS
SELECT m.message_id,
       r.name AS recipient,
       d.name AS recipient_domain,
       c.name AS connector,
       strftime('%Y-%m-%dT%H:%M:%fZ', m.first_ms / 1000.0, 'unixepoch') AS first_seen_utc,
       strftime('%Y-%m-%dT%H:%M:%fZ', x.first_deferral_ms / 1000.0, 'unixepoch') AS first_deferral_utc,
       x.attempts,
       x.last_cause,
       st.text AS last_status,
       x.outcome,
       strftime('%Y-%m-%dT%H:%M:%fZ', x.outcome_ms / 1000.0, 'unixepoch') AS outcome_utc,
       (x.outcome_ms - m.first_ms) / 1000 AS queue_seconds,
       x.root_cause,
       x.source,
       m.queue_id
FROM delivery x
JOIN message m ON m.id = x.message_ref
LEFT JOIN address r ON r.id = x.recipient_id
LEFT JOIN domain d ON d.id = x.domain_id
LEFT JOIN connector c ON c.id = x.connector_id
LEFT JOIN status st ON st.id = x.last_status_id;

-- Per day (UTC), connector, kind and enhanced code.
CREATE VIEW IF NOT EXISTS v_connector_daily AS
SELECT r.day,
       c.name AS connector,
       k.name AS kind,
       NULLIF(r.enhanced_code, '') AS enhanced_code,
       r.events,
       r.messages
FROM daily_rollup r
JOIN event_kind k ON k.id = r.kind
LEFT JOIN connector c ON c.id = r.connector_id;

-- One row per root cause of deferred, failed and expired events, with its knowledge.
CREATE VIEW IF NOT EXISTS v_top_causes AS
SELECT t.root_cause,
       coalesce(s.category, 'unknown') AS category,
       coalesce(s.title, 'Unknown cause') AS title,
       t.events,
       t.messages,
       t.connectors,
       strftime('%Y-%m-%dT%H:%M:%fZ', t.first_ms / 1000.0, 'unixepoch') AS first_seen_utc,
       strftime('%Y-%m-%dT%H:%M:%fZ', t.last_ms / 1000.0, 'unixepoch') AS last_seen_utc,
       s.fix
FROM (
    SELECT e.root_cause,
           count(*) AS events,
           count(DISTINCT e.message_ref) AS messages,
           count(DISTINCT e.connector_id) AS connectors,
           min(e.time_ms) AS first_ms,
           max(e.time_ms) AS last_ms
    FROM event e
    WHERE e.kind BETWEEN 4 AND 7 AND e.kind IN (4, 5, 6) AND e.root_cause IS NOT NULL
    GROUP BY e.root_cause
) t
LEFT JOIN status_code s ON s.code =
    CASE WHEN t.root_cause LIKE 'dns:%' OR t.root_cause LIKE 'tls:%'
         THEN substr(t.root_cause, 1, 3) ELSE t.root_cause END
ORDER BY t.messages DESC, t.events DESC, t.root_cause;

-- Rejected or damaged records.
CREATE VIEW IF NOT EXISTS v_parse_issues AS
SELECT f.path AS file,
       i.line,
       i.byte_offset,
       i.kind,
       i.sample,
       i.detail
FROM parse_issue i
JOIN source_file f ON f.id = i.file_id;

-- Ingested files (a file that grew and was read again from where it stopped is one row).
CREATE VIEW IF NOT EXISTS v_files AS
SELECT r.path AS file,
       r.format,
       r.encoding,
       r.compression,
       sum(f.bytes_scanned) AS bytes,
       sum(f.records) AS records,
       sum(f.events) AS events,
       sum(f.issues) AS issues,
       strftime('%Y-%m-%dT%H:%M:%fZ', min(f.first_ms) / 1000.0, 'unixepoch') AS first_utc,
       strftime('%Y-%m-%dT%H:%M:%fZ', max(f.last_ms) / 1000.0, 'unixepoch') AS last_utc,
       strftime('%Y-%m-%dT%H:%M:%fZ', max(f.ingested_ms) / 1000.0, 'unixepoch') AS ingested_utc,
       sum(f.skipped) AS skipped,
       max(f.time_rule) AS time_rule
FROM source_file f
JOIN source_file r ON r.id = coalesce(f.file_root, f.id)
GROUP BY r.id;

PRAGMA user_version = 2;
