import { defineSuite } from 'tenancy-audit/suite';
import { catalogRead, definerFunction, policyCheckPinned, policyCommandCoverage, policyMissingOk, policyNullTenant, policyTenantKey, rlsEnabled, rlsForced, roleAttributes, roleOwnsTable, settingDefault, viewBypass, type DbSuiteContext, type DbSuiteDefinition, type CatalogCheck } from 'tenancy-audit/db';

/** The catalog checks, in the order their records appear. Each declares its rules and is a pure function of the snapshot. */
export const CATALOG_CHECKS: readonly CatalogCheck[] = [
  catalogRead,
  roleAttributes,
  roleOwnsTable,
  settingDefault,
  rlsEnabled,
  rlsForced,
  policyCommandCoverage,
  policyTenantKey,
  policyCheckPinned,
  policyMissingOk,
  policyNullTenant,
  viewBypass,
  definerFunction,
];

export default defineSuite({
  id: 'db.rls-catalog',
  title: 'Row-level security configuration fails closed',
  description:
    'Reads pg_catalog as the audited connection and checks every tenant table (tables with the tenant column, or those listed): row-level security enabled, and forced where the application role owns the table; a permissive policy for every command the role is granted, keyed on the tenant setting in USING and WITH CHECK, never USING (true), never reading the setting with missing_ok, never admitting rows whose tenant is NULL on a nullable tenant column; no default value for the setting; the role is not superuser, not BYPASSRLS, cannot SET ROLE to one, owns no tenant table; no readable view or executable SECURITY DEFINER function reads tenant tables with an owner that bypasses RLS. Each object checked is recorded, passing or not.',
  families: ['data-layer'],
  paths: ['db'],
  severity: 'critical',
  controls: { soc2: ['CC6.1', 'CC6.3', 'CC7.1'], iso27001: ['5.15', '8.2', '8.3', '8.9'] },
  remediation:
    'ALTER TABLE … ENABLE and FORCE ROW LEVEL SECURITY on every tenant table; one policy per command keyed on current_setting(<setting>) without missing_ok, with WITH CHECK pinning the tenant column and no OR tenant_id IS NULL / COALESCE / IS NOT DISTINCT FROM branch (make the tenant column NOT NULL); connect as a role that is not superuser, not BYPASSRLS and owns nothing; make views security_invoker and keep SECURITY DEFINER functions away from tenant tables (or filter by the setting inside them).',
  target: 'db',
  phase: 'catalog',
  rules: CATALOG_CHECKS.flatMap((check) => check.rules),
  async run(ctx: DbSuiteContext) {
    for (const check of CATALOG_CHECKS) {
      const started = Date.now();
      const findings = check.run(ctx.snapshot);
      const durationMs = Date.now() - started;
      for (const finding of findings) {
        await ctx.record({ ...finding, startedAt: new Date(started).toISOString(), durationMs });
      }
    }
  },
}) satisfies DbSuiteDefinition;
