import { tenantsSeen } from './canary.ts';
import type { Judgement, Outcome } from './types.ts';

export interface ControlObservation {
  actor: string;
  canaries: Readonly<Record<string, readonly string[]>>;
  outcome: Outcome;
  /** Whether the actor's own canary must show (reads and lists of a fixture). */
  expectOwnCanary: boolean;
  /** For writes: whether the marker was found afterwards in the actor's own data (undefined: not checked). */
  landedInOwn?: boolean;
}

/**
 * The positive control: the legit request must succeed and show the actor's own canary, else the oracle
 * is not live and the suite is `inconclusive`. A legit request that shows a foreign canary is a `leak`.
 */
export function judgeControl(obs: ControlObservation): Judgement {
  if (obs.outcome.kind === 'failure') {
    return { verdict: 'inconclusive', reason: `control-transport-${obs.outcome.failure.kind}`, detail: obs.outcome.failure.message, seen: [] };
  }
  const { status } = obs.outcome.response;
  const seen = tenantsSeen(obs.outcome.response, obs.canaries);
  const foreign = seen.filter((t) => t !== obs.actor);
  if (foreign.length > 0) {
    return { verdict: 'leak', reason: 'control-shows-foreign', detail: `the legit request of ${obs.actor} showed data of ${foreign.join(', ')}`, seen };
  }
  if (status < 200 || status >= 300) {
    return { verdict: 'inconclusive', reason: 'control-rejected', detail: `the legit request of ${obs.actor} got HTTP ${status}; the oracle is not live`, seen };
  }
  if (obs.expectOwnCanary && !seen.includes(obs.actor)) {
    return { verdict: 'inconclusive', reason: 'control-canary-missing', detail: `the legit request of ${obs.actor} did not show its own canary`, seen };
  }
  if (obs.landedInOwn === false) {
    return { verdict: 'inconclusive', reason: 'control-write-not-visible', detail: `the legit write of ${obs.actor} was not visible afterwards`, seen };
  }
  return { verdict: 'pass', reason: 'control-live', detail: `the legit request of ${obs.actor} succeeded (HTTP ${status})`, seen };
}
