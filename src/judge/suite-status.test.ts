import { describe, expect, it } from 'vitest';
import type { SuiteTally } from './suite-status.ts';
import { isFailing, suiteStatus } from './suite-status.ts';

const t = (verdicts: SuiteTally['verdicts'], controlsPassed = 1, controlsFailed = 0, findings?: SuiteTally['findings']): SuiteTally => ({
  verdicts,
  controlsPassed,
  controlsFailed,
  ...(findings ? { findings } : {}),
});

describe('suiteStatus', () => {
  it.each([
    ['all pass with a live control', t({ pass: 5 }), 'pass'],
    ['closed-by-error only warns', t({ pass: 5, 'closed-by-error': 1 }), 'warn'],
    ['a soft-fail fails', t({ pass: 5, 'soft-fail': 1 }), 'fail'],
    ['a leak fails even though the control failed', t({ pass: 5, leak: 1 }, 0, 1), 'fail'],
    ['a finding alone fails', t({ pass: 5 }, 1, 0, { 'fail-open': 1 }), 'fail'],
    ['passes with a failed control are inconclusive', t({ pass: 5 }, 1, 1), 'inconclusive'],
    ['passes without any control are inconclusive', t({ pass: 5 }, 0, 0), 'inconclusive'],
    ['a live control and no probes is inconclusive', t({}, 1, 0), 'inconclusive'],
    ['an inconclusive probe makes the suite inconclusive', t({ pass: 99, inconclusive: 1 }), 'inconclusive'],
    ['no records at all is not-run', t({}, 0, 0), 'not-run'],
  ] as const)('%s', (_n, tally, expected) => {
    expect(suiteStatus(tally, 'soft-fail').status).toBe(expected);
  });

  it('lets --fail-on make the report stricter but never laxer', () => {
    expect(suiteStatus(t({ pass: 1, 'closed-by-error': 1 }), 'closed-by-error').status).toBe('fail');
    expect(suiteStatus(t({ pass: 1, 'soft-fail': 1 }), 'never').status).toBe('fail');
    expect(suiteStatus(t({ pass: 1, leak: 1 }), 'leak').status).toBe('fail');
    expect(isFailing('closed-by-error', 'soft-fail')).toBe(false);
    expect(isFailing('inconclusive', 'closed-by-error')).toBe(false);
  });

  it('explains itself', () => {
    expect(suiteStatus(t({ pass: 5 }, 1, 1), 'soft-fail').reason).toMatch(/positive control failed \(1 of 2\)/);
    expect(suiteStatus(t({ pass: 1, leak: 2, 'soft-fail': 1 }), 'soft-fail').reason).toBe('2 leak, 1 soft-fail');
  });
});
