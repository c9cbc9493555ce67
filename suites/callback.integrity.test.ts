import { describe, expect, it } from 'vitest';
import type { ProbeSpace } from '../src/generate/space.ts';
import integrity from './callback.integrity.ts';
import { auditedModes } from '../test/support/audit-reference.ts';
import { expectClean, expectDetected } from '../test/support/expect-detection.ts';

const suite = 'callback.integrity';
const audit = auditedModes({ suites: [suite] });

describe(suite, () => {
  it('passes on the fail-closed target: callbacks routed and signed per tenant, forged webhooks rejected (no false positives)', async () => {
    const outcome = await audit('fail-closed');
    expectClean(outcome, suite, 4);
    const mutations = new Set(outcome.records.filter((r) => r.suite === suite).map((r) => r.mutation.id));
    expect(mutations.size).toBeGreaterThan(0);
  });
  it('finds callbacks delivered to another job\'s URL as a leak', async () => {
    const outcome = await audit('callback-misrouted');
    expectDetected(outcome, suite, 'leak', ['callback-misrouted'], { readBacks: false });
  });
  it('finds a webhook that trusts the payload tenant as a leak that changed the owner\'s job', async () => {
    const outcome = await audit('webhook-trusts-payload');
    expectDetected(outcome, suite, 'leak', ['foreign-data-changed'], { readBacks: false });
    expect(outcome.findings.some((f) => f.mutation.id === 'webhook-tenant-mismatch')).toBe(true);
  });
});

describe('callback.integrity cells', () => {
  it('has nothing to fire without a callback receiver (no job would call back, no webhook could be aimed)', () => {
    const space = (callbacks: object | undefined) => ({ config: { async: { callbacks } }, tenants: ['acme', 'globex'] }) as unknown as ProbeSpace;
    expect(integrity.cells(space(undefined))).toEqual([]);
    expect(integrity.cells(space({ timeoutMs: 1000 }))).toHaveLength(1);
  });
});
