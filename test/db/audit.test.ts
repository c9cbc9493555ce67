import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnsignedEvidenceRecord } from '../../src/core/types.ts';
import { failsAt } from '../../src/core/verdict.ts';
import { auditDatabase, type DbAuditOptions } from '../../src/db/audit/index.ts';
import { DB_RULES, BEHAVIOUR_SUITE_ID } from '../../src/db/audit/rules.ts';
import { withClient } from '../../src/db/provision.ts';
import { TENANT_A, TENANT_B, VARIANTS, fill } from './fixtures/schema.ts';
import { openServer, type FixtureServer } from './harness.ts';
import { databaseState } from './state.ts';

async function audit(options: Omit<DbAuditOptions, 'onRecord' | 'tenantSetting'> & { tenantSetting?: string }) {
  const records: UnsignedEvidenceRecord[] = [];
  const outcome = await auditDatabase({ tenantSetting: 'app.tenant_id', seed: 1234, ...options, onRecord: async (r) => void records.push(r) });
  return { outcome, records };
}

const summary = (records: UnsignedEvidenceRecord[]) => records.filter((r) => r.verdict !== 'pass').map((r) => `${r.mutation.id} ${r.operation} ${r.verdict} ${r.reason}`);

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
    for (const rule of DB_RULES.filter((r) => r.suite === BEHAVIOUR_SUITE_ID && r.id !== 'control-seed')) expect(rules, rule.id).toContain(rule.id);
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

  it('never passes the behaviour proofs when no tenant can be known', async () => {
    const db = await server.fixture('REVOKE SELECT ON tenants FROM {{app}};');
    const { records } = await audit({ databaseUrl: db.appUrl });
    const behaviour = records.filter((r) => r.suite === 'db.rls-behaviour');
    expect(behaviour.find((r) => r.kind === 'control')).toMatchObject({ verdict: 'inconclusive', reason: 'no-known-tenants' });
    expect(behaviour.filter((r) => r.verdict === 'pass')).toEqual([]);
    const withTenants = await audit({ databaseUrl: db.appUrl, tenants: [TENANT_A, TENANT_B] });
    expect(summary(withTenants.records)).toEqual([]);
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
