-- Row-level security on every table that has a tenant_id: enabled AND forced (so the owner is bound
-- too), one policy per command, keyed on the transaction's `app.tenant_id` setting. current_setting()
-- is called WITHOUT missing_ok: a session that never set the tenant gets an error, not an empty scope.
-- After a transaction-local set_config() ends, a pooled connection reads the setting as '' (not as
-- unset): the cast to tenant_ref makes that an error too, instead of a silent empty result.

CREATE DOMAIN tenant_ref AS text CHECK (VALUE ~ '^[a-z][a-z0-9-]{1,62}$');

ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
CREATE POLICY projects_tenant_select ON projects FOR SELECT USING (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY projects_tenant_insert ON projects FOR INSERT WITH CHECK (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY projects_tenant_update ON projects FOR UPDATE USING (tenant_id = current_setting('app.tenant_id')::tenant_ref) WITH CHECK (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY projects_tenant_delete ON projects FOR DELETE USING (tenant_id = current_setting('app.tenant_id')::tenant_ref);

ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY documents_tenant_select ON documents FOR SELECT USING (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY documents_tenant_insert ON documents FOR INSERT WITH CHECK (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY documents_tenant_update ON documents FOR UPDATE USING (tenant_id = current_setting('app.tenant_id')::tenant_ref) WITH CHECK (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY documents_tenant_delete ON documents FOR DELETE USING (tenant_id = current_setting('app.tenant_id')::tenant_ref);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_tenant_select ON idempotency_keys FOR SELECT USING (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY idempotency_keys_tenant_insert ON idempotency_keys FOR INSERT WITH CHECK (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY idempotency_keys_tenant_update ON idempotency_keys FOR UPDATE USING (tenant_id = current_setting('app.tenant_id')::tenant_ref) WITH CHECK (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY idempotency_keys_tenant_delete ON idempotency_keys FOR DELETE USING (tenant_id = current_setting('app.tenant_id')::tenant_ref);

ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY jobs_tenant_select ON jobs FOR SELECT USING (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY jobs_tenant_insert ON jobs FOR INSERT WITH CHECK (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY jobs_tenant_update ON jobs FOR UPDATE USING (tenant_id = current_setting('app.tenant_id')::tenant_ref) WITH CHECK (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY jobs_tenant_delete ON jobs FOR DELETE USING (tenant_id = current_setting('app.tenant_id')::tenant_ref);

ALTER TABLE callback_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE callback_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY callback_deliveries_tenant_select ON callback_deliveries FOR SELECT USING (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY callback_deliveries_tenant_insert ON callback_deliveries FOR INSERT WITH CHECK (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY callback_deliveries_tenant_update ON callback_deliveries FOR UPDATE USING (tenant_id = current_setting('app.tenant_id')::tenant_ref) WITH CHECK (tenant_id = current_setting('app.tenant_id')::tenant_ref);
CREATE POLICY callback_deliveries_tenant_delete ON callback_deliveries FOR DELETE USING (tenant_id = current_setting('app.tenant_id')::tenant_ref);
