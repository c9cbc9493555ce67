import { failsAt, type FailLevel, type Verdict } from '../core/verdict.ts';

export const EXIT = { ok: 0, findings: 1, usage: 2, inconclusive: 3, interrupted: 130 } as const;

/** DESIGN.md exit codes: 1 findings at/above --fail-on; 130 interrupted; 3 unreachable/inconclusive/incomplete; else 0. */
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
