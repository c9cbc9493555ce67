import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvidence } from '../../src/evidence/index.ts';
import { initConfig, loadConfig, run } from '../../src/index.ts';
import { startReferenceTarget, type Mode, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { referenceTokens } from '../support/init-reference.ts';

const FINDINGS: string[] = ['closed-by-error', 'soft-fail', 'fail-open', 'leak'];
let dir: string;
let env: Record<string, string>;
let tenants: string[];
const targets: RunningTarget[] = [];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-init-har-'));
  ({ env, tenants } = await referenceTokens('TA_HAR'));
});
afterAll(async () => {
  for (const t of targets) await t.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

async function start(mode: Mode): Promise<RunningTarget> {
  const target = await startReferenceTarget({ mode });
  targets.push(target);
  return target;
}

/** A browser's view of a session: real requests to the target, recorded as HAR entries with their real answers. */
async function capture(target: RunningTarget, token: string, steps: [string, string, unknown?][]): Promise<unknown> {
  const entries = [];
  const vars: Record<string, string> = {};
  for (const [method, rawPath, body] of steps) {
    const url = `${target.url}${rawPath.replace(/:(\w+)/g, (_, k: string) => vars[k]!)}`;
    // The health check is fetched without credentials (as a page's status widget would): a public operation.
    const headers = { ...(rawPath === '/healthz' ? {} : { authorization: `Bearer ${token}` }), ...(body ? { 'content-type': 'application/json' } : {}) };
    const response = await fetch(url, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    const id = (JSON.parse(text || '{}') as { id?: string }).id;
    if (method === 'POST' && id) vars[rawPath.includes('documents') ? 'document' : 'project'] = id;
    entries.push({
      request: { method, url, headers: Object.entries(headers).map(([name, value]) => ({ name, value })), ...(body ? { postData: { mimeType: 'application/json', text: JSON.stringify(body) } } : {}) },
      response: { status: response.status, headers: [...response.headers].map(([name, value]) => ({ name, value })), content: { mimeType: 'application/json', text } },
    });
  }
  return { log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } };
}

async function audit(config: string, target: RunningTarget, suites: string[]) {
  const result = await run({ config, target: target.url, reportDir: dir, seed: 3, runs: 4, suites });
  const { records } = await readEvidence(result.dir);
  return { result, findings: (suite: string) => records.filter((r) => r.suite === suite && FINDINGS.includes(r.verdict)), passes: records.filter((r) => r.verdict === 'pass').length };
}

describe('init --har: a capture of one tenant\'s session becomes operations and fixtures', () => {
  let config: string;
  beforeAll(async () => {
    const source = await start('fail-closed');
    const har = await capture(source, env['TA_HAR_ACME']!, [
      ['GET', '/projects'],
      ['POST', '/projects', { name: 'Quarterly plan', description: 'draft' }],
      ['GET', '/projects/:project'],
      ['PATCH', '/projects/:project', { description: 'final' }],
      ['POST', '/projects/:project/documents', { title: 'Minutes', body: 'notes' }],
      ['GET', '/projects/:project/documents'],
      ['GET', '/documents/:document'],
      ['GET', '/healthz'],
    ]);
    const file = path.join(dir, 'session.har');
    await fs.writeFile(file, JSON.stringify(har));
    config = (await initConfig({ har: file, tenants, out: path.join(dir, 'har.config.yaml') })).file!;
  });

  it('infers the operations, kinds and fixtures from the captured requests', async () => {
    const parsed = await loadConfig(config);
    const kinds = Object.fromEntries(parsed.operations.map((o) => [`${o.method} ${o.path}`, o.kind]));
    expect(kinds).toMatchObject({ 'GET /projects': 'list', 'POST /projects': 'create', 'GET /projects/{{id}}': 'read', 'PATCH /projects/{{id}}': 'update', 'GET /documents/{{id}}': 'read' });
    expect(parsed.fixtures['document']!.create!.path).toBe('/projects/{{fixtures.project.id}}/documents');
    // Fetched without credentials: public, so only probed for canary leaks.
    expect(parsed.operations.find((o) => o.path === '/healthz')).toMatchObject({ method: 'GET', tenantScoped: false });
    expect(parsed.operations.filter((o) => o.path !== '/healthz').every((o) => o.tenantScoped)).toBe(true);
  });

  it('passes the fail-closed target and catches bola-read', async () => {
    const clean = await audit(config, await start('fail-closed'), ['isolation.cross-tenant']);
    expect(clean.result.exitCode).toBe(0);
    expect(clean.passes).toBeGreaterThan(0);
    const leaky = await audit(config, await start('bola-read'), ['isolation.cross-tenant']);
    expect(leaky.result.exitCode).toBe(1);
    expect(leaky.findings('isolation.cross-tenant').length).toBeGreaterThan(0);
  });
});

describe('init --read-only: existing data instead of fixtures, reads only', () => {
  async function seeded(mode: Mode): Promise<RunningTarget> {
    const target = await start(mode);
    for (const [tenant, token] of [['acme', env['TA_HAR_ACME']!], ['globex', env['TA_HAR_GLOBEX']!]]) {
      const response = await fetch(`${target.url}/projects`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `Roadmap of ${tenant}`, description: `private notes ${tenant} 4711` }) });
      expect(response.status).toBe(201);
    }
    return target;
  }

  it('discovers each tenant\'s item and a canary only it shows; writes nothing; fail-closed passes, bola-read is caught', async () => {
    const clean = await seeded('fail-closed');
    const result = await initConfig({ openapi: `${clean.url}/openapi.json`, baseUrl: clean.url, tenants, readOnly: true, out: path.join(dir, 'ro.config.yaml') });
    const parsed = await loadConfig(result.file!);
    expect(parsed.operations.every((o) => o.kind === 'list' || o.kind === 'read')).toBe(true);
    expect(parsed.fixtures['project']!.create).toBeUndefined();
    expect(Object.keys(parsed.fixtures['project']!.ids!)).toEqual(['acme', 'globex']);
    expect(parsed.fixtures['project']!.canaries!['acme']).toContain('acme');
    expect(parsed.async).toBeUndefined();
    const ok = await audit(result.file!, clean, ['isolation.cross-tenant']);
    expect(ok.result.exitCode).toBe(0);
    // A pass rests on judged probes, not on an empty run.
    expect(ok.passes).toBeGreaterThan(0);

    // The same file on another deployment would name other ids: init again there, as a user would.
    const leakyTarget = await seeded('bola-read');
    const leakyConfig = await initConfig({ openapi: `${leakyTarget.url}/openapi.json`, baseUrl: leakyTarget.url, tenants, readOnly: true, out: path.join(dir, 'ro2.config.yaml') });
    const leaky = await audit(leakyConfig.file!, leakyTarget, ['isolation.cross-tenant']);
    expect(leaky.result.exitCode).toBe(1);
    expect(leaky.findings('isolation.cross-tenant').length).toBeGreaterThan(0);
  });
});
