/**
 * Credentials that live as long as the run: the reference target audited with oauth2 client-credentials tokens from
 * a real loopback token endpoint issuing 20-second JWTs (signed with the target's trusted issuer fixture key). The
 * run is rate-limited so that it lasts at least three token lifetimes (its duration is checked from the manifest).
 *
 * - refresh on: tokens are re-obtained before they expire, the opening and closing controls are live, exit 0, the
 *   manifest records the refreshes; no client secret and no fetched token in the run folder or the terminal.
 * - the negative twin, refresh off (`identity.refresh: false`): the tokens die mid-run, the closing controls fail,
 *   the run is inconclusive (exit 3), never a pass.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.ts';
import type { EvidenceRecord } from '../../src/core/types.ts';
import { readEvidence } from '../../src/evidence/index.ts';
import { renderReport } from '../../src/report/index.ts';
import { createTerminalReporter } from '../../src/report/renderers/terminal.ts';
import { run, type RunResult } from '../../src/run/run.ts';
import { startReferenceTarget, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { startTokenServer, type TokenServer } from '../support/oauth-server.ts';
import { filesBelow, REFERENCE_CONFIG, stripAnsi } from '../safety/helpers.ts';

const LIFETIME_S = Number(process.env['TA_OAUTH_E2E_LIFETIME'] ?? 20);
const MIN_RUN_S = Number(process.env['TA_OAUTH_E2E_SECONDS'] ?? 3 * LIFETIME_S + 2);
const RATE = Number(process.env['TA_OAUTH_E2E_RATE'] ?? 7);
const RUNS = Number(process.env['TA_OAUTH_E2E_RUNS'] ?? 4);
const SECRETS = { acme: `cs-acme-${crypto.randomBytes(12).toString('hex')}`, globex: `cs-globex-${crypto.randomBytes(12).toString('hex')}` };
const ENV = { ...process.env, TA_E2E_ACME_CLIENT_SECRET: SECRETS.acme, TA_E2E_GLOBEX_CLIENT_SECRET: SECRETS.globex };

interface Audit {
  result: RunResult;
  records: EvidenceRecord[];
  terminal: string;
  seconds: number;
}

let tmp: string;
let server: TokenServer;
const targets: RunningTarget[] = [];
let live: Audit;
let dead: Audit;

async function audit(refresh: boolean, name: string): Promise<Audit> {
  const raw = YAML.parse(await fs.readFile(REFERENCE_CONFIG, 'utf8')) as Record<string, any>;
  raw['identity'] = {
    refresh,
    jwksUrl: raw['identity'].jwksUrl,
    tokens: {
      kind: 'oauth2',
      tokenUrl: server.tokenUrl,
      audience: 'reference-target',
      clients: {
        acme: { clientId: 'svc-acme', clientSecret: 'env:TA_E2E_ACME_CLIENT_SECRET' },
        globex: { clientId: 'svc-globex', clientSecret: 'env:TA_E2E_GLOBEX_CLIENT_SECRET' },
      },
    },
  };
  raw['target'] = { ...raw['target'], ratePerSecond: RATE, concurrency: 2 };
  const config = await resolveConfig(raw, { file: REFERENCE_CONFIG, env: ENV });
  const target = await startReferenceTarget({ mode: 'fail-closed' });
  targets.push(target);
  const lines: string[] = [];
  const result = await run({
    config,
    target: target.url,
    reportDir: path.join(tmp, name),
    seed: 1818,
    runs: RUNS,
    suites: ['isolation.cross-tenant', 'identity.spoofed'],
    onEvent: createTerminalReporter({ live: false, write: (t) => lines.push(t) }),
  });
  const { records } = await readEvidence(result.dir);
  const seconds = (Date.parse(result.manifest.endedAt) - Date.parse(result.manifest.startedAt)) / 1000;
  return { result, records, terminal: stripAnsi(lines.join('')), seconds };
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-oauth2-e2e-'));
  server = await startTokenServer({
    clients: { 'svc-acme': { secret: SECRETS.acme, tenant: 'acme' }, 'svc-globex': { secret: SECRETS.globex, tenant: 'globex' } },
    lifetimeSeconds: LIFETIME_S,
  });
  [live, dead] = await Promise.all([audit(true, 'live'), audit(false, 'dead')]);
}, 400_000);
afterAll(async () => {
  await Promise.allSettled([...targets.map((t) => t.stop()), server?.stop()]);
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe(`oauth2 tokens of ${LIFETIME_S} s over a run of at least ${MIN_RUN_S} s`, () => {
  it('refresh on: controls live at the start and the end, refreshes recorded, exit 0', () => {
    // The claim is honest only over at least three token lifetimes (the rate limit sets the lower bound).
    expect(live.seconds, live.result.manifest.incompleteReason).toBeGreaterThanOrEqual(3 * LIFETIME_S);
    expect(live.result.complete).toBe(true);
    const controls = live.records.filter((r) => r.kind === 'control');
    expect(controls.filter((r) => r.verdict !== 'pass').map((r) => `${r.operation}: ${r.reason}`)).toEqual([]);
    expect(controls.some((r) => r.steps?.[0]?.title.startsWith('closing positive control'))).toBe(true);
    expect(live.records.filter((r) => r.verdict === 'inconclusive').length).toBe(0);
    const identity = live.result.manifest.identity!;
    expect(identity).toMatchObject({ source: 'oauth2', refreshable: true, closingControls: true });
    // Each tenant needs a new token at least every 15 s (20 s lifetime, refreshed 5 s before).
    expect(identity.refreshes).toBeGreaterThanOrEqual(2 * 3);
    expect(live.result.exitCode).toBe(0);
  });

  it('refresh off (the negative twin): the closing controls fail on the dead tokens, the run is inconclusive (exit 3)', () => {
    expect(dead.seconds).toBeGreaterThanOrEqual(3 * LIFETIME_S);
    expect(dead.result.complete, dead.result.manifest.incompleteReason).toBe(true);
    expect(dead.result.manifest.identity).toMatchObject({ source: 'oauth2', refreshable: false, fetched: 2, refreshes: 0, closingControls: true });
    const closing = dead.records.filter((r) => r.kind === 'control' && r.steps?.[0]?.title.startsWith('closing positive control'));
    expect(closing.length).toBeGreaterThan(0);
    expect(closing.every((r) => r.verdict === 'inconclusive')).toBe(true);
    expect(closing[0]!.steps!.map((s) => s.title)).toEqual(expect.arrayContaining([expect.stringContaining('HTTP 401: token of')]));
    expect(dead.result.exitCode).toBe(3);
  });

  it('no client secret and no fetched token (nor its signature) in any file of the run folders or the terminal', async () => {
    expect(server.issued.length).toBeGreaterThan(6);
    const secrets: [string, string][] = [['acme client secret', SECRETS.acme], ['globex client secret', SECRETS.globex]];
    for (const token of server.issued) secrets.push([`token ${token.slice(0, 12)}…`, token], [`signature of ${token.slice(0, 12)}…`, token.split('.')[2]!]);
    const found: string[] = [];
    for (const audit of [live, dead]) {
      await renderReport(audit.result.dir);
      const texts = [...(await filesBelow(audit.result.dir)).map((f) => ({ where: f.file, text: f.text })), { where: 'terminal', text: audit.terminal }];
      for (const { where, text } of texts) for (const [label, secret] of secrets) if (text.includes(secret)) found.push(`${label} in ${where}`);
    }
    expect(found).toEqual([]);
    expect(live.terminal.length).toBeGreaterThan(0);
  });
});
