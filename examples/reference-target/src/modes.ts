/** Every mode is the fail-closed service plus at most one seeded tenancy bug. */
export const MODES = [
  'fail-closed',
  'header-override',
  'body-override',
  'path-override',
  'default-tenant',
  'soft-fail-empty',
  'unverified-signature',
  'alg-none',
  'bola-read',
  'bola-write',
  'idempotency-global',
  'queue-context-lost',
  'retry-context-lost',
  'callback-misrouted',
  'webhook-trusts-payload',
  'rls-not-forced',
  'session-setting-leak',
] as const;

export type Mode = (typeof MODES)[number];

/** One switch per seeded bug; the code consults each at the one place that bug lives. */
export interface Bugs {
  readonly headerOverride: boolean;
  readonly bodyOverride: boolean;
  readonly pathOverride: boolean;
  readonly defaultTenant: boolean;
  readonly softFailEmpty: boolean;
  readonly unverifiedSignature: boolean;
  readonly algNone: boolean;
  readonly bolaRead: boolean;
  readonly bolaWrite: boolean;
  readonly idempotencyGlobal: boolean;
  readonly queueContextLost: boolean;
  readonly retryContextLost: boolean;
  readonly callbackMisrouted: boolean;
  readonly webhookTrustsPayload: boolean;
  readonly rlsNotForced: boolean;
  readonly sessionSettingLeak: boolean;
}

const BUG_OF_MODE: Record<Exclude<Mode, 'fail-closed'>, keyof Bugs> = {
  'header-override': 'headerOverride',
  'body-override': 'bodyOverride',
  'path-override': 'pathOverride',
  'default-tenant': 'defaultTenant',
  'soft-fail-empty': 'softFailEmpty',
  'unverified-signature': 'unverifiedSignature',
  'alg-none': 'algNone',
  'bola-read': 'bolaRead',
  'bola-write': 'bolaWrite',
  'idempotency-global': 'idempotencyGlobal',
  'queue-context-lost': 'queueContextLost',
  'retry-context-lost': 'retryContextLost',
  'callback-misrouted': 'callbackMisrouted',
  'webhook-trusts-payload': 'webhookTrustsPayload',
  'rls-not-forced': 'rlsNotForced',
  'session-setting-leak': 'sessionSettingLeak',
};

export function isMode(value: unknown): value is Mode {
  return typeof value === 'string' && (MODES as readonly string[]).includes(value);
}

export function bugsFor(mode: Mode): Bugs {
  const bugs = Object.fromEntries(Object.values(BUG_OF_MODE).map((bug) => [bug, false])) as Record<keyof Bugs, boolean>;
  if (mode !== 'fail-closed') bugs[BUG_OF_MODE[mode]] = true;
  return Object.freeze(bugs);
}
