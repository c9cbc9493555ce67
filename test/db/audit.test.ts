import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnsignedEvidenceRecord } from '../../src/core/types.ts';
import { failsAt } from '../../src/core/verdict.ts';
import { auditDatabase, type DbAuditOptions, type DbSuiteContext } from '../../src/db/audit/index.ts';
import { withClient } from '../../src/db/provision.ts';
import behaviourSuite from '../../suites/db.rls-behaviour.ts';
import catalogSuite from '../../suites/db.rls-catalog.ts';
import { TENANT_A, TENANT_B, VARIANTS, fill } from './fixtures/schema.ts';
import { openServer, type FixtureServer } from './harness.ts';
import { databaseState } from './state.ts';

async function audit(options: Omit<DbAuditOptions, 'onRecord' | 'tenantSetting'> & { tenantSetting?: string }) {
  const records: UnsignedEvidenceRecord[] = [];
  const outcome = await auditDatabase({ tenantSetting: 'app.tenant_id', seed: 1234, ...options, onRecord: async (r) => void records.push(r) });
  return { outcome, records };
}

const summary = (records: UnsignedEvidenceRecord[]) => records.filter((r) => r.verdict !== 'pass').map((r) => `${r.mutation.id} ${r.operation} ${r.verdict} ${r.reason}`);

/** A user's own `db` suite, as a file in the user's suite folder: it imports the package by name like any suite. */
const USER_SUITE = `import { defineSuite } from 'tenancy-audit/suite';
export default defineSuite({
  id: 'acme.tenant-tables',
  title: 'Every tenant table has row-level security on',
  description: 'One record per tenant table of the catalog snapshot, written by a user suite.',
  families: ['data-layer'],
  paths: ['db'],
  severity: 'high',
  controls: { soc2: ['CC6.1'], iso27001: ['8.3'] },
  remediation: 'ALTER TABLE ... ENABLE ROW LEVEL SECURITY.',
  target: 'db',
  phase: 'catalog',
  rules: [{ id: 'acme-rls-on', title: 'RLS is on (acme policy)', failVerdict: 'fail-open', severity: 'high', description: 'Acme requires RLS on every tenant table.' }],
  async run(ctx) {
    for (const table of ctx.snapshot.tables.filter((t) => t.tenant)) {
      const on = table.rlsEnabled;
      await ctx.record({ rule: 'acme-rls-on', operation: table.qualified, verdict: on ? 'pass' : 'fail-open', reason: on ? 'rls-on' : 'rls-off', detail: table.qualified + ' relrowsecurity=' + on });
    }
  },
});
`;

