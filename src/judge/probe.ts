import { tenantsSeen } from './canary.ts';
import { isEmptyResult, isRejection, redirectOf } from './rejection.ts';
import type { Judgement, JudgeRules, ProbeObservation } from './types.ts';

/**
 * The verdict for one mutated request (README "Verdicts").
 * Order matters: foreign data outranks any status code, and nothing but a recognised rejection passes.
 */
export function judgeProbe(obs: ProbeObservation, rules: JudgeRules): Judgement {
  const judged = judgeAnswer(obs, rules);
  // A write whose effect could not be read back may have landed whatever it answered: its rejection proves nothing.
  const unverified = obs.sideEffects?.unverified;
  if (judged.verdict === 'pass' && unverified !== undefined) {
    return verdict('inconclusive', 'write-not-read-back', `${judged.detail}, but the write could not be read back: ${unverified}`, judged.seen);
  }
  return judged;
}

function judgeAnswer(obs: ProbeObservation, rules: JudgeRules): Judgement {
  if (obs.outcome.kind === 'failure') {
    const { kind, message } = obs.outcome.failure;
    return { verdict: 'inconclusive', reason: `transport-${kind}`, detail: message, seen: [] };
  }
  const response = obs.outcome.response;
  const seen = tenantsSeen(response, obs.canaries);
  // A shared operation's reads show every tenant's data by design: only a write there can reach another tenant.
  const sharedRead = obs.operation?.shared === true && obs.operation.write !== true && obs.actor !== null;
  const foreign = sharedRead ? [] : seen.filter((tenant) => tenant !== obs.actor);

  if (foreign.length > 0) {
    return obs.actor === null
      ? verdict('fail-open', 'canary-without-identity', `served data of ${list(foreign)} to a request without identity (HTTP ${response.status})`, seen)
      : verdict('leak', 'canary-foreign', `tenant ${obs.actor} was shown data of ${list(foreign)} (HTTP ${response.status})`, seen);
  }
  const landedElsewhere = (obs.sideEffects?.landedIn ?? []).filter((tenant) => tenant !== obs.actor);
  const changed = (obs.sideEffects?.foreignChanged ?? []).filter((tenant) => tenant !== obs.actor);
  if (obs.actor === null && landedElsewhere.length + changed.length > 0) {
    const where = list([...new Set([...landedElsewhere, ...changed])]);
    return verdict('fail-open', 'write-without-identity', `a request without identity wrote to data of ${where}`, seen);
  }
  if (landedElsewhere.length > 0) {
    return verdict('leak', 'write-landed-foreign', `the write landed in ${list(landedElsewhere)}`, seen);
  }
  if (changed.length > 0) {
    return verdict('leak', 'foreign-data-changed', `data of ${list(changed)} was changed or deleted`, seen);
  }
  if (response.status === 429) {
    return verdict('inconclusive', 'rate-limited', 'the target answered 429; lower --rate or --concurrency', seen);
  }
  if (isRejection(response, rules)) return verdict('pass', 'rejected', `rejected with HTTP ${response.status}`, seen);
  const redirect = redirectOf(response, rules);
  if (redirect === 'rejected') return verdict('pass', 'redirected-to-login', `redirected to the configured login location (HTTP ${response.status})`, seen);
  if (redirect === 'unjudged') {
    return verdict(
      'inconclusive',
      'redirect',
      `HTTP ${response.status} redirect is neither a rejection nor an acceptance; if it sends to a login page, set rejection.redirects to a pattern of its Location`,
      seen,
    );
  }
  if (response.status >= 500) {
    return verdict('closed-by-error', 'server-error', `closed, but by a server error (HTTP ${response.status}) instead of a rejection`, seen);
  }
  if (response.status >= 400) {
    return verdict(
      'inconclusive',
      'unrecognised-status',
      `HTTP ${response.status} is neither a configured rejection nor an acceptance; add it to rejection.statuses if it rejects`,
      seen,
    );
  }
  return judgeAccepted(obs, response.status, isEmptyResult(response, rules), seen);
}

function judgeAccepted(obs: ProbeObservation, status: number, empty: boolean, seen: string[]): Judgement {
  // Foreign canaries and foreign writes were judged above; a public operation may answer without identity, but a
  // forged credential that still reads or writes the tenant it claims is accepted, not public.
  const touched = seen.length > 0 || (obs.sideEffects?.landedIn.length ?? 0) > 0 || (obs.sideEffects?.foreignChanged.length ?? 0) > 0;
  if (obs.operation?.public === true && obs.credential === 'invalid' && !touched) {
    return verdict('pass', 'public-operation', `the operation is declared public: answered HTTP ${status} without identity and showed no tenant's data`, seen);
  }
  if (obs.operation?.shared === true && obs.operation.write !== true && obs.credential === 'legit') {
    return verdict('pass', 'shared-operation', `the operation is declared shared (readable by every tenant): HTTP ${status} is its contract`, seen);
  }
  if (obs.credential === 'invalid') {
    if (!empty || seen.length > 0) {
      return verdict('fail-open', 'accepted-invalid-credential', `an invalid credential was accepted and served data (HTTP ${status})`, seen);
    }
    return verdict('soft-fail', 'accepted-empty', `an invalid credential was accepted with an empty result (HTTP ${status}) instead of a rejection`, seen);
  }
  if (obs.family === 'cross-tenant') {
    return verdict('soft-fail', 'accepted-foreign-reference', `a reference to another tenant's object was accepted (HTTP ${status}) without showing its data`, seen);
  }
  return verdict('soft-fail', 'assertion-ignored', `a mismatched tenant assertion was silently ignored (HTTP ${status}) instead of rejected`, seen);
}

function verdict(v: Judgement['verdict'], reason: string, detail: string, seen: string[]): Judgement {
  return { verdict: v, reason, detail, seen };
}

function list(tenants: readonly string[]): string {
  return tenants.map((t) => `"${t}"`).join(', ');
}
