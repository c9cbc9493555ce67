import { describe, expect, it } from 'vitest';
import { auditedModes } from '../test/support/audit-reference.ts';
import { expectClean, expectDetected } from '../test/support/expect-detection.ts';

const suite = 'identity.mismatched';
const audit = auditedModes({ suites: ['identity', 'isolation'] });

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