describe.each(['embedded', 'pg15'] as const)('auditDatabase on %s PostgreSQL (URL as the application role)', (kind) => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await openServer(kind);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('passes the fail-closed schema: every record passes, every behaviour rule ran, positive controls live', async () => {
    const db = await server.fixture();
    const { outcome, records } = await audit({ databaseUrl: db.appUrl });
    expect(summary(records)).toEqual([]);
    expect(outcome.worst).toBe('pass');
    expect(outcome.tenants.sort()).toEqual([TENANT_A, TENANT_B].sort());
    expect(outcome.database).not.toContain('app-pw');
    const rules = new Set(records.map((r) => r.mutation.id));
    for (const rule of behaviourSuite.rules.filter((r) => r.id !== 'control-seed')) expect(rules, rule.id).toContain(rule.id);
    expect(records.filter((r) => r.kind === 'control' && r.suite === 'db.rls-behaviour').map((r) => r.operation).sort()).toEqual(['public.documents', 'public.projects']);
    expect(records.every((r) => r.family === 'data-layer' && r.path === 'db' && r.seed === 1234)).toBe(true);
    expect(outcome.suites.map((s) => s.id)).toEqual(['db.rls-catalog', 'db.rls-behaviour']);
  });

  it.each(VARIANTS)('fails "$name", naming the object at fault', async (variant) => {
    const db = await server.fixture(variant.sql);
    const { outcome, records } = await audit({ databaseUrl: db.appUrl });
    expect(failsAt(outcome.worst, 'soft-fail')).toBe(true);
    for (const e of variant.expect) {
      const names = fill(e.names, db.app, db.suffix);
      const match = records.find((r) => r.mutation.id === e.rule && r.verdict === e.verdict && `${r.operation} ${r.detail}`.includes(names));
      expect(match, `${e.rule} ${e.verdict} naming ${names}; got:\n${summary(records).join('\n')}`).toBeDefined();
    }
  });

  it.each([
    ['fail-closed', ''],
    ['accepted foreign writes', VARIANTS.find((v) => v.name.startsWith('INSERT policy'))!.sql],
    ['superuser role', 'ALTER ROLE {{app}} SUPERUSER;'],
  ])('is read-only (%s): rows, sequences and catalog are the same after the audit', async (_name, sql) => {
    const db = await server.fixture(sql);
    const before = await databaseState(db.adminUrl, db.suffix);
    const { records } = await audit({ databaseUrl: db.appUrl });
    expect(records.some((r) => r.mutation.id.startsWith('write-'))).toBe(true);
    expect(await databaseState(db.adminUrl, db.suffix)).toEqual(before);
  });

  it('replays: the same seed gives the same probes in the same order; another seed reorders them', async () => {
    const db = await server.fixture();
    const key = (records: UnsignedEvidenceRecord[]) => records.map((r) => [r.mutation.id, r.operation, r.actor, r.victim, r.replayPath, r.verdict].join('|'));
    const first = key((await audit({ databaseUrl: db.appUrl, seed: 99 })).records);
    expect(key((await audit({ databaseUrl: db.appUrl, seed: 99 })).records)).toEqual(first);
    const others = await Promise.all([1, 2, 3].map(async (seed) => key((await audit({ databaseUrl: db.appUrl, seed })).records).join('\n')));
    expect(others.some((o) => o !== first.join('\n'))).toBe(true);
  });

  it('audits through SET ROLE when given an admin URL and --app-role, with the same verdicts', async () => {
    const db = await server.fixture(VARIANTS.find((v) => v.name.startsWith('permissive USING'))!.sql);
    const direct = await audit({ databaseUrl: db.appUrl });
    const viaSetRole = await audit({ databaseUrl: db.adminUrl, appRole: db.app });
    const verdicts = (records: UnsignedEvidenceRecord[]) => records.map((r) => `${r.mutation.id} ${r.operation} ${r.verdict}`);
    expect(verdicts(viaSetRole.records)).toEqual(verdicts(direct.records));
    expect(viaSetRole.records.find((r) => r.mutation.id === 'no-context')!.steps!.map((s) => s.title)).toContain(`SET LOCAL ROLE "${db.app}"`);
    await expect(audit({ databaseUrl: db.appUrl, appRole: 'postgres' })).rejects.toMatchObject({ code: 'TA_USAGE', message: expect.stringContaining('cannot SET ROLE') });
    await expect(audit({ databaseUrl: db.adminUrl, appRole: 'ta_no_such_role' })).rejects.toMatchObject({ code: 'TA_USAGE', message: expect.stringContaining('no such role') });
  });

  it('runs a user db suite from a folder with the built-in ones, under its own id and rules', async () => {
    const db = await server.fixture();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-db-user-suite-'));
    try {
      await fs.writeFile(path.join(dir, 'acme.tenant-tables.ts'), USER_SUITE);
      const { outcome, records } = await audit({ databaseUrl: db.appUrl, suiteDirs: [dir] });
      // catalog phase, and "acme…" sorts before "db.rls-catalog": its records come first.
      expect(outcome.suites.map((s) => s.id)).toEqual(['acme.tenant-tables', 'db.rls-catalog', 'db.rls-behaviour']);
      const mine = records.filter((r) => r.suite === 'acme.tenant-tables');
      expect(records.slice(0, mine.length)).toEqual(mine);
      expect(mine.map((r) => [r.operation, r.verdict, r.mutation])).toEqual(
        ['public.documents', 'public.projects'].map((op) => [op, 'pass', { id: 'acme-rls-on', title: 'RLS is on (acme policy)' }]),
      );
      expect(mine.every((r) => r.family === 'data-layer' && r.path === 'db' && r.seed === 1234)).toBe(true);
      expect(outcome.mutations[0]).toEqual({ id: 'acme-rls-on', title: 'RLS is on (acme policy)', family: 'data-layer', description: '[high; failure → fail-open] Acme requires RLS on every tenant table.' });
      expect(outcome.mutations.map((m) => m.id)).toEqual(['acme-rls-on', ...catalogSuite.rules.map((r) => r.id), ...behaviourSuite.rules.map((r) => r.id)]);
      // The built-in suites record exactly what they record without it.
      const key = (rs: UnsignedEvidenceRecord[]) => rs.map((r) => [r.suite, r.mutation.id, r.operation, r.actor, r.victim, r.replayPath, r.verdict, r.reason].join('|'));
      expect(key(records.slice(mine.length))).toEqual(key((await audit({ databaseUrl: db.appUrl })).records));

      const only = await audit({ databaseUrl: db.appUrl, suiteDirs: [dir], only: ['acme'] });
      expect(only.outcome.suites.map((s) => s.id)).toEqual(['acme.tenant-tables']);
      expect(key(only.records)).toEqual(key(mine));
      expect(only.outcome.mutations.map((m) => m.id)).toEqual(['acme-rls-on']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('fails loudly on a rule the recording suite did not declare, and on a catalog suite reaching for the behaviour I/O', async () => {
    const db = await server.fixture();
    const record = { operation: 'public.documents', verdict: 'pass', reason: 'r', detail: 'd' } as const;
    // "no-context" is a rule of db.rls-behaviour, not of the catalog suite: rules resolve per suite.
    const stray = { ...catalogSuite, run: async (ctx: DbSuiteContext) => ctx.record({ rule: 'no-context', ...record }) };
    await expect(audit({ databaseUrl: db.appUrl, suites: [stray] })).rejects.toThrow(new TypeError('suite "db.rls-catalog" recorded rule "no-context", which is not among its rules (' + catalogSuite.rules.map((r) => r.id).join(', ') + ')'));
    const peeking = { ...catalogSuite, run: async (ctx: DbSuiteContext) => void ctx.behaviour.targets };
    await expect(audit({ databaseUrl: db.appUrl, suites: [peeking] })).rejects.toThrow(/suite "db.rls-catalog" is a catalog suite: it reads ctx.snapshot only/);
    const own = await audit({ databaseUrl: db.appUrl, suites: [{ ...behaviourSuite, run: async (ctx: DbSuiteContext) => ctx.record({ rule: 'no-context', ...record }) }] });
    expect(own.records).toEqual([expect.objectContaining({ suite: 'db.rls-behaviour', mutation: { id: 'no-context', title: behaviourSuite.rules.find((r) => r.id === 'no-context')!.title } })]);
  });

  it('never passes the behaviour proofs when no tenant can be known', async () => {
    const db = await server.fixture('REVOKE SELECT ON tenants FROM {{app}};');
    const { records } = await audit({ databaseUrl: db.appUrl });
    const behaviour = records.filter((r) => r.suite === 'db.rls-behaviour');
    expect(behaviour.find((r) => r.kind === 'control' && r.mutation.id === 'control-own-rows')).toMatchObject({ verdict: 'inconclusive', reason: 'no-known-tenants' });
    // Rows could not be synthesised either: the application role may not write tenants; the record says which table and why.
    expect(behaviour.find((r) => r.mutation.id === 'control-seed' && r.operation === 'public.projects')).toMatchObject({ verdict: 'inconclusive', reason: 'seed-failed', detail: expect.stringContaining('the audited role itself, whose policies and grants stop it writing rows without tenant context') });
    expect(behaviour.filter((r) => r.verdict === 'pass')).toEqual([]);
    const withTenants = await audit({ databaseUrl: db.appUrl, tenants: [TENANT_A, TENANT_B] });
    expect(summary(withTenants.records)).toEqual([]);
  });

  it('synthesises rows for two tenants on an empty database (also with --tenants), in rolled-back transactions only', async () => {
    const db = await server.fixture('', { seedRows: false });
    const before = await databaseState(db.adminUrl, db.suffix);
    for (const tenants of [undefined, [TENANT_A, TENANT_B]]) {
      const { outcome, records } = await audit({ databaseUrl: db.adminUrl, appRole: db.app, ...(tenants ? { tenants } : {}) });
      expect(summary(records)).toEqual([]);
      expect(outcome.worst).toBe('pass');
      const seeded = records.filter((r) => r.mutation.id === 'control-seed');
      expect(seeded.map((r) => r.operation).sort()).toEqual(['public.documents', 'public.projects']);
      expect(seeded[0]!.detail).toContain('at the start of every probe transaction, rolled back with it');
    }
    expect(await databaseState(db.adminUrl, db.suffix)).toEqual(before);
  });

  it('treats a tenant table the role cannot touch at all as closed, not inconclusive', async () => {
    const db = await server.fixture('REVOKE ALL ON projects FROM {{app}};');
    const { outcome, records } = await audit({ databaseUrl: db.appUrl });
    expect(summary(records)).toEqual([]);
    expect(outcome.worst).toBe('pass');
    expect(records.find((r) => r.mutation.id === 'no-context' && r.operation === 'public.projects')).toMatchObject({ verdict: 'pass', reason: 'not-granted' });
  });

  it('audits only the listed tables with --tables, and refuses an unknown one', async () => {
    const db = await server.fixture();
    const { records } = await audit({ databaseUrl: db.appUrl, tables: ['public.projects'] });
    expect(new Set(records.filter((r) => r.mutation.id === 'rls-enabled').map((r) => r.operation))).toEqual(new Set(['public.projects']));
    await expect(audit({ databaseUrl: db.appUrl, tables: ['public.nope'] })).rejects.toMatchObject({ code: 'TA_CONFIG_INVALID' });
  });

  it('is inconclusive, never a pass, when no table has the tenant column', async () => {
    const db = await server.fixture();
    const { outcome, records } = await audit({ databaseUrl: db.appUrl, tenantColumn: 'organisation_id' });
    expect(records.find((r) => r.mutation.id === 'catalog-read')).toMatchObject({ kind: 'control', verdict: 'inconclusive', reason: 'no-tenant-tables' });
    expect(outcome.worst).toBe('inconclusive');
  });

  it('does not count a USING (true) policy granted only to another role against the audited role', async () => {
    const db = await server.fixture();
    await withClient(db.adminUrl, (c) => c.query(`CREATE ROLE ta_other_${db.suffix}; CREATE POLICY other_open ON documents FOR SELECT TO ta_other_${db.suffix} USING (true);`));
    expect(summary((await audit({ databaseUrl: db.appUrl })).records)).toEqual([]);
  });
});

describe('auditDatabase usage and environment errors', () => {
  it.each([
    [{ tenantSetting: 'app.tenant_id' }, /exactly one of --database-url or --migrations/],
    [{ tenantSetting: 'app.tenant_id', databaseUrl: 'postgres://x@h/db', migrationsDir: 'm' }, /exactly one/],
    [{ tenantSetting: 'app.tenant_id', migrationsDir: 'm' }, /--app-role/],
    [{ tenantSetting: 'tenant', databaseUrl: 'postgres://x@h/db' }, /custom setting name/],
  ])('refuses %o with TA_USAGE', async (options, message) => {
    await expect(auditDatabase({ ...options, onRecord: async () => {} })).rejects.toMatchObject({ code: 'TA_USAGE', message: expect.stringMatching(message) });
  });

  it('reports an unreachable database as TA_DB_UNAVAILABLE without its password', async () => {
    const attempt = auditDatabase({ databaseUrl: 'postgres://app:s3cret-pw@127.0.0.1:1/none', tenantSetting: 'app.tenant_id', onRecord: async () => {} });
    await expect(attempt).rejects.toMatchObject({ code: 'TA_DB_UNAVAILABLE' });
    await expect(attempt).rejects.not.toThrow(/s3cret-pw/);
  });
});
