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

/** Options of {@link runSequence}. */
export interface SequenceOptions<Model extends object, Real> {
  /**
   * Which commands apply a mutation (an attack the sequence judges). Default: commands with `mutation: true`.
   * A sequence in which no such command ran tested nothing: it is never a pass.
   */
  isMutation?: (command: fc.AsyncCommand<Model, Real>) => boolean;
  /** A positive control: legit steps only, no mutation required. */
  control?: boolean;
}

/**
 * Runs a `fc.commands` sequence against a model and turns the first violated step into the scenario's
 * outcome. `meta` describes the sequence when every step held. A sequence that held without running a single
 * mutating command (its attacks were all skipped, or it had none) is `inconclusive` and `untested`: it showed
 * nothing, so the engine records nothing for it.
 */
export async function runSequence<Model extends object, Real>(
  setup: () => { model: Model; real: Real },
  commands: Iterable<fc.AsyncCommand<Model, Real>>,
  meta: CaseMeta,
  options: SequenceOptions<Model, Real> = {},
): Promise<ScenarioOutcome> {
  const isMutation = options.isMutation ?? ((command) => (command as { mutation?: unknown }).mutation === true);
  // fast-check hands its own commands wrapped (`cmd` is the user's command).
  const unwrap = (command: fc.AsyncCommand<Model, Real>) => ((command as { cmd?: fc.AsyncCommand<Model, Real> }).cmd ?? command);
  const list = [...commands];
  let ran = 0;
  let mutations = 0;
  const counted = list.map((command) => {
    const wrapped = Object.create(command) as fc.AsyncCommand<Model, Real>;
    wrapped.run = async (m, r) => {
      ran++;
      if (isMutation(unwrap(command))) mutations++;
      return command.run.call(command, m, r);
    };
    return wrapped;
  });
  try {
    await fc.asyncModelRun(setup, counted);
  } catch (error) {
    if (error instanceof ScenarioVerdict) return { meta: error.meta, judgement: error.judgement };
    throw error;
  }
  if (!options.control && mutations === 0) {
    return {
      meta,
      judgement: { verdict: 'inconclusive', reason: 'no-mutation-ran', detail: `none of the ${ran} step(s) that ran applied a mutation: the sequence tested nothing`, seen: [] },
      untested: true,
    };
  }
  return { meta, judgement: pass(`all ${ran} steps held, ${mutations} of them mutations`) };
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
