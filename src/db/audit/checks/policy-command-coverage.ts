import { applicablePolicies, effectiveCheck, tenantTables } from '../analysis.ts';
import { quoteIdent } from '../sql-text.ts';
import { GRANTABLE_COMMANDS, type PolicyFacts } from '../types.ts';
import { defineCatalogCheck, gapFindings, policyStep, tableStep, type Finding } from './finding.ts';

/** Whether a permissive policy lets any row through for `command` (a NULL expression lets none through). */
function opensFor(policy: PolicyFacts, command: string): boolean {
  if (command === 'INSERT') return effectiveCheck(policy) !== null;
  return policy.using !== null;
}

/**
 * For each command the role is granted on a tenant table with RLS enabled, a permissive policy applying to the
 * role covers it. Uncovered commands are silently denied by PostgreSQL (0 rows, no error): soft-fail.
 */
export const policyCommandCoverage = defineCatalogCheck({
  rules: [
    {
      id: 'policy-command-coverage',
      title: 'A permissive policy covers every command the role is granted',
      failVerdict: 'soft-fail',
      severity: 'low',
      description: 'For each of SELECT/INSERT/UPDATE/DELETE granted to the role, lists the permissive policies (that command or ALL) that cover it. A granted command without one is denied by default by row-level security (fail-closed): a hygiene note with the REVOKE that states the intent, not a failure.',
    },
  ],
  run(snapshot) {
    const gaps = gapFindings(snapshot, 'policies', 'policy-command-coverage');
    if (gaps.length > 0) return gaps;
    const out: Finding<'policy-command-coverage'>[] = [];
    for (const table of tenantTables(snapshot).filter((t) => t.rlsEnabled)) {
      const granted = GRANTABLE_COMMANDS.filter((c) => table.privileges[c]);
      if (granted.length === 0) {
        out.push({
          rule: 'policy-command-coverage',
          operation: table.qualified,
          verdict: 'pass',
          reason: 'nothing-granted',
          detail: `the audited role ${snapshot.role.name} is granted no command on ${table.qualified}`,
          steps: [tableStep(table)],
        });
        continue;
      }
      for (const command of granted) {
        const covering = applicablePolicies(snapshot, table, command).permissive.filter((p) => opensFor(p, command));
        out.push({
          rule: 'policy-command-coverage',
          operation: table.qualified,
          verdict: 'pass',
          reason: covering.length > 0 ? 'command-covered' : 'denied-by-default',
          detail:
            covering.length > 0
              ? `${command} on ${table.qualified} is covered by ${covering.map((p) => `policy "${p.name}"`).join(', ')}`
              : `hygiene note: ${command} is granted to ${snapshot.role.name} on ${table.qualified} but no permissive policy for ${command} applies to it, so row-level security denies it by default (${command === 'INSERT' ? 'an error' : '0 rows, no error'}): fail-closed. If the application never ${command === 'SELECT' ? 'reads' : 'writes'} this way, say so: REVOKE ${command} ON ${table.qualified} FROM ${quoteIdent(snapshot.role.name)};`,
          steps: [tableStep(table), ...covering.map(policyStep)],
        });
      }
    }
    return out;
  },
});
