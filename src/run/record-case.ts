import type { UnsignedEvidenceRecord } from '../core/types.ts';
import { verdictRank } from '../core/verdict.ts';
import { findingRecord, probeRecord, type CellRef } from '../evidence/index.ts';
import type { CellFinding } from './cell.ts';
import type { LateCheck } from './callback-waits.ts';
import type { CaseResult } from './execute-probe.ts';
import type { LateScenario } from './execute-scenario.ts';
import type { HttpRunState } from './http-audit.ts';

/**
 * Writes and counts one probe or finding record, marked by the declared contract first: an accepted deviation or a
 * finding under an active waiver is written with its mark and counted apart (never a pass, never in the exit code).
 */
export async function appendCase(state: HttpRunState, record: UnsignedEvidenceRecord): Promise<void> {
  const { record: marked, apart } = state.contract.mark(record);
  await state.folder.writer.append(marked);
  state.folder.tally.count(record.suite, record.kind, record.verdict, apart);
}

/** Writes one shrunk finding of a cell, counts it and tells the reporters. */
export async function writeFinding(state: HttpRunState, ref: CellRef, outcome: { seed: number; probes: number }, finding: CellFinding): Promise<void> {
  const { folder, emit } = state;
  await appendCase(state, findingRecord(ref, outcome, finding));
  const { result } = finding;
  emit({
    type: 'finding',
    suite: ref.suite.id,
    path: result.meta.path,
    operation: ref.operation,
    verdict: result.judgement.verdict,
    reason: result.judgement.reason,
    mutation: result.meta.mutation.id,
    // Reporters print these (curl lines with every header): they get what the evidence gets, redacted.
    detail: folder.redactor.text(result.judgement.detail),
    steps: folder.redactor.value(result.steps),
    shrinks: finding.shrinks,
    replay: `${state.replay} --suite ${ref.suite.id} --seed ${state.seed}`,
    channel: result.meta.mutation.channel,
    mutationTitle: result.meta.mutation.title,
    remediation: ref.suite.remediation,
  });
}

/**
 * The check, at the end of the cells, of a scenario that stopped waiting for callbacks before its wait was over:
 * judged again from every callback received by then, anything worse than its first verdict (a foreign callback that
 * came late) is written as a probe of its own, and as a finding at or above `findingRank`. Never an upgrade: a
 * scenario that was inconclusive or failed stays so.
 */
export function lateCheck(state: HttpRunState, ref: CellRef, cell: { seed: number; findingRank: number; findings: Set<string> }, late: LateScenario): LateCheck {
  const { seed, findingRank } = cell;
  const first = late.result.judgement.verdict;
  const worse = (result: CaseResult) => verdictRank(result.judgement.verdict) > verdictRank(first);
  return {
    observeUntil: late.observeUntil,
    // Nothing can be worse than a leak; a scenario that is worse already needs no more waiting.
    settled: () => verdictRank(first) >= verdictRank('leak') || worse(late.rejudge()),
    async run() {
      const again = late.rejudge();
      if (!worse(again)) return;
      const { judgement } = again;
      const result: CaseResult = { ...again, judgement: { ...judgement, detail: `after the scenario stopped waiting: ${judgement.detail}` } };
      const { emit, budget } = state;
      await appendCase(state, probeRecord(result, seed));
      emit({ type: 'probe', suite: ref.suite.id, verdict: judgement.verdict, requests: budget.requests });
      // One finding per way the cell failed (verdict and reason), as for the shrunk ones.
      const key = `${judgement.verdict}/${judgement.reason}`;
      if (verdictRank(judgement.verdict) < findingRank || cell.findings.has(key)) return;
      cell.findings.add(key);
      await writeFinding(state, ref, { seed, probes: 1 }, { result, replayPath: '', shrinks: 0 });
    },
  };
}
