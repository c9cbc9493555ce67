import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { UnsignedEvidenceRecord } from '../../src/core/types.ts';
import { auditDatabase } from '../../src/db/audit/index.ts';
import type { ProvisionOptions } from '../../src/db/provision.ts';
import { withClient } from '../../src/db/provision.ts';
import { PATTERNS } from './corpus/patterns.ts';
import { FAIL_CLOSED, fill } from './fixtures/schema.ts';
import { MACHINE_POSTGRES } from './harness.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c().catch(() => {});
});

/** A migrations folder: a NOLOGIN app role (so only SET ROLE can act as it), the fail-closed schema, and an optional breaking file. */
async function migrations(extra?: { name: string; sql: string }): Promise<{ dir: string; app: string }> {
  const suffix = crypto.randomBytes(5).toString('hex');
  const app = `ta_mig_${suffix}`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-migrations-'));
  await fs.writeFile(path.join(dir, '001_roles.sql'), `CREATE ROLE ${app} NOLOGIN;\n`);
  await fs.writeFile(path.join(dir, '002_schema.sql'), fill(FAIL_CLOSED, app, suffix));
  if (extra) await fs.writeFile(path.join(dir, extra.name), fill(extra.sql, app, suffix));
  await fs.writeFile(path.join(dir, 'README.txt'), 'not a migration');
  cleanups.push(async () => {
    await fs.rm(dir, { recursive: true, force: true });
    await withClient(MACHINE_POSTGRES, (c) => c.query(`DROP ROLE IF EXISTS ${app}`)).catch(() => {});
  });
  return { dir, app };
}

async function audit(dir: string, app: string, provision: Pick<ProvisionOptions, 'source' | 'databaseUrl'>) {
  const records: UnsignedEvidenceRecord[] = [];
  const outcome = await auditDatabase({ migrationsDir: dir, appRole: app, tenantSetting: 'app.tenant_id', seed: 77, provision, onRecord: async (r) => void records.push(r) });
  return { outcome, records };
}

const failing = (records: UnsignedEvidenceRecord[]) => records.filter((r) => r.verdict !== 'pass').map((r) => `${r.mutation.id} ${r.operation} ${r.verdict} ${r.reason}`);

describe.each([
  ['embedded', { source: 'embedded' as const }],
  ['pg15', { databaseUrl: MACHINE_POSTGRES }],
])('auditDatabase --migrations on %s PostgreSQL', (_kind, provision) => {
  it('builds a disposable database, seeds two synthetic tenants, and passes the fail-closed schema', async () => {
    const { dir, app } = await migrations();
    const { outcome, records } = await audit(dir, app, provision);
    expect(failing(records)).toEqual([]);
    expect(outcome.worst).toBe('pass');
    expect(outcome.tenants).toHaveLength(2);
    const seeded = records.filter((r) => r.mutation.id === 'control-seed');
    expect(seeded.map((r) => r.operation).sort()).toEqual(['public.documents', 'public.projects']);
    expect(seeded.every((r) => r.kind === 'control' && r.verdict === 'pass')).toBe(true);
    expect(records.find((r) => r.mutation.id === 'no-context')!.steps![0]!.note).toContain(`SET LOCAL ROLE ${app}`);
    expect(outcome.database).toMatch(/^migrations:.* \(disposable (embedded|env) database postgres:\/\/.*\)$/);
  });

  it('fails a schema whose migrations open a permissive USING (true) policy, naming policy and table', async () => {
    const { dir, app } = await migrations({ name: '003_open.sql', sql: 'CREATE POLICY documents_open ON documents FOR SELECT USING (true);' });
    const { outcome, records } = await audit(dir, app, provision);
    expect(outcome.worst).toBe('leak');
    expect(records.find((r) => r.mutation.id === 'policy-tenant-key' && r.verdict === 'fail-open')!.detail).toContain('"documents_open" on public.documents');
    expect(records.find((r) => r.mutation.id === 'tenant-isolation' && r.verdict === 'leak')!.operation).toBe('public.documents');
  });
});

describe('auditDatabase --migrations with memberships (the setting holds the user id)', () => {
  const pattern = PATTERNS.find((p) => p.name.startsWith('membership'))!;
  it.each([['closed', ''], ['broken', pattern.broken]] as const)('%s form', async (form, breaking) => {
    const suffix = crypto.randomBytes(5).toString('hex');
    const app = `ta_mig_${suffix}`;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-migrations-'));
    cleanups.push(async () => {
      await fs.rm(dir, { recursive: true, force: true });
      await withClient(MACHINE_POSTGRES, (c) => c.query(`DROP ROLE IF EXISTS ${app}`)).catch(() => {});
    });
    await fs.writeFile(path.join(dir, '001_roles.sql'), `CREATE ROLE ${app} NOLOGIN;\n`);
    await fs.writeFile(path.join(dir, '002_schema.sql'), fill(pattern.closed, app, suffix));
    if (breaking) await fs.writeFile(path.join(dir, '003_broken.sql'), fill(breaking, app, suffix));
    const records: UnsignedEvidenceRecord[] = [];
    const outcome = await auditDatabase({ migrationsDir: dir, appRole: app, principalSetting: 'app.user_id', tenantColumn: 'org_id', seed: 77, provision: { databaseUrl: MACHINE_POSTGRES }, onRecord: async (r) => void records.push(r) });
    if (form === 'closed') {
      expect(failing(records)).toEqual([]);
      expect(outcome.worst).toBe('pass');
      expect(records.filter((r) => r.mutation.id === 'control-seed' && r.operation === 'public.memberships').every((r) => r.verdict === 'pass')).toBe(true);
    } else {
      expect(outcome.worst).toBe('leak');
      expect(records.find((r) => r.mutation.id === 'policy-tenant-key' && r.verdict === 'fail-open')!.detail).toContain('"documents_member"');
    }
  });
});

describe('auditDatabase --migrations errors', () => {
  it('names the failing migration file and line', async () => {
    const { dir, app } = await migrations({ name: '003_broken.sql', sql: '-- comment\nCREATE TABLE ok (id int);\nCREATE TABLE broken (id int,,);\n' });
    await expect(audit(dir, app, { databaseUrl: MACHINE_POSTGRES })).rejects.toMatchObject({
      code: 'TA_CONFIG_INVALID',
      issues: [expect.objectContaining({ path: 'migrations/003_broken.sql:3', message: expect.stringContaining('syntax error') })],
    });
  });

  it('refuses a folder without *.sql files', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-empty-'));
    cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
    await expect(audit(dir, 'anyone', { databaseUrl: MACHINE_POSTGRES })).rejects.toMatchObject({ code: 'TA_CONFIG_INVALID', message: expect.stringContaining('no *.sql file') });
  });
});
