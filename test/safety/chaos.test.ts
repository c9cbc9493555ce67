/**
 * Faulty targets: resets, hangs, slow drips, 5xx storms, non-HTTP garbage, a 50 MB body, invalid JSON, wrong
 * content types and 429s yield `inconclusive` (or `closed-by-error` for 5xx) records — never `pass` where no real
 * rejection was seen, never a crash — and the run finishes. The chaos target is a fail-closed service (the baseline
 * proves it: every probe passes) that turns chaotic once the positive controls have passed, so every probe meets
 * the chaos and a `pass` could only come from the harness inventing a rejection.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.ts';
import type { EvidenceRecord } from '../../src/core/types.ts';
import { readEvidence } from '../../src/evidence/index.ts';
import { createHttpClient, type HttpClient } from '../../src/execute/http-client.ts';
import { renderReport } from '../../src/report/index.ts';
import { run, type RunResult } from '../../src/run/run.ts';
import { startChaosTarget, type ChaosMode, type ChaosScope, type ChaosTarget } from '../support/chaos-target.ts';
import { tempDir } from './helpers.ts';

const CAP = 65_536;
const FIFTY_MB = 50 * 1024 * 1024;
const SUITES = ['identity.missing', 'identity.mismatched', 'isolation.cross-tenant'];

let target: ChaosTarget;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let client: HttpClient;
let n = 0;

beforeAll(async () => {
  target = await startChaosTarget({ hugeBytes: FIFTY_MB, dripIntervalMs: 40 });
  tmp = await tempDir('ta-safety-chaos-');
  client = createHttpClient({ allowHosts: ['127.0.0.1'], timeoutMs: 300, maxBodyBytes: CAP, concurrency: 4, ratePerSecond: 10_000 });
});
afterAll(async () => {
  await client?.close();
  await target?.close();
  await tmp?.cleanup();
});

describe('the HTTP client meets misbehaving answers', () => {
  const get = (mode: ChaosMode) => client.send({ method: 'GET', url: `${target.url}/chaos/${mode}/projects`, headers: {} });

  it('connection reset → transport failure "reset"', async () => {
    expect((await get('reset')).outcome).toMatchObject({ kind: 'failure', failure: { kind: 'reset' } });
  });

  it('no answer at all → the timeout fires', async () => {
    expect((await get('hang')).outcome).toMatchObject({ kind: 'failure', failure: { kind: 'timeout' } });
  });

  it('a body dripped slower than the deadline (each chunk inside the idle timeout) → the overall timeout fires', async () => {
    expect((await get('drip')).outcome).toMatchObject({ kind: 'failure', failure: { kind: 'timeout' } });
  });

  it('many slow drips at once: each one times out, and the client still works afterwards', async () => {
    const small = createHttpClient({ allowHosts: ['127.0.0.1'], timeoutMs: 200, maxBodyBytes: CAP, concurrency: 3, ratePerSecond: 10_000 });
    try {
      const drips = await Promise.all(Array.from({ length: 7 }, () => small.send({ method: 'GET', url: `${target.url}/chaos/drip/projects`, headers: {} })));
      expect(drips.map((x) => x.outcome.kind === 'failure' && x.outcome.failure.kind)).toEqual(drips.map(() => 'timeout'));
      const after = await small.send({ method: 'GET', url: `${target.url}/`, headers: {} });
      expect(after.outcome).toMatchObject({ kind: 'response', response: { status: 200 } });
    } finally {
      await small.close();
    }
  });

  it('non-HTTP garbage → transport failure, not a response', async () => {
    expect((await get('garbage')).outcome).toMatchObject({ kind: 'failure', failure: { kind: 'error' } });
  });

  it('a 50 MB streamed body is cut at maxBodyBytes and the rest is not downloaded', async () => {
    const before = target.hugeBytesSent;
    const exchange = await get('huge');
    expect(exchange.outcome.kind).toBe('response');
    if (exchange.outcome.kind !== 'response') return;
    expect(exchange.outcome.response).toMatchObject({ status: 200, truncated: true, bodyBytes: CAP });
    expect(exchange.outcome.response.bodyText.length).toBe(CAP);
    // The connection was dropped: far less than the 50 MB left the server (socket buffers aside).
    expect(target.hugeBytesSent - before).toBeLessThan(FIFTY_MB / 2);
  });

  it('5xx, 429, invalid JSON and wrong content types come back as responses, as they are', async () => {
    expect((await get('5xx')).outcome).toMatchObject({ kind: 'response', response: { status: 500 } });
    expect((await get('429')).outcome).toMatchObject({ kind: 'response', response: { status: 429 } });
    expect((await get('bad-json')).outcome).toMatchObject({ kind: 'response', response: { status: 200, headers: { 'content-type': 'application/json' } } });
    expect((await get('wrong-type')).outcome).toMatchObject({ kind: 'response', response: { status: 200 } });
  });
});

interface ChaosRun {
  result: RunResult;
  records: EvidenceRecord[];
  probes: EvidenceRecord[];
  suiteVerdicts: Record<string, string>;
}

async function auditWithChaos(
  mode: ChaosMode,
  options: {
    operations?: 'list-only' | 'read-only';
    suites?: string[];
    timeoutMs?: number;
    maxRequests?: number;
    from?: 'probes' | 'start';
    scope?: ChaosScope;
    politeness?: Record<string, unknown>;
  } = {},
): Promise<ChaosRun> {
  target.setMode('ok');
  const politeness = options.politeness ? { politeness: options.politeness } : {};
  const config = await resolveConfig(
    target.config({ operations: options.operations ?? 'read-only', run: { runs: 2 }, target: { timeoutMs: options.timeoutMs ?? 2000, maxBodyBytes: CAP, ...politeness } }),
    { dir: tmp.path },
  );
  const suiteVerdicts: Record<string, string> = {};
  if (options.from === 'start') target.setMode(mode, options.scope);
  try {
    const result = await run({
      config,
      reportDir: path.join(tmp.path, `run-${++n}-${mode}`),
      seed: 11,
      suites: options.suites ?? SUITES,
      ...(options.maxRequests ? { maxRequests: options.maxRequests } : {}),
      onEvent: (e) => {
        if (e.type === 'phase' && e.name === 'probes' && options.from !== 'start') target.setMode(mode, options.scope);
        if (e.type === 'suite-end') suiteVerdicts[e.suite] = e.verdict;
      },
    });
    const { records } = await readEvidence(result.dir);
    return { result, records, probes: records.filter((r) => r.kind === 'probe'), suiteVerdicts };
  } finally {
    target.setMode('ok');
  }
}

/** The exit code the report (rendered from the evidence alone) gives the same run: the CLI and the report must agree. */
async function reportExitCode(outcome: ChaosRun): Promise<number> {
  return (await renderReport(outcome.result.dir, { formats: ['json'] })).model.overall.exitCode;
}

