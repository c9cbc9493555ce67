import type pg from 'pg';
import type { EvidenceStep } from '../../core/types.ts';
import { planSeedRow, type RowPlan } from './rows.ts';
import { displaySql, sqlError } from './session.ts';
import { quoteIdent } from './sql-text.ts';
import { renderContext, type ContextSetting } from './tenant-context.ts';
import type { CatalogSnapshot, TableFacts } from './types.ts';

export interface SeededTable {
  table: string;
  tenant: string;
  ok: boolean;
  error?: string;
  /** The statements run for this table and tenant (numbered within the table). */
  steps: EvidenceStep[];
}

export interface SeedReport {
  tenants: string[];
  /** Where the rows live: a disposable database (committed, dropped after), or every probe transaction of a user database (rolled back). */
  where?: 'disposable' | 'rolled-back';
  tables: SeededTable[];
}

function onlyPreamble(steps: readonly EvidenceStep[]): boolean {
  return steps.length === 1;
}

export function insertSql(table: TableFacts, plan: RowPlan, returning = false): string {
  const target = `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
  const tail = returning ? ' RETURNING to_jsonb(t.*) AS row' : '';
  const alias = returning ? ' AS t' : '';
  if (plan.columns.length === 0) return `INSERT INTO ${target}${alias} DEFAULT VALUES${tail}`;
  const cols = plan.columns.map(quoteIdent).join(', ');
  return `INSERT INTO ${target}${alias} (${cols})${plan.overriding ? ' OVERRIDING SYSTEM VALUE' : ''} SELECT ${cols} FROM jsonb_populate_record(NULL::${target}, $1::jsonb)${tail}`;
}

/**
 * Tables to seed in dependency order: every tenant table with a tenant column, plus the tables their NOT NULL
 * (or tenant) foreign keys reference, parents first. Cycles are broken arbitrarily (a table whose parent is
 * not seeded yet fails to seed and is reported).
 */
export function seedOrder(snapshot: CatalogSnapshot): TableFacts[] {
  const byName = new Map(snapshot.tables.map((t) => [t.qualified, t]));
  const needed = new Map<string, TableFacts>();
  const visit = (t: TableFacts): void => {
    if (needed.has(t.qualified)) return;
    needed.set(t.qualified, t);
    for (const fk of t.foreignKeys) {
      const parent = byName.get(fk.references);
      if (!parent || parent === t) continue;
      const required = fk.columns.some((c) => c === t.tenantColumn || t.columns.find((col) => col.name === c)?.notNull);
      if (required) visit(parent);
    }
  };
  for (const t of snapshot.tables.filter((t) => t.tenant && t.tenantColumn !== null && !t.partition)) visit(t);
  const order: TableFacts[] = [];
  const placed = new Set<string>();
  const pending = [...needed.values()];
  while (pending.length > 0) {
    const index = pending.findIndex((t) =>
      t.foreignKeys.every((fk) => fk.references === t.qualified || !needed.has(fk.references) || placed.has(fk.references)),
    );
    const [next] = pending.splice(index === -1 ? 0 : index, 1);
    order.push(next!);
    placed.add(next!.qualified);
  }
  return order;
}

/** Values a table's row must take for `tenant`: its tenant column, and columns that tenant columns of children reference. */
export function forcedValues(snapshot: CatalogSnapshot, table: TableFacts, tenant: string, seeded: Map<string, Record<string, unknown>>): Record<string, unknown> {
  const forced: Record<string, unknown> = {};
  if (table.tenantColumn !== null) forced[table.tenantColumn] = tenant;
  for (const child of snapshot.tables.filter((t) => t.tenant && t.tenantColumn !== null)) {
    for (const fk of child.foreignKeys.filter((f) => f.references === table.qualified)) {
      const i = fk.columns.indexOf(child.tenantColumn!);
      if (i !== -1) forced[fk.referencedColumns[i]!] = tenant;
    }
  }
  for (const fk of table.foreignKeys) {
    const parentRow = seeded.get(fk.references);
    if (!parentRow) continue;
    fk.columns.forEach((c, i) => {
      if (!Object.hasOwn(forced, c)) forced[c] = parentRow[fk.referencedColumns[i]!];
    });
  }
  return forced;
}

/**
 * Writes one row per synthetic tenant into every tenant table of a DISPOSABLE database (built from migrations),
 * as the admin, with the tenant setting set while inserting (so defaults and triggers reading it work). Text
 * columns get canaries. Committed: the database is dropped after the audit. Never used on a user database.
 */
export async function seedSyntheticTenants(
  admin: pg.ClientBase,
  snapshot: CatalogSnapshot,
  settings: readonly ContextSetting[],
  tenants: readonly string[],
  random: () => number,
): Promise<SeedReport> {
  const order = seedOrder(snapshot);
  const report: SeedReport = { tenants: [...tenants], tables: [] };
  for (const tenant of tenants) {
    const seeded = new Map<string, Record<string, unknown>>();
    await admin.query('BEGIN');
    const values = renderContext(settings, tenant, null);
    for (const [name, value] of values) await admin.query('SELECT set_config($1, $2, true)', [name, value]);
    for (const table of order) {
      const steps: EvidenceStep[] = [
        { n: 1, title: `BEGIN; ${values.map(([name, value]) => `SELECT set_config('${name}', '${value}', true)`).join('; ')}`, note: 'as the admin of the disposable database' },
      ];
      const step = (title: string, note: string) => steps.push({ n: steps.length + 1, title, note });
      let error = '';
      for (const minimal of [false, true]) {
        const plan = planSeedRow(table, forcedValues(snapshot, table, tenant, seeded), random, minimal);
        if ('error' in plan) {
          error = plan.error;
          break;
        }
        const sql = insertSql(table, plan, true);
        const params = plan.columns.length === 0 ? [] : [JSON.stringify(plan.values)];
        await admin.query('SAVEPOINT ta_seed');
        try {
          const res = await admin.query<{ row: Record<string, unknown> }>(sql, params);
          await admin.query('RELEASE SAVEPOINT ta_seed');
          seeded.set(table.qualified, res.rows[0]!.row);
          step(displaySql(sql, params), 'INSERT 1');
          error = '';
          break;
        } catch (e) {
          await admin.query('ROLLBACK TO SAVEPOINT ta_seed');
          error = `${sqlError(e).code}: ${sqlError(e).message}`;
          step(displaySql(sql, params), `ERROR ${error}`);
        }
      }
      if (error !== '' && onlyPreamble(steps)) step('(no statement)', error);
      step('COMMIT (disposable database)', error === '' ? 'ok' : 'row not written');
      if (table.tenant) report.tables.push(error === '' ? { table: table.qualified, tenant, ok: true, steps } : { table: table.qualified, tenant, ok: false, error, steps });
    }
    await admin.query('COMMIT');
  }
  return report;
}
