import type { EvidenceStep } from '../../core/types.ts';
import type { KnownTenant } from './context.ts';
import { planSeedRow, type RowPlan } from './rows.ts';
import { forcedValues, insertSql, seedOrder, type SeedReport, type SeededTable } from './seed.ts';
import type { MembershipMapping } from './membership.ts';
import { AuditSession, type Run } from './session.ts';
import { quoteIdent } from './sql-text.ts';
import { tenantTables } from './analysis.ts';
import type { CatalogSnapshot, TableFacts } from './types.ts';

/**
 * Rows synthesised for two tenants in a user database that shows the audited role no rows: written at the start of
 * every probe transaction (as the connecting role, before `SET ROLE`) and rolled back with it, so nothing is kept.
 */
export interface SyntheticRows {
  tenants: string[];
  report: SeedReport;
  /** Replays the rows (fixed values, so every transaction sees the same rows). */
  prelude: (run: Run) => Promise<void>;
}

interface Replay {
  table: TableFacts;
  tenant: string;
  sql: string;
  params: unknown[];
}

function fullRowPlan(table: TableFacts, row: Record<string, unknown>): RowPlan {
  const columns = table.columns.filter((c) => !c.generated && Object.hasOwn(row, c.name)).map((c) => c.name);
  const values = Object.fromEntries(columns.map((c) => [c, row[c]]));
  return { columns, values, overriding: table.columns.some((c) => c.identity === 'a' && columns.includes(c.name)) };
}

/**
 * Whether no known tenant sees a row in some tenant table the role can read (so the proofs there have nothing to
 * protect). Each count runs as the tenant, READ ONLY, rolled back.
 */
export async function needsSyntheticRows(session: AuditSession, snapshot: CatalogSnapshot, tenants: readonly KnownTenant[]): Promise<boolean> {
  if (tenants.length < 2) return true;
  for (const table of tenantTables(snapshot).filter((t) => t.privileges.SELECT && !t.partition && t.tenantColumn !== null)) {
    let seen = 0;
    for (const tenant of tenants) {
      const tx = await session.transaction({ readOnly: true, context: { kind: 'tenant', value: tenant.value } }, async (run) => {
        const res = await run(`SELECT count(*)::int AS n FROM ${quoteIdent(table.schema)}.${quoteIdent(table.name)} AS t WHERE t.${quoteIdent(table.tenantColumn!)}::text = $1`, [tenant.value]);
        return (res.rows[0] as { n: number }).n;
      });
      seen += tx.value ?? 0;
    }
    if (seen === 0) return true;
  }
  return false;
}

/**
 * Plans the rows in a dry run (one transaction, rolled back, as the connecting role without tenant context and
 * without `SET ROLE`): every tenant table and the tables their required foreign keys reference, parents first,
 * NOT NULL, CHECK IN-lists, enums and unique columns satisfied, serial/identity values given explicitly (no sequence
 * advances). What failed, and why, is in the report.
 */
