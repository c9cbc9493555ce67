import { verdictRank } from '../core/verdict.ts';
import { blockedRecord, probeRecord, type CellRef } from '../evidence/index.ts';
import type { CallbackReceiver } from '../execute/callback-receiver.ts';
import { Semaphore } from '../execute/limits.ts';
import { cellSeed, runCell, type CellOutcome } from './cell.ts';
import type { EngineContext } from './context.ts';
import { executeProbe, type CaseResult } from './execute-probe.ts';
import { executeScenario, isScenarioCell, type LateScenario } from './execute-scenario.ts';
import type { HttpRunState } from './http-audit.ts';
import type { PlannedCell } from './plan.ts';
import { appendCase, lateCheck, writeFinding } from './record-case.ts';
import type { CallbackWaits } from './callback-waits.ts';

interface CellsPhase {
  ctx: EngineContext;
  receiver: CallbackReceiver | undefined;
  /** Operations whose positive controls passed. */
  liveOps: ReadonlySet<string>;
  /** Adds tokens minted since the last call to the redactor. */
  registerTokens(): void;
  /** How scenarios wait for callbacks; scenarios judged early are judged again once the cells are done. */
  waits: CallbackWaits;
}

/**
 * The probes phase: each planned cell runs as a fast-check property (read-only cells concurrently, cells that change
 * data one at a time); every fired case, blocked cell and shrunk finding is written and counted as it comes.
 */
export async function runCells(state: HttpRunState, phase: CellsPhase, planned: readonly PlannedCell[]): Promise<void> {
  const gate = new Semaphore(Math.max(1, Math.min(state.config.target.concurrency, 8)));
  const one = (p: PlannedCell) => runPlannedCell(state, phase, p);
  await Promise.all(planned.filter((p) => !p.writes).map((p) => gate.run(() => one(p))));
  for (const p of planned.filter((c) => c.writes)) await one(p);
  await phase.waits.settleLate(phase.receiver);
}

async function runPlannedCell(state: HttpRunState, phase: CellsPhase, planned: PlannedCell): Promise<void> {
  const { folder, emit, budget, failOn } = state;
  const { ctx, receiver } = phase;
  const suiteId = planned.suite.id;
  const ref: CellRef = { suite: planned.suite, operation: planned.cell.operation, key: planned.cell.key };
  const seed = cellSeed(state.seed, planned.cell.key);
  const block = async () => {
    await appendCase(state, blockedRecord(ref, seed));
  };
  const onProbe = async (result: CaseResult) => {
    // A generated sequence whose commands were all skipped sent nothing, and one that applied no mutation tested
    // nothing: neither is evidence either way (never a pass).
    if (result.steps.length === 0 || result.untested) return;
    phase.registerTokens();
    await appendCase(state, probeRecord(result, seed));
    emit({ type: 'probe', suite: suiteId, verdict: result.judgement.verdict, requests: budget.requests });
  };
  const findingRank = verdictRank(failOn === 'closed-by-error' ? 'closed-by-error' : 'soft-fail');
  // An accepted deviation is recorded but never shrunk into a finding: the contract allows it.
  const accepted = (result: CaseResult) => state.contract.accepts({ ...result.meta, verdict: result.judgement.verdict, reason: result.judgement.reason });
  const common = { seed, runs: state.runs, findingRank, onProbe, accepted, stopped: () => budget.exhausted !== undefined };

  // The ways this cell failed (verdict/reason), so a late re-judgement adds no second finding of the same kind.
  const findings = new Set<string>();
  let outcome: CellOutcome;
  if (isScenarioCell(planned.cell)) {
    const cell = planned.cell;
    const control = await executeScenario(ctx, receiver, cell, undefined, 'control', { waits: phase.waits });
    await folder.writer.append({ ...probeRecord(control, seed), kind: 'control' });
    folder.tally.count(suiteId, 'control', control.judgement.verdict);
    emit({ type: 'control', operation: cell.operation, tenant: control.meta.actor ?? '-', verdict: control.judgement.verdict, detail: control.judgement.detail });
    if (control.judgement.verdict === 'inconclusive') return block();
    const onLate = (late: LateScenario) => phase.waits.addLate(lateCheck(state, ref, { seed, findingRank, findings }, late));
    outcome = await runCell(cell, { ...common, execute: (scenario) => executeScenario(ctx, receiver, cell, scenario, 'scenario', { waits: phase.waits, onLate }) });
  } else if (!phase.liveOps.has(planned.cell.operation)) {
    return block();
  } else {
    outcome = await runCell(planned.cell, { ...common, execute: (probe) => executeProbe(ctx, probe), cacheKey: (probe) => JSON.stringify(probe) });
  }

  for (const finding of outcome.findings) {
    findings.add(`${finding.result.judgement.verdict}/${finding.result.judgement.reason}`);
    await writeFinding(state, ref, outcome, finding);
  }
}
