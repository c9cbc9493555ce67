import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvidence } from '../../src/evidence/index.ts';
import { loadConfig, run, type ResolvedConfig } from '../../src/index.ts';
import { startReferenceTarget, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { REFERENCE_CONFIG } from '../support/audit-reference.ts';

/**
 * The legit, correctly signed webhook is the positive control of every forged one: with a wrong webhook secret every
 * webhook is rejected, forged or not, and callback.integrity must not pass on those rejections.
 */
let target: RunningTarget;
let reportDir: string;
beforeAll(async () => {
  target = await startReferenceTarget({ mode: 'fail-closed' });
  reportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-webhook-control-'));
});
afterAll(async () => {
  await target?.stop();
  await fs.rm(reportDir, { recursive: true, force: true });
});

async function audit(secret: string) {
  const base = await loadConfig(REFERENCE_CONFIG);
  const config: ResolvedConfig = { ...base, webhooks: base.webhooks.map((w) => ({ ...w, signature: { ...w.signature, secret } })) };
  const result = await run({ config, target: target.url, reportDir, seed: 5, runs: 2, suites: ['callback.integrity'] });
  const { records } = await readEvidence(result.dir);
  return { result, records };
}

describe('callback.integrity: the legit webhook is the positive control of the forged ones', () => {
  it('is inconclusive, never a pass, when the configured webhook secret is wrong (every webhook rejected)', async () => {
    const { result, records } = await audit('not-the-provider-secret');
    expect(records.some((r) => r.reason === 'webhook-control-failed')).toBe(true);
    expect(records.filter((r) => r.kind !== 'control' && r.mutation.id.startsWith('webhook-')).every((r) => r.verdict !== 'pass')).toBe(true);
    expect(result.exitCode).toBe(3);
  });
  it('passes with the right secret: the legit webhook was accepted and its effect shown', async () => {
    const { result, records } = await audit('provider-secret-dev');
    expect(records.some((r) => r.reason === 'webhook-control-failed')).toBe(false);
    expect(records.some((r) => r.steps?.some((s) => /legit webhook provider-completion/.test(s.title)))).toBe(true);
    expect(result.exitCode).toBe(0);
  });
});
