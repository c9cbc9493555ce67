import type { EvidenceStep } from '../../core/types.ts';
import type { DbBehaviourIO, KnownTenant } from './context.ts';
import { addressRow } from './row-address.ts';
import type { ReadObservation, ReadTarget, WriteObservation } from './observations.ts';
import { probeTenantless } from './probes-tenantless.ts';
import { planInsertFromTemplate } from './rows.ts';
import { insertSql, type SeedReport } from './seed.ts';
import { AuditSession, type Run, type StatementOutcome, type TenantContext, type TransactionResult } from './session.ts';
import { quoteIdent } from './sql-text.ts';
import type { ContextSetting } from './tenant-context.ts';
import { readTargets } from './targets.ts';
import { tenantArbitrary, tenantValueType } from './tenants.ts';
import { applicablePolicies, bypassReason } from './analysis.ts';
import type { CatalogSnapshot, GrantableCommand, TableFacts } from './types.ts';

const READ_LIMIT = 200;

export interface BehaviourIOOptions {
  snapshot: CatalogSnapshot;
  /** The audited (or admin) connection URL. */
  url: string;
  /** `SET LOCAL ROLE` target when the connection is not the audited role itself. */
  setRole: string | null;
  tenants: readonly KnownTenant[];
  seedReport: SeedReport | null;
  /** Seeded randomness for filler values of probe rows. */
  random: () => number;
  connectionNote: string;
  /** Rows synthesised at the start of every transaction (a user database without rows to protect). */
  prelude?: ((run: Run) => Promise<void>) | null;
  principalOf?: ((tenant: string) => string) | null;
  /** The tenant context's settings and templates. */
  settings: readonly ContextSetting[];
  statementTimeoutMs?: number;
}

export interface OpenBehaviourIO extends DbBehaviourIO {
  close(): Promise<void>;
}

function mergeSteps(parts: readonly [string, TransactionResult<unknown>][]): EvidenceStep[] {
  const out: EvidenceStep[] = [];
  for (const [label, tx] of parts) {
    for (const step of tx.steps) out.push({ ...step, n: out.length + 1, note: `${label}: ${step.note ?? ''}` });
  }
  return out;
}

function statementOutcome(tx: TransactionResult<number>): StatementOutcome {
  return tx.error ? { ok: false, error: tx.error } : { ok: true, rowCount: tx.value ?? 0 };
}

/**
 * Opens the sessions the behaviour proofs use: `main` for reads with context and for writes, and `fresh` — a
 * session that never sets the tenant setting — for the no-context reads (a session that ever set it reads '' later).
 */
