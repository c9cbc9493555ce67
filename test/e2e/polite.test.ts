/**
 * Polite rate control end to end, against real loopback servers: the fail-closed chaos target behind a proxy
 * that refuses requests as a rate-limiting gateway does.
 * - One distinct request in five answered 429 `Retry-After: 1`: every refused request is idempotent, waits and
 *   is sent once more, so the audit ends with the same verdicts as without the 429s; the manifest, the terminal
 *   summary and the reports say how often the run backed off.
 * - Every request refused once the probes start: the run gives up after the configured patience, exit 3, the
 *   manifest incomplete with "target kept refusing", and nothing passes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.ts';
import type { AuditEvent } from '../../src/core/events.ts';
import type { EvidenceRecord } from '../../src/core/types.ts';
import { readEvidence } from '../../src/evidence/index.ts';
import { createHttpClient } from '../../src/execute/http-client.ts';
import { Budget } from '../../src/execute/limits.ts';
import { withPoliteness } from '../../src/execute/polite-client.ts';
import { PolitenessController } from '../../src/execute/politeness.ts';
import { renderReport } from '../../src/report/index.ts';
import { createTerminalReporter } from '../../src/report/renderers/terminal.ts';
import { run, type RunResult } from '../../src/run/run.ts';
import { startChaosTarget, type ChaosTarget } from '../support/chaos-target.ts';
import { startRefusingProxy, type RefusalPolicy, type RefusingProxy } from '../support/refusing-proxy.ts';
import { stripAnsi, tempDir } from '../safety/helpers.ts';

const SUITES = ['identity.missing', 'isolation.cross-tenant'];
const SEED = 7;

let target: ChaosTarget;
let proxy: RefusingProxy;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;

beforeAll(async () => {
  target = await startChaosTarget();
  proxy = await startRefusingProxy(target.url);
  tmp = await tempDir('ta-e2e-polite-');
});
afterAll(async () => {
  await proxy?.close();
  await target?.close();
  await tmp?.cleanup();
});

interface Audit {
  result: RunResult;
  records: EvidenceRecord[];
  suiteVerdicts: Record<string, string>;
  terminal: string;
}

async function audit(options: { via: 'direct' | 'proxy'; policy?: RefusalPolicy; from?: 'start' | 'probes'; politeness?: Record<string, unknown> }): Promise<Audit> {
  const baseUrl = options.via === 'proxy' ? proxy.url : target.url;
  const config = await resolveConfig(target.config({ operations: 'read-only', run: { runs: 2 }, target: { baseUrl, ...(options.politeness ? { politeness: options.politeness } : {}) } }), { dir: tmp.path });
  proxy.setPolicy(options.from === 'start' ? options.policy : undefined);
  const suiteVerdicts: Record<string, string> = {};
  let terminal = '';
  const reporter = createTerminalReporter({ live: false, write: (text) => (terminal += text) });
  try {
    const result = await run({
      config,
      reportDir: path.join(tmp.path, `run-${++n}`),
      seed: SEED,
      suites: SUITES,
      onEvent: (e: AuditEvent) => {
        if (e.type === 'phase' && e.name === 'probes' && options.from === 'probes') proxy.setPolicy(options.policy);
        if (e.type === 'suite-end') suiteVerdicts[e.suite] = e.verdict;
        reporter(e);
      },
    });
    const { records } = await readEvidence(result.dir);
    return { result, records, suiteVerdicts, terminal: stripAnsi(terminal) };
  } finally {
    proxy.setPolicy(undefined);
  }
}

/** What was judged, independent of fixture ids and timing: suite, kind, operation, mutation, verdict, reason. */
const judged = (records: readonly EvidenceRecord[]) =>
  records
    .filter((r) => r.kind === 'probe' || r.kind === 'control' || r.kind === 'finding')
    .map((r) => `${r.suite} ${r.kind} ${r.operation} ${r.mutation.id} ${r.verdict} ${r.reason}`)
    .sort();

describe('a target that answers 429 Retry-After: 1 to one request in five', () => {
  // The refused requests are the idempotent ones (GET, DELETE): a POST answered 429 is not sent again, and a
  // fixture that cannot be created would end the run before anything is judged.
  const oneInFive: RefusalPolicy = (req) => (req.method !== 'POST' && !req.repeat && req.n % 5 === 0 ? { status: 429, retryAfter: '1' } : undefined);

  it('the audit waits, sends the refused requests once more, and ends with the same verdicts as without the 429s', async () => {
    const baseline = await audit({ via: 'direct' });
    expect(baseline.result.exitCode).toBe(0);
    const refusedBefore = proxy.refused;
    const polite = await audit({ via: 'proxy', policy: oneInFive, from: 'start' });
    const refused = proxy.refused - refusedBefore;

    expect(refused).toBeGreaterThanOrEqual(3);
    expect(polite.result.exitCode).toBe(baseline.result.exitCode);
    expect(polite.result.complete).toBe(true);
    expect(polite.suiteVerdicts).toEqual(baseline.suiteVerdicts);
    expect(judged(polite.records)).toEqual(judged(baseline.records));
    expect(polite.records.filter((r) => r.reason === 'rate-limited')).toEqual([]);
    // The judged answer of a retried probe says it was sent twice.
    expect(polite.records.some((r) => /sent twice: the first answer was HTTP 429 \(Retry-After: 1, honoured\)/.test(r.response?.headers['x-tenancy-audit-note'] ?? ''))).toBe(true);

    // The manifest counts the back-offs, the refusals, the retries and the time waited for Retry-After.
    const politeness = polite.result.manifest.politeness!;
    expect(politeness).toMatchObject({ refused, retried: refused });
    expect(politeness.backoffs).toBeGreaterThanOrEqual(1);
    expect(politeness.backoffs).toBeLessThanOrEqual(refused);
    expect(politeness.waitedMs).toBeGreaterThanOrEqual(900);
    expect(politeness.minRate).toBeLessThan(10_000);
    expect(baseline.result.manifest.politeness).toEqual({ backoffs: 0, refused: 0, retried: 0, waitedMs: 0, minRate: 10_000 });

    // The terminal summary and both reports say so.
    expect(polite.terminal).toContain(`Rate control: the target answered 429/503 ${refused} times; the run backed off ${politeness.backoffs} time`);
    expect(baseline.terminal).not.toContain('Rate control');
    const rendered = await renderReport(polite.result.dir, { formats: ['html', 'md'] });
    expect(rendered.model.methodology.rateControl).toContain(`backed off ${politeness.backoffs} time`);
    const md = await fs.readFile(path.join(polite.result.dir, 'report.md'), 'utf8');
    const html = await fs.readFile(path.join(polite.result.dir, 'report.html'), 'utf8');
    expect(md).toContain(`Rate control: the target answered 429/503 ${refused} times`);
    expect(html).toMatch(/<p id="rate-control">Rate control: the target answered 429\/503 \d+ times/);
  });
});

