import { analyseKey, applicablePolicies, effectiveCheck, settingReaders, tenantTables } from '../analysis.ts';
import { keyedPolicySql, tenantKeyExpr } from '../fix-sql.ts';
import { isTriviallyTrue } from '../sql-text.ts';
import type { GrantableCommand } from '../types.ts';
import { defineCatalogCheck, gapFindings, policyStep, tableStep, type Finding } from './finding.ts';

const CHECK_COMMANDS: readonly GrantableCommand[] = ['INSERT', 'UPDATE'];

/**
 * The effective WITH CHECK (WITH CHECK, else USING) of each permissive INSERT/UPDATE/ALL policy applying to the
 * role is keyed on the tenant setting, or a restrictive policy keyed on it covers the same commands; otherwise new
 * or changed rows can carry any tenant.
 */
export const policyCheckPinned = defineCatalogCheck({
  rules: [
    {
      id: 'policy-check-pinned',
      title: 'INSERT/UPDATE policies pin the tenant in WITH CHECK',
      failVerdict: 'fail-open',
      severity: 'high',
      description: 'The effective WITH CHECK (WITH CHECK, else USING) of a permissive INSERT/UPDATE/ALL policy must be keyed on the tenant setting, or new rows may be written into any tenant. Failure: fail-open.',
    },
  ],
  run(snapshot) {
    const gaps = gapFindings(snapshot, 'policies', 'policy-check-pinned');
    if (gaps.length > 0) return gaps;
    const readers = settingReaders(snapshot);
    const out: Finding<'policy-check-pinned'>[] = [];
    for (const table of tenantTables(snapshot).filter((t) => t.rlsEnabled)) {
      const policies = snapshot.policies.filter((p) => p.table === table.qualified && p.appliesToRole && p.permissive);
      for (const policy of policies) {
        const commands = CHECK_COMMANDS.filter(
          (c) => table.privileges[c] && (policy.command === 'ALL' || policy.command === c),
        );
        const check = effectiveCheck(policy);
        if (commands.length === 0 || check === null) continue;
        const steps = [tableStep(table), policyStep(policy)];
        const key = analyseKey(check, snapshot, table, readers);
        if (key.keyed) {
          out.push({
            rule: 'policy-check-pinned',
            operation: table.qualified,
            verdict: 'pass',
            reason: 'check-pinned',
            detail: `policy "${policy.name}" on ${table.qualified} pins ${table.tenantColumn ?? 'rows'} to ${snapshot.tenantSetting} for ${commands.join(', ')}${policy.withCheck === null ? ' (its USING serves as WITH CHECK)' : ''}`,
            steps,
          });
          continue;
        }
        const pinnedBy = commands.map((command) =>
          applicablePolicies(snapshot, table, command).restrictive.find(
            (r) => analyseKey(effectiveCheck(r), snapshot, table, readers).keyed,
          ),
        );
        if (pinnedBy.every((r) => r !== undefined)) {
          out.push({
            rule: 'policy-check-pinned',
            operation: table.qualified,
            verdict: 'pass',
            reason: 'pinned-by-restrictive',
            detail: `policy "${policy.name}" on ${table.qualified} does not pin the tenant, but restrictive ${[...new Set(pinnedBy.map((r) => `"${r?.name}"`))].join(', ')} does for ${commands.join(', ')}`,
            steps: [...steps, ...pinnedBy.flatMap((r) => (r ? [policyStep(r)] : []))],
          });
          continue;
        }
        out.push({
          rule: 'policy-check-pinned',
          operation: table.qualified,
          verdict: 'fail-open',
          reason: isTriviallyTrue(check) ? 'check-always-true' : 'check-not-pinned',
          detail: `policy "${policy.name}" on ${table.qualified} has WITH CHECK (${check})${policy.withCheck === null ? ' (from USING)' : ''}, which does not pin ${table.tenantColumn ?? 'the tenant'} to ${snapshot.tenantSetting}: ${snapshot.role.name} can ${commands.join('/')} rows into any tenant${commands.includes('UPDATE') ? ' (for UPDATE, when the statement does not read the table; otherwise SELECT policies also check the new row)' : ''}. Fix: ${keyedPolicySql(policy, tenantKeyExpr(table, snapshot, snapshot.policies.filter((p) => p.table === table.qualified && p.appliesToRole && analyseKey(p.using, snapshot, table, readers).keyed)), 'check')}`,
          steps,
        });
      }
    }
    return out;
  },
});
