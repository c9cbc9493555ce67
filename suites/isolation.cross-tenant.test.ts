import { describe, expect, it } from 'vitest';
import { auditedModes } from '../test/support/audit-reference.ts';
import { expectClean, expectDetected } from '../test/support/expect-detection.ts';

const suite = 'isolation.cross-tenant';
const audit = auditedModes({ suites: ['identity', 'isolation'] });

describe(suite, () => {
  it('passes on the fail-closed target (no false positives)', async () => {
    expectClean(await audit('fail-closed'), suite);
  });
  it('finds a foreign project readable by id (bola-read) as a leak on read-project', async () => {
    const outcome = await audit('bola-read');
    expectDetected(outcome, suite, 'leak', ['canary-foreign']);
    expect(outcome.findings.map((f) => f.operation)).toContain('read-project');
  });
  it('finds foreign projects changed or deleted by id (bola-write) as a leak, proven by reading back as the victim', async () => {
    const outcome = await audit('bola-write');
    expectDetected(outcome, suite, 'leak');
    const del = outcome.findings.find((f) => f.operation === 'delete-project');
    expect(del?.reason).toBe('foreign-data-changed');
    expect(del?.steps?.[1]?.title).toMatch(/^read back read-project as globex|^read back read-project as acme/);
  });
  it('finds RLS not forced on an owner connection as a leak on document reads that rely on RLS alone', async () => {
    const outcome = await audit('rls-not-forced');
    // The worker's RLS-only context query leaks too: async results carry every tenant's data.
    expectDetected(outcome, suite, 'leak', ['canary-foreign'], { alsoFiring: ['async.propagation', 'callback.integrity'] });
    expect(outcome.findings.map((f) => f.operation)).toContain('read-document');
  });
});
