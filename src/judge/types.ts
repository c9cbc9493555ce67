import type { Family } from '../core/types.ts';
import type { Outcome, ResponseView } from '../core/exchange.ts';

export type { Outcome, ResponseView };

export type BodyMatcher = { jsonPath: string; nonEmpty: true } | { regex: string };

export interface JudgeRules {
  /** Statuses that mean "rejected" (default 400, 401, 403, 404, 422). */
  rejectStatuses: readonly number[];
  /** Body shapes that mean "rejected" whatever the status (e.g. GraphQL `errors`). */
  rejectBodies: readonly BodyMatcher[];
  /** JSON paths where an empty value means "no data served". */
  emptyPaths: readonly string[];
  /** A regular expression over `Location`: a 3xx there (a login page) rejects. Without it a 3xx is inconclusive. */
  redirects?: string | undefined;
}

/** What the config declares about the probed operation (`public`, `shared`) and whether it writes. */
export interface OperationContract {
  public?: boolean | undefined;
  shared?: boolean | undefined;
  write?: boolean | undefined;
}

/** Everything the oracle needs about one probe; built by the engine, judged without I/O. */
export interface ProbeObservation {
  family: Family;
  /** `legit`: a valid credential of `actor`; `invalid`: missing, forged or otherwise not a credential to honour. */
  credential: 'legit' | 'invalid';
  /** Tenant whose identity the requester really holds (null: none). */
  actor: string | null;
  /** Canary strings per tenant, planted at setup. */
  canaries: Readonly<Record<string, readonly string[]>>;
  outcome: Outcome;
  /** The operation's declared contract (absent: tenant-scoped, not public, not shared). */
  operation?: OperationContract;
  /** After an accepted write: tenants whose data shows the probe's marker, and whether a foreign fixture changed. */
  sideEffects?: {
    landedIn: readonly string[];
    foreignChanged: readonly string[];
    /** Why where the write landed could not be read back (no `verify` operation, no read of the fixture): never a pass. */
    unverified?: string;
  };
}

export type { Judgement } from '../core/verdict.ts';
