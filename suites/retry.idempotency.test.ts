import { afterAll, describe, expect, it } from 'vitest';
import { auditReference, cleanup, type AuditOutcome } from '../test/support/audit-reference.ts';
import { expectClean, expectDetected } from '../test/support/expect-detection.ts';

const suite = 'retry.idempotency';
const outcomes: AuditOutcome[] = [];
afterAll(() => Promise.all(outcomes.map(cleanup)));

describe(suite, () => {
  it('passes on the fail-closed target, where replays stay within their tenant (no false positives)', async () => {
    const outcome = await auditReference('fail-closed', { suites: [suite], runs: 15 });
    outcomes.push(outcome);
    expectClean(outcome, suite, 5);
  });
  it("finds a tenant-blind idempotency cache as a leak, shrunk to create + foreign replay", async () => {
    const outcome = await auditReference('idempotency-global', { suites: [suite], runs: 15 });
    outcomes.push(outcome);
    expectDetected(outcome, suite, 'leak', ['replayed-foreign-response', 'canary-foreign'], { readBacks: false });
    const finding = outcome.findings.find((f) => f.mutation.id === 'replay-key-other-tenant')!;
    expect(finding.path).toBe('retry');
    expect(finding.steps!.map((s) => s.title)).toEqual([expect.stringMatching(/creates with Idempotency-Key/), expect.stringMatching(/replays .*'s key/)]);
  });
});
