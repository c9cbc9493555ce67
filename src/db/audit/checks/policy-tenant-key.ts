import { analyseKey, applicablePolicies, settingReaders, tenantTables } from '../analysis.ts';
import { keyedPolicySql, tenantKeyExpr } from '../fix-sql.ts';
import { isTriviallyTrue } from '../sql-text.ts';
import type { GrantableCommand, PolicyFacts, TableFacts } from '../types.ts';
import { defineCatalogCheck, gapFindings, policyStep, tableStep, type Finding } from './finding.ts';

const USING_COMMANDS: readonly GrantableCommand[] = ['SELECT', 'UPDATE', 'DELETE'];

function commandsOf(policy: PolicyFacts, table: TableFacts, among: readonly GrantableCommand[]): GrantableCommand[] {
  return among.filter((c) => table.privileges[c] && (policy.command === 'ALL' || policy.command === c));
}

/**
 * Permissive policies (OR-ed) must compare the tenant column with the tenant setting in USING; one that does not
 * (e.g. USING (true)) opens rows regardless of tenant, unless a restrictive policy keyed on the setting also
 * applies to every command it serves.
 */
export const policyTenantKey = defineCatalogCheck({
  rules: [
    {
      id: 'policy-tenant-key',
      title: 'Permissive policies are keyed on the tenant setting',
      failVerdict: 'fail-open',
      severity: 'high',
      description: 'Permissive policies are OR-ed: one whose USING does not compare the tenant column with the tenant setting (e.g. USING (true)) opens rows regardless of tenant, unless a restrictive policy keyed on the setting covers the same commands. Failure: fail-open. Text analysis of pg_get_expr output (setting read directly or through a function that reads it).',
    },
  ],
  run(snapshot) {
    const gaps = gapFindings(snapshot, 'policies', 'policy-tenant-key');
    if (gaps.length > 0) return gaps;
    const readers = settingReaders(snapshot);
    const out: Finding<'policy-tenant-key'>[] = [];
    for (const table of tenantTables(snapshot).filter((t) => t.rlsEnabled)) {
      const policies = snapshot.policies.filter(
        (p) => p.table === table.qualified && p.appliesToRole && p.permissive && p.using !== null,
      );
      for (const policy of policies) {
        const commands = commandsOf(policy, table, USING_COMMANDS);
        if (commands.length === 0) continue;
        const key = analyseKey(policy.using, snapshot, table, readers);
        const steps = [tableStep(table), policyStep(policy)];
        if (key.keyed) {
          out.push({
            rule: 'policy-tenant-key',
            operation: table.qualified,
            verdict: 'pass',
            reason: 'policy-keyed',
            detail: `policy "${policy.name}" on ${table.qualified} compares ${table.tenantColumn ?? 'rows'} with ${snapshot.tenantSetting} (via ${key.via.join(', ')})`,
            steps,
          });
          continue;
        }
        const pinnedBy = commands.map((command) =>
          applicablePolicies(snapshot, table, command).restrictive.find((r) => analyseKey(r.using, snapshot, table, readers).keyed),
        );
        if (pinnedBy.every((r) => r !== undefined)) {
          out.push({
            rule: 'policy-tenant-key',
            operation: table.qualified,
            verdict: 'pass',
            reason: 'pinned-by-restrictive',
            detail: `policy "${policy.name}" on ${table.qualified} is not keyed on ${snapshot.tenantSetting}, but restrictive ${[...new Set(pinnedBy.map((r) => `"${r?.name}"`))].join(', ')} pins the tenant for ${commands.join(', ')}`,
            steps: [...steps, ...pinnedBy.flatMap((r) => (r ? [policyStep(r)] : []))],
          });
          continue;
        }
        const alwaysTrue = policy.using !== null && isTriviallyTrue(policy.using);
        const keyedPolicies = snapshot.policies.filter((p) => p.table === table.qualified && p.appliesToRole && analyseKey(p.using, snapshot, table, readers).keyed);
        const fix = `Fix: ${keyedPolicySql(policy, tenantKeyExpr(table, snapshot, keyedPolicies), 'using')} or DROP POLICY ${JSON.stringify(policy.name)} ON ${table.qualified};`;
        const missing = [
          key.readsSetting ? null : `does not read ${snapshot.tenantSetting}`,
          key.mentionsColumn ? null : `does not mention ${table.tenantColumn}`,
        ].filter((m) => m !== null);
        out.push({
          rule: 'policy-tenant-key',
          operation: table.qualified,
          verdict: 'fail-open',
          reason: alwaysTrue ? 'policy-always-true' : 'policy-not-keyed',
          detail: alwaysTrue
            ? `permissive policy "${policy.name}" on ${table.qualified} is USING (${policy.using}): it opens every row to ${snapshot.role.name} for ${commands.join(', ')} regardless of tenant. ${fix}`
            : `permissive policy "${policy.name}" on ${table.qualified} is not keyed on the tenant (USING (${policy.using}) ${missing.join(' and ')}): permissive policies are OR-ed, so it opens rows for ${commands.join(', ')} regardless of tenant. ${fix}`,
          steps,
        });
      }
    }
    return out;
  },
});
