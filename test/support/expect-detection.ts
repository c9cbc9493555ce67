import { expect } from 'vitest';
import type { AuditOutcome } from './audit-reference.ts';

/** The fail-closed twin: every record of the suite passes, the positive controls ran and were live, exit 0 (`minCases` probes or scenarios at least). */
export function expectClean(outcome: AuditOutcome, suite: string, minCases = 10): void {
  const mine = outcome.records.filter((r) => r.suite === suite);
  expect(mine.filter((r) => r.kind === 'control').length).toBeGreaterThan(0);
  expect(mine.filter((r) => r.kind === 'probe').length).toBeGreaterThanOrEqual(minCases);
  expect(mine.filter((r) => r.verdict !== 'pass').map((r) => `${r.kind} ${r.operation} ${r.mutation.id}: ${r.verdict} ${r.detail}`)).toEqual([]);
  expect(outcome.findings).toEqual([]);
  expect(outcome.result.exitCode).toBe(0);
}

/** The leaky twin: exit 1, a finding of `suite` with `verdict`, shrunk to one mutated request (plus read-backs). */
export function expectDetected(
  outcome: AuditOutcome,
  suite: string,
  verdict: string,
  reasons?: readonly string[],
  options: { alsoFiring?: readonly string[]; readBacks?: boolean } = {},
): void {
  expect(outcome.result.exitCode).toBe(1);
  const findings = outcome.findings.filter((f) => f.suite === suite && f.verdict === verdict);
  expect(findings.map((f) => `${f.operation} ${f.mutation.id} ${f.reason}`).length, `findings of ${suite}: ${JSON.stringify(outcome.verdicts)}`).toBeGreaterThan(0);
  if (reasons) expect(reasons).toContain(findings[0]!.reason);
  for (const finding of findings) {
    const steps = finding.steps ?? [];
    expect(steps.length).toBeGreaterThanOrEqual(1);
    expect(steps[0]!.curl).toMatch(/^(# \$TOKEN: .*\n)?curl /);
    if (options.readBacks !== false) expect(steps.slice(1).every((s) => s.title.startsWith('read back'))).toBe(true);
    expect(finding.replayPath).toBeDefined();
  }
  // No other suite may fire on a bug that is not its own (some bugs have several faces: `alsoFiring`).
  const others = outcome.findings.filter((f) => f.suite !== suite && !(options.alsoFiring ?? []).includes(f.suite));
  expect(others.map((f) => `${f.suite} ${f.operation} ${f.verdict}`)).toEqual([]);
}
