import type { AcceptRule, ScopeConfig, WaiverRule } from '../config/schema.ts';
import type { PathKind } from '../core/types.ts';
import { isFailing } from './suite-status.ts';
import type { FailLevel, Verdict } from '../core/verdict.ts';
import { channelMatches } from '../core/channel-selector.ts';

export { channelMatches };

/**
 * The target's declared contract, judged purely: which suites do not apply, which cells are accepted deviations and
 * which findings are waived until a date. No I/O: the run asks, the evidence records the answers, the report reads them.
 */

/** What a record says about itself, for matching against accept and waiver rules. */
export interface CaseFacts {
  suite: string;
  operation?: string | undefined;
  mutation: { id: string; channel?: string | undefined };
  verdict: Verdict;
  reason: string;
}

/** A suite as applicability sees it. */
export interface SuiteScopeFacts {
  id: string;
  paths: readonly PathKind[];
}

/** `identity` matches `identity` and `identity.missing`, not `identityx`. */
export function suiteMatches(selector: string, suite: string): boolean {
  return suite === selector || suite.startsWith(`${selector}.`);
}

/** A mutation id matches itself and any id ending in `-<id>` (`claim-whitespace` ↔ `replay-key-claim-whitespace`). */
export function mutationMatches(selector: string, mutation: string): boolean {
  return mutation === selector || mutation.endsWith(`-${selector}`);
}

/**
 * Why a suite does not apply to this service (`declared: <reason>`), or undefined when it applies. A suite is not
 * applicable when it is named in `scope.suites`, or when every path it tests is declared absent in `scope.paths`.
 */
export function notApplicableReason(suite: SuiteScopeFacts, scope: ScopeConfig): string | undefined {
  const named = scope.suites.find((s) => suiteMatches(s.id, suite.id));
  if (named) return named.reason;
  if (suite.paths.length === 0) return undefined;
  const absent = suite.paths.map((p) => scope.paths.find((d) => d.path === p));
  if (absent.some((d) => d === undefined)) return undefined;
  return [...new Set(absent.map((d) => `${d!.path}: ${d!.reason}`))].join('; ');
}

/**
 * Reasons a deviation can never be accepted: another tenant's data was shown, written or changed. Accepting
 * `wrong-issuer` says the service may ignore `iss`; it never says a forged token may reach another tenant.
 */
const NEVER_ACCEPTED: ReadonlySet<string> = new Set(['canary-without-identity', 'write-without-identity']);

/** The index of the first accept rule matching this case, or -1. A leak is never an accepted deviation. */
export function acceptedBy(rules: readonly AcceptRule[], c: CaseFacts): number {
  if (c.verdict === 'leak' || NEVER_ACCEPTED.has(c.reason)) return -1;
  return rules.findIndex(
    (r) =>
      (r.suite === undefined || suiteMatches(r.suite, c.suite)) &&
      (r.operation === undefined || r.operation === c.operation) &&
      (r.mutation === undefined || mutationMatches(r.mutation, c.mutation.id)) &&
      (r.channel === undefined || channelMatches(r.channel, c.mutation.channel)),
  );
}

/** A waiver is active through the whole of its `expires` day (UTC). */
export function waiverActive(expires: string, now: Date): boolean {
  return now.getTime() < Date.parse(`${expires}T00:00:00Z`) + 86_400_000;
}

/** The index of the first waiver matching this failing case, or -1 (a passing or inconclusive case is never waived). */
export function waivedBy(rules: readonly WaiverRule[], c: CaseFacts, failOn: FailLevel): number {
  if (c.verdict === 'inconclusive' || !isFailing(c.verdict, failOn)) return -1;
  return rules.findIndex(
    (w) =>
      (w.suite === undefined || suiteMatches(w.suite, c.suite)) &&
      (w.operation === undefined || w.operation === c.operation) &&
      (w.mutation === undefined || mutationMatches(w.mutation, c.mutation.id)) &&
      // A leak is waived only by a waiver that names the verdict `leak`: never by a broad rule written for lesser findings.
      (w.verdict === undefined ? c.verdict !== 'leak' : w.verdict === c.verdict),
  );
}

export type WaiverStatus = 'active' | 'expired' | 'stale';

/** A waiver at the end of a run: how many records it matched, and whether it held (stale: it matched nothing). */
export function waiverStatus(expires: string, matched: number, now: Date): WaiverStatus {
  if (matched === 0) return 'stale';
  return waiverActive(expires, now) ? 'active' : 'expired';
}
