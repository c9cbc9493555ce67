/**
 * Bounds: `--max-requests` and `--max-duration` stop the run, nothing is sent past the budget (fixture teardown
 * included: slack 0), the manifest says `complete: false` with the reason, and the exit code is 3 (1 when findings
 * were made before the stop). The target counts every request it receives.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.ts';
import { readEvidence, readManifest } from '../../src/evidence/index.ts';
import { createHttpClient } from '../../src/execute/http-client.ts';
import { Budget, Semaphore } from '../../src/execute/limits.ts';
import { run } from '../../src/run/run.ts';
import { startChaosTarget, type ChaosTarget } from '../support/chaos-target.ts';
import { captureMain, STACK_LINE, tempDir, writeYaml } from './helpers.ts';

/** Pinned, so suites added later (async, retry) cannot change these counts. */
const SUITES = ['identity', 'isolation'];
let target: ChaosTarget;
let leaky: ChaosTarget;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
const fresh = async () => {
  const dir = path.join(tmp.path, `case-${++n}`);
  await fs.mkdir(dir, { recursive: true });
  return dir;
};
const onlyRun = async (reportDir: string) => path.join(reportDir, (await fs.readdir(reportDir))[0]!);

beforeAll(async () => {
  target = await startChaosTarget();
  leaky = await startChaosTarget({ bug: 'header-override' });
  tmp = await tempDir('ta-safety-bounds-');
});
afterAll(async () => {
  await target?.close();
  await leaky?.close();
  await tmp?.cleanup();
});

describe('--max-requests', () => {
  it('baseline: the unbounded run needs more requests than any budget below, and completes', async () => {
    const config = await resolveConfig(target.config({ operations: 'with-writes' }), { dir: tmp.path });
    const before = target.requests;
    const result = await run({ config, reportDir: await fresh(), seed: 3, suites: SUITES });
    expect(result.complete).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(target.requests - before).toBeGreaterThan(150);
  });

  // Budgets that stop the run in each phase: reachability, fixtures, controls, probes (read-only and write cells).
  for (const budget of [1, 2, 3, 7, 20, 60, 150]) {
    it(`sends exactly ${budget} request(s) and no more (teardown included), and says why it stopped`, async () => {
      const config = await resolveConfig(target.config({ operations: 'with-writes' }), { dir: tmp.path });
      const before = target.requests;
      const result = await run({ config, reportDir: await fresh(), seed: 3, suites: SUITES, maxRequests: budget });
      expect(target.requests - before).toBe(budget);
      expect(result.complete).toBe(false);
      expect(result.manifest.complete).toBe(false);
      expect(result.manifest.incompleteReason).toContain(`--max-requests ${budget} reached`);
      expect(result.exitCode).toBe(3);
      const onDisk = await readManifest(result.dir);
      expect(onDisk).toMatchObject({ complete: false, exitCode: 3 });
      // Nothing unsent is judged: a probe stopped by the budget is inconclusive, never pass.
      const { records } = await readEvidence(result.dir);
      for (const r of records.filter((x) => x.detail.includes('not sent'))) expect(r.verdict).toBe('inconclusive');
    });
  }

  it('CLI: exit 3, the manifest says incomplete with the reason, the terminal says so', async () => {
    const dir = await fresh();
    const file = await writeYaml(path.join(dir, 'config.yaml'), target.config({ operations: 'with-writes' }));
    const before = target.requests;
    const out = await captureMain(['run', '--config', file, '--suite', ...SUITES, '--max-requests', '50', '--seed', '5', '--report-dir', path.join(dir, 'reports')]);
    expect(target.requests - before).toBe(50);
    expect(out.code).toBe(3);
    expect(out.out).toContain('run incomplete: --max-requests 50 reached');
    expect(out.err).not.toMatch(STACK_LINE);
    const manifest = await readManifest(await onlyRun(path.join(dir, 'reports')));
    expect(manifest).toMatchObject({ complete: false, incompleteReason: '--max-requests 50 reached', exitCode: 3 });
  });

  it('CLI: exit 1 when findings were made before the stop', async () => {
    const dir = await fresh();
    const file = await writeYaml(path.join(dir, 'config.yaml'), leaky.config());
    const before = leaky.requests;
    const out = await captureMain(['run', '--config', file, '--suite', 'identity.mismatched', '--max-requests', '15', '--seed', '5', '--report-dir', path.join(dir, 'reports')]);
    expect(leaky.requests - before).toBe(15);
    const runDir = await onlyRun(path.join(dir, 'reports'));
    const { records } = await readEvidence(runDir);
    expect(records.some((r) => r.verdict === 'leak')).toBe(true);
    expect(out.code).toBe(1);
    expect(await readManifest(runDir)).toMatchObject({ complete: false, incompleteReason: '--max-requests 15 reached', exitCode: 1 });
  });
});

