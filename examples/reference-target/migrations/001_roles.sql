-- Login roles the service uses. Roles are cluster-wide while everything else here is per database,
-- so several databases on one server (tests migrate them concurrently) share these roles:
-- create them only when absent and tolerate losing the race to a concurrent migration.
--
-- reference_app: every HTTP request and every tenant-scoped worker query. Not superuser, not
--   BYPASSRLS, owns nothing: row-level security always applies to it.
-- reference_worker: BYPASSRLS, granted only SELECT/UPDATE on `jobs` (see 004_grants.sql). Used for the
--   job lifecycle keyed by job id (claim the next queued job of any tenant with FOR UPDATE SKIP LOCKED,
--   requeue, complete, fail) and to look up which tenant owns a job named by a provider webhook.
--   It cannot read projects or documents: a job's context is read as reference_app inside the job's
--   own tenant.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'reference_app') THEN
    CREATE ROLE reference_app LOGIN PASSWORD 'reference_app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'reference_worker') THEN
    CREATE ROLE reference_worker LOGIN PASSWORD 'reference_worker' NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
