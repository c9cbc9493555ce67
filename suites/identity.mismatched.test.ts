import { afterAll, describe, expect, it } from 'vitest';
import { auditReference, cleanup, type AuditOutcome } from '../test/support/audit-reference.ts';
import { expectClean, expectDetected } from '../test/support/expect-detection.ts';

const suite = 'identity.mismatched';
const outcomes: AuditOutcome[] = [];
const audit = async (mode: Parameters<typeof auditReference>[0]) => {
  const outcome = await auditReference(mode, { suites: ['identity', 'isolation'] });
  outcomes.push(outcome);
  return outcome;
};
afterAll(() => Promise.all(outcomes.map(cleanup)));

describe(suite, () => {
  it('passes on the fail-closed target (no false positives)', async () => {
    expectClean(await audit('fail-closed'), suite);
  });
  it.each([
    ['header-override', 'header'],
    ['body-override', 'body'],
    ['path-override', 'path'],
  ] as const)('finds %s as a leak through the %s channel', async (mode, channel) => {
    const outcome = await audit(mode);
    expectDetected(outcome, suite, 'leak');
    const channels = new Set(outcome.findings.map((f) => f.mutation.channel?.split(':')[0]));
    expect([...channels]).toEqual([channel]);
  });
});

