import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { EvidenceRecord, RunManifest } from '../../src/core/types.ts';
import { verifyRun } from '../../src/evidence/index.ts';
import { VARIANTS } from './fixtures/schema.ts';
import { openServer, type FixtureServer } from './harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let captured = '';
let server: FixtureServer;
let reports: string;
beforeAll(async () => {
  server = await openServer('pg15');
  reports = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-db-cli-'));
});
afterAll(async () => {
  await server?.close();
  await fs.rm(reports, { recursive: true, force: true });
});

/** `tenancy-audit db` through the CLI's `main`, flags given as an object (`{ databaseUrl }` → `--database-url`). */
async function cli(flags: Record<string, string | number>) {
  const all: Record<string, string | number> = { tenantSetting: 'app.tenant_id', seed: 3, reportDir: reports, format: 'md,json,junit,html', ...flags };
  const argv = Object.entries(all).flatMap(([key, value]) => [`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(value)]);
  let out = '';
  const write = (line: string) => void (out += `${line}\n`);
  const code = await main(['db', ...argv], { out: write, err: write, color: false });
  const dir = /evidence and reports: (.+)\n/.exec(out)?.[1] ?? '';
  return { code, out, dir };
}

async function read(dir: string) {
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as RunManifest;
  const records = (await fs.readFile(path.join(dir, 'evidence.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as EvidenceRecord);
  return { manifest, records };
}

describe('tenancy-audit db (command)', () => {
  it('exits 0 on a fail-closed database and writes a verifiable run folder of kind db, without the password', async () => {
    const db = await server.fixture();
    const { code, out, dir } = await cli({ databaseUrl: db.appUrl });
    expect(code).toBe(0);
    expect(out).toMatch(/^db\.rls-catalog\s+db\s+pass\s/m);
    expect(out).toMatch(/^db\.rls-behaviour\s+db\s+pass\s/m);
    expect((await fs.readdir(dir)).sort()).toEqual(['delivered.json', 'evidence.jsonl', 'junit.xml', 'manifest.json', 'report.html', 'report.md', 'summary.json']);
    const { manifest, records } = await read(dir);
    expect(manifest).toMatchObject({ kind: 'db', complete: true, exitCode: 0, failOn: 'soft-fail', seed: 3, suites: [{ id: 'db.rls-catalog' }, { id: 'db.rls-behaviour' }] });
    expect(manifest.target.database).toContain(':***@');
    expect(manifest.operations.map((o) => o.id)).toContain('public.documents');
    expect(records).toHaveLength(manifest.counts.records);
    expect((await verifyRun(dir)).ok).toBe(true);
    for (const file of await fs.readdir(dir)) expect(await fs.readFile(path.join(dir, file), 'utf8'), file).not.toContain('app-pw');
    // A db run speaks of SQL, not HTTP.
    for (const file of ['report.md', 'report.html', 'summary.json']) expect(await fs.readFile(path.join(dir, file), 'utf8'), file).not.toMatch(/\b429\b|timeout, reset|status code/i);
  });

  it('exits 1 on a leaky database and prints findings naming the table', async () => {
    const db = await server.fixture(VARIANTS.find((v) => v.name === 'RLS disabled')!.sql);
    const { code, out, dir } = await cli({ databaseUrl: db.appUrl });
    expect(code).toBe(1);
    // One block per root cause (suite × rule), naming the affected tables.
    expect(out).toMatch(/^leak G-\d\d .*\n\s+db\.rls-behaviour · db · tenant-isolation\n\s+affected: .*public\.documents/m);
    expect(out).toMatch(/^fail-open G-\d\d .*\n\s+db\.rls-catalog · db · rls-enabled\n\s+affected: .*public\.documents/m);
    // One console block for the rule, though several tenants and plans saw the leak (the evidence keeps every probe).
    expect(out.match(/^\s+db\.rls-behaviour · db · tenant-isolation$/gm)).toHaveLength(1);
    const { records } = await read(dir);
    expect(records.filter((r) => r.mutation.id === 'tenant-isolation' && r.operation === 'public.documents' && r.verdict === 'leak').length).toBeGreaterThan(1);
    expect((await read(dir)).manifest.exitCode).toBe(1);
    expect(await fs.readFile(path.join(dir, 'report.md'), 'utf8')).toContain('public.documents');
  });

  it('honours --fail-on: soft-fail findings pass at --fail-on fail-open', async () => {
    const db = await server.fixture(VARIANTS.find((v) => v.name.startsWith('missing_ok'))!.sql);
    expect((await cli({ databaseUrl: db.appUrl })).code).toBe(1);
    expect((await cli({ databaseUrl: db.appUrl, failOn: 'fail-open' })).code).toBe(0);
  });

  it('exits 3 when the audit is inconclusive (no tenant known) or the database is unreachable', async () => {
    const db = await server.fixture('REVOKE SELECT ON tenants FROM {{app}};');
    const { code, out } = await cli({ databaseUrl: db.appUrl });
    expect(code).toBe(3);
    expect(out).toMatch(/^db\.rls-behaviour\s+db\s+inconclusive\s/m);
    const unreachable = await cli({ databaseUrl: 'postgres://app:pw-123456@127.0.0.1:1/none' });
    expect(unreachable.code).toBe(3);
    expect(unreachable.out).toContain('database unreachable');
    expect(unreachable.out).not.toContain('pw-123456');
  });

  it('takes the tenant context as templates (--context, repeatable), --role, and refuses a malformed one before any request', async () => {
    const db = await server.fixture();
    const { code, out, dir } = await main(['db', '--database-url', db.adminUrl, '--role', db.app, '--context', 'app.tenant_id={tenant}', '--context', 'app.request_id=req-{tenant}', '--seed', '3', '--report-dir', reports, '--format', 'json'], { out: (l) => void (captured += `${l}\n`), err: (l) => void (captured += `${l}\n`), color: false }).then((c) => ({ code: c, out: captured, dir: /evidence and reports: (.+)\n/.exec(captured)?.[1] ?? '' }));
    expect(code, out).toBe(0);
    const { records } = await read(dir);
    const steps = records.find((r) => r.mutation.id === 'tenant-isolation')!.steps!.map((s) => s.title);
    expect(steps).toContain(`SET LOCAL ROLE "${db.app}"`);
    expect(steps.some((t) => /set_config\('app\.request_id', 'req-[0-9a-f-]{36}', true\)/.test(t))).toBe(true);
    captured = '';
    const bad = await main(['db', '--database-url', db.appUrl, '--context', 'app.tenant_id', '--report-dir', reports], { out: (l) => void (captured += `${l}\n`), err: (l) => void (captured += `${l}\n`), color: false });
    expect(bad).toBe(2);
    captured = '';
    expect(await main(['db', '--database-url', db.appUrl, '--context', 'app.tenant_id=fixed', '--report-dir', reports], { out: (l) => void (captured += `${l}\n`), err: (l) => void (captured += `${l}\n`), color: false })).toBe(2);
    expect(captured).toContain('no tenant context');
  });

  it('reads a config file (JSON, env:NAME URL) and lets flags override it', async () => {
    const db = await server.fixture();
    const file = path.join(reports, 'db.json');
    process.env['TA_TEST_APP_URL'] = db.appUrl;
    await fs.writeFile(file, JSON.stringify({ databaseUrl: 'env:TA_TEST_APP_URL', tenantSetting: 'app.tenant_id', tables: ['public.projects'], system: 'fixture' }));
    try {
      const { code, dir } = await cli({ config: file });
      expect(code).toBe(0);
      const { manifest, records } = await read(dir);
      expect(manifest.system).toBe('fixture');
      expect(new Set(records.filter((r) => r.mutation.id === 'rls-enabled').map((r) => r.operation))).toEqual(new Set(['public.projects']));
      const overridden = await read((await cli({ config: file, tables: 'public.documents' })).dir);
      expect(new Set(overridden.records.filter((r) => r.mutation.id === 'rls-enabled').map((r) => r.operation))).toEqual(new Set(['public.documents']));
    } finally {
      delete process.env['TA_TEST_APP_URL'];
    }
  });
});

describe('tenancy-audit db (usage errors through main)', () => {
  async function run(argv: string[]) {
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (errors.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      return { code: await main(['db', '--report-dir', reports, ...argv]), errors: errors.join('') };
    } finally {
      process.stderr.write = write;
    }
  }

  it.each([
    [['--database-url', 'postgres://x@127.0.0.1/db'], /no tenant context: give --tenant-setting/],
    [['--tenant-setting', 'app.tenant_id'], /exactly one of --database-url or --migrations/],
    [['--migrations', 'examples/reference-target/migrations', '--tenant-setting', 'app.tenant_id'], /--app-role/],
    [['--config', 'package.json', '--tenant-setting', 'app.tenant_id'], /unknown key "name"/],
    [['--database-url', 'postgres://x@127.0.0.1/db', '--tenant-setting', 'app.tenant_id', '--format', 'pdf'], /--format pdf: unknown format pdf/],
  ])('exits 2 for %j with a clear message and no stack', async (argv, message) => {
    const before = await fs.readdir(reports);
    const { code, errors } = await run(argv);
    expect(code).toBe(2);
    expect(errors).toMatch(message);
    expect(errors).not.toMatch(/\n\s+at /);
    expect(await fs.readdir(reports)).toEqual(before);
  });
});

describe('tenancy-audit db --migrations examples/reference-target/migrations', () => {
  it('works with no database running and no DATABASE_URL (embedded PostgreSQL), with the exit code the manifest records', async () => {
    const env = { ...process.env };
    delete env['DATABASE_URL'];
    const args = ['bin/tenancy-audit.js', 'db', '--migrations', 'examples/reference-target/migrations', '--app-role', 'reference_app', '--tenant-setting', 'app.tenant_id', '--seed', '11', '--report-dir', reports, '--format', 'md'];
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).toContain('starting embedded PostgreSQL');
    const dir = /evidence and reports: (.+)\n/.exec(out)?.[1];
    expect(dir, out).toBeDefined();
    const { manifest, records } = await read(dir!);
    expect(manifest).toMatchObject({ kind: 'db', complete: true, exitCode: code });
    expect(records.filter((r) => r.mutation.id === 'control-seed').every((r) => r.verdict === 'pass')).toBe(true);
    expect(records.filter((r) => r.suite === 'db.rls-catalog' && r.verdict !== 'pass')).toEqual([]);
    // The reference target is fail-closed at the data layer: every check and proof passes, including the
    // empty-setting probe (its policies cast the setting to a domain that rejects '').
    expect(records.filter((r) => r.verdict !== 'pass').map((r) => `${r.operation} ${r.mutation.id}: ${r.detail}`), out).toEqual([]);
    expect(records.some((r) => r.mutation.id === 'empty-context')).toBe(true);
    expect(code).toBe(0);
  });
});
