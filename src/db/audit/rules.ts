import type { MutationInfo, Severity } from '../../core/types.ts';
import type { Verdict } from '../../core/verdict.ts';

export const CATALOG_SUITE_ID = 'db.rls-catalog';
export const BEHAVIOUR_SUITE_ID = 'db.rls-behaviour';

export interface DbRule {
  id: string;
  suite: typeof CATALOG_SUITE_ID | typeof BEHAVIOUR_SUITE_ID;
  title: string;
  /** Verdict a failure of this rule carries (a behaviour rule may also yield a milder one; see `description`). */
  failVerdict: Exclude<Verdict, 'pass' | 'inconclusive'> | 'control';
  severity: Severity;
  description: string;
}

/**
 * Every rule of the data-layer audit as data: the id is the evidence record's `mutation.id`.
 * Passing objects are recorded with verdict `pass`; a rule that could not be evaluated records `inconclusive`.
 */
export const DB_RULES = [
  // ── catalog (pg_catalog facts) ──────────────────────────────────────────────────────────────
  {
    id: 'catalog-read',
    suite: CATALOG_SUITE_ID,
    title: 'Positive control: the catalog is readable and tenant tables are in scope',
    failVerdict: 'control',
    severity: 'high',
    description: 'No tenant table in scope (no table has the tenant column, none listed) is inconclusive, never a pass. The audit reads pg_class, pg_policy, pg_roles, pg_proc and privileges; a section it cannot read makes the checks needing it inconclusive.',
  },
  {
    id: 'rls-enabled',
    suite: CATALOG_SUITE_ID,
    title: 'Row-level security enabled on the tenant table',
    failVerdict: 'fail-open',
    severity: 'critical',
    description: 'relrowsecurity must be true on every tenant table (and partition): without it every row is visible to any role with SELECT. Failure: fail-open.',
  },
  {
    id: 'rls-forced',
    suite: CATALOG_SUITE_ID,
    title: 'Row-level security forced where the audited role owns the table',
    failVerdict: 'fail-open',
    severity: 'high',
    description: 'A table owner bypasses its policies unless relforcerowsecurity is set. Fails when the audited role has the privileges of the owner and RLS is not forced (fail-open); otherwise passes with the owner named.',
  },
  {
    id: 'policy-command-coverage',
    suite: CATALOG_SUITE_ID,
    title: 'A permissive policy covers every command the role is granted',
    failVerdict: 'soft-fail',
    severity: 'medium',
    description: 'For each of SELECT/INSERT/UPDATE/DELETE granted to the role, a permissive policy (that command or ALL) applying to the role must exist. Without one PostgreSQL silently denies (0 rows, no error): soft-fail.',
  },
  {
    id: 'policy-tenant-key',
    suite: CATALOG_SUITE_ID,
    title: 'Permissive policies are keyed on the tenant setting',
    failVerdict: 'fail-open',
    severity: 'high',
    description: 'Permissive policies are OR-ed: one whose USING does not compare the tenant column with the tenant setting (e.g. USING (true)) opens rows regardless of tenant, unless a restrictive policy keyed on the setting covers the same commands. Failure: fail-open. Text analysis of pg_get_expr output (setting read directly or through a function that reads it).',
  },
  {
    id: 'policy-check-pinned',
    suite: CATALOG_SUITE_ID,
    title: 'INSERT/UPDATE policies pin the tenant in WITH CHECK',
    failVerdict: 'fail-open',
    severity: 'high',
    description: 'The effective WITH CHECK (WITH CHECK, else USING) of a permissive INSERT/UPDATE/ALL policy must be keyed on the tenant setting, or new rows may be written into any tenant. Failure: fail-open.',
  },
  {
    id: 'policy-missing-ok',
    suite: CATALOG_SUITE_ID,
    title: 'The tenant setting is read without missing_ok',
    failVerdict: 'soft-fail',
    severity: 'medium',
    description: 'current_setting(name, true) returns NULL when the context is missing, turning it into a silent empty result instead of an error. Checked in policy expressions and in the functions they call. Failure: soft-fail.',
  },
  {
    id: 'setting-default',
    suite: CATALOG_SUITE_ID,
    title: 'No default value for the tenant setting',
    failVerdict: 'fail-open',
    severity: 'high',
    description: 'ALTER ROLE/DATABASE … SET <setting> gives every session a default tenant: a query without context is served as that tenant. Failure: fail-open.',
  },
  {
    id: 'role-superuser',
    suite: CATALOG_SUITE_ID,
    title: 'The audited role is not superuser',
    failVerdict: 'fail-open',
    severity: 'critical',
    description: 'Superusers bypass row-level security entirely. Failure: fail-open.',
  },
  {
    id: 'role-bypassrls',
    suite: CATALOG_SUITE_ID,
    title: 'The audited role does not have BYPASSRLS',
    failVerdict: 'fail-open',
    severity: 'critical',
    description: 'BYPASSRLS roles ignore every policy. Failure: fail-open.',
  },
  {
    id: 'role-privileged-membership',
    suite: CATALOG_SUITE_ID,
    title: 'The audited role cannot SET ROLE to a superuser or BYPASSRLS role',
    failVerdict: 'fail-open',
    severity: 'high',
    description: 'Membership in a superuser or BYPASSRLS role lets the application escalate with SET ROLE. Failure: fail-open.',
  },
  {
    id: 'role-owns-table',
    suite: CATALOG_SUITE_ID,
    title: 'The audited role does not own tenant tables',
    failVerdict: 'fail-open',
    severity: 'high',
    description: 'An owner can disable or drop the policies (and bypasses them unless forced). Failure: fail-open, one record per owned table.',
  },
  {
    id: 'view-bypass',
    suite: CATALOG_SUITE_ID,
    title: 'Readable views over tenant tables do not bypass RLS',
    failVerdict: 'fail-open',
    severity: 'high',
    description: 'A view without security_invoker reads its tables with its owner\'s rights; it bypasses RLS when that owner is superuser, BYPASSRLS, or owns an unforced tenant table along the view chain. Materialized views never apply RLS. Failure when the role can read it: fail-open.',
  },
  {
    id: 'definer-function',
    suite: CATALOG_SUITE_ID,
    title: 'SECURITY DEFINER functions executable by the role do not touch tenant tables',
    failVerdict: 'fail-open',
    severity: 'high',
    description: 'A SECURITY DEFINER function runs as its owner; when that owner bypasses RLS on a tenant table named in the function body (text match of table names in pg_get_functiondef), the role can read or write across tenants through it. Failure: fail-open.',
  },
  // ── behaviour (as the audited role, each in a rolled-back transaction) ─────────────────────
  {
    id: 'control-own-rows',
    suite: BEHAVIOUR_SUITE_ID,
    title: 'Positive control: with the setting at tenant A the role reads A\'s rows',
    failVerdict: 'control',
    severity: 'high',
    description: 'Shows the oracle is live. A table whose control fails makes its isolation proofs inconclusive; if no control passes, no behaviour proof can pass.',
  },
  {
    id: 'control-seed',
    suite: BEHAVIOUR_SUITE_ID,
    title: 'Positive control: synthetic tenants seeded into the disposable database',
    failVerdict: 'control',
    severity: 'high',
    description: 'With --migrations, one row per synthetic tenant is written into every tenant table (and the tables they reference) as the admin before the proofs, so isolation has something to protect. A table that cannot be seeded leaves its proofs inconclusive.',
  },
  {
    id: 'no-context',
    suite: BEHAVIOUR_SUITE_ID,
    title: 'A read without the tenant setting errors',
    failVerdict: 'fail-open',
    severity: 'critical',
    description: 'On a fresh session that never set the tenant setting: error → pass; 0 rows → soft-fail (inconclusive when no rows are known to exist); rows → fail-open.',
  },
  {
    id: 'empty-context',
    suite: BEHAVIOUR_SUITE_ID,
    title: 'A read with the tenant setting reset to empty errors',
    failVerdict: 'fail-open',
    severity: 'high',
    description: 'After a transaction that used SET LOCAL, a pooled session reads the setting as \'\' rather than missing. Same judgement as no-context.',
  },
  {
    id: 'tenant-isolation',
    suite: BEHAVIOUR_SUITE_ID,
    title: 'With the setting at tenant A no row of another tenant is visible',
    failVerdict: 'leak',
    severity: 'critical',
    description: 'Reads each tenant table, readable view and callable function as tenant A (and as a random stranger tenant); a row with another tenant value or another tenant\'s known values (canaries) → leak; a row without a tenant → fail-open.',
  },
  {
    id: 'write-insert-foreign',
    suite: BEHAVIOUR_SUITE_ID,
    title: 'With the setting at tenant A inserting a row of tenant B is refused',
    failVerdict: 'leak',
    severity: 'critical',
    description: 'The same row is inserted for A (control: must succeed) and for B (must error). Accepted → leak.',
  },
  {
    id: 'write-update-foreign',
    suite: BEHAVIOUR_SUITE_ID,
    title: 'With the setting at tenant A a row of tenant B cannot be updated',
    failVerdict: 'leak',
    severity: 'critical',
    description: 'An UPDATE of B\'s row (control: it updates 1 row as B) must affect 0 rows or error as A. Any row changed → leak.',
  },
  {
    id: 'write-update-move',
    suite: BEHAVIOUR_SUITE_ID,
    title: 'With the setting at tenant A a row cannot be moved into tenant B',
    failVerdict: 'leak',
    severity: 'critical',
    description: 'Setting the tenant column of A\'s own row to B must error (control: a no-op update of that row succeeds). Accepted → leak.',
  },
  {
    id: 'write-delete-foreign',
    suite: BEHAVIOUR_SUITE_ID,
    title: 'With the setting at tenant A a row of tenant B cannot be deleted',
    failVerdict: 'leak',
    severity: 'critical',
    description: 'A DELETE of B\'s row (control: it deletes 1 row as B) must affect 0 rows or error as A. Any row deleted → leak.',
  },
] as const satisfies readonly DbRule[];

export type DbRuleId = (typeof DB_RULES)[number]['id'];

const BY_ID = new Map<string, DbRule>(DB_RULES.map((r) => [r.id, r]));

export function dbRule(id: DbRuleId): DbRule {
  const rule = BY_ID.get(id);
  if (!rule) throw new TypeError(`dbRule: unknown rule id ${JSON.stringify(id)}`);
  return rule;
}

/** The rules of one suite as the manifest's methodology lists them. */
export function dbMutations(suite?: string): MutationInfo[] {
  return DB_RULES.filter((r) => suite === undefined || r.suite === suite).map((r) => ({
    id: r.id,
    title: r.title,
    family: 'data-layer',
    description: `[${r.severity}; failure → ${r.failVerdict}] ${r.description}`,
  }));
}
