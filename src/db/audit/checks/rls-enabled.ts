import { tenantTables } from '../analysis.ts';
import { quoteIdent } from '../sql-text.ts';
import type { CatalogSnapshot, TableFacts } from '../types.ts';
import { defineCatalogCheck, tableStep, type Finding } from './finding.ts';

/** The role can reach the table directly: it holds a privilege on it or owns it. */
export function reachable(table: TableFacts): boolean {
  return table.roleOwns || Object.values(table.privileges).some(Boolean);
}

/** Tenant tables grouped for per-object findings: each non-partition table with the partitions under it. */
export function withPartitions(snapshot: CatalogSnapshot): { table: TableFacts; partitions: TableFacts[] }[] {
  const tables = tenantTables(snapshot);
  const roots = new Set(tables.filter((t) => !t.partition).map((t) => t.qualified));
  return tables
    .filter((t) => !t.partition || !t.parent || !roots.has(t.parent))
    .map((table) => ({ table, partitions: tables.filter((p) => p.partition && p.parent === table.qualified) }));
}

/**
 * Every tenant table has row-level security enabled; a partition needs its own only when the audited role can reach
 * it directly (through the partitioned table, the parent's policies apply). One record per partitioned table, naming
 * the partitions at fault.
 */
export const rlsEnabled = defineCatalogCheck({
  rules: [
    {
      id: 'rls-enabled',
      title: 'Row-level security enabled on the tenant table',
      failVerdict: 'fail-open',
      severity: 'critical',
      description: 'relrowsecurity must be true on every tenant table, and on every partition the audited role holds a privilege on (queried directly, a partition applies only its own policies): without it every row is visible to any role with SELECT. One record per table, partitions listed. Failure: fail-open.',
    },
  ],
  run: (snapshot) =>
    withPartitions(snapshot).map(({ table, partitions }): Finding<'rls-enabled'> => {
      const exposed = partitions.filter((p) => !p.rlsEnabled && reachable(p));
      const unreached = partitions.filter((p) => !p.rlsEnabled && !reachable(p));
      const steps = [tableStep(table), ...partitions.filter((p) => !p.rlsEnabled).map(tableStep)];
      const faults = [...(table.rlsEnabled ? [] : [table]), ...exposed];
      const note = unreached.length > 0 ? `; partitions ${unreached.map((p) => p.qualified).join(', ')} have no RLS of their own, but ${snapshot.role.name} holds no privilege on them (reachable only through ${table.qualified})` : '';
      if (faults.length === 0) {
        return { rule: 'rls-enabled', operation: table.qualified, verdict: 'pass', reason: 'rls-enabled', detail: `row-level security is enabled on ${table.qualified}${partitions.length > 0 ? ` (${partitions.length} partitions)` : ''}${note}`, steps };
      }
      const fix = [
        ...faults.map((t) => `ALTER TABLE ${t.qualified} ENABLE ROW LEVEL SECURITY;`),
        ...exposed.map((p) => `-- or: REVOKE ALL ON ${p.qualified} FROM ${quoteIdent(snapshot.role.name)};`),
      ].join(' ');
      const what = table.rlsEnabled
        ? `partitions ${exposed.map((p) => p.qualified).join(', ')} of ${table.qualified} have no row-level security and ${snapshot.role.name} can query them directly`
        : `row-level security is NOT enabled on tenant table ${table.qualified}${exposed.length > 0 ? ` nor on its partitions ${exposed.map((p) => p.qualified).join(', ')}` : ''}`;
      return {
        rule: 'rls-enabled',
        operation: table.qualified,
        verdict: 'fail-open',
        reason: table.rlsEnabled ? 'partition-rls-disabled' : 'rls-disabled',
        detail: `${what}: every role with SELECT sees every tenant's rows. Fix: ${fix}`,
        steps,
      };
    }),
});
