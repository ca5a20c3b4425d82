-- optout-sync state schema, version 1.
--
-- Applied by `optout-sync migrate` (SyncStore.Migrator): inside one transaction, under an advisory
-- lock, after `CREATE SCHEMA IF NOT EXISTS` and `SET LOCAL search_path` to the configured schema, so
-- names here are unqualified. Every statement is idempotent (IF NOT EXISTS) so a partly applied
-- schema from an older build is completed rather than rejected. No transaction control in here.
--
-- No foreign keys to business_unit on the big tables: snapshots are loaded with COPY (millions of
-- rows) and a per-row FK check would dominate the load; BU names are owned by the configuration.

-- One row per configured business unit, refreshed by migrate/check/provision.
CREATE TABLE IF NOT EXISTS business_unit (
    name          text PRIMARY KEY,
    opt_out_list  text NOT NULL,
    aws_account   text,
    aws_region    text NOT NULL,
    config_hash   text NOT NULL,           -- SHA-256 of the BU's config section: detects config changes
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The legacy table as last read (COPY out → normalise → COPY in), one row per normalised number.
CREATE TABLE IF NOT EXISTS legacy_snapshot (
    bu            text NOT NULL,
    e164          text NOT NULL,
    raw           text NOT NULL,           -- the value as written (first spelling seen)
    region        text NOT NULL,           -- ISO region used to normalise it
    row_locator   text NOT NULL,           -- identifies the legacy row (primary key or ctid) for reports
    verified      boolean NOT NULL DEFAULT true,  -- false: possible but not valid in libphonenumber's metadata
    changed_at    timestamptz,             -- legacy changed_at column, when configured
    seen_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bu, e164)
);

-- The AWS opt-out list as last scanned (DescribeOptedOutNumbers pages).
CREATE TABLE IF NOT EXISTS aws_snapshot (
    bu                  text NOT NULL,
    e164                text NOT NULL,
    opted_out_at        timestamptz,
    end_user_opted_out  boolean NOT NULL DEFAULT false,
    seen_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bu, e164)
);
-- Quick reconcile looks at end-user opt-outs and recent changes only.
CREATE INDEX IF NOT EXISTS aws_snapshot_end_user ON aws_snapshot (bu, opted_out_at) WHERE end_user_opted_out;

-- The last state both sides agreed on: the base of the three-way merge (legacy, AWS, base).
-- state: in_sync | pending_to_aws | pending_to_legacy | failed_to_aws | failed_to_legacy | conflict
CREATE TABLE IF NOT EXISTS sync_state (
    bu                text NOT NULL,
    e164              text NOT NULL,
    state             text NOT NULL,
    in_legacy         boolean NOT NULL,    -- opted out in legacy at the last agreement
    in_aws            boolean NOT NULL,    -- opted out in AWS at the last agreement
    confirmed_at      timestamptz,         -- when the last write was confirmed
    aws_error_code    text,
    aws_error_reason  text,
    attempts          integer NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bu, e164)
);
-- status/report count and list what is not in sync; in-sync rows are the vast majority.
CREATE INDEX IF NOT EXISTS sync_state_not_in_sync ON sync_state (bu, state) WHERE state <> 'in_sync';

-- The durable work queue. A row leaves only after the write was confirmed; a worker holds a lease
-- that another worker may take over once it expires.
CREATE TABLE IF NOT EXISTS outbox (
    id                bigserial PRIMARY KEY,
    bu                text NOT NULL,
    e164              text NOT NULL,
    direction         text NOT NULL CHECK (direction IN ('to_aws', 'to_legacy')),
    action            text NOT NULL CHECK (action IN ('put', 'delete', 'write_back')),
    lane              smallint NOT NULL CHECK (lane IN (0, 1, 2)),   -- 0 live, 1 repair, 2 backfill
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    lease_owner       text,
    lease_expires_at  timestamptz,
    enqueued_at       timestamptz NOT NULL DEFAULT now(),
    last_error_code   text,
    last_error        text,
    UNIQUE (bu, e164, direction, action)
);
-- Claiming: per lane (live first), fair across BUs, due items first, unleased only
-- (SELECT … WHERE lane = $1 AND bu = $2 AND lease_owner IS NULL AND next_attempt_at <= now()
--  ORDER BY next_attempt_at FOR UPDATE SKIP LOCKED LIMIT n).
CREATE INDEX IF NOT EXISTS outbox_claim ON outbox (lane, bu, next_attempt_at) WHERE lease_owner IS NULL;
-- Taking over leases of dead workers.
CREATE INDEX IF NOT EXISTS outbox_expired_lease ON outbox (lease_expires_at) WHERE lease_owner IS NOT NULL;
-- status: depth by lane and oldest pending item per BU.
CREATE INDEX IF NOT EXISTS outbox_bu_lane ON outbox (bu, lane, enqueued_at);

-- Legacy values that could not be normalised, with the reason (one row per legacy row).
CREATE TABLE IF NOT EXISTS quarantine (
    bu             text NOT NULL,
    row_locator    text NOT NULL,
    raw_value      text,
    region         text,
    reason         text NOT NULL,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bu, row_locator)
);
CREATE INDEX IF NOT EXISTS quarantine_reason ON quarantine (bu, reason);

-- Normalisation results keyed by what the normaliser saw (libphonenumber is ~35k/s per core).
-- library_version: results from another libphonenumber metadata version are not reused.
CREATE TABLE IF NOT EXISTS normalization_cache (
    region           text NOT NULL,
    raw              text NOT NULL,
    kind             text NOT NULL,        -- valid | unverified | invalid
    e164             text,
    reason           text,
    library_version  text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (region, raw)
);

-- Backfill progress per BU (the outbox is the checkpoint; these are the counters for `status`).
CREATE TABLE IF NOT EXISTS backfill_run (
    id              bigserial PRIMARY KEY,
    bu              text NOT NULL,
    phase           text NOT NULL,         -- snapshot | normalise | diff | enqueue | put | done | discarded
    rows_read       bigint NOT NULL DEFAULT 0,
    invalid         bigint NOT NULL DEFAULT 0,
    duplicates      bigint NOT NULL DEFAULT 0,
    already_in_aws  bigint NOT NULL DEFAULT 0,
    put             bigint NOT NULL DEFAULT 0,
    failed          bigint NOT NULL DEFAULT 0,
    total           bigint,                -- numbers to put, known after the diff
    started_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX IF NOT EXISTS backfill_run_bu ON backfill_run (bu, started_at DESC);

CREATE TABLE IF NOT EXISTS reconcile_run (
    id           bigserial PRIMARY KEY,
    bu           text NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    full_scan    boolean NOT NULL,
    dry_run      boolean NOT NULL DEFAULT false,
    counts       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS reconcile_run_bu ON reconcile_run (bu, started_at DESC);

-- What a reconcile run found out of sync (spec/report.md categories). e164 is NULL for values that
-- never normalised (legacy_raw only).
CREATE TABLE IF NOT EXISTS divergence (
    id               bigserial PRIMARY KEY,
    run_id           bigint NOT NULL REFERENCES reconcile_run (id) ON DELETE CASCADE,
    bu               text NOT NULL,
    category         text NOT NULL,
    e164             text,
    legacy_raw       text,
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    last_attempt_at  timestamptz,
    attempts         integer NOT NULL DEFAULT 0,
    aws_error_code   text,
    detail           text
);
CREATE INDEX IF NOT EXISTS divergence_run ON divergence (run_id, category);
CREATE INDEX IF NOT EXISTS divergence_bu_number ON divergence (bu, e164);
