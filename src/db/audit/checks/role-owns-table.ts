import { tenantTables } from '../analysis.ts';
import { defineCatalogCheck, roleOperation, tableStep } from './finding.ts';

/** The audited role does not own (have the privileges of the owner of) any tenant table. */
export const roleOwnsTable = defineCatalogCheck({
  rules: [
    {
      id: 'role-owns-table',
      title: 'The audited role does not own tenant tables',
      failVerdict: 'fail-open',
      severity: 'high',
      description: 'An owner can disable or drop the policies (and bypasses them unless forced). Failure: fail-open, one record per owned table.',
    },
  ],
  run(snapshot) {
    const tables = tenantTables(snapshot);
    const owned = tables.filter((t) => t.roleOwns);
    const operation = roleOperation(snapshot.role.name);
    if (owned.length === 0) {
      return [
        {
          rule: 'role-owns-table',
          operation,
          verdict: 'pass',
          reason: 'owns-no-tenant-table',
          detail: `the audited role ${snapshot.role.name} owns none of the ${tables.length} tenant tables (owners: ${[...new Set(tables.map((t) => t.owner))].join(', ')})`,
          steps: [{ title: "SELECT relname FROM pg_class WHERE pg_has_role(<role>, relowner, 'USAGE')", note: 'none among tenant tables' }],
        },
      ];
    }
    return owned.map((table) => ({
      rule: 'role-owns-table' as const,
      operation,
      verdict: 'fail-open' as const,
      reason: 'role-owns-table',
      detail: `the audited role ${snapshot.role.name} has the privileges of ${table.owner}, owner of tenant table ${table.qualified}: it can disable or drop the table's policies${table.rlsForced ? '' : ' and bypasses them (RLS not forced)'}. Fix: ALTER TABLE ${table.qualified} OWNER TO <a role the application does not use>;`,
      steps: [tableStep(table)],
    }));
  },
});