describe('--concurrency', () => {
  const hops = async (n: number) => {
    for (let i = 0; i < n; i++) await Promise.resolve();
  };
  /** A small deterministic generator (xorshift-style), so a failing interleaving can be replayed by its seed. */
  const random = (seed: number) => {
    let s = seed >>> 0;
    return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 2 ** 32);
  };

  it('the semaphore never lets more than its limit run, whatever the interleaving (300 seeded interleavings)', async () => {
    const excess: string[] = [];
    for (let seed = 1; seed <= 300; seed++) {
      const next = random(seed);
      const limit = 1 + Math.floor(next() * 3);
      const gate = new Semaphore(limit);
      let inFlight = 0;
      let peak = 0;
      let ran = 0;
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          await hops(Math.floor(next() * 20));
          await gate.run(async () => {
            inFlight++;
            ran++;
            peak = Math.max(peak, inFlight);
            await hops(Math.floor(next() * 20));
            inFlight--;
          });
        }),
      );
      expect(ran).toBe(12);
      if (peak > limit) excess.push(`seed ${seed}: limit ${limit}, ${peak} ran at once`);
    }
    expect(excess).toEqual([]);
  });
});

describe('--max-duration and interrupts', () => {
  it('a request reserved before the deadline but still queued when it passes is not sent', async () => {
    let clock = 0;
    const budget = new Budget(undefined, 1000, () => clock);
    // 5 requests per second: the 2nd and 3rd wait in the rate limiter while the deadline passes.
    const client = createHttpClient({ allowHosts: ['127.0.0.1'], timeoutMs: 2000, maxBodyBytes: 1024, concurrency: 1, ratePerSecond: 5, budget });
    const before = target.requests;
    try {
      const first = client.send({ method: 'GET', url: `${target.url}/`, headers: {} }).then((x) => {
        clock = 5000; // the deadline passes while the others wait their turn
        return x;
      });
      const rest = [client.send({ method: 'GET', url: `${target.url}/`, headers: {} }), client.send({ method: 'GET', url: `${target.url}/`, headers: {} })];
      const [a, b, c] = await Promise.all([first, ...rest]);
      expect(a!.outcome.kind).toBe('response');
      expect(b!.outcome).toMatchObject({ kind: 'failure', failure: { kind: 'budget', message: 'not sent: --max-duration reached' } });
      expect(c!.outcome).toMatchObject({ kind: 'failure', failure: { kind: 'budget' } });
      expect(target.requests - before).toBe(1);
      expect(budget.exhausted).toBe('--max-duration reached');
    } finally {
      await client.close();
    }
  });

  it('a request queued when the run is interrupted is not sent', async () => {
    const budget = new Budget();
    const client = createHttpClient({ allowHosts: ['127.0.0.1'], timeoutMs: 2000, maxBodyBytes: 1024, concurrency: 1, ratePerSecond: 5, budget });
    const before = target.requests;
    try {
      const first = client.send({ method: 'GET', url: `${target.url}/`, headers: {} }).then((x) => {
        budget.stop('interrupted');
        return x;
      });
      const second = client.send({ method: 'GET', url: `${target.url}/`, headers: {} });
      const [a, b] = await Promise.all([first, second]);
      expect(a.outcome.kind).toBe('response');
      expect(b.outcome).toMatchObject({ kind: 'failure', failure: { kind: 'budget', message: 'not sent: interrupted' } });
      expect(target.requests - before).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('a count budget is settled at reservation: requests reserved within it are all sent', async () => {
    const budget = new Budget(3);
    const client = createHttpClient({ allowHosts: ['127.0.0.1'], timeoutMs: 2000, maxBodyBytes: 1024, concurrency: 1, ratePerSecond: 10_000, budget });
    const before = target.requests;
    try {
      const sent = await Promise.all(Array.from({ length: 5 }, () => client.send({ method: 'GET', url: `${target.url}/`, headers: {} })));
      expect(sent.map((x) => x.outcome.kind)).toEqual(['response', 'response', 'response', 'failure', 'failure']);
      expect(target.requests - before).toBe(3);
    } finally {
      await client.close();
    }
  });

  it('CLI --max-duration: the run stops, exit 3, manifest incomplete with the reason', async () => {
    const dir = await fresh();
    // 25 requests per second: the full run (> 150 requests) cannot finish within the 1 second budget.
    const file = await writeYaml(path.join(dir, 'config.yaml'), target.config({ operations: 'with-writes' }));
    const out = await captureMain(['run', '--config', file, '--suite', ...SUITES, '--rate', '25', '--max-duration', '1', '--seed', '5', '--report-dir', path.join(dir, 'reports')]);
    expect(out.code).toBe(3);
    expect(out.out).toContain('run incomplete: --max-duration reached');
    expect(await readManifest(await onlyRun(path.join(dir, 'reports')))).toMatchObject({ complete: false, incompleteReason: '--max-duration reached', exitCode: 3 });
  });

  it('run({ signal }): after the abort at most the requests already in flight reach the target; exit 130', async () => {
    const config = await resolveConfig(target.config({ operations: 'with-writes', target: { concurrency: 2 } }), { dir: tmp.path });
    const controller = new AbortController();
    let atAbort = -1;
    let probes = 0;
    const before = target.requests;
    const result = await run({
      config,
      reportDir: await fresh(),
      seed: 9,
      suites: SUITES,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'probe' && ++probes === 10) {
          atAbort = target.requests;
          controller.abort();
        }
      },
    });
    expect(atAbort).toBeGreaterThan(before);
    expect(target.requests - atAbort).toBeLessThanOrEqual(2);
    expect(result.exitCode).toBe(130);
    expect(result.manifest).toMatchObject({ complete: false, incompleteReason: 'interrupted' });
  });
});
