import { describe, expect, it } from 'vitest';
import { auditedModes } from '../test/support/audit-reference.ts';
import { expectClean, expectDetected } from '../test/support/expect-detection.ts';

const suite = 'retry.idempotency';
const audit = auditedModes({ suites: [suite], runs: 15 });

describe(suite, () => {
  it('passes on the fail-closed target, where replays stay within their tenant (no false positives)', async () => {
    const outcome = await audit('fail-closed');
    expectClean(outcome, suite, 5);
  });
  it('a tenant replaying a foreign key twice gets its own cached response the second time: not a leak', async () => {
    // Seed 1283226102 (found by the demo) generates create(acme) → globex replays it → globex replays it again;
    // the target answers the second replay from globex's own entry, marked as replayed.
    const outcome = await audit('fail-closed', { seed: 1283226102, runs: 20 });
    expectClean(outcome, suite, 5);
    const doubled = outcome.records.filter((r) => r.suite === suite && (r.steps ?? []).filter((s) => /replays .*'s key/.test(s.title)).length >= 2);
    expect(doubled.length).toBeGreaterThan(0);
  });
  it("finds a tenant-blind idempotency cache as a leak, shrunk to create + foreign replay", async () => {
    const outcome = await audit('idempotency-global');
    expectDetected(outcome, suite, 'leak', ['replayed-foreign-response', 'canary-foreign'], { readBacks: false });
    const finding = outcome.findings.find((f) => f.mutation.id === 'replay-key-other-tenant')!;
    expect(finding.path).toBe('retry');
    expect(finding.steps!.map((s) => s.title)).toEqual([expect.stringMatching(/creates with Idempotency-Key/), expect.stringMatching(/replays .*'s key/)]);
  });
});
