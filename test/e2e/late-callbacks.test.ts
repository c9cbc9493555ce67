import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, run } from '../../src/index.ts';
import { readEvidence } from '../../src/evidence/index.ts';
import { startReferenceTarget, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { REFERENCE_CONFIG } from '../support/audit-reference.ts';

let target: RunningTarget;
let slow: RunningTarget;
let reports: string;
beforeAll(async () => {
  [target, slow] = await Promise.all([startReferenceTarget({ mode: 'fail-closed' }), startReferenceTarget({ mode: 'fail-closed', callbackDelayMs: 2500 })]);
  reports = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-late-'));
});
afterAll(async () => {
  await Promise.all([target?.stop(), slow?.stop()]);
  await fs.rm(reports, { recursive: true, force: true });
});

/** The reference config with its callback settings changed. */
async function configWith(callbacks: Record<string, unknown>) {
  const raw = YAML.parse(await fs.readFile(REFERENCE_CONFIG, 'utf8')) as { async: { callbacks: Record<string, unknown> } };
  raw.async.callbacks = { ...raw.async.callbacks, ...callbacks };
  return resolveConfig(raw, { file: REFERENCE_CONFIG });
}

describe('callbacks that never come, or come late', () => {
  it.each([
    ['never calls back (the callback URL leads nowhere)', () => target, { publicUrl: 'http://127.0.0.1:9', timeoutMs: 1500 }],
    ['calls back 2.5 s after the job finished, past a 1 s timeout', () => slow, { timeoutMs: 1000 }],
  ])('a target that %s is inconclusive, never a pass', async (_name, which, callbacks) => {
    const result = await run({ config: await configWith(callbacks), target: which().url, reportDir: reports, seed: 5, runs: 2, suites: ['async.propagation', 'callback.integrity'] });
    const { records } = await readEvidence(result.dir);
    for (const suite of ['async.propagation', 'callback.integrity']) {
      const mine = records.filter((r) => r.suite === suite);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.some((r) => r.verdict === 'pass' && r.kind !== 'control')).toBe(false);
      expect(mine.some((r) => r.verdict === 'inconclusive' && /callback-timeout|control-failed/.test(r.reason))).toBe(true);
    }
    expect(result.exitCode).toBe(3);
  });
});
