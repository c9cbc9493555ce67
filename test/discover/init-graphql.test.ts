import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvidence } from '../../src/evidence/index.ts';
import { initConfig, loadConfig, run } from '../../src/index.ts';
import { startReferenceTarget, type Mode, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { referenceTokens } from '../support/init-reference.ts';

const FINDINGS: string[] = ['closed-by-error', 'soft-fail', 'fail-open', 'leak'];
const SUITES = ['identity', 'isolation.cross-tenant'];
let failClosed: RunningTarget;
let dir: string;
let generated: string;

beforeAll(async () => {
  failClosed = await startReferenceTarget({ mode: 'fail-closed' });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-init-graphql-'));
  const { tenants } = await referenceTokens('TA_GQL');
  generated = (await initConfig({ graphql: `${failClosed.url}/graphql`, tenants, out: path.join(dir, 'graphql.config.yaml') })).file!;
});
afterAll(async () => {
  await failClosed?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

async function audit(target: RunningTarget) {
  const result = await run({ config: generated, target: target.url, reportDir: dir, seed: 7, runs: 4, suites: SUITES });
  const { records } = await readEvidence(result.dir);
  const findings = (suite: string) => records.filter((r) => r.suite === suite && FINDINGS.includes(r.verdict));
  return { result, records, findings };
}

describe('init --graphql against the reference target\'s GraphQL face (introspection with the first tenant\'s token)', () => {
  it('writes queries and mutations as operations, errors-in-200 as rejections, and the channels the endpoint refuses', async () => {
    const config = await loadConfig(generated);
    expect(config.target.baseUrl).toBe(failClosed.url);
    expect(config.rejection.bodyMatchers).toEqual([{ jsonPath: 'errors', nonEmpty: true }]);
    expect(config.channels.headers).toEqual(['X-Tenant-ID']);
    expect(config.channels.body).toEqual(['variables.input.tenantId']);
    const byId = Object.fromEntries(config.operations.map((o) => [o.id, o]));
    expect(byId['project']).toMatchObject({ kind: 'read', method: 'POST', path: '/graphql', fixture: 'project' });
    expect(config.channels.appliesTo).toEqual({ body: ['create', 'update', 'delete'] });
    expect(byId['projects']).toMatchObject({ kind: 'list', fixture: 'project' });
    expect(byId['node-document']).toMatchObject({ kind: 'read', fixture: 'document' });
    expect(byId['create-document']).toMatchObject({ kind: 'create', fixture: 'document', verify: 'documents' });
    expect(byId['delete-project']).toMatchObject({ kind: 'delete', fixture: 'project' });
    expect(config.fixtures['document']!.create!.id).toBe('data.createDocument.id');
    expect(JSON.stringify(config.fixtures['document']!.create!.body)).toContain('{{fixtures.project.id}}');
    expect(config.operations.some((o) => o.id.includes('generation') && o.kind === 'create')).toBe(false);
  });

  it('passes the fail-closed target (exit 0, every suite with judged probes)', async () => {
    const { result, records, findings } = await audit(failClosed);
    expect(result.exitCode).toBe(0);
    for (const suite of ['identity.mismatched', 'identity.missing', 'isolation.cross-tenant']) {
      expect(records.filter((r) => r.suite === suite && r.verdict === 'pass').length).toBeGreaterThan(0);
      expect(findings(suite)).toEqual([]);
    }
  });

  const MODES: [Mode, string][] = [
    ['header-override', 'identity.mismatched'],
    ['bola-read', 'isolation.cross-tenant'],
    ['bola-write', 'isolation.cross-tenant'],
    ['soft-fail-empty', 'identity.missing'],
  ];
  it.each(MODES)('%s: exit 1, caught by %s', async (mode, suite) => {
    const target = await startReferenceTarget({ mode });
    try {
      const { result, findings } = await audit(target);
      expect(result.exitCode).toBe(1);
      expect(findings(suite).length).toBeGreaterThan(0);
    } finally {
      await target.stop();
    }
  });

  it('reads an SDL schema too (introspection off): the same operations, channels left to the user', async () => {
    const { tenants } = await referenceTokens('TA_GQL_SDL');
    const result = await initConfig({ graphql: `${failClosed.url}/graphql/schema.graphql`, baseUrl: failClosed.url, tenants });
    expect(result.config.operations.map((o) => o.id)).toEqual((await loadConfig(generated)).operations.map((o) => o.id));
    expect(result.config.channels?.headers).toEqual([]);
    expect(result.yaml).toContain('channels were not discovered (an SDL file');
  });
});
