import type { ObservedRow, TenantlessObservation } from './observations.ts';
import { addressRow } from './row-address.ts';
import { planInsertFromTemplate } from './rows.ts';
import { insertSql } from './seed.ts';
import type { AuditSession } from './session.ts';
import { quoteIdent } from './sql-text.ts';
import type { ColumnFacts, TableFacts } from './types.ts';

/**
 * A tenant value that looks like "every tenant" or "no tenant" for the column's type (`*` for text, the nil uuid,
 * 0 for integers), or null when the type has none. Probed beside NULL: a policy that treats it as shared is a leak.
 */
export function wildcardValue(column: ColumnFacts | undefined): string | null {
  if (!column) return null;
  if (column.baseType === 'uuid') return '00000000-0000-0000-0000-000000000000';
  if (['int2', 'int4', 'int8', 'numeric'].includes(column.baseType)) return '0';
  if (column.category === 'S' && (column.maxLength === null || column.maxLength >= 1)) return '*';
  return null;
}

export interface TenantlessProbe {
  session: AuditSession;
  table: TableFacts;
  mode: 'insert' | 'update';
  value: string | null;
  actor: string;
  witness: string;
  row: ObservedRow | undefined;
  random: () => number;
  label: (table: TableFacts, columns: readonly string[], tenant: string) => string;
}

/**
 * One transaction, rolled back: as the actor, write a row whose tenant column is `value`; if accepted, switch the
 * context to the witness and count, on the same table, that row and the witness's own rows (the control).
 */
export async function probeTenantless(p: TenantlessProbe): Promise<TenantlessObservation> {
  const { table, mode, value, actor, witness } = p;
  const base = { table: table.qualified, mode, value, actor, witness, granted: true, write: null, seen: null, witnessOwnRows: null, steps: [], startedAt: new Date().toISOString(), durationMs: 0 };
  const command = mode === 'insert' ? 'INSERT' : 'UPDATE';
  if (!table.privileges[command] || !table.privileges.SELECT) return { ...base, granted: false };
  const col = table.tenantColumn!;
  const at = p.row && addressRow(table, p.row);
  if (!p.row || !at) return { ...base, setupError: `no row of tenant ${actor} is visible to ${mode === 'insert' ? 'copy' : 'change'}` };
  const target = `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
  let sql: string;
  let params: unknown[];
  let shown: unknown[];
  if (mode === 'insert') {
    const planned = planInsertFromTemplate(table, p.row.data, p.random);
    if ('error' in planned) return { ...base, setupError: planned.error };
    const plan = planned.plan(actor);
    plan.values[col] = value;
    sql = insertSql(table, plan) + ' RETURNING tableoid::text AS tableoid, ctid::text AS ctid';
    params = [JSON.stringify(plan.values)];
    shown = [p.label(table, plan.columns, value === null ? 'NULL' : value)];
  } else {
    sql = `UPDATE ${target} SET ${quoteIdent(col)} = $${at.params.length + 1} WHERE ${at.sql} RETURNING tableoid::text AS tableoid, ctid::text AS ctid`;
    params = [...at.params, value];
    shown = params;
  }
  let write: TenantlessObservation['write'] = null;
  let seen: boolean | null = null;
  let witnessOwnRows: number | null = null;
  let readError: TenantlessObservation['readError'];
  let addressed: number | undefined;
  let attempted = false;
  const tx = await p.session.transaction({ readOnly: false, context: { kind: 'tenant', value: actor } }, async (run) => {
    let written: { tableoid: string; ctid: string } | undefined;
    if (mode === 'update') {
      const seen = await run(`SELECT count(*)::int AS n FROM ${target} WHERE ${at.sql}`, at.params);
      addressed = (seen.rows[0] as { n: number }).n;
    }
    await run('SAVEPOINT ta_tenantless');
    attempted = true;
    try {
      const res = await run(sql, params, shown);
      written = res.rows[0] as { tableoid: string; ctid: string } | undefined;
      write = { ok: true, rowCount: res.rowCount ?? 0 };
    } catch (error) {
      const e = error as { code?: string; message?: string };
      write = { ok: false, error: { code: e.code ?? 'unknown', message: e.message ?? String(error) } };
      await run('ROLLBACK TO SAVEPOINT ta_tenantless');
      return;
    }
    if (!written) return;
    await p.session.applyContext(run, { kind: 'tenant', value: witness });
    try {
      const res = await run(
        `SELECT count(*) FILTER (WHERE t.tableoid = $1::oid AND t.ctid = $2::tid)::int AS seen, count(*) FILTER (WHERE t.${quoteIdent(col)}::text = $3)::int AS own FROM ${target} AS t`,
        [written.tableoid, written.ctid, witness],
      );
      const r = res.rows[0] as { seen: number; own: number };
      seen = r.seen > 0;
      witnessOwnRows = r.own;
    } catch (error) {
      const e = error as { code?: string; message?: string };
      readError = { code: e.code ?? 'unknown', message: e.message ?? String(error) };
    }
  });
  return {
    ...base,
    // A failure before the write (role, context, synthesised rows, addressing) is a setup error, never a refusal.
    ...(tx.error && !attempted ? { setupError: `ERROR ${tx.error.code}: ${tx.error.message}` } : {}),
    write: tx.error && attempted && write === null ? { ok: false, error: tx.error } : write,
    seen,
    witnessOwnRows,
    ...(addressed === undefined ? {} : { addressed }),
    ...(readError ? { readError } : {}),
    steps: tx.steps,
    startedAt: tx.startedAt,
    durationMs: tx.durationMs,
  };
}
