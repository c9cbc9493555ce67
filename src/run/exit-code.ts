import { EXIT } from '../core/exit-codes.ts';
import { failsAt, type FailLevel, type Verdict } from '../core/verdict.ts';


/** Exit codes (README "Verdicts"): 1 findings at/above --fail-on; 130 interrupted; 3 unreachable/inconclusive/incomplete; else 0. */
export function exitCodeOf(state: {
  worst: Verdict;
  failOn: FailLevel;
  failed: boolean;
  interrupted: boolean;
  incomplete: boolean;
  inconclusiveSuites: number;
}): number {
  if (state.interrupted) return EXIT.interrupted;
  if (failsAt(state.worst, state.failOn)) return EXIT.findings;
  if (state.failed || state.incomplete || state.inconclusiveSuites > 0) return EXIT.inconclusive;
  return EXIT.ok;
}