export async function planSyntheticRows(
  url: string,
  snapshot: CatalogSnapshot,
  tenants: readonly string[],
  random: () => number,
  connectedAs: string,
  memberships?: { mapping: MembershipMapping; tenants: readonly string[]; principalOf: (tenant: string) => string },
): Promise<SyntheticRows> {
  const asAudited = connectedAs === snapshot.role.name;
  const explain = (error: string) =>
    asAudited
      ? `${error} — rows are synthesised as the connecting role ${connectedAs}, the audited role itself, whose policies and grants stop it writing rows without tenant context; connect as the table owner or an admin and name the audited role with --app-role/--role`
      : error;
  const session = await AuditSession.open({ url, setRole: null, settings: [] });
  const report: SeedReport = { tenants: [...tenants], where: 'rolled-back', tables: [] };
  const replays: Replay[] = [];
  try {
    await session.transaction({ readOnly: false, context: { kind: 'unset' } }, async (run) => {
      for (const tenant of tenants) {
        const seeded = new Map<string, Record<string, unknown>>();
        for (const table of seedOrder(snapshot)) {
          const steps: EvidenceStep[] = [];
          let error = '';
          for (const minimal of [false, true]) {
            const plan = planSeedRow(table, forcedValues(snapshot, table, tenant, seeded), random, minimal, true);
            if ('error' in plan) {
              error = plan.error;
              break;
            }
            const sql = insertSql(table, plan, true);
            const params = plan.columns.length === 0 ? [] : [JSON.stringify(plan.values)];
            await run('SAVEPOINT ta_synth');
            try {
              const res = await run(sql, params);
              await run('RELEASE SAVEPOINT ta_synth');
              const row = (res.rows[0] as { row: Record<string, unknown> }).row;
              seeded.set(table.qualified, row);
              const full = fullRowPlan(table, row);
              replays.push({ table, tenant, sql: insertSql(table, full), params: [JSON.stringify(full.values)] });
              error = '';
              break;
            } catch (e) {
              await run('ROLLBACK TO SAVEPOINT ta_synth');
              const err = e as { code?: string; message?: string };
              error = `${err.code ?? 'error'}: ${err.message ?? String(e)}`;
            }
          }
          steps.push({ n: 1, title: `rows of tenant ${tenant} written into ${table.qualified} as ${connectedAs} at the start of every probe transaction (rolled back with it)`, note: error === '' ? 'INSERT 1' : `ERROR ${error}` });
          if (table.tenant) {
            const why = error === '' ? '' : explain(error);
            const entry: SeededTable = error === '' ? { table: table.qualified, tenant, ok: true, steps } : { table: table.qualified, tenant, ok: false, error: why, steps };
            report.tables.push(entry);
          } else if (error !== '') {
            report.tables.push({ table: table.qualified, tenant, ok: false, error: `parent table ${table.qualified}: ${explain(error)}`, steps });
          }
        }
      }
      if (memberships) {
        for (const tenant of memberships.tenants) {
          const error = await planMembership(run, snapshot, memberships.mapping, tenant, memberships.principalOf(tenant), random, (table, full) => replays.push({ table, tenant, sql: insertSql(table, full), params: [JSON.stringify(full.values)] }));
          const steps: EvidenceStep[] = [{ n: 1, title: `membership of principal ${memberships.principalOf(tenant)} in tenant ${tenant} written into ${memberships.mapping.table} as ${connectedAs} at the start of every probe transaction (rolled back with it)`, note: error === '' ? 'INSERT 1' : `ERROR ${error}` }];
          report.tables.push(error === '' ? { table: memberships.mapping.table, tenant, ok: true, steps } : { table: memberships.mapping.table, tenant, ok: false, error: explain(error), steps });
        }
      }
    });
  } finally {
    await session.close();
  }
  return {
    tenants: [...tenants],
    report,
    prelude: async (run) => {
      for (const r of replays) await run(r.sql, r.params, [`<synthetic row of tenant ${r.tenant} for ${r.table.qualified}>`]);
    },
  };
}

/**
 * One membership row (principal → tenant) in the dry run, with the row its principal column references by foreign key
 * (e.g. `users.id`) when one is required. Returns '' or the error.
 */
async function planMembership(
  run: Run,
  snapshot: CatalogSnapshot,
  mapping: MembershipMapping,
  tenant: string,
  principal: string,
  random: () => number,
  replay: (table: TableFacts, full: RowPlan) => void,
): Promise<string> {
  const table = snapshot.tables.find((t) => t.qualified === mapping.table);
  if (!table) return `no table ${mapping.table}`;
  const write = async (target: TableFacts, forced: Record<string, unknown>): Promise<string> => {
    const plan = planSeedRow(target, forced, random, false, true);
    if ('error' in plan) return plan.error;
    await run('SAVEPOINT ta_member');
    try {
      const res = await run(insertSql(target, plan, true), [JSON.stringify(plan.values)]);
      await run('RELEASE SAVEPOINT ta_member');
      replay(target, fullRowPlan(target, (res.rows[0] as { row: Record<string, unknown> }).row));
      return '';
    } catch (e) {
      await run('ROLLBACK TO SAVEPOINT ta_member');
      const err = e as { code?: string; message?: string };
      return `${err.code ?? 'error'}: ${err.message ?? String(e)}`;
    }
  };
  for (const fk of table.foreignKeys.filter((f) => f.columns.length === 1 && f.columns[0] === mapping.principalColumn)) {
    const parent = snapshot.tables.find((t) => t.qualified === fk.references);
    if (!parent) continue;
    const error = await write(parent, { [fk.referencedColumns[0]!]: principal });
    if (error !== '') return `principal row in ${parent.qualified}: ${error}`;
  }
  return write(table, { [mapping.principalColumn]: principal, [mapping.tenantColumn]: tenant });
}
