import type { CallbackReceiver } from '../execute/callback-receiver.ts';
import type { ScenarioCell } from '../generate/scenario.ts';
import type { Cell } from '../generate/space.ts';
import type { EngineContext } from './context.ts';
import type { CaseResult } from './execute-probe.ts';
import { createWorld } from './world.ts';

export function isScenarioCell(cell: Cell<unknown> & { kind?: string }): cell is ScenarioCell<unknown> {
  return cell.kind === 'scenario';
}

/** Runs one generated scenario in a fresh world; its requests are the steps of the record. */
export async function executeScenario<S>(
  ctx: EngineContext,
  receiver: CallbackReceiver | undefined,
  cell: ScenarioCell<S>,
  scenario: S | undefined,
  phase: 'control' | 'scenario' = 'scenario',
): Promise<CaseResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const world = createWorld(ctx, receiver);
  const outcome = phase === 'control' ? await cell.control(world) : await cell.run(world, scenario as S);
  return { meta: outcome.meta, judgement: outcome.judgement, steps: world.steps, startedAt, durationMs: Math.round(performance.now() - t0) };
}