export async function openBehaviourIO(options: BehaviourIOOptions): Promise<OpenBehaviourIO> {
  const { snapshot, setRole } = options;
  const setting = snapshot.tenantSetting;
  const sessionOptions = { url: options.url, setRole, settings: options.settings, statementTimeoutMs: options.statementTimeoutMs ?? 10_000, ...(options.prelude ? { prelude: options.prelude } : {}), ...(options.principalOf ? { principalOf: options.principalOf } : {}) };
  const main = await AuditSession.open(sessionOptions);
  let fresh: AuditSession | null = null;

  const read = async (session: AuditSession, target: ReadTarget, context: TenantContext): Promise<ReadObservation> => {
    let settingSeen: string | null = null;
    const ctid = target.kind === 'table' ? 't.ctid::text AS ctid, t.tableoid::text AS tableoid' : 'NULL::text AS ctid, NULL::text AS tableoid';
    const tx = await session.transaction({ readOnly: true, context }, async (run) => {
      const seen = await run('SELECT current_setting($1, true) AS value', [setting]);
      settingSeen = (seen.rows[0] as { value: string | null }).value;
      const res = await run(`SELECT to_jsonb(t) AS data, ${ctid} FROM ${target.from} AS t LIMIT ${READ_LIMIT + 1}`);
      return res.rows as { data: unknown; ctid: string | null; tableoid: string | null }[];
    });
    const rows = (tx.value ?? []).map((r) => ({
      data: r.data !== null && typeof r.data === 'object' && !Array.isArray(r.data) ? (r.data as Record<string, unknown>) : { value: r.data },
      ctid: r.ctid,
      tableoid: r.tableoid,
    }));
    return {
      target,
      context,
      rows: rows.slice(0, READ_LIMIT),
      truncated: rows.length > READ_LIMIT,
      ...(tx.error ? { error: tx.error } : {}),
      settingSeen,
      steps: tx.steps,
      startedAt: tx.startedAt,
      durationMs: tx.durationMs,
    };
  };

  const statement = (tenant: string, readOnly: boolean, sql: string, params: unknown[], shown: unknown[] = params) =>
    main.transaction({ readOnly, context: { kind: 'tenant', value: tenant } }, async (run) => (await run(sql, params, shown)).rowCount ?? 0);
  // Rows copied from the database are not written into evidence: only their columns and tenant are shown.
  const rowLabel = (table: TableFacts, columns: readonly string[], tenant: string) =>
    `<copy of a visible row of ${table.qualified} (${columns.join(', ')}) with ${table.tenantColumn} = ${tenant}>`;

  const writeObservation = (
    table: TableFacts,
    actor: string,
    victim: string,
    parts: [string, TransactionResult<number>][],
    extra: Partial<WriteObservation>,
  ): WriteObservation => ({
    table: table.qualified,
    actor,
    victim,
    granted: true,
    control: parts[0] ? statementOutcome(parts[0][1]) : null,
    attempt: parts[1] ? statementOutcome(parts[1][1]) : null,
    steps: mergeSteps(parts),
    startedAt: parts[0]?.[1].startedAt ?? new Date().toISOString(),
    durationMs: parts.reduce((sum, [, tx]) => sum + tx.durationMs, 0),
    ...extra,
  });

  const skipped = (table: TableFacts, actor: string, victim: string, extra: Partial<WriteObservation>): WriteObservation => ({
    table: table.qualified,
    actor,
    victim,
    granted: true,
    control: null,
    attempt: null,
    steps: [],
    startedAt: new Date().toISOString(),
    durationMs: 0,
    ...extra,
  });

  const deniedByDefault = (table: TableFacts, command: GrantableCommand) =>
    bypassReason(snapshot, snapshot.role.name, table) === null && applicablePolicies(snapshot, table, command).permissive.length === 0;
  const target = (table: TableFacts) => `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;

  return {
    tenants: options.tenants,
    tenantArbitrary: tenantArbitrary(tenantValueType(snapshot)),
    targets: readTargets(snapshot),
    writeTables: snapshot.tables.filter((t) => t.tenant && t.tenantColumn !== null),
    connectionNote: options.connectionNote,
    seedReport: options.seedReport,

    async readUnset(t) {
      fresh ??= await AuditSession.open(sessionOptions);
      return read(fresh, t, { kind: 'unset' });
    },
    readEmpty: (t) => read(main, t, { kind: 'empty' }),
    readAs: (t, tenant) => read(main, t, { kind: 'tenant', value: tenant }),

    async insertForeign(table, actor, victim, template) {
      if (!table.privileges.INSERT) return skipped(table, actor, victim, { granted: false });
      if (!template) return skipped(table, actor, victim, { setupError: `no row of tenant ${actor} is visible to copy` });
      const planned = planInsertFromTemplate(table, template.data, options.random);
      if ('error' in planned) return skipped(table, actor, victim, { setupError: planned.error });
      const own = planned.plan(actor);
      const foreign = planned.plan(victim);
      const sql = insertSql(table, own);
      const control = await statement(actor, false, sql, [JSON.stringify(own.values)], [rowLabel(table, own.columns, actor)]);
      const attempt = await statement(actor, false, sql, [JSON.stringify(foreign.values)], [rowLabel(table, foreign.columns, victim)]);
      return writeObservation(table, actor, victim, [['control (own tenant)', control], ['attempt (other tenant)', attempt]], { deniedByDefault: deniedByDefault(table, 'INSERT') });
    },

    async updateForeign(table, actor, victim, victimRow) {
      if (!table.privileges.UPDATE) return skipped(table, actor, victim, { granted: false });
      const at = victimRow && addressRow(table, victimRow);
      if (!at) return skipped(table, actor, victim, { setupError: `no row of tenant ${victim} is known` });
      const col = quoteIdent(table.tenantColumn!);
      const sql = `UPDATE ${target(table)} SET ${col} = ${col} WHERE ${at.sql}`;
      const control = await statement(victim, false, sql, at.params);
      const attempt = await statement(actor, false, sql, at.params);
      return writeObservation(table, actor, victim, [[`control (as ${victim})`, control], [`attempt (as ${actor})`, attempt]], { deniedByDefault: deniedByDefault(table, 'UPDATE') });
    },

    async updateMove(table, actor, victim, actorRow) {
      if (!table.privileges.UPDATE) return skipped(table, actor, victim, { granted: false });
      const at = actorRow && addressRow(table, actorRow);
      if (!at) return skipped(table, actor, victim, { setupError: `no row of tenant ${actor} is visible to move` });
      const col = quoteIdent(table.tenantColumn!);
      const control = await statement(actor, false, `UPDATE ${target(table)} SET ${col} = ${col} WHERE ${at.sql}`, at.params);
      const attempt = await statement(actor, false, `UPDATE ${target(table)} SET ${col} = $${at.params.length + 1} WHERE ${at.sql}`, [...at.params, victim]);
      return writeObservation(table, actor, victim, [['control (no-op update)', control], ['attempt (move)', attempt]], { deniedByDefault: deniedByDefault(table, 'UPDATE') });
    },

    async deleteForeign(table, actor, victim, victimRow) {
      if (!table.privileges.DELETE) return skipped(table, actor, victim, { granted: false });
      const at = victimRow && addressRow(table, victimRow);
      if (!at) return skipped(table, actor, victim, { setupError: `no row of tenant ${victim} is known` });
      const sql = `DELETE FROM ${target(table)} WHERE ${at.sql}`;
      const control = await statement(victim, false, sql, at.params);
      const attempt = await statement(actor, false, sql, at.params);
      return writeObservation(table, actor, victim, [[`control (as ${victim})`, control], [`attempt (as ${actor})`, attempt]], { deniedByDefault: deniedByDefault(table, 'DELETE') });
    },

    writeTenantless: (table, mode, value, actor, witness, row) =>
      probeTenantless({ session: main, table, mode, value, actor, witness, row, random: options.random, label: rowLabel }),

    async close() {
      await Promise.all([main.close(), fresh?.close()]);
    },
  };
}
