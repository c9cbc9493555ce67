import { defineCatalogCheck, tableStep, type Finding } from './finding.ts';
import { reachable, withPartitions } from './rls-enabled.ts';

/**
 * RLS is forced where the audited role owns the table (owners bypass unforced policies).
 * Tables without RLS are left to `rls-enabled`; unforced tables owned by another role pass with the owner named.
 * One record per table; its partitions the role owns and can reach directly are named in it.
 */
export const rlsForced = defineCatalogCheck({
  rules: [
    {
      id: 'rls-forced',
      title: 'Row-level security forced where the audited role owns the table',
      failVerdict: 'fail-open',
      severity: 'high',
      description: 'A table owner bypasses its policies unless relforcerowsecurity is set. Fails when the audited role has the privileges of the owner and RLS is not forced (fail-open); otherwise passes with the owner named. Partitions are listed in their table\'s record.',
    },
  ],
  run: (snapshot) =>
    withPartitions(snapshot)
      .filter(({ table }) => table.rlsEnabled)
      .map(({ table, partitions }): Finding<'rls-forced'> => {
        const exposed = partitions.filter((p) => p.rlsEnabled && !p.rlsForced && p.roleOwns && reachable(p));
        const steps = [tableStep(table), ...exposed.map(tableStep)];
        const faults = [...(!table.rlsForced && table.roleOwns ? [table] : []), ...exposed];
        if (faults.length > 0) {
          return {
            rule: 'rls-forced',
            operation: table.qualified,
            verdict: 'fail-open',
            reason: 'owner-not-forced',
            detail: `row-level security is not forced on ${faults.map((t) => t.qualified).join(', ')} and the audited role ${snapshot.role.name} has the privileges of the owner ${table.owner}: the policies do not apply to the application. Fix: ${faults.map((t) => `ALTER TABLE ${t.qualified} FORCE ROW LEVEL SECURITY;`).join(' ')} (better: ALTER TABLE ${table.qualified} OWNER TO a role the application does not use)`,
            steps,
          };
        }
        return {
          rule: 'rls-forced',
          operation: table.qualified,
          verdict: 'pass',
          reason: table.rlsForced ? 'rls-forced' : 'not-forced-other-owner',
          detail: table.rlsForced
            ? `row-level security is forced on ${table.qualified} (the owner ${table.owner} is bound too)`
            : `row-level security is not forced on ${table.qualified}; its owner ${table.owner} is not the audited role ${snapshot.role.name}, so the policies apply to the application (connections as ${table.owner} bypass them)`,
          steps,
        };
      }),
});
