import { describe, it } from 'vitest';
import { auditedModes } from '../test/support/audit-reference.ts';
import { expectClean, expectDetected } from '../test/support/expect-detection.ts';

const suite = 'identity.missing';
const audit = auditedModes({ suites: ['identity', 'isolation'] });

describe(`${suite} (all identity and isolation suites run on each target: findings must come from this suite only)`, () => {
  it('passes on the fail-closed target (no false positives)', async () => {
    expectClean(await audit('fail-closed'), suite);
  });
  it('finds the default-tenant fallback as fail-open', async () => {
    expectDetected(await audit('default-tenant'), suite, 'fail-open', ['canary-without-identity', 'accepted-invalid-credential', 'write-without-identity']);
  });
  it('finds 200-with-empty-list for missing identity as soft-fail', async () => {
    expectDetected(await audit('soft-fail-empty'), suite, 'soft-fail', ['accepted-empty']);
  });
  it('finds a session-level tenant setting inherited by a context-less request as fail-open', async () => {
    expectDetected(await audit('session-setting-leak'), suite, 'fail-open', ['canary-without-identity']);
  });
});
