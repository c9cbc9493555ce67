import { controlRecord } from '../evidence/index.ts';
import type { EngineContext } from './context.ts';
import { runControls, type ControlPhase } from './controls.ts';
import { isScenarioCell } from './execute-scenario.ts';
import type { HttpRunState } from './http-audit.ts';
import { ownsKey, type PlannedCell } from './plan.ts';

/**
 * The controls phase: every operation a suite probes is first called legitimately by each tenant; each suite gets
 * the control records of its operations (one shard writes each). Returns the operations whose controls all
 * passed: probes on the others are not judged, the oracle would not be live.
 */
export async function writeControls(state: HttpRunState, ctx: EngineContext, cells: readonly PlannedCell[], phase: ControlPhase = 'opening', registerTokens: () => void = () => {}): Promise<Set<string>> {
  const { folder, emit } = state;
  const opsBySuite = new Map(state.suites.map((suite) => [suite.id, new Set<string>()]));
  for (const { suite, cell } of cells) if (!isScenarioCell(cell)) opsBySuite.get(suite.id)!.add(cell.operation);
  const usedOps = [...new Set([...opsBySuite.values()].flatMap((ops) => [...ops]))];
  const controls = await runControls(ctx, usedOps.map((id) => ctx.operations.get(id)!), phase);
  registerTokens(); // tokens fetched by the controls (a refresh after a 401) are redacted before anything is written
  for (const suite of state.suites) {
    for (const control of controls) {
      if (!opsBySuite.get(suite.id)!.has(control.operation) || !ownsKey(`${suite.id}/${control.operation}`, state.shard)) continue;
      await folder.writer.append(controlRecord(suite, control, state.seed));
      folder.tally.count(suite.id, 'control', control.judgement.verdict);
      emit({ type: 'control', operation: control.operation, tenant: control.tenant, verdict: control.judgement.verdict, detail: control.judgement.detail });
    }
  }
  return new Set(usedOps.filter((op) => controls.filter((c) => c.operation === op).every((c) => c.judgement.verdict !== 'inconclusive')));
}
