import type { EvidenceKind } from '../core/types.ts';
import { worseVerdict, type FailLevel, type Verdict } from '../core/verdict.ts';
import { emptyTally, suiteStatus, suiteVerdict, type SuiteTally } from '../judge/suite-status.ts';

/**
 * What a run's records add up to, per suite, as they are written: the counts the suite verdicts, the exit code and
 * the terminal summary read. HTTP and data-layer runs count the same way, by record kind.
 */
export class RunTally {
  readonly #suites = new Map<string, Required<SuiteTally>>();
  #worst: Verdict = 'pass';

  constructor(suiteIds: readonly string[] = []) {
    for (const id of suiteIds) this.of(id);
  }

  /** The worst judged verdict so far (`inconclusive` never counts: it fails nothing by itself). */
  get worst(): Verdict {
    return this.#worst;
  }

  /**
   * Counts one record of `kind` with `verdict` for `suiteId`. An accepted deviation, or a finding under an active
   * waiver (`apart`), is counted apart: it neither passes nor fails the suite, and never reaches the exit code.
   */
  count(suiteId: string, kind: EvidenceKind, verdict: Verdict, apart?: 'accepted' | 'waived'): void {
    const tally = this.of(suiteId);
    if (apart) {
      tally[apart]++;
      return;
    }
    if (kind === 'control') {
      if (verdict === 'pass') tally.controlsPassed++;
      else tally.controlsFailed++;
    } else {
      const counts = kind === 'finding' ? tally.findings : tally.verdicts;
      counts[verdict] = (counts[verdict] ?? 0) + 1;
    }
    if (verdict !== 'inconclusive') this.#worst = worseVerdict(this.#worst, verdict);
  }

  /** The tally of one suite (empty when nothing was counted for it). */
  of(suiteId: string): Required<SuiteTally> {
    let tally = this.#suites.get(suiteId);
    if (!tally) this.#suites.set(suiteId, (tally = emptyTally()));
    return tally;
  }

  /** A suite's verdict by the report's rule (see `suiteVerdict`), and the status reason the report gives. */
  verdictOf(suiteId: string, failOn: FailLevel, dataLayer = false): { verdict: Verdict; reason: string } {
    const tally = { ...this.of(suiteId), dataLayer };
    return { verdict: suiteVerdict(tally, failOn), reason: suiteStatus(tally, failOn).reason };
  }
}
