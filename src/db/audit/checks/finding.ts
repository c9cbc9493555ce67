import type { Verdict } from '../../../core/verdict.ts';
import type { DbRule } from '../rules.ts';
import type { CatalogSnapshot, PolicyFacts, TableFacts } from '../types.ts';

/** One numbered line of what a check looked at: the catalog query (title) and what it showed (note). */
export interface FindingStep {
  title: string;
  note?: string;
}

/** What a catalog check concludes about one object; the suite turns each into an evidence record. */
export interface Finding<Rule extends string = string> {
  /** `control` for the catalog suite's positive control (the catalog was read and the population is not empty). */
  kind?: 'control';
  /** Id of one of the rules its check declares. */
  rule: Rule;
  /** The object judged: `public.documents`, `role app`, `public.list_docs()`. */
  operation: string;
  verdict: Verdict;
  /** Stable reason code. */
  reason: string;
  /** Human text naming the object at fault (or checked). */
  detail: string;
  steps: FindingStep[];
}

/**
 * A catalog check: the rules it may emit, and a pure function of the snapshot (tenant setting and column are part
 * of it) that judges them. Made by `defineCatalogCheck`.
 */
export interface CatalogCheck<Rule extends string = string> {
  readonly rules: readonly DbRule[];
  run(snapshot: CatalogSnapshot): Finding<Rule>[];
}

/**
 * Declares a catalog check with its rules beside its logic. The returned `run` refuses (TypeError) a finding for a
 * rule the check did not declare: its metadata would be missing from the evidence and the manifest.
 *
 * @example
 * export const rlsEnabled = defineCatalogCheck({
 *   rules: [{ id: 'rls-enabled', title: '…', failVerdict: 'fail-open', severity: 'critical', description: '…' }],
 *   run: (snapshot) => tenantTables(snapshot).map((table) => ({ rule: 'rls-enabled', … })),
 * });
 */
export function defineCatalogCheck<const Rules extends readonly DbRule[]>(check: {
  rules: Rules;
  run(snapshot: CatalogSnapshot): Finding<Rules[number]['id']>[];
}): CatalogCheck<Rules[number]['id']> {
  const declared = new Set<string>(check.rules.map((r) => r.id));
  if (check.rules.length === 0 || declared.size !== check.rules.length) {
    throw new TypeError(`defineCatalogCheck: rules must be non-empty with unique ids (got ${JSON.stringify(check.rules.map((r) => r.id))})`);
  }
  return {
    rules: check.rules,
    run(snapshot) {
      const findings = check.run(snapshot);
      const stray = findings.find((f) => !declared.has(f.rule));
      if (stray) {
        throw new TypeError(`catalog check declaring ${[...declared].join(', ')} emitted a finding for undeclared rule ${JSON.stringify(stray.rule)} (${stray.operation})`);
      }
      return findings;
    },
  };
}

export function roleOperation(name: string): string {
  return `role ${name}`;
}

export function tableStep(table: TableFacts): FindingStep {
  const privileges = Object.entries(table.privileges)
    .filter(([, granted]) => granted)
    .map(([command]) => command);
  return {
    title: `SELECT relrowsecurity, relforcerowsecurity, relowner FROM pg_class WHERE oid = '${table.qualified}'::regclass`,
    note: `relrowsecurity=${table.rlsEnabled} relforcerowsecurity=${table.rlsForced} owner=${table.owner}; audited role owns=${table.roleOwns}; granted: ${privileges.join(', ') || 'nothing'}`,
  };
}

export function policyStep(policy: PolicyFacts): FindingStep {
  return {
    title: `SELECT polcmd, polpermissive, polroles, pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid) FROM pg_policy WHERE polname = '${policy.name}' AND polrelid = '${policy.table}'::regclass`,
    note: `${policy.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${policy.command} TO ${policy.roles.join(', ')} USING ${policy.using === null ? '—' : `(${policy.using})`} WITH CHECK ${policy.withCheck === null ? '—' : `(${policy.withCheck})`}`,
  };
}

/** Findings for every object a check could not evaluate because a catalog section was unreadable. */
export function gapFindings<Rule extends string>(snapshot: CatalogSnapshot, section: CatalogSnapshot['gaps'][number]['section'], rule: Rule): Finding<Rule>[] {
  return snapshot.gaps
    .filter((g) => g.section === section)
    .map((g) => ({
      rule,
      operation: `catalog ${section}`,
      verdict: 'inconclusive' as const,
      reason: 'catalog-unreadable',
      detail: `could not read ${section} from the catalog as ${snapshot.sessionUser}: ${g.message}`,
      steps: [],
    }));
}
