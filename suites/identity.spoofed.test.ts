import { describe, expect, it } from 'vitest';
import { auditedModes } from '../test/support/audit-reference.ts';
import { expectClean, expectDetected } from '../test/support/expect-detection.ts';

const suite = 'identity.spoofed';
const audit = auditedModes({ suites: ['identity', 'isolation'] });

describe(suite, () => {
  it('passes on the fail-closed target (no false positives)', async () => {
    expectClean(await audit('fail-closed'), suite);
  });
  it('finds an unverified signature as a leak (a forged token reaches another tenant)', async () => {
    expectDetected(await audit('unverified-signature'), suite, 'leak', ['canary-foreign', 'write-landed-foreign', 'foreign-data-changed']);
  });
  it('finds alg "none" acceptance as a leak', async () => {
    const outcome = await audit('alg-none');
    expectDetected(outcome, suite, 'leak', ['canary-foreign', 'write-landed-foreign', 'foreign-data-changed']);
    const leaking = new Set(outcome.records.filter((r) => r.suite === suite && r.verdict === 'leak').map((r) => r.mutation.id));
    for (const id of leaking) expect(id).toMatch(/^alg-none/);
  });
});

