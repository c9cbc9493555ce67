import { tenantTables } from '../analysis.ts';
import { tableStep, type CatalogCheck } from './finding.ts';

/** Every tenant table (and partition) has row-level security enabled. */
export const rlsEnabled: CatalogCheck = (snapshot) =>
  tenantTables(snapshot).map((table) => ({
    rule: 'rls-enabled',
    operation: table.qualified,
    verdict: table.rlsEnabled ? 'pass' : 'fail-open',
    reason: table.rlsEnabled ? 'rls-enabled' : 'rls-disabled',
    detail: table.rlsEnabled
      ? `row-level security is enabled on ${table.qualified}`
      : `row-level security is NOT enabled on tenant table ${table.qualified}: every role with SELECT sees every tenant's rows (ALTER TABLE ${table.qualified} ENABLE ROW LEVEL SECURITY)`,
    steps: [tableStep(table)],
  }));
