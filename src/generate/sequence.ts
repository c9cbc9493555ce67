import fc from 'fast-check';
import type { Judgement } from '../core/verdict.ts';
import { verdictRank } from '../core/verdict.ts';
import type { ScenarioOutcome } from './scenario.ts';
import type { CaseMeta } from './space.ts';

/** Thrown by a command whose observation fails (or cannot be judged): ends the sequence with its verdict. */
export class ScenarioVerdict extends Error {
  constructor(
    readonly meta: CaseMeta,
    readonly judgement: Judgement,
  ) {
    super(`${judgement.verdict}: ${judgement.detail}`);
  }
}

/** Throws when `judgement` fails or is inconclusive, so the model run stops at the offending step. */
export function requireVerdict(meta: CaseMeta, judgement: Judgement): void {
  if (judgement.verdict === 'inconclusive' || verdictRank(judgement.verdict) > 0) throw new ScenarioVerdict(meta, judgement);
}

/** A passing judgement (reason `sequence-held`) with `detail` as its explanation, for a scenario or step that held. */
export function pass(detail: string): Judgement {
  return { verdict: 'pass', reason: 'sequence-held', detail, seen: [] };
}

/**
 * Runs a `fc.commands` sequence against a model and turns the first violated step into the scenario's
 * outcome. `meta` describes the sequence when every step held.
 */
export async function runSequence<Model extends object, Real>(
  setup: () => { model: Model; real: Real },
  commands: Iterable<fc.AsyncCommand<Model, Real>>,
  meta: CaseMeta,
): Promise<ScenarioOutcome> {
  try {
    await fc.asyncModelRun(setup, commands);
  } catch (error) {
    if (error instanceof ScenarioVerdict) return { meta: error.meta, judgement: error.judgement };
    throw error;
  }
  return { meta, judgement: pass(`all ${[...commands].length} steps held`) };
}

/** The worst of several judgements (inconclusive outranks only pass); inconclusive when there are none: nothing was shown. */
export function worstOf(judgements: readonly Judgement[]): Judgement {
  if (judgements.length === 0) return { verdict: 'inconclusive', reason: 'nothing-judged', detail: 'no step of the scenario could be judged', seen: [] };
  let worst = judgements[0]!;
  for (const j of judgements) {
    const [a, b] = [verdictRank(j.verdict), verdictRank(worst.verdict)];
    if (a > b || (a === b && j.verdict === 'inconclusive' && worst.verdict === 'pass')) worst = j;
  }
  return worst;
}
