import fc from 'fast-check';
import { defineSuite } from 'tenancy-audit/suite';
import { collectFingerprints, gateOnControl, judgeControl, judgeTenantless, whatLetsRowsThrough, wildcardValue, judgeIsolation, judgeNoContext, judgeWrite, type DbSuiteContext, type DbSuiteDefinition, type Judgement, type WriteKind, type ObservedRow, type ReadObservation, type ReadTarget, type WriteObservation, type DbRule, type TableFacts } from 'tenancy-audit/db';

/** One generated probe plan: who acts, whose rows are the victim, a random stranger, and the order targets are probed in. */
export interface ProbePlan {
  actor: string | null;
  victim: string | null;
  stranger: string;
  order: number[];
}

/**
 * The property's input space: actor and victim among the known tenants (victim ≠ actor), a stranger tenant shaped
 * like the tenant ids but not a known one, and a permutation of the targets. Sampled with the audit's seed; plan
 * `i` of seed `s` is the record's replay path.
 */
export function probePlans(known: readonly string[], targets: number, stranger: fc.Arbitrary<string>, seed: number, runs: number): ProbePlan[] {
  const indices = Array.from({ length: targets }, (_, i) => i);
  const arb = fc.record({
    actor: fc.nat({ max: Math.max(0, known.length - 1) }),
    victimOffset: fc.nat({ max: Math.max(0, known.length - 2) }),
    stranger: stranger.filter((s) => !known.includes(s)),
    order: fc.shuffledSubarray(indices, { minLength: targets, maxLength: targets }),
  });
  return fc.sample(arb, { seed, numRuns: runs }).map((p) => ({
    actor: known.length > 0 ? known[p.actor]! : null,
    victim: known.length > 1 ? known[(p.actor + 1 + p.victimOffset) % known.length]! : null,
    stranger: p.stranger,
    order: p.order,
  }));
}

/** Every rule this suite records, as the evidence and the manifest's methodology name them. */
const BEHAVIOUR_RULES = [
  {
    id: 'control-own-rows',
    title: 'Positive control: with the setting at tenant A the role reads A\'s rows',
    failVerdict: 'control',
    severity: 'high',
    description: 'Shows the oracle is live. A table whose control fails makes its isolation proofs inconclusive; if no control passes, no behaviour proof can pass.',
  },
  {
    id: 'control-seed',
    title: 'Positive control: synthetic tenants seeded into the disposable database',
    failVerdict: 'control',
    severity: 'high',
    description: 'With --migrations, one row per synthetic tenant is written into every tenant table (and the tables they reference) as the admin before the proofs, so isolation has something to protect. A table that cannot be seeded leaves its proofs inconclusive.',
  },
  {
    id: 'no-context',
    title: 'A read without the tenant setting errors',
    failVerdict: 'fail-open',
    severity: 'critical',
    description: 'On a fresh session that never set the tenant setting: error → pass; 0 rows → soft-fail (inconclusive when no rows are known to exist); rows → fail-open.',
  },
  {
    id: 'empty-context',
    title: 'A read with the tenant setting reset to empty errors',
    failVerdict: 'fail-open',
    severity: 'high',
    description: 'After a transaction that used SET LOCAL, a pooled session reads the setting as \'\' rather than missing. Same judgement as no-context.',
  },
  {
    id: 'tenant-isolation',
    title: 'With the setting at tenant A no row of another tenant is visible',
    failVerdict: 'leak',
    severity: 'critical',
    description: 'Reads each tenant table, readable view and callable function as tenant A (and as a random stranger tenant); a row with another tenant value or another tenant\'s known values (canaries) → leak; a row without a tenant → fail-open.',
  },
  {
    id: 'write-insert-foreign',
    title: 'With the setting at tenant A inserting a row of tenant B is refused',
    failVerdict: 'leak',
    severity: 'critical',
    description: 'The same row is inserted for A (control: must succeed) and for B (must error). Accepted → leak.',
  },
  {
    id: 'write-update-foreign',
    title: 'With the setting at tenant A a row of tenant B cannot be updated',
    failVerdict: 'leak',
    severity: 'critical',
    description: 'An UPDATE of B\'s row (control: it updates 1 row as B) must affect 0 rows or error as A. Any row changed → leak.',
  },
  {
    id: 'write-update-move',
    title: 'With the setting at tenant A a row cannot be moved into tenant B',
    failVerdict: 'leak',
    severity: 'critical',
    description: 'Setting the tenant column of A\'s own row to B must error (control: a no-op update of that row succeeds). Accepted → leak.',
  },
  {
    id: 'write-delete-foreign',
    title: 'With the setting at tenant A a row of tenant B cannot be deleted',
    failVerdict: 'leak',
    severity: 'critical',
    description: 'A DELETE of B\'s row (control: it deletes 1 row as B) must affect 0 rows or error as A. Any row deleted → leak.',
  },
  {
    id: 'write-null-tenant',
    title: 'A row written with a NULL (or wildcard) tenant is not visible to another tenant',
    failVerdict: 'leak',
    severity: 'critical',
    description: 'As tenant A, insert a row with the tenant column NULL (and a wildcard-looking value: *, the nil uuid, 0), and set the tenant of A\'s own row to NULL; then, in the same rolled-back transaction, read as tenant B. Refused, or invisible to B while B reads its own rows → pass; B sees the row → leak (a predicate such as OR tenant_id IS NULL shares it with every tenant).',
  },
] as const satisfies readonly DbRule[];