describe('a target that keeps refusing', () => {
  const always: RefusalPolicy = () => ({ status: 429, retryAfter: '1' });

  it('once the probes start, every request answered 429: the run gives up after the patience, exit 3, incomplete, nothing passes', async () => {
    const outcome = await audit({ via: 'proxy', policy: always, from: 'probes', politeness: { patienceSeconds: 2, refusalStreak: 3 } });
    expect(outcome.result.exitCode).toBe(3);
    expect(outcome.result.complete).toBe(false);
    expect(outcome.result.manifest.incompleteReason).toMatch(/^target kept refusing: the last \d+ answers were all 429\/503 over \d+(\.\d)? s \(patience 2 s\)/);
    const controls = outcome.records.filter((r) => r.kind === 'control');
    expect(controls.length).toBeGreaterThan(0);
    const probes = outcome.records.filter((r) => r.kind === 'probe');
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.filter((r) => r.verdict !== 'inconclusive').map((r) => `${r.operation} ${r.verdict} ${r.reason}`)).toEqual([]);
    expect(Object.values(outcome.suiteVerdicts)).not.toContain('pass');
    expect(outcome.result.manifest.politeness!.backoffs).toBeGreaterThanOrEqual(1);
    expect(outcome.terminal).toContain('run incomplete: target kept refusing');
    expect((await renderReport(outcome.result.dir, { formats: ['json'] })).model.overall.exitCode).toBe(3);
  });

  it('from the first request on (the reachability check included): the run ends inconclusive with the same reason, never a pass', async () => {
    const outcome = await audit({ via: 'proxy', policy: always, from: 'start', politeness: { patienceSeconds: 0.5, refusalStreak: 2 } });
    expect(outcome.result.exitCode).toBe(3);
    expect(outcome.result.complete).toBe(false);
    expect(outcome.result.manifest.incompleteReason).toMatch(/^target kept refusing/);
    expect(outcome.records.filter((r) => r.verdict === 'pass')).toEqual([]);
    expect(outcome.result.manifest.politeness).toMatchObject({ refused: expect.any(Number) });
    expect(outcome.result.manifest.politeness!.refused).toBeGreaterThanOrEqual(2);
  });
});

describe('a long Retry-After never holds the run past its end', () => {
  const politeClient = (budget: Budget) =>
    withPoliteness(
      createHttpClient({ allowHosts: ['127.0.0.1'], timeoutMs: 2000, maxBodyBytes: 1024, concurrency: 2, ratePerSecond: 1000, budget }),
      new PolitenessController({ ceilingPerSecond: 1000, minPerSecond: 1, maxWaitMs: 60_000, patienceMs: 60_000, refusalStreak: 5, retryRefused: true, remainingMs: () => budget.remainingMs() }),
    );
  /** Resolves with the send's outcome, or 'still waiting' after `ms` (a generous guard: the wait asked for is 60 s). */
  const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), ms))]);

  it('an interrupt ends the wait: the refused request is not sent again and its 429 is the answer', async () => {
    proxy.setPolicy(() => ({ status: 429, retryAfter: '60' }));
    const budget = new Budget();
    const client = politeClient(budget);
    try {
      const sending = client.send({ method: 'GET', url: `${proxy.url}/projects`, headers: {} });
      setTimeout(() => budget.stop('interrupted'), 200);
      const exchange = await within(sending, 10_000);
      expect(exchange).not.toBe('still waiting');
      if (exchange === 'still waiting') return;
      expect(exchange.outcome).toMatchObject({ kind: 'response', response: { status: 429 } });
    } finally {
      proxy.setPolicy(undefined);
      await client.close();
    }
  });

  it('--max-duration caps the wait: the retry is not sent once the run is out of time', async () => {
    proxy.setPolicy(() => ({ status: 503, retryAfter: '60' }));
    const budget = new Budget(undefined, 500);
    const client = politeClient(budget);
    const refusedBefore = proxy.refused;
    try {
      const exchange = await within(client.send({ method: 'GET', url: `${proxy.url}/projects`, headers: {} }), 10_000);
      expect(exchange).not.toBe('still waiting');
      if (exchange === 'still waiting') return;
      expect(exchange.outcome).toMatchObject({ kind: 'response', response: { status: 503 } });
      expect(proxy.refused - refusedBefore).toBe(1);
      expect(budget.exhausted).toBe('--max-duration reached');
    } finally {
      proxy.setPolicy(undefined);
      await client.close();
    }
  });
});
