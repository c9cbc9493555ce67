import { bypassReason, functionExecutor, functionTenantTables, tenantTables, viewAccesses } from './analysis.ts';
import type { ReadTarget } from './observations.ts';
import { quoteIdent } from './sql-text.ts';
import type { CatalogSnapshot } from './types.ts';

const NOT_ROWS = new Set(['void', 'trigger', 'event_trigger', 'internal', 'language_handler', 'fdw_handler', 'index_am_handler', 'table_am_handler']);

/**
 * What the behaviour proofs read, from the snapshot: every tenant table; every view the role can read that reaches
 * a tenant table; every function the role can execute without arguments that returns rows or a value (not void,
 * polymorphic or a bare `record`) and names a tenant table in its body.
 */
export function readTargets(snapshot: CatalogSnapshot): ReadTarget[] {
  const role = snapshot.role.name;
  // A partition the role holds no privilege on is reached only through its partitioned table (whose policies apply).
  const reachable = (t: CatalogSnapshot['tables'][number]) => !t.partition || t.roleOwns || Object.values(t.privileges).some(Boolean);
  const out: ReadTarget[] = tenantTables(snapshot).filter(reachable).map((t) => ({
    kind: 'table',
    name: t.qualified,
    from: `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`,
    tenantColumn: t.tenantColumn,
    tenantTables: [t.qualified],
    granted: t.privileges.SELECT,
    rlsApplies: bypassReason(snapshot, role, t) === null,
  }));
  for (const view of snapshot.views.filter((v) => v.readable)) {
    const accesses = viewAccesses(snapshot, view);
    if (accesses.length === 0) continue;
    out.push({
      kind: 'view',
      name: view.qualified,
      from: view.qualified,
      tenantColumn: view.columns.includes(snapshot.tenantColumn) ? snapshot.tenantColumn : null,
      tenantTables: [...new Set(accesses.map((a) => a.table.qualified))],
      granted: true,
      rlsApplies: accesses.every((a) => a.bypass === null),
    });
  }
  for (const fn of snapshot.functions) {
    if (fn.kind !== 'function' || !fn.executable || fn.requiredArgs > 0 || fn.bareRecord || NOT_ROWS.has(fn.returnType) || fn.returnType.startsWith('any')) continue;
    const tables = functionTenantTables(snapshot, fn);
    if (tables.length === 0) continue;
    const executor = functionExecutor(snapshot, fn);
    out.push({
      kind: 'function',
      name: fn.signature,
      from: `${fn.qualified}()`,
      tenantColumn: snapshot.tenantColumn,
      tenantTables: tables.map((t) => t.qualified),
      granted: true,
      rlsApplies: tables.every((t) => bypassReason(snapshot, executor, t) === null),
    });
  }
  return out;
}