const describeProbe = (r: EvidenceRecord) => `${r.operation} ${r.mutation.id}: ${r.verdict} ${r.reason} (${r.detail})`;

/** The controls ran on the good service and passed; every probe met the chaos; none of them passed. */
async function expectNoFalsePass(outcome: ChaosRun, minProbes = 6): Promise<void> {
  const controls = outcome.records.filter((r) => r.kind === 'control');
  expect(controls.length).toBeGreaterThan(0);
  expect(controls.map((r) => r.verdict)).toEqual(controls.map(() => 'pass'));
  expect(outcome.probes.length).toBeGreaterThanOrEqual(minProbes);
  expect(outcome.probes.filter((r) => r.verdict === 'pass').map(describeProbe)).toEqual([]);
  expect(outcome.records.filter((r) => r.kind === 'finding' && r.verdict === 'pass')).toEqual([]);
  expect(Object.values(outcome.suiteVerdicts)).not.toContain('pass');
  expect(outcome.result.exitCode).not.toBe(0);
  expect(await reportExitCode(outcome)).toBe(outcome.result.exitCode);
}

describe('audits of a target that turns chaotic once its positive controls passed', () => {
  it('baseline: the same target behaving is fail-closed (every probe passes, exit 0)', async () => {
    const outcome = await auditWithChaos('ok');
    expect(outcome.records.filter((r) => r.kind === 'control' && r.verdict === 'pass').length).toBeGreaterThan(0);
    expect(outcome.records.filter((r) => r.kind === 'control' && r.verdict !== 'pass')).toEqual([]);
    expect(outcome.probes.length).toBeGreaterThan(20);
    expect(outcome.probes.filter((r) => r.verdict !== 'pass').map(describeProbe)).toEqual([]);
    expect(outcome.result.exitCode).toBe(0);
    expect(await reportExitCode(outcome)).toBe(0);
  });

  const inconclusive: [ChaosMode, string][] = [
    ['reset', 'transport-reset'],
    ['garbage', 'transport-error'],
  ];
  for (const [mode, reason] of inconclusive) {
    it(`${mode}: every probe is inconclusive (${reason}), the run finishes, exit 3`, async () => {
      const outcome = await auditWithChaos(mode);
      await expectNoFalsePass(outcome);
      expect(outcome.probes.filter((r) => !(r.verdict === 'inconclusive' && r.reason === reason)).map(describeProbe)).toEqual([]);
      expect(outcome.result.exitCode).toBe(3);
      expect(Object.values(outcome.suiteVerdicts)).toEqual(SUITES.map(() => 'inconclusive'));
    });
  }

  it('429: probes sent are inconclusive (rate-limited), the rest are not sent once the target kept refusing; incomplete, exit 3', async () => {
    // Every 429 says Retry-After: 1 and every probe is a GET, sent once more after the wait: a short patience keeps the run short.
    const outcome = await auditWithChaos('429', { politeness: { patienceSeconds: 1, refusalStreak: 3 } });
    await expectNoFalsePass(outcome, 1);
    const sent = outcome.probes.filter((r) => r.reason !== 'transport-budget');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((r) => !(r.verdict === 'inconclusive' && r.reason === 'rate-limited')).map(describeProbe)).toEqual([]);
    expect(outcome.result.manifest).toMatchObject({ complete: false, incompleteReason: expect.stringMatching(/^target kept refusing: /) });
    expect(outcome.result.manifest.politeness!.backoffs).toBeGreaterThan(0);
    expect(outcome.result.exitCode).toBe(3);
    expect(Object.values(outcome.suiteVerdicts)).toEqual(SUITES.map(() => 'inconclusive'));
  });

  for (const mode of ['hang', 'drip'] as const) {
    it(`${mode}: the client timeout fires, probes are inconclusive (transport-timeout), the run finishes`, async () => {
      // Each probe costs a timeout: a request budget keeps the run short (setup needs 1 + 2 + 2 requests).
      const outcome = await auditWithChaos(mode, { operations: 'list-only', suites: ['identity.missing'], timeoutMs: 250, maxRequests: 9 });
      await expectNoFalsePass(outcome, 2);
      const sent = outcome.probes.filter((r) => r.reason !== 'transport-budget');
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.filter((r) => !(r.verdict === 'inconclusive' && r.reason === 'transport-timeout')).map(describeProbe)).toEqual([]);
      expect(outcome.result.manifest).toMatchObject({ complete: false, incompleteReason: '--max-requests 9 reached' });
    });
  }

  it('5xx storm: closed-by-error, never pass', async () => {
    const outcome = await auditWithChaos('5xx');
    expect(outcome.probes.length).toBeGreaterThan(5);
    expect(outcome.probes.filter((r) => r.verdict !== 'closed-by-error').map(describeProbe)).toEqual([]);
    expect(Object.values(outcome.suiteVerdicts)).toEqual(SUITES.map(() => 'closed-by-error'));
    // A warning under the default --fail-on soft-fail (README "Verdicts": closed-by-error is "reported as a warning").
    expect(outcome.result.exitCode).toBe(0);
    expect(await reportExitCode(outcome)).toBe(0);
  });

  for (const mode of ['bad-json', 'wrong-type'] as const) {
    it(`${mode}: a 200 to a mutated request is an acceptance, never a pass`, async () => {
      const outcome = await auditWithChaos(mode);
      await expectNoFalsePass(outcome);
      expect(outcome.probes.every((r) => r.response?.status === 200)).toBe(true);
      expect(outcome.result.exitCode).toBe(1);
    });
  }

  it('50 MB body: every recorded response is cut at target.maxBodyBytes, and none passes', async () => {
    const outcome = await auditWithChaos('huge');
    await expectNoFalsePass(outcome);
    for (const probe of outcome.probes) {
      expect(probe.response, describeProbe(probe)).toBeDefined();
      expect(probe.response!.truncated).toBe(true);
      expect(probe.response!.bodyBytes).toBeLessThanOrEqual(CAP);
      expect(probe.response!.excerpt.length).toBeLessThanOrEqual(CAP);
    }
  });
});

