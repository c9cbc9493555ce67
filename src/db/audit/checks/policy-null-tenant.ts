import { tenantTables } from '../analysis.ts';
import { alterPolicySql, coalesceCalls, withoutNullBranches } from '../fix-sql.ts';
import { withoutStringLiterals } from '../sql-text.ts';
import type { PolicyFacts } from '../types.ts';
import { defineCatalogCheck, gapFindings, policyStep, tableStep, type Finding } from './finding.ts';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Why a policy expression admits rows whose tenant column is NULL, or [] when it does not (text analysis of pg_get_expr). */
export function nullAdmissions(expr: string | null, column: string): string[] {
  if (expr === null) return [];
  const text = withoutStringLiterals(expr);
  const col = `(?<![A-Za-z0-9_$"])(?:${escapeRegExp(column)}|"${escapeRegExp(column)}")(?![A-Za-z0-9_$"])`;
  const why: string[] = [];
  if (new RegExp(`${col}\\s+IS\\s+NULL\\b`, 'i').test(text)) why.push(`"${column} IS NULL" lets rows without a tenant through for every tenant`);
  if (coalesceCalls(text).some((c) => c.args.some((a) => new RegExp(`^\\s*${col}\\s*$`, 'i').test(a)))) {
    why.push(`COALESCE(${column}, …) gives rows without a tenant the fallback value, so they match whatever the fallback matches`);
  }
  const notDistinct = new RegExp(`(${col}\\s+IS\\s+NOT\\s+DISTINCT\\s+FROM)|(IS\\s+NOT\\s+DISTINCT\\s+FROM\\s+${col})|(NOT\\s*\\(\\s*${col}\\s+IS\\s+DISTINCT\\s+FROM)|(NOT\\s*\\([^()]*IS\\s+DISTINCT\\s+FROM\\s+${col})`, 'i');
  if (notDistinct.test(text)) why.push(`IS NOT DISTINCT FROM treats NULL as equal to NULL: a session whose tenant reads as NULL (missing context, missing claim) sees every row without a tenant`);
  return why;
}

/**
 * No policy on a tenant table admits rows whose tenant column is NULL (`OR tenant_id IS NULL`, `COALESCE(tenant_id, …)`,
 * `IS NOT DISTINCT FROM`). On a NOT NULL tenant column such a branch is dead (pass, said so).
 */
export const policyNullTenant = defineCatalogCheck({
  rules: [
    {
      id: 'policy-null-tenant',
      title: 'Policies do not admit rows whose tenant is NULL',
      failVerdict: 'fail-open',
      severity: 'critical',
      description: 'A predicate such as OR tenant_id IS NULL, COALESCE(tenant_id, …) or tenant_id IS NOT DISTINCT FROM <setting> on a nullable tenant column lets any tenant write a row without a tenant (or move its row there) that every other tenant then sees. One record per tenant table, naming the policies and giving the rewritten policy. Failure: fail-open (the behaviour proof write-null-tenant shows the leak).',
    },
  ],
  run(snapshot) {
    const gaps = gapFindings(snapshot, 'policies', 'policy-null-tenant');
    if (gaps.length > 0) return gaps;
    const out: Finding<'policy-null-tenant'>[] = [];
    for (const table of tenantTables(snapshot).filter((t) => t.rlsEnabled && t.tenantColumn !== null && !t.partition)) {
      const column = table.tenantColumn!;
      const nullable = !table.columns.find((c) => c.name === column)?.notNull;
      const flagged: { policy: PolicyFacts; why: string[] }[] = [];
      for (const policy of snapshot.policies.filter((p) => p.table === table.qualified && p.appliesToRole)) {
        const why = [...new Set([...nullAdmissions(policy.using, column), ...nullAdmissions(policy.withCheck, column)])];
        if (why.length > 0) flagged.push({ policy, why });
      }
      const steps = [tableStep(table), ...flagged.map((f) => policyStep(f.policy))];
      if (flagged.length === 0) {
        out.push({ rule: 'policy-null-tenant', operation: table.qualified, verdict: 'pass', reason: 'no-null-branch', detail: `no policy on ${table.qualified} admits rows whose ${column} is NULL`, steps });
        continue;
      }
      const names = flagged.map((f) => `"${f.policy.name}"`).join(', ');
      if (!nullable) {
        out.push({ rule: 'policy-null-tenant', operation: table.qualified, verdict: 'pass', reason: 'null-branch-unreachable', detail: `policy ${names} on ${table.qualified} has a NULL-tenant branch, but ${column} is NOT NULL, so no such row can exist`, steps });
        continue;
      }
      const fixes = flagged.map((f) => alterPolicySql(f.policy, f.policy.using === null ? null : withoutNullBranches(f.policy.using, column), f.policy.withCheck === null ? null : withoutNullBranches(f.policy.withCheck, column)));
      out.push({
        rule: 'policy-null-tenant',
        operation: table.qualified,
        verdict: 'fail-open',
        reason: 'null-tenant-admitted',
        detail: `policy ${names} on ${table.qualified} admit rows whose ${column} is NULL, and ${column} is nullable: ${[...new Set(flagged.flatMap((f) => f.why))].join('; ')}. Fix: ${fixes.join(' ')} ALTER TABLE ${table.qualified} ALTER COLUMN ${column} SET NOT NULL; (keep rows shared by every tenant in a table of their own)`,
        steps,
      });
    }
    return out;
  },
});
