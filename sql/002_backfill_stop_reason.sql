-- Backfill: why a BU stopped (names the fix), shown by status and the summary.
ALTER TABLE backfill_run ADD COLUMN IF NOT EXISTS stop_reason text;
