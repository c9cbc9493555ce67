import type { CallbackReceiver } from '../execute/callback-receiver.ts';
import type { ScenarioCell } from '../generate/scenario.ts';
import type { Cell } from '../generate/space.ts';
import type { CallbackWaits } from './callback-waits.ts';
import type { EngineContext } from './context.ts';
import type { CaseResult } from './execute-probe.ts';
import { createWorld } from './world.ts';

export function isScenarioCell(cell: Cell<unknown> & { kind?: string }): cell is ScenarioCell<unknown> {
  return cell.kind === 'scenario';
}

/** A scenario to judge again once its callback wait is over (`observeUntil`, a `performance.now()` time). */
export interface LateScenario {
  result: CaseResult;
  observeUntil: number;
  rejudge(): CaseResult;
}

export interface ScenarioRunOptions {
  waits?: CallbackWaits;
  /** Called for a scenario that waited for callbacks and can be judged again later (see `ScenarioOutcome.rejudge`). */
  onLate?: (late: LateScenario) => void;
}

/** Runs one generated scenario in a fresh world; its requests are the steps of the record. */
export async function executeScenario<S>(
  ctx: EngineContext,
  receiver: CallbackReceiver | undefined,
  cell: ScenarioCell<S>,
  scenario: S | undefined,
  phase: 'control' | 'scenario' = 'scenario',
  options: ScenarioRunOptions = {},
): Promise<CaseResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const world = createWorld(ctx, receiver, options.waits ? { waits: options.waits, phase } : undefined);
  const outcome = phase === 'control' ? await cell.control(world) : await cell.run(world, scenario as S);
  const result: CaseResult = {
    meta: outcome.meta,
    judgement: outcome.judgement,
    steps: [...world.steps],
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    ...(outcome.untested && phase === 'scenario' ? { untested: true } : {}),
  };
  const window = world.callbackWindow();
  const { rejudge } = outcome;
  if (rejudge && window && options.onLate) {
    const seenBefore = world.callbacksReceived().length;
    options.onLate({
      result,
      observeUntil: window.startedAt + window.waitMs,
      rejudge: () => {
        const again = rejudge();
        const late = world.callbacksReceived().slice(seenBefore).filter((d) => world.endpointPaths.has(d.path));
        const steps = [...world.steps];
        for (const delivery of late) {
          steps.push({ n: steps.length + 1, title: `callback received at ${delivery.path} after the scenario stopped waiting`, note: delivery.body.slice(0, 500) });
        }
        return { ...result, meta: again.meta, judgement: again.judgement, steps };
      },
    });
  }
  return result;
}
