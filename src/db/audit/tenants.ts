import fc from 'fast-check';
import type { KnownTenant } from './context.ts';
import type { AuditSession } from './session.ts';
import { quoteIdent } from './sql-text.ts';
import type { CatalogSnapshot } from './types.ts';
import { tenantTables } from './analysis.ts';

/** Base type of the tenant column across tenant tables (the most common one). */
export function tenantValueType(snapshot: CatalogSnapshot): string {
  const counts = new Map<string, number>();
  for (const t of tenantTables(snapshot)) {
    const col = t.columns.find((c) => c.name === t.tenantColumn);
    if (col) counts.set(col.baseType, (counts.get(col.baseType) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'text';
}

/** fast-check arbitrary of tenant values shaped like the tenant column (uuid, integer, or a short lowercase id). */
export function tenantArbitrary(valueType: string): fc.Arbitrary<string> {
  if (valueType === 'uuid') return fc.uuid({ version: 4 });
  if (['int2', 'int4', 'int8', 'numeric'].includes(valueType)) {
    return fc.integer({ min: 100_000, max: valueType === 'int2' ? 32_767 : 2_000_000_000 }).map(String);
  }
  return fc.stringMatching(/^t[a-z0-9]{11}$/);
}

/** `count` distinct tenant values generated from `seed` (synthetic tenants of a disposable database). */
export function syntheticTenants(valueType: string, seed: number, count: number): string[] {
  const [values] = fc.sample(fc.uniqueArray(tenantArbitrary(valueType), { minLength: count, maxLength: count }), { seed, numRuns: 1 });
  return values ?? [];
}

/**
 * Tenants of a user database, as the audited role can see them without tenant context: the distinct values of the
 * columns the tenant columns reference by foreign key (e.g. `tenants.id`), when that table is readable.
 * Reads run READ ONLY and are rolled back; a table it cannot read is skipped.
 */
export async function discoverTenants(session: AuditSession, snapshot: CatalogSnapshot, limit = 10): Promise<KnownTenant[]> {
  const sources = new Map<string, { table: string; column: string }>();
  for (const table of tenantTables(snapshot)) {
    for (const fk of table.foreignKeys) {
      const i = fk.columns.indexOf(table.tenantColumn ?? '');
      const parent = snapshot.tables.find((t) => t.qualified === fk.references);
      if (i === -1 || !parent || parent.tenant) continue;
      const column = fk.referencedColumns[i]!;
      sources.set(`${parent.qualified}.${column}`, { table: `${quoteIdent(parent.schema)}.${quoteIdent(parent.name)}`, column });
    }
  }
  const found = new Set<string>();
  for (const { table, column } of sources.values()) {
    const result = await session.transaction({ readOnly: true, context: { kind: 'unset' } }, async (run) => {
      const res = await run(`SELECT DISTINCT ${quoteIdent(column)}::text AS v FROM ${table} WHERE ${quoteIdent(column)} IS NOT NULL ORDER BY 1 LIMIT ${limit}`);
      return res.rows.map((r: { v: string }) => r.v);
    });
    for (const v of result.value ?? []) found.add(v);
  }
  return [...found].map((value) => ({ value, source: 'discovered' }));
}
