-- The least SQLite work a first-ever reclassification must do on the kam_bench database:
-- the same rows, tables and indexes the server writes (a classification, a tier-change record,
-- an account update and an event per account), written as four set-based statements in the
-- sqlite3 shell, with no server in the way. The transaction is rolled back, so the database
-- is left as it was. Reproduce:
--   sqlite3 /tmp/kb/kam_bench.db < bench/sql/kam_first_write_floor.sql
-- The server's own cache size for a run (256 MiB).
PRAGMA cache_size=-262144;
.timer on
BEGIN;
-- The state before a first run (what kam_bench's reset does).
DELETE FROM kam_classifications;
DELETE FROM kam_tier_changes;
DELETE FROM events;
UPDATE accounts SET tier = 0;
-- 1. Classifications, the way the server replaces them: indexes dropped, rows inserted in
--    account order, indexes built again (scores spread like real ones).
DROP INDEX kam_classifications_by_tier;
DROP INDEX kam_classifications_by_risk;
INSERT INTO kam_classifications
  SELECT id, 'rcl_01M8C0HWZ672K6F3WGEWNH69FB', 1, 1795699575062126, 1 + rowid % 3, 1 + rowid % 5,
         1 + rowid % 5, 1 + rowid % 5, 1 + rowid % 10, 1 + rowid % 4, (rowid * 7919) % 100000000, 3, 3,
         'EUR', rowid * 1000, (rowid * 104729) % 100000000, rowid % 1000000, rowid % 999999,
         rowid % 999998, rowid % 999997, rowid % 999996, rowid % 999995, rowid % 999994, 500000, 500000
  FROM accounts ORDER BY id;
CREATE INDEX kam_classifications_by_tier ON kam_classifications (tier, composite_micro, account_id);
CREATE INDEX kam_classifications_by_risk ON kam_classifications (churn_risk_micro, account_id);
-- 2. Tier-change records, ids in time order like the server's.
INSERT INTO kam_tier_changes
  SELECT 'tch_01M8C0J28P189D2DG2E' || printf('%07d', rowid), id, 0, 3, 1,
         'first classification: score 46.3 (payment_behaviour 10.0, revenue_contribution 9.1, profit 5.4)',
         1, 'rcl_01M8C0HWZ672K6F3WGEWNH69FB', 'kam-bench', 1795699575062126
  FROM accounts ORDER BY id;
-- 3. The accounts' tiers.
UPDATE accounts SET tier = 3, update_time = 1795699575062126, revision = revision + 1;
-- 4. One account.updated event per account.
INSERT INTO events
  SELECT 7000000 + rowid, 'account.updated', 'account', id, 2,
         '[{"after":"\"ACCOUNT_TIER_STANDARD\"","before":"\"ACCOUNT_TIER_UNSPECIFIED\"","field":"tier"}]',
         owner, 'kam-bench', 'req_01M8C0J28P189D2DG2EJAFR2G0', 1795699575062126
  FROM accounts ORDER BY id;
-- Rolled back: a real run's commit (syncing about a GB of write-ahead log) comes on top.
ROLLBACK;
