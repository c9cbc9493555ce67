import type { SuiteStatus } from '../core/suite-status.ts';
import type { FailLevel, Verdict } from '../core/verdict.ts';
import { failsAt, verdictRank, worseVerdict } from '../core/verdict.ts';

/** What a suite's records add up to. */
export interface SuiteTally {
  /** Verdicts of judged records (probe, db-check): the population. */
  verdicts: Partial<Record<Verdict, number>>;
  /** Verdicts of finding records (shrunk counterexamples, counted apart so the population is not inflated). */
  findings?: Partial<Record<Verdict, number>>;
  /** Positive-control records with verdict `pass`, and with any other verdict. */
  controlsPassed: number;
  controlsFailed: number;
  /** Records of accepted deviations (counted apart: never a pass, never a failure). */
  accepted?: number;
  /** Failing records under an active waiver (counted apart: out of the status and the exit code, listed as exceptions). */
  waived?: number;
  /** Records of the data-layer audit (SQL probes): the status reasons speak of SQL, not HTTP. */
  dataLayer?: boolean;
}

/**
 * True when a verdict fails a suite in a report. `--fail-on` can make this stricter (`closed-by-error`),
 * never laxer: a leak, fail-open or soft-fail is always an exception in an evidence report.
 */
export function isFailing(verdict: Verdict, failOn: FailLevel): boolean {
  return verdictRank(verdict) >= verdictRank('soft-fail') || failsAt(verdict, failOn);
}

/** Display order, best to worst: `inconclusive` above `pass` (nothing proven) and below every failure. */
export function displayRank(verdict: Verdict): number {
  return verdict === 'inconclusive' ? 0.5 : verdictRank(verdict);
}

/**
 * A suite's status from its tally (pure). `pass` needs at least one live positive control, no failed one,
 * at least one judged record and no inconclusive one; anything less is `inconclusive`, never `pass`.
 * Failing verdicts win over a failed control: a canary seen across tenants is evidence on its own.
 */
export function suiteStatus(t: SuiteTally, failOn: FailLevel): { status: SuiteStatus; reason: string } {
  const base = recordStatus(t, failOn);
  const notes = [t.accepted ? `${t.accepted} accepted deviation${t.accepted === 1 ? '' : 's'}` : '', t.waived ? `${t.waived} waived record${t.waived === 1 ? '' : 's'} (see Exceptions)` : ''].filter(Boolean);
  return notes.length === 0 ? base : { ...base, reason: `${base.reason}; ${notes.join(', ')}` };
}

function recordStatus(t: SuiteTally, failOn: FailLevel): { status: SuiteStatus; reason: string } {
  const entries = Object.entries(t.verdicts) as [Verdict, number][];
  const findingEntries = Object.entries(t.findings ?? {}) as [Verdict, number][];
  const judged = entries.reduce((n, [, c]) => n + c, 0);
  const findings = findingEntries.reduce((n, [, c]) => n + c, 0);
  if (judged + findings === 0 && t.controlsPassed + t.controlsFailed === 0 && !t.accepted && !t.waived) return { status: 'not-run', reason: 'no records: the suite did not run' };
  const failing = entries.filter(([v, c]) => c > 0 && isFailing(v, failOn)).sort(([a], [b]) => verdictRank(b) - verdictRank(a));
  const failingFindings = findingEntries.filter(([v, c]) => c > 0 && isFailing(v, failOn));
  if (failing.length > 0 || failingFindings.length > 0) {
    const parts = failing.map(([v, c]) => `${c} ${v}`);
    const f = failingFindings.reduce((n, [, c]) => n + c, 0);
    if (f > 0) parts.push(`${f} finding${f === 1 ? '' : 's'}`);
    return { status: 'fail', reason: parts.join(', ') };
  }
  if (t.controlsFailed > 0) return { status: 'inconclusive', reason: `positive control failed (${t.controlsFailed} of ${t.controlsFailed + t.controlsPassed}): the oracle was not shown live` };
  if (t.controlsPassed === 0) return { status: 'inconclusive', reason: 'no positive control recorded: the oracle was never shown live' };
  if (judged === 0) return { status: 'inconclusive', reason: 'no probes were judged' };
  const inconclusive = t.verdicts.inconclusive ?? 0;
  if (inconclusive > 0) {
    const why = t.dataLayer ? 'SQL errors, failed controls or nothing to compare: see each record' : 'timeout, reset, 429';
    return { status: 'inconclusive', reason: `${inconclusive} of ${probes(judged)} inconclusive (${why})` };
  }
  const warned = t.verdicts['closed-by-error'] ?? 0;
  if (warned > 0) return { status: 'warn', reason: `${probes(warned)} rejected with 5xx (closed by error)` };
  if (t.dataLayer) return { status: 'pass', reason: `${judged} check${judged === 1 ? '' : 's'} passed; positive controls live` };
  return { status: 'pass', reason: `${probes(judged)} rejected as required; positive controls live` };
}

function probes(n: number): string {
  return `${n} probe${n === 1 ? '' : 's'}`;
}

/** An empty tally for a suite about to collect controls, probes and findings. */
export function emptyTally(): Required<SuiteTally> {
  return { verdicts: {}, findings: {}, controlsPassed: 0, controlsFailed: 0, accepted: 0, waived: 0, dataLayer: false };
}

/**
 * A suite's verdict at the end of a run, by the same rule the report applies to its records ({@link suiteStatus}):
 * a failing verdict wins; otherwise `pass` needs a live positive control, judged probes and nothing unjudged,
 * and everything short of that is `inconclusive`.
 */
export function suiteVerdict(tally: SuiteTally, failOn: FailLevel): Verdict {
  const { status } = suiteStatus(tally, failOn);
  if (status === 'pass') return 'pass';
  if (status === 'warn') return 'closed-by-error';
  if (status !== 'fail') return 'inconclusive';
  const seen = [...Object.entries(tally.verdicts), ...Object.entries(tally.findings ?? {})] as [Verdict, number][];
  return seen.filter(([v, n]) => n > 0 && isFailing(v, failOn)).reduce<Verdict>((worst, [v]) => worseVerdict(worst, v), 'pass');
}
