/**
 * Scope: requests go only to allowlisted hosts, and redirects are never followed.
 * The "foreign" server is a real loopback server reached as `localhost` while only `127.0.0.1` is allowed; it counts
 * what reaches it. Each zero is backed by a positive control proving the same server is reachable when allowed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.ts';
import { readEvidence, readManifest } from '../../src/evidence/index.ts';
import { createHttpClient, type HttpClient } from '../../src/execute/http-client.ts';
import { run } from '../../src/run/run.ts';
import { buildRequest } from '../../src/execute/request.ts';
import { startChaosTarget, startCountingServer, type ChaosTarget } from '../support/chaos-target.ts';
import { captureMain, STACK_LINE, tempDir, writeYaml } from './helpers.ts';

let foreign: Awaited<ReturnType<typeof startCountingServer>>;
let target: ChaosTarget;
let tmp: Awaited<ReturnType<typeof tempDir>>;
const clients: HttpClient[] = [];

const client = (allowHosts: string[]) => {
  const c = createHttpClient({ allowHosts, timeoutMs: 2000, maxBodyBytes: 65_536, concurrency: 2, ratePerSecond: 10_000 });
  clients.push(c);
  return c;
};
const foreignUrl = (p = '/steal') => `http://localhost:${foreign.port}${p}`;

beforeAll(async () => {
  foreign = await startCountingServer('127.0.0.1');
  target = await startChaosTarget({ redirectTo: foreignUrl('/login') });
  tmp = await tempDir('ta-safety-scope-');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await target?.close();
  await foreign?.close();
  await tmp?.cleanup();
});

describe('HTTP client scope (createHttpClient)', () => {
  it('positive control: the foreign server is reachable as localhost when localhost is allowed', async () => {
    const before = foreign.requests;
    const exchange = await client(['localhost']).send({ method: 'GET', url: foreignUrl('/control'), headers: {} });
    expect(exchange.outcome.kind).toBe('response');
    expect(foreign.requests).toBe(before + 1);
  });

  it('refuses a host that is not on the allowlist, sending nothing', async () => {
    const before = foreign.requests;
    const c = client(['127.0.0.1']);
    const exchange = await c.send({ method: 'POST', url: foreignUrl(), headers: { authorization: 'Bearer x' }, body: '{}' });
    expect(exchange.outcome).toMatchObject({ kind: 'failure', failure: { kind: 'out-of-scope' } });
    if (exchange.outcome.kind === 'failure') expect(exchange.outcome.failure.message).toMatch(/not on the host allowlist; nothing was sent/);
    expect(foreign.requests).toBe(before);
    // A refused request does not spend the request budget.
    expect(c.budget.requests).toBe(0);
  });

  it('refuses disguised spellings of a foreign host', async () => {
    const before = foreign.requests;
    const c = client(['127.0.0.1']);
    const urls = [
      `http://LOCALHOST:${foreign.port}/`,
      `http://127.0.0.1@localhost:${foreign.port}/`,
      `http://127.0.0.1:1@localhost:${foreign.port}/`,
      `http://localhost.:${foreign.port}/`,
      `http://[::ffff:127.0.0.1]:${foreign.port}/`,
      'not a url',
    ];
    for (const url of urls) {
      const exchange = await c.send({ method: 'GET', url, headers: {} });
      expect(exchange.outcome, url).toMatchObject({ kind: 'failure', failure: { kind: 'out-of-scope' } });
    }
    expect(foreign.requests).toBe(before);
  });

  it('records a 302 to a non-allowlisted host without following it', async () => {
    const before = foreign.requests;
    const exchange = await client(['127.0.0.1']).send({ method: 'GET', url: `${target.url}/chaos/redirect`, headers: {} });
    expect(exchange.outcome.kind).toBe('response');
    if (exchange.outcome.kind !== 'response') return;
    expect(exchange.outcome.response.status).toBe(302);
    expect(exchange.outcome.response.headers['location']).toBe(foreignUrl('/login'));
    expect(exchange.outcome.response.headers['x-tenancy-audit-note']).toMatch(/redirect to localhost:\d+ refused/);
    expect(foreign.requests).toBe(before);
  });

  it('does not follow a redirect even to an allowlisted host', async () => {
    const landing = await startCountingServer('127.0.0.1');
    const bouncer = await startChaosTarget({ redirectTo: `${landing.url}/landing` });
    try {
      const exchange = await client(['127.0.0.1']).send({ method: 'GET', url: `${bouncer.url}/chaos/redirect`, headers: {} });
      expect(exchange.outcome).toMatchObject({ kind: 'response', response: { status: 302 } });
      expect(landing.requests).toBe(0);
    } finally {
      await bouncer.close();
      await landing.close();
    }
  });

  it('keeps the response of a redirect whose Location cannot be parsed, and follows nothing', async () => {
    const bouncer = await startChaosTarget({ redirectTo: 'http://[::1' });
    try {
      const exchange = await client(['127.0.0.1']).send({ method: 'GET', url: `${bouncer.url}/chaos/redirect`, headers: {} });
      expect(exchange.outcome).toMatchObject({ kind: 'response', response: { status: 302 } });
      if (exchange.outcome.kind === 'response') {
        expect(exchange.outcome.response.headers['x-tenancy-audit-note']).toMatch(/unparsable location refused/);
      }
    } finally {
      await bouncer.close();
    }
  });

  it('keeps a templated operation path on the base URL host, whatever the path says', async () => {
    const resolved = await resolveConfig(target.config(), { dir: tmp.path });
    const sneaky = [`//localhost:${foreign.port}/x`, `/\\\\localhost:${foreign.port}/x`, `/@localhost:${foreign.port}/x`, `/..//localhost:${foreign.port}`, '/{{id}}'];
    const before = foreign.requests;
    const c = client(['127.0.0.1']);
    for (const p of sneaky) {
      const request = buildRequest(resolved, { method: 'GET', path: p }, { tenant: 'acme', vars: { id: `//localhost:${foreign.port}/x` }, authorization: null });
      expect(new URL(request.url).host, p).toBe(new URL(target.url).host);
      const exchange = await c.send(request);
      expect(exchange.outcome.kind, p).toBe('response');
    }
    expect(foreign.requests).toBe(before);
  });
});

describe('run() scope', () => {
  it('a jwksUrl on a non-allowlisted host: nothing is sent there, exit 2 naming identity.jwksUrl, manifest incomplete', async () => {
    const dir = path.join(tmp.path, 'jwks');
    await fs.mkdir(dir);
    const config = { ...target.config(), identity: { ...target.config().identity, jwksUrl: foreignUrl('/.well-known/jwks.json') } };
    const file = await writeYaml(path.join(dir, 'config.yaml'), config);
    const before = foreign.requests;
    const result = await captureMain(['run', '--config', file, '--report-dir', path.join(dir, 'reports')]);
    expect(foreign.requests).toBe(before);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/identity\.jwksUrl/);
    expect(result.err).toMatch(/not on the host allowlist/);
    expect(result.err).not.toMatch(STACK_LINE);
    const [runId] = await fs.readdir(path.join(dir, 'reports'));
    const manifest = await readManifest(path.join(dir, 'reports', runId!));
    expect(manifest?.complete).toBe(false);
  });

  it('a base URL off the allowlist (validation bypassed through the API): nothing is sent, exit 3, incomplete', async () => {
    const resolved = await resolveConfig(target.config(), { dir: tmp.path });
    const offScope = { ...resolved, target: { ...resolved.target, baseUrl: foreignUrl(''), allowHosts: ['127.0.0.1'] } };
    const before = foreign.requests;
    const result = await run({ config: offScope, reportDir: path.join(tmp.path, 'base'), seed: 1 });
    expect(foreign.requests).toBe(before);
    expect(result.exitCode).toBe(3);
    expect(result.complete).toBe(false);
    expect(result.manifest.incompleteReason).toMatch(/not on the host allowlist/);
    expect((await readEvidence(result.dir)).records).toEqual([]);
  });

  it('a target that redirects every probe to a foreign host: redirects recorded, never followed, never judged pass', async () => {
    target.setMode('ok');
    const resolved = await resolveConfig(target.config({ run: { runs: 2 } }), { dir: tmp.path });
    const before = foreign.requests;
    try {
      const result = await run({
        config: resolved,
        reportDir: path.join(tmp.path, 'redirect'),
        seed: 7,
        suites: ['identity.missing', 'identity.mismatched'],
        onEvent: (e) => {
          if (e.type === 'phase' && e.name === 'probes') target.setMode('redirect');
        },
      });
      expect(foreign.requests).toBe(before);
      const { records } = await readEvidence(result.dir);
      const controls = records.filter((r) => r.kind === 'control');
      expect(controls.length).toBeGreaterThan(0);
      expect(controls.every((r) => r.verdict === 'pass')).toBe(true);
      const probes = records.filter((r) => r.kind === 'probe');
      expect(probes.length).toBeGreaterThan(10);
      for (const probe of probes) {
        expect(probe.response?.status, probe.mutation.id).toBe(302);
        expect(probe.response?.headers['x-tenancy-audit-note']).toMatch(/refused \(not on the allowlist\)/);
        expect(probe.verdict, `${probe.mutation.id}: ${probe.detail}`).not.toBe('pass');
      }
      expect(result.exitCode).not.toBe(0);
    } finally {
      target.setMode('ok');
    }
  });
});