type BehaviourRuleId = (typeof BEHAVIOUR_RULES)[number]['id'];

const WRITES: readonly { kind: WriteKind; rule: BehaviourRuleId }[] = [
  { kind: 'insert-foreign', rule: 'write-insert-foreign' },
  { kind: 'update-foreign', rule: 'write-update-foreign' },
  { kind: 'update-move', rule: 'write-update-move' },
  { kind: 'delete-foreign', rule: 'write-delete-foreign' },
];

function ownRows(obs: ReadObservation | undefined, tenant: string): ObservedRow[] {
  const column = obs?.target.tenantColumn ?? null;
  if (!obs || obs.error || column === null) return [];
  return obs.rows.filter((r) => r.data[column] !== null && String(r.data[column]) === tenant);
}

export default defineSuite({
  id: 'db.rls-behaviour',
  title: 'The data layer refuses queries without tenant context and isolates tenants',
  description:
    'As the audited role, each probe in its own transaction that is rolled back (reads READ ONLY): a read of every tenant table, readable view and callable function must error on a session that never set the tenant setting, and with the setting reset to empty (0 rows = soft-fail, rows = fail-open); with the setting at tenant A (and at a random stranger tenant) no row of another tenant is visible (leak); with the setting at A, inserting a row of tenant B, updating or deleting B\'s row, or moving A\'s row into B is refused, and a row A writes with a NULL or wildcard tenant is not visible to B. A positive control first shows the role reads its own rows as A; without it nothing passes. Tenant values and probe order are generated by fast-check from the recorded seed.',
  families: ['data-layer'],
  paths: ['db'],
  severity: 'critical',
  controls: { soc2: ['CC6.1', 'CC6.3', 'C1.1'], iso27001: ['5.15', '8.3', '8.26'] },
  remediation:
    'Key every policy on current_setting(<setting>) without missing_ok and make an empty value an error too (cast to the tenant id type or a domain with a CHECK, or a helper that raises); give every INSERT/UPDATE policy a WITH CHECK on the tenant column; remove views and functions that read tenant tables with owner rights, or filter them by the setting.',
  target: 'db',
  phase: 'behaviour',
  rules: BEHAVIOUR_RULES,
  async run(ctx: DbSuiteContext) {
    const io = ctx.behaviour;
    const note = { title: 'connection', note: io.connectionNote };
    // A failing behaviour finding names what in the catalog let the rows through (policy, or the bypass).
    const named = (j: Judgement, table: string, command: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'): Judgement => {
      if (j.verdict !== 'leak' && j.verdict !== 'fail-open') return j;
      const why = whatLetsRowsThrough(ctx.snapshot, table, command);
      return why ? { ...j, detail: `${j.detail}; ${why}` } : j;
    };
    const record = (rule: BehaviourRuleId, target: string, j: Judgement, obs: { steps: readonly { title: string; note?: string }[]; startedAt: string; durationMs: number }, extra: { actor?: string | null; victim?: string | null; replayPath?: string; kind?: 'control' | 'db-check' } = {}) =>
      ctx.record({ rule, operation: target, ...j, steps: [note, ...obs.steps], startedAt: obs.startedAt, durationMs: obs.durationMs, ...extra });

    // Synthetic tenants (disposable database only): the rows the proofs protect.
    if (io.seedReport) {
      for (const table of [...new Set(io.seedReport.tables.map((t) => t.table))]) {
        const rows = io.seedReport.tables.filter((t) => t.table === table);
        const failed = rows.filter((r) => !r.ok);
        await ctx.record({
          kind: 'control',
          rule: 'control-seed',
          operation: table,
          verdict: failed.length === 0 ? 'pass' : 'inconclusive',
          reason: failed.length === 0 ? 'seeded' : 'seed-failed',
          detail: failed.length === 0
            ? `one row per synthetic tenant (${rows.map((r) => r.tenant).join(', ')}) written into ${table} ${io.seedReport.where === 'rolled-back' ? 'at the start of every probe transaction, rolled back with it (the database showed no rows to protect)' : 'of the disposable database'}`
            : `could not seed ${table} for ${failed.map((f) => `${f.tenant} (${f.error})`).join('; ')}`,
          steps: rows.flatMap((r) => r.steps),
        });
      }
    }

    // No-context reads first, on a session that never set the setting.
    const unset = new Map<ReadTarget, ReadObservation>();
    for (const target of io.targets) unset.set(target, await io.readUnset(target));

    // Positive controls: each known tenant reads each target; on every tenant table the role can read, at least one
    // tenant must see its own rows (else that table's proofs cannot pass, and with none at all nothing can).
    const reads = new Map<ReadTarget, Map<string, ReadObservation>>();
    for (const target of io.targets) {
      const byTenant = new Map<string, ReadObservation>();
      for (const tenant of io.tenants) byTenant.set(tenant.value, await io.readAs(target, tenant.value));
      reads.set(target, byTenant);
    }
    // Tables on which a known tenant read its own rows: a proof counts only when every readable table it reaches is one.
    const liveTables = new Set<string>();
    for (const target of io.targets.filter((t) => t.kind === 'table' && t.granted && io.tenants.length > 0)) {
      const judged = [...reads.get(target)!].map(([tenant, obs]) => ({ tenant, obs, j: judgeControl(obs, tenant) }));
      const live = judged.filter((x) => x.j.verdict === 'pass');
      const shown = live[0] ?? judged[0]!;
      const j: Judgement =
        live.length > 0
          ? { verdict: 'pass', reason: 'own-rows-visible', detail: judged.map((x) => x.j.detail).join('; ') }
          : { verdict: 'inconclusive', reason: judged.every((x) => x.obs.error) ? 'control-error' : 'control-no-own-rows', detail: judged.map((x) => x.j.detail).join('; ') };
      if (live.length > 0) liveTables.add(target.name);
      await record('control-own-rows', target.name, j, shown.obs, { kind: 'control', actor: shown.tenant });
    }
    if (io.tenants.length === 0) {
      await ctx.record({
        kind: 'control',
        rule: 'control-own-rows',
        operation: `database ${ctx.snapshot.database}`,
        verdict: 'inconclusive',
        reason: 'no-known-tenants',
        detail: 'no tenant value is known (none given with --tenants, none readable from the table the tenant columns reference): the role\'s own rows cannot be shown, so no behaviour proof can pass',
        steps: [note],
      });
    }

    const tableTargets = new Map(io.targets.filter((t) => t.kind === 'table').map((t) => [t.name, t]));
    const tenantsWithRows = (tables: readonly string[]) => {
      const out = new Set<string>();
      for (const name of tables) {
        const target = tableTargets.get(name);
        for (const [tenant, obs] of (target && reads.get(target)) ?? []) if (ownRows(obs, tenant).length > 0) out.add(tenant);
      }
      return out;
    };
    const controlLive = (target: ReadTarget) => {
      const readable = target.tenantTables.filter((name) => tableTargets.get(name)?.granted);
      return readable.length > 0 ? readable.every((name) => liveTables.has(name)) : liveTables.size > 0;
    };
    const readsWork = (target: ReadTarget) => [...(reads.get(target)?.values() ?? [])].some((o) => !o.error);
    const tableFacts = new Map<string, TableFacts>(ctx.snapshot.tables.map((t) => [t.qualified, t]));
    const fingerprints = collectFingerprints(
      [...tableTargets.values()].flatMap((target) =>
        [...(reads.get(target) ?? [])].map(([tenant, obs]) => ({
          tenant,
          rows: obs.rows,
          tenantColumn: target.tenantColumn,
          uniqueColumns: tableFacts.get(target.name)?.uniqueKeys.flat() ?? [],
        })),
      ),
      new Set(io.tenants.map((t) => t.value)),
    );

    // Missing context: unset (fresh session), then reset to ''.
    for (const [mode, rule] of [['unset', 'no-context'], ['empty', 'empty-context']] as const) {
      for (const target of io.targets) {
        const obs = mode === 'unset' ? unset.get(target)! : await io.readEmpty(target);
        const facts = { readsWithContext: readsWork(target), rowsKnown: tenantsWithRows(target.tenantTables).size > 0, emptyIsClosed: ctx.snapshot.missingContext === 'empty' };
        await record(rule, target.name, named(gateOnControl(judgeNoContext(obs, facts), controlLive(target)), target.name, 'SELECT'), obs, { actor: null });
      }
    }

    // Generated plans: isolation reads as the actor and a stranger, and writes aimed at the victim, in generated order.
    const known = io.tenants.map((t) => t.value);
    const plans = probePlans(known, io.targets.length, io.tenantArbitrary, ctx.seed, ctx.runs);
    const writeTables = new Map(io.writeTables.map((t) => [t.qualified, t]));
    for (const [i, plan] of plans.entries()) {
      const replayPath = String(i);
      for (const index of plan.order) {
        const target = io.targets[index]!;
        for (const [actor, stranger] of [[plan.actor, false], [plan.stranger, true]] as const) {
          if (actor === null) continue;
          const obs = await io.readAs(target, actor);
          const victims = [...tenantsWithRows(target.tenantTables)].filter((t) => t !== actor);
          const j = judgeIsolation(obs, { actor, stranger, fingerprints, victimsHaveRows: victims.length > 0, readsWork: readsWork(target) });
          await record('tenant-isolation', target.name, named(gateOnControl(j, controlLive(target)), target.name, 'SELECT'), obs, { actor, victim: null, replayPath });
        }
        const table = writeTables.get(target.name);
        if (!table || plan.actor === null || plan.victim === null) continue;
        // A write is built from a row its actor (or victim) owns: on a table where the planned tenant has none, a
        // tenant that has one stands in, so the proof is made rather than left inconclusive for want of data.
        const withRows = tenantsWithRows([target.name]);
        const standIn = (planned: string, other: string) => (withRows.has(planned) ? planned : ([...withRows].find((t) => t !== other) ?? planned));
        const actor = standIn(plan.actor, plan.victim);
        const victim = standIn(plan.victim, actor);
        const tableReads = reads.get(target);
        const mine = ownRows(tableReads?.get(actor), actor);
        const theirs = ownRows(tableReads?.get(victim), victim);
        for (const { kind, rule } of WRITES) {
          let obs: WriteObservation;
          if (kind === 'insert-foreign') obs = await io.insertForeign(table, actor, victim, mine[0]);
          else if (kind === 'update-foreign') obs = await io.updateForeign(table, actor, victim, theirs[0]);
          else if (kind === 'update-move') obs = await io.updateMove(table, actor, victim, mine[0]);
          else obs = await io.deleteForeign(table, actor, victim, theirs[0]);
          const command = kind === 'insert-foreign' ? 'INSERT' : kind === 'delete-foreign' ? 'DELETE' : 'UPDATE';
          await record(rule, table.qualified, named(gateOnControl(judgeWrite(kind, obs), controlLive(target)), table.qualified, command), obs, { actor, victim, replayPath });
        }
        if (i > 0) continue;
        // Tenantless rows: once per table (first plan), NULL by insert and by update, and a wildcard-looking value.
        const wildcard = wildcardValue(table.columns.find((c) => c.name === table.tenantColumn));
        const probes: ['insert' | 'update', string | null][] = [['insert', null], ['update', null], ...(wildcard === null ? [] : [['insert', wildcard] as ['insert', string]])];
        for (const [mode, value] of probes) {
          const obs = await io.writeTenantless(table, mode, value, actor, victim, mine[0]);
          await record('write-null-tenant', table.qualified, named(gateOnControl(judgeTenantless(obs), controlLive(target)), table.qualified, 'SELECT'), obs, { actor, victim, replayPath });
        }
      }
    }
  },
}) satisfies DbSuiteDefinition;
