import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvidence } from '../../src/evidence/index.ts';
import { initConfig, run } from '../../src/index.ts';
import { startReferenceTarget, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { referenceTokens } from '../support/init-reference.ts';

/**
 * The reference target behind a front that adds one public operation, `GET /public/feed` (`security: []` in the
 * description it serves). Leaky: the feed shows every tenant's projects. Clean: it shows nothing of any tenant.
 */
async function front(target: RunningTarget, leaky: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.url === '/public/feed') {
      const items = [];
      if (leaky) {
        for (const tenant of ['acme', 'globex']) {
          const token = await target.issuer.mint({ tenant_id: tenant });
          const r = await fetch(`${target.url}/projects`, { headers: { authorization: `Bearer ${token}` } });
          items.push(...((await r.json()) as { items: unknown[] }).items);
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items }));
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k))) as Record<string, string>;
    const upstream = await fetch(`${target.url}${req.url}`, { method: req.method!, headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}), redirect: 'manual' });
    let body = Buffer.from(await upstream.arrayBuffer());
    if (req.url === '/openapi.json') {
      const doc = JSON.parse(body.toString('utf8'));
      doc.paths['/public/feed'] = { get: { summary: 'Public feed', security: [], responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } } } } } } } } } };
      body = Buffer.from(JSON.stringify(doc));
    }
    const out = Object.fromEntries([...upstream.headers].filter(([k]) => !['content-length', 'transfer-encoding', 'connection', 'content-encoding', 'keep-alive'].includes(k)));
    res.writeHead(upstream.status, out).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

let target: RunningTarget;
let dir: string;
let tenants: string[];
beforeAll(async () => {
  target = await startReferenceTarget({ mode: 'fail-closed' });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-init-public-'));
  ({ tenants } = await referenceTokens('TA_PUBLIC'));
});
afterAll(async () => {
  await target?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

async function auditThrough(leaky: boolean) {
  const f = await front(target, leaky);
  try {
    const generated = await initConfig({ openapi: `${f.url}/openapi.json`, baseUrl: f.url, tenants });
    const feed = generated.config.operations.find((o) => o.path === '/public/feed');
    expect(feed).toMatchObject({ kind: 'list', tenantScoped: false });
    const file = path.join(dir, `public-${leaky}.yaml`);
    await fs.writeFile(file, generated.yaml);
    const result = await run({ config: file, target: f.url, reportDir: dir, seed: 4, runs: 3, suites: ['isolation.cross-tenant'] });
    const { records } = await readEvidence(result.dir);
    return { result, feed: records.filter((r) => r.operation === feed!.id) };
  } finally {
    await f.close();
  }
}

describe('public operations (`security: []`) are probed only for canary leaks', () => {
  it('clean twin: the public feed answers each tenant with no tenant data (pass, exit 0)', async () => {
    const { result, feed } = await auditThrough(false);
    expect(result.exitCode).toBe(0);
    expect(feed.filter((r) => r.verdict === 'pass').length).toBeGreaterThan(0);
    expect(feed.every((r) => r.verdict === 'pass')).toBe(true);
  });

  it('leaky twin: a public feed showing other tenants\' canaries is a leak (exit 1)', async () => {
    const { result, feed } = await auditThrough(true);
    expect(result.exitCode).toBe(1);
    expect(feed.some((r) => r.verdict === 'leak' && r.reason === 'canary-foreign')).toBe(true);
  });
});
