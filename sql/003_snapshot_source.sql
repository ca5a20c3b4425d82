-- The normalisation cache is derived data (libphonenumber's answer for a (region, raw) value): it
-- need not survive a crash, so it skips the WAL. After a crash PostgreSQL empties it and the next
-- snapshot parses again; a first snapshot writes it faster.
ALTER TABLE normalization_cache SET UNLOGGED;

-- What the last applied legacy snapshot of each BU was taken from: an order-independent digest of
-- the rows read, with the normaliser generation and the policy that applied. A snapshot whose
-- input digest is unchanged skips normalise and apply and reuses these counts. Written in the
-- transaction that writes legacy_snapshot and quarantine (the only writer of both).
CREATE TABLE IF NOT EXISTS legacy_snapshot_source (
    bu          text PRIMARY KEY,
    digest      text NOT NULL,
    rows_read   bigint NOT NULL,
    invalid     bigint NOT NULL,
    duplicates  bigint NOT NULL,
    numbers     bigint NOT NULL,
    taken_at    timestamptz NOT NULL DEFAULT now()
);
