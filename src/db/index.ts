/**
 * `tenancy-audit/db`: the data-layer audit and everything a `db` suite file needs (its context, the catalog
 * snapshot and checks, the pure judges of behaviour observations). Built-in `db.*` suites import from here
 * exactly as a user's suite does.
 *
 * @example
 * import { defineSuite } from 'tenancy-audit/suite';
 * import type { DbSuiteContext } from 'tenancy-audit/db';
 * export default defineSuite({
 *   id: 'db.my-check', target: 'db', phase: 'catalog',
 *   rules: [{ id: 'my-rule', title: '…', failVerdict: 'fail-open', severity: 'high', description: '…' }],
 *   async run(ctx: DbSuiteContext) { await ctx.record({ rule: 'my-rule', ... }); }, ...
 * });
 */
export { auditDatabase, validateDbAuditOptions, type DbAuditOptions, type DbAuditOutcome } from './audit/index.ts';
export type { DbSuiteContext, DbSuiteDefinition, DbSuitePhase, DbBehaviourIO, DbRecordInput, KnownTenant } from './audit/context.ts';
export { introspectCatalog } from './audit/introspect.ts';
export { CONTEXT_PRESETS, type DbContextOptions, type DbContextPreset } from './audit/tenant-context.ts';
export type { MembershipOptions } from './audit/membership.ts';
export type * from './audit/types.ts';
export type { ObservedRow, ReadObservation, ReadTarget, TenantlessObservation, WriteObservation } from './audit/observations.ts';
export { judgeTenantless } from './audit/judge-tenantless.ts';
export { wildcardValue } from './audit/probes-tenantless.ts';
export { whatLetsRowsThrough } from './audit/explain.ts';
export {
  collectFingerprints,
  gateOnControl,
  judgeControl,
  judgeIsolation,
  judgeNoContext,
  judgeWrite,
  type Judgement,
  type WriteKind,
} from './audit/judge.ts';
export type { DbRule } from './audit/rules.ts';
export { defineCatalogCheck, type CatalogCheck, type Finding, type FindingStep } from './audit/checks/finding.ts';
export { catalogRead } from './audit/checks/catalog-read.ts';
export { definerFunction } from './audit/checks/definer-function.ts';
export { policyCheckPinned } from './audit/checks/policy-check-pinned.ts';
export { policyCommandCoverage } from './audit/checks/policy-command-coverage.ts';
export { policyMissingOk } from './audit/checks/policy-missing-ok.ts';
export { policyNullTenant } from './audit/checks/policy-null-tenant.ts';
export { policyTenantKey } from './audit/checks/policy-tenant-key.ts';
export { rlsEnabled } from './audit/checks/rls-enabled.ts';
export { rlsForced } from './audit/checks/rls-forced.ts';
export { roleAttributes } from './audit/checks/role-attributes.ts';
export { roleOwnsTable } from './audit/checks/role-owns-table.ts';
export { settingDefault } from './audit/checks/setting-default.ts';
export { viewBypass } from './audit/checks/view-bypass.ts';
export { provisionDatabase, type ProvisionedDatabase } from './provision.ts';
