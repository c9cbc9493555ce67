import { tenantTables } from '../analysis.ts';
import { defineCatalogCheck, tableStep } from './finding.ts';

/** Every tenant table (and partition) has row-level security enabled. */
export const rlsEnabled = defineCatalogCheck({
  rules: [
    {
      id: 'rls-enabled',
      title: 'Row-level security enabled on the tenant table',
      failVerdict: 'fail-open',
      severity: 'critical',
      description: 'relrowsecurity must be true on every tenant table (and partition): without it every row is visible to any role with SELECT. Failure: fail-open.',
    },
  ],
  run: (snapshot) =>
    tenantTables(snapshot).map((table) => ({
      rule: 'rls-enabled',
      operation: table.qualified,
      verdict: table.rlsEnabled ? 'pass' : 'fail-open',
      reason: table.rlsEnabled ? 'rls-enabled' : 'rls-disabled',
      detail: table.rlsEnabled
        ? `row-level security is enabled on ${table.qualified}`
        : `row-level security is NOT enabled on tenant table ${table.qualified}: every role with SELECT sees every tenant's rows (ALTER TABLE ${table.qualified} ENABLE ROW LEVEL SECURITY)`,
      steps: [tableStep(table)],
    })),
});
