import { describe, expect, it } from 'vitest';
import { emptyTally, suiteVerdict } from './suite-status.ts';

const tally = (over: Partial<ReturnType<typeof emptyTally>>) => ({ ...emptyTally(), ...over });

describe('suiteVerdict', () => {
  it('pass needs a live positive control, judged probes and nothing unjudged', () => {
    expect(suiteVerdict(tally({ verdicts: { pass: 5 }, controlsPassed: 1 }), 'soft-fail')).toBe('pass');
  });

  it('probes that passed prove nothing when a positive control did not pass, or none ran', () => {
    // One scenario cell blocked by its control, the others passing: inconclusive, not pass.
    expect(suiteVerdict(tally({ verdicts: { pass: 5, inconclusive: 1 }, controlsPassed: 1, controlsFailed: 1 }), 'soft-fail')).toBe('inconclusive');
    // A control judged something other than pass (it leaked, so its probes ran): still not a pass.
    expect(suiteVerdict(tally({ verdicts: { pass: 5 }, controlsPassed: 1, controlsFailed: 1 }), 'soft-fail')).toBe('inconclusive');
    expect(suiteVerdict(tally({ verdicts: { pass: 5 } }), 'soft-fail')).toBe('inconclusive');
    expect(suiteVerdict(tally({ controlsPassed: 1 }), 'soft-fail')).toBe('inconclusive');
    expect(suiteVerdict(emptyTally(), 'soft-fail')).toBe('inconclusive');
  });

  it('the worst failing verdict wins, from probes or findings, whatever the controls', () => {
    expect(suiteVerdict(tally({ verdicts: { pass: 3, 'soft-fail': 1 }, findings: { leak: 1 }, controlsFailed: 1 }), 'soft-fail')).toBe('leak');
    expect(suiteVerdict(tally({ verdicts: { pass: 3, inconclusive: 2, 'fail-open': 1 }, controlsPassed: 1 }), 'soft-fail')).toBe('fail-open');
  });

  it('5xx rejections are closed-by-error, failing only under --fail-on closed-by-error', () => {
    const t = tally({ verdicts: { pass: 2, 'closed-by-error': 1 }, controlsPassed: 1 });
    expect(suiteVerdict(t, 'soft-fail')).toBe('closed-by-error');
    expect(suiteVerdict(t, 'closed-by-error')).toBe('closed-by-error');
  });
});
