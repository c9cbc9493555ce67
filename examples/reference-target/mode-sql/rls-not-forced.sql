-- Seeded bug `rls-not-forced`: RLS stays ENABLED but is no longer FORCED, and the service connects as the
-- table owner (the admin role) instead of reference_app. An owner is exempt from non-forced RLS (and in
-- the usual test setups the admin is also a superuser), so queries that rely on RLS alone are unscoped.
ALTER TABLE projects NO FORCE ROW LEVEL SECURITY;
ALTER TABLE documents NO FORCE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys NO FORCE ROW LEVEL SECURITY;
ALTER TABLE jobs NO FORCE ROW LEVEL SECURITY;
ALTER TABLE callback_deliveries NO FORCE ROW LEVEL SECURITY;
