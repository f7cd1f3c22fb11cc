/* The one query a watch sample costs: the figures that tell the causes apart,
 * read in one transaction (one snapshot of the activity, locks and database
 * statistics). It aggregates on the server and returns one row, so its cost
 * grows with the sessions and waiting locks, not with what it sends back.
 * The application's sessions are counted as the runbook's checks count them:
 * this database's client backends, neither this one nor any other pg500's;
 * slots are every client backend's, pg500's own included (they take one).
 * pg500's own rollbacks are taken out by the sampler (postgres/session.ts
 * says how many the server counts). */

export const watchSql = `WITH activity AS MATERIALIZED (
  SELECT pid, datname, state, state_change, query_start, wait_event_type, application_name, backend_type FROM pg_stat_activity
), app AS (
  SELECT * FROM activity
  WHERE backend_type = 'client backend' AND datname = current_database()
    AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM 'pg500'
), idle_tx AS (
  SELECT extract(epoch FROM now() - state_change) AS idle_s FROM app WHERE state LIKE 'idle in transaction%'
), lock_waiting AS (
  SELECT pid, query_start FROM app WHERE wait_event_type = 'Lock'
), waiting_locks AS MATERIALIZED (
  -- pg_locks copies the whole lock table (thousands of rows on a busy server): read only when someone waits.
  SELECT pid, (to_jsonb(l) ->> 'waitstart')::timestamptz AS waitstart FROM pg_locks l
  WHERE NOT granted AND EXISTS (SELECT FROM lock_waiting)
), waits AS (
  -- Aged from when the wait began (pg_locks.waitstart, read through to_jsonb so that
  -- PostgreSQL 13, which lacks it, takes the same query and ages from the statement's start).
  SELECT w.pid, extract(epoch FROM now() - coalesce(min(l.waitstart),
           CASE WHEN current_setting('server_version_num')::int >= 140000 THEN now() ELSE w.query_start END)) AS wait_s
  FROM lock_waiting w LEFT JOIN waiting_locks l ON l.pid = w.pid
  GROUP BY w.pid, w.query_start
), db AS (
  SELECT xact_commit, xact_rollback, deadlocks, stats_reset FROM pg_stat_database WHERE datname = current_database()
)
SELECT
  (SELECT count(*) FROM activity WHERE backend_type = 'client backend')::int AS slots_used,
  (current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
    - coalesce(nullif(current_setting('reserved_connections', true), ''), '0')::int) AS slots_usable,
  (SELECT count(*) FROM idle_tx)::int AS idle_in_tx,
  (SELECT count(*) FROM idle_tx WHERE idle_s >= current_setting('pg500.idle_tx_warning_seconds')::numeric)::int AS idle_in_tx_long,
  (SELECT coalesce(round(max(idle_s)::numeric), 0) FROM idle_tx)::float8 AS oldest_idle_in_tx_s,
  (SELECT count(*) FROM waits)::int AS lock_waiters,
  (SELECT coalesce(round(max(wait_s)::numeric, 1), 0) FROM waits)::float8 AS oldest_lock_wait_s,
  db.deadlocks::float8 AS deadlocks_total,
  db.xact_commit::float8 AS commits_total,
  db.xact_rollback::float8 AS rollbacks_total,
  extract(epoch FROM now())::float8 AS server_time,
  -- Counters start again from zero after a restart or a reset: a new baseline, not a negative rate.
  concat_ws(' ', pg_postmaster_start_time(), db.stats_reset) AS counters_since
FROM db`;
