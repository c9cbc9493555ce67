import { tenantTables } from '../analysis.ts';
import { defineCatalogCheck, tableStep } from './finding.ts';

/**
 * RLS is forced where the audited role owns the table (owners bypass unforced policies).
 * Tables without RLS are left to `rls-enabled`; unforced tables owned by another role pass with the owner named.
 */
export const rlsForced = defineCatalogCheck({
  rules: [
    {
      id: 'rls-forced',
      title: 'Row-level security forced where the audited role owns the table',
      failVerdict: 'fail-open',
      severity: 'high',
      description: 'A table owner bypasses its policies unless relforcerowsecurity is set. Fails when the audited role has the privileges of the owner and RLS is not forced (fail-open); otherwise passes with the owner named.',
    },
  ],
  run: (snapshot) =>
    tenantTables(snapshot)
      .filter((t) => t.rlsEnabled)
      .map((table) => {
        if (table.rlsForced) {
          return {
            rule: 'rls-forced' as const,
            operation: table.qualified,
            verdict: 'pass' as const,
            reason: 'rls-forced',
            detail: `row-level security is forced on ${table.qualified} (the owner ${table.owner} is bound too)`,
            steps: [tableStep(table)],
          };
        }
        return {
          rule: 'rls-forced' as const,
          operation: table.qualified,
          verdict: table.roleOwns ? ('fail-open' as const) : ('pass' as const),
          reason: table.roleOwns ? 'owner-not-forced' : 'not-forced-other-owner',
          detail: table.roleOwns
            ? `row-level security is not forced on ${table.qualified} and the audited role ${snapshot.role.name} has the privileges of its owner ${table.owner}: its policies do not apply to the application. Fix: ALTER TABLE ${table.qualified} FORCE ROW LEVEL SECURITY; (better: ALTER TABLE ${table.qualified} OWNER TO a role the application does not use)`
            : `row-level security is not forced on ${table.qualified}; its owner ${table.owner} is not the audited role ${snapshot.role.name}, so the policies apply to the application (connections as ${table.owner} bypass them)`,
          steps: [tableStep(table)],
        };
      }),
});
