/** Verdicts (README "Verdicts"), from best to worst; `inconclusive` stands apart (it is never a pass). */
export const VERDICTS = ['pass', 'closed-by-error', 'soft-fail', 'fail-open', 'leak', 'inconclusive'] as const;
/** The outcome of one judged request, record or suite (README "Verdicts"). */
export type Verdict = (typeof VERDICTS)[number];

/** Ordered failure levels for `--fail-on`: a verdict at or above the level fails the run. */
export const FAIL_LEVELS = ['closed-by-error', 'soft-fail', 'fail-open', 'leak'] as const;
/** A `--fail-on` level: the mildest verdict that fails the run, or `never` to fail on no verdict. */
export type FailLevel = (typeof FAIL_LEVELS)[number] | 'never';
/** The `--fail-on` level used when none is given: `soft-fail` and worse fail the run. */
export const DEFAULT_FAIL_ON: FailLevel = 'soft-fail';

const RANK: Record<Verdict, number> = {
  pass: 0,
  inconclusive: 0,
  'closed-by-error': 1,
  'soft-fail': 2,
  'fail-open': 3,
  leak: 4,
};

export function verdictRank(verdict: Verdict): number {
  return RANK[verdict];
}

/** The worse of two verdicts; `inconclusive` only wins over `pass`. */
export function worseVerdict(a: Verdict, b: Verdict): Verdict {
  if (RANK[a] !== RANK[b]) return RANK[a] > RANK[b] ? a : b;
  if (a === 'inconclusive' || b === 'inconclusive') return 'inconclusive';
  return a;
}

export function failsAt(verdict: Verdict, level: FailLevel): boolean {
  if (level === 'never') return false;
  return RANK[verdict] >= RANK[level];
}

/** A verdict with its stable reason code (what the shrinker compares) and a human explanation. */
export interface Judgement {
  verdict: Verdict;
  reason: string;
  detail: string;
  /** Tenants whose canaries were seen in the response. */
  seen: string[];
}
