-- Three sample business units with different legacy table shapes and realistic messy numbers.
-- Deterministic (setseed). Used by scripts/demo; safe to re-run (drops and recreates).
SELECT setseed(0.42);

-- 1. cards (US): a state table, one row per spelling, opted out while unsubscribed and not resubscribed.
DROP SCHEMA IF EXISTS cards CASCADE;
CREATE SCHEMA cards;
CREATE TABLE cards.sms_unsubscribes (
    mobile          text PRIMARY KEY,
    unsubscribed_at timestamptz,
    resubscribed_at timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    source          text
);
WITH base AS (
    SELECT i,
           (ARRAY['206','425','312','415','646','303','617','702','512','404'])[1 + (i % 10)] AS area,
           (200 + floor(random() * 780))::int AS exch,
           lpad(floor(random() * 10000)::int::text, 4, '0') AS line
    FROM generate_series(1, 16000) AS i
), spelled AS (
    SELECT i, CASE i % 6
        WHEN 0 THEN format('(%s) %s-%s', area, exch, line)
        WHEN 1 THEN format('%s.%s.%s', area, exch, line)
        WHEN 2 THEN format('+1 %s %s %s', area, exch, line)
        WHEN 3 THEN format('1-%s-%s-%s', area, exch, line)
        WHEN 4 THEN format('%s%s%s', area, exch, line)
        ELSE format(' %s-%s-%s ', area, exch, line)
    END AS mobile
    FROM base WHERE exch % 100 <> 11
)
INSERT INTO cards.sms_unsubscribes (mobile, unsubscribed_at, resubscribed_at, source)
SELECT mobile, now() - (i || ' minutes')::interval,
       CASE WHEN i % 25 = 0 THEN now() - interval '1 minute' END, 'legacy'
FROM spelled
ON CONFLICT (mobile) DO NOTHING;
-- One number in five spellings, and the junk every real table has.
INSERT INTO cards.sms_unsubscribes (mobile, unsubscribed_at) VALUES
    ('(206) 555-0134', now()), ('206.555.0134', now()), ('+1 206 555 0134', now()),
    ('1-206-555-0134', now()), ('2065550134', now()),
    ('N/A', now()), ('', now()), ('555-0100', now()), ('12345', now()), ('call me', now()),
    ('+1 206 555 0199 ext. 12', now())
ON CONFLICT (mobile) DO NOTHING;

-- 2. travel-uk (GB): mixed-case quoted identifiers, no primary key, a per-row country column
--    written as ISO codes or calling codes, and duplicate rows.
DROP SCHEMA IF EXISTS "Marketing" CASCADE;
CREATE SCHEMA "Marketing";
CREATE TABLE "Marketing"."StopList" (
    "PhoneNumber" text,
    "CountryCode" text,
    "AddedOn"     timestamptz DEFAULT now()
);
INSERT INTO "Marketing"."StopList" ("PhoneNumber", "CountryCode", "AddedOn")
SELECT CASE i % 5
           WHEN 0 THEN format('07%s %s', 400 + (i % 200), lpad((i * 7919 % 1000000)::text, 6, '0'))
           WHEN 1 THEN format('+44 7%s %s', 400 + (i % 200), lpad((i * 7919 % 1000000)::text, 6, '0'))
           WHEN 2 THEN format('0044 7%s%s', 400 + (i % 200), lpad((i * 7919 % 1000000)::text, 6, '0'))
           WHEN 3 THEN format('020 7946 %s', lpad((i % 10000)::text, 4, '0'))
           ELSE format('08%s %s', 3 + (i % 7), lpad((i * 31 % 10000000)::text, 7, '0'))
       END,
       CASE i % 5
           WHEN 0 THEN (ARRAY['GB', 'gb', ' GB ', NULL, '44'])[1 + (i / 5) % 5]
           WHEN 1 THEN NULL
           WHEN 2 THEN '+44'
           WHEN 3 THEN 'GB'
           ELSE 'IE'
       END,
       now() - (i || ' seconds')::interval
FROM generate_series(1, 10000) AS i;
-- Duplicate rows (no primary key to stop them) and values that cannot be normalised.
INSERT INTO "Marketing"."StopList" ("PhoneNumber", "CountryCode")
SELECT "PhoneNumber", "CountryCode" FROM "Marketing"."StopList" WHERE random() < 0.05;
INSERT INTO "Marketing"."StopList" ("PhoneNumber", "CountryCode") VALUES
    ('07700 900123', 'GB'), ('0800', 'GB'), ('unknown', NULL), ('+44 20', NULL), ('07911 123456', 'ZZ');

-- 3. shop-de (DE): an event log; the latest event per normalised number decides.
DROP SCHEMA IF EXISTS retail CASCADE;
CREATE SCHEMA retail;
CREATE TABLE retail.optout_events (
    event_id bigserial PRIMARY KEY,
    msisdn   text NOT NULL,
    status   text NOT NULL,
    created  timestamptz NOT NULL
);
WITH base AS (
    SELECT i, (ARRAY['151','152','157','160','162','170','171','172','176','178'])[1 + (i % 10)] AS prefix,
           lpad((i * 104729 % 100000000)::text, 8, '0') AS subscriber
    FROM generate_series(1, 12000) AS i
)
INSERT INTO retail.optout_events (msisdn, status, created)
SELECT CASE i % 4
           WHEN 0 THEN format('0%s %s', prefix, subscriber)
           WHEN 1 THEN format('+49 %s %s', prefix, subscriber)
           WHEN 2 THEN format('0049-%s-%s', prefix, subscriber)
           ELSE format('(0%s) %s', prefix, subscriber)
       END,
       'OPTED_OUT', now() - interval '30 days' + (i || ' seconds')::interval
FROM base;
-- Some customers opted back in later, under another spelling of their number.
INSERT INTO retail.optout_events (msisdn, status, created)
SELECT '+49' || regexp_replace(msisdn, '^(\+49|0049-|\(0|0)', ''), 'OPTED_IN', created + interval '1 day'
FROM retail.optout_events WHERE event_id % 20 = 0;
INSERT INTO retail.optout_events (msisdn, status, created) VALUES
    ('0151', 'OPTED_OUT', now()), ('keine Angabe', 'OPTED_OUT', now());
