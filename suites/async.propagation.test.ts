import { describe, expect, it } from 'vitest';
import { auditedModes } from '../test/support/audit-reference.ts';
import { expectClean, expectDetected } from '../test/support/expect-detection.ts';

const suite = 'async.propagation';
const audit = auditedModes({ suites: [suite, 'callback.integrity'] });

describe(suite, () => {
  it('passes on the fail-closed target, retries included (no false positives)', async () => {
    const outcome = await audit('fail-closed');
    expectClean(outcome, suite, 4);
    // The control's job result showed its tenant's own data: the oracle could see a foreign tenant's too.
    expect(outcome.records.filter((r) => r.suite === suite && r.kind === 'control').map((r) => r.reason)).toEqual(['control-live']);
  });
  it.each(['queue-context-lost', 'retry-context-lost'] as const)('finds %s as a leak in job results', async (mode) => {
    const outcome = await audit(mode);
    // A job run in the wrong tenant also calls back with the wrong tenant's data.
    expectDetected(outcome, suite, 'leak', ['canary-foreign'], { readBacks: false, alsoFiring: ['callback.integrity'] });
    const finding = outcome.findings.find((f) => f.suite === suite && f.verdict === 'leak')!;
    expect(finding.path).toBe('callback');
    expect(finding.steps!.filter((s) => /submits a job/.test(s.title)).length).toBeLessThanOrEqual(3);
  });
});
