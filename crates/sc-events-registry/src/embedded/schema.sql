-- The embedded registry's tables. Ids come from AUTOINCREMENT, so an id is never reused, even
-- after a permanent delete (Confluent's guarantee).
CREATE TABLE IF NOT EXISTS schemas (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    schema_type TEXT NOT NULL,
    schema      TEXT NOT NULL,
    refs        TEXT NOT NULL,
    -- sha256 of type, canonical text and references: the same schema has one id everywhere.
    fingerprint TEXT NOT NULL UNIQUE,
    -- sha256 of type, normalized text and references, for normalize=true.
    normalized  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schemas_normalized ON schemas(normalized);
CREATE TABLE IF NOT EXISTS schema_refs (
    schema_id   INTEGER NOT NULL REFERENCES schemas(id),
    subject     TEXT NOT NULL,
    version     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS schema_refs_target ON schema_refs(subject, version);
CREATE TABLE IF NOT EXISTS versions (
    subject     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    schema_id   INTEGER NOT NULL REFERENCES schemas(id),
    deleted     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (subject, version)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS versions_schema ON versions(schema_id);
-- subject '' is the global setting.
CREATE TABLE IF NOT EXISTS config (
    subject       TEXT PRIMARY KEY,
    compatibility TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS modes (
    subject TEXT PRIMARY KEY,
    mode    TEXT NOT NULL
) WITHOUT ROWID;
-- Schema metadata (Confluent data contracts), JSON; part of the schema's fingerprint.
CREATE TABLE IF NOT EXISTS schema_metadata (
    schema_id INTEGER PRIMARY KEY REFERENCES schemas(id),
    metadata  TEXT NOT NULL
) WITHOUT ROWID;
-- Data-contract rule sets (Confluent's ruleSet), JSON; part of the schema's fingerprint.
CREATE TABLE IF NOT EXISTS schema_rules (
    schema_id INTEGER PRIMARY KEY REFERENCES schemas(id),
    rule_set  TEXT NOT NULL
) WITHOUT ROWID;
-- A subject's compatibilityGroup: the metadata property whose value partitions its history
-- for compatibility checks. Subject '' is the global setting.
CREATE TABLE IF NOT EXISTS compatibility_groups (
    subject  TEXT PRIMARY KEY,
    property TEXT NOT NULL
) WITHOUT ROWID;
-- The DEK registry: key-encryption keys (names of KMS keys) and the data keys of each
-- subject, stored only wrapped by their KEK (the registry never sees a key in clear).
CREATE TABLE IF NOT EXISTS keks (
    name       TEXT PRIMARY KEY,
    kms_type   TEXT NOT NULL,
    kms_key_id TEXT NOT NULL,
    kms_props  TEXT NOT NULL,
    doc        TEXT,
    ts         INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deks (
    kek_name  TEXT NOT NULL REFERENCES keks(name),
    subject   TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    version   INTEGER NOT NULL,
    material  TEXT NOT NULL,
    ts        INTEGER NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kek_name, subject, algorithm, version)
) WITHOUT ROWID;
