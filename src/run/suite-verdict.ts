import { worseVerdict, type FailLevel, type Verdict } from '../core/verdict.ts';
import { isFailing, suiteStatus, type SuiteTally } from '../report/suite-status.ts';

/** An empty tally for a suite about to collect controls, probes and findings. */
export function emptyTally(): Required<SuiteTally> {
  return { verdicts: {}, findings: {}, controlsPassed: 0, controlsFailed: 0 };
}

/**
 * A suite's verdict at the end of a run, by the same rule the report applies to its records (`suiteStatus`):
 * a failing verdict wins; otherwise `pass` needs a live positive control, judged probes and nothing unjudged,
 * and everything short of that is `inconclusive`. (Pure.)
 */
export function suiteVerdict(tally: SuiteTally, failOn: FailLevel): Verdict {
  const { status } = suiteStatus(tally, failOn);
  if (status === 'pass') return 'pass';
  if (status === 'warn') return 'closed-by-error';
  if (status !== 'fail') return 'inconclusive';
  const seen = [...Object.entries(tally.verdicts), ...Object.entries(tally.findings ?? {})] as [Verdict, number][];
  return seen.filter(([v, n]) => n > 0 && isFailing(v, failOn)).reduce<Verdict>((worst, [v]) => worseVerdict(worst, v), 'pass');
}