describe('partial chaos: a suite with unjudged probes never passes', () => {
  it('every third request answered 429: the suite is inconclusive, not pass, and the run exits 3', async () => {
    // Not sent again and no wait (the polite retry is tested in test/e2e/polite.test.ts): every 429 stays unjudged.
    const outcome = await auditWithChaos('429', { scope: { everyNth: 3 }, politeness: { retryRefused: false, maxWaitSeconds: 0 } });
    const verdicts = new Set(outcome.probes.map((r) => r.verdict));
    expect(verdicts.has('pass')).toBe(true); // the good answers still pass…
    expect(verdicts.has('inconclusive')).toBe(true); // …the 429s are not judged…
    // …so no suite with an unjudged probe may claim a pass.
    const unjudged = [...new Set(outcome.probes.filter((r) => r.verdict === 'inconclusive').map((r) => r.suite))];
    expect(unjudged.length).toBeGreaterThan(0);
    expect(Object.fromEntries(unjudged.map((suite) => [suite, outcome.suiteVerdicts[suite]]))).toEqual(Object.fromEntries(unjudged.map((suite) => [suite, 'inconclusive'])));
    expect(outcome.result.exitCode).toBe(3);
    expect(await reportExitCode(outcome)).toBe(3);
  });

  it('one operation resets from the start: its control fails, its probes are blocked, the suite is inconclusive, exit 3', async () => {
    const outcome = await auditWithChaos('reset', { from: 'start', scope: { path: /^\/projects\/[^/]+$/ } });
    const failedControls = outcome.records.filter((r) => r.kind === 'control' && r.verdict !== 'pass');
    expect(failedControls.map((r) => r.operation)).toContain('read-project');
    expect(outcome.records.some((r) => r.reason === 'control-failed' && r.operation === 'read-project')).toBe(true);
    expect(outcome.probes.some((r) => r.operation === 'list-projects' && r.verdict === 'pass')).toBe(true);
    expect(Object.values(outcome.suiteVerdicts)).not.toContain('pass');
    expect(outcome.result.exitCode).toBe(3);
    expect(await reportExitCode(outcome)).toBe(3);
  });
});
