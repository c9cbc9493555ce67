import { tenantsSeen } from './canary.ts';
import type { Judgement, Outcome } from './types.ts';

export interface LegitObservation {
  actor: string;
  canaries: Readonly<Record<string, readonly string[]>>;
  outcome: Outcome;
  /** A read of an operation declared `shared`: other tenants' data is its contract, not a leak. */
  shared?: boolean;
}

/**
 * A legit request (the actor's own valid credential, no mutation) must succeed and show no other tenant's
 * data: foreign data is a `leak`; anything but a 2xx means the path cannot be judged (`inconclusive`).
 */
export function judgeLegit(obs: LegitObservation): Judgement {
  if (obs.outcome.kind === 'failure') {
    return { verdict: 'inconclusive', reason: `transport-${obs.outcome.failure.kind}`, detail: obs.outcome.failure.message, seen: [] };
  }
  const { status } = obs.outcome.response;
  const seen = tenantsSeen(obs.outcome.response, obs.canaries);
  const foreign = obs.shared ? [] : seen.filter((t) => t !== obs.actor);
  if (foreign.length > 0) {
    return { verdict: 'leak', reason: 'canary-foreign', detail: `the legit request of ${obs.actor} showed data of ${foreign.join(', ')} (HTTP ${status})`, seen };
  }
  if (status < 200 || status >= 300) {
    return { verdict: 'inconclusive', reason: 'legit-rejected', detail: `the legit request of ${obs.actor} got HTTP ${status}`, seen };
  }
  return { verdict: 'pass', reason: 'legit-accepted', detail: `the legit request of ${obs.actor} succeeded with only its own data (HTTP ${status})`, seen };
}

export interface ControlObservation extends LegitObservation {
  /** Whether the actor's own canary must show (reads and lists of a fixture). */
  expectOwnCanary: boolean;
  /** For writes: whether the marker was found afterwards in the actor's own data (undefined: not checked). */
  landedInOwn?: boolean;
}

const CONTROL_REASON: Record<string, string> = { 'canary-foreign': 'control-shows-foreign', 'legit-rejected': 'control-rejected' };

/**
 * The positive control: the legit request must succeed and show the actor's own canary, else the oracle
 * is not live and the suite is `inconclusive`. A legit request that shows a foreign canary is a `leak`.
 */
export function judgeControl(obs: ControlObservation): Judgement {
  const legit = judgeLegit(obs);
  if (legit.verdict !== 'pass') {
    const reason = CONTROL_REASON[legit.reason] ?? `control-${legit.reason}`;
    return { ...legit, reason, detail: legit.verdict === 'inconclusive' && reason === 'control-rejected' ? `${legit.detail}; the oracle is not live` : legit.detail };
  }
  if (obs.expectOwnCanary && !legit.seen.includes(obs.actor)) {
    return { verdict: 'inconclusive', reason: 'control-canary-missing', detail: `the legit request of ${obs.actor} did not show its own canary`, seen: legit.seen };
  }
  if (obs.landedInOwn === false) {
    return { verdict: 'inconclusive', reason: 'control-write-not-visible', detail: `the legit write of ${obs.actor} was not visible afterwards`, seen: legit.seen };
  }
  return { ...legit, reason: 'control-live' };
}
