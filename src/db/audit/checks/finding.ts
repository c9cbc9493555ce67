import type { Verdict } from '../../../core/verdict.ts';
import type { DbRuleId } from '../rules.ts';
import type { CatalogSnapshot, PolicyFacts, TableFacts } from '../types.ts';

/** One numbered line of what a check looked at: the catalog query (title) and what it showed (note). */
export interface FindingStep {
  title: string;
  note?: string;
}

/** What a catalog check concludes about one object; the suite turns each into an evidence record. */
export interface Finding {
  /** `control` for the catalog suite's positive control (the catalog was read and the population is not empty). */
  kind?: 'control';
  rule: DbRuleId;
  /** The object judged: `public.documents`, `role app`, `public.list_docs()`. */
  operation: string;
  verdict: Verdict;
  /** Stable reason code. */
  reason: string;
  /** Human text naming the object at fault (or checked). */
  detail: string;
  steps: FindingStep[];
}

/** A catalog check: a pure function of the snapshot (tenant setting and column are part of it). */
export type CatalogCheck = (snapshot: CatalogSnapshot) => Finding[];

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
export function gapFindings(snapshot: CatalogSnapshot, section: CatalogSnapshot['gaps'][number]['section'], rule: DbRuleId): Finding[] {
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
