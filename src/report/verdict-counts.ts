import type { Verdict } from '../core/verdict.ts';
import { VERDICTS } from '../core/verdict.ts';
import { displayRank } from '../judge/suite-status.ts';
import type { VerdictCount } from './model-types.ts';

export const VERDICT_STYLE: Record<Verdict, { label: string; color: string; meaning: string }> = {
  pass: { label: 'Pass', color: '#2e7d32', meaning: 'Rejected as required (status or body matcher); nothing foreign seen.' },
  'closed-by-error': { label: 'Closed by error', color: '#b08900', meaning: 'Rejected through a 5xx: closed, but the gateway or handler missed it. A warning.' },
  'soft-fail': { label: 'Soft fail', color: '#e65100', meaning: 'Accepted (2xx) without exposing data where rejection was required: silent recovery, empty or global scope, or a mismatched assertion ignored.' },
  'fail-open': { label: 'Fail open', color: '#c62828', meaning: 'Accepted and served or changed data for a tenant the caller had no right to choose (e.g. a default-tenant fallback).' },
  leak: { label: 'Leak', color: '#6a1b1a', meaning: "Another tenant's data (its canary) exposed, or another tenant's data changed." },
  inconclusive: { label: 'Inconclusive', color: '#616161', meaning: 'Timeout, reset, 429 or failed positive control: nothing was proven either way. Never a pass.' },
};

/** A zero count for every verdict. */
export function emptyCounts(): Record<Verdict, number> {
  return Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
}

export function sum(counts: Partial<Record<Verdict, number>>): number {
  return Object.values(counts).reduce((n: number, c) => n + (c ?? 0), 0);
}

/** Every verdict, in vocabulary order, with its count and display style. */
export function verdictCounts(counts: Partial<Record<Verdict, number>>): VerdictCount[] {
  return VERDICTS.map((v) => ({ verdict: v, label: VERDICT_STYLE[v].label, color: VERDICT_STYLE[v].color, count: counts[v] ?? 0 }));
}

/** The worst verdict with a non-zero count (`inconclusive` above `pass`, below every failure); `pass` when none. */
export function worstOf(counts: Record<Verdict, number>): Verdict {
  return VERDICTS.filter((v) => counts[v] > 0).reduce<Verdict>((w, v) => (displayRank(v) > displayRank(w) ? v : w), 'pass');
}
