import fc from 'fast-check';
import type { Family, PathKind } from '../core/types.ts';
import type { Assertion, AssertedValue, AssertionChannel, Probe } from './probe.ts';
import type { ForgeryInfo, OperationView, ProbeCell, ProbeSpace } from './space.ts';
import { channelMatches } from '../core/channel-selector.ts';

/** Literal tenant values a naive parser may map to "all" or a default tenant. */
export const SPECIAL_TENANT_VALUES = ['*', 'default', 'all', '0', 'null'] as const;

/**
 * The tenant values a mismatched assertion tries against `victim`: the victim's tenant as is and upper-cased,
 * then each of {@link SPECIAL_TENANT_VALUES}.
 */
export function assertedValues(victim: string): AssertedValue[] {
  return [
    { kind: 'tenant', tenant: victim, variant: 'exact' },
    { kind: 'tenant', tenant: victim, variant: 'upper' },
    ...SPECIAL_TENANT_VALUES.map((value): AssertedValue => ({ kind: 'literal', value })),
  ];
}

/**
 * Every channel × carrier through which `op` could carry a tenant assertion, per the config; an operation that
 * declares its `channels` (`body`, `body:tenantId`, or `[]`) has only those.
 */
export function carriersFor(space: ProbeSpace, op: OperationView): { channel: AssertionChannel; carrier: string }[] {
  const appliesTo = Object.entries(space.channels.appliesTo ?? {});
  // The same selector rule as `accept:` (`body` every body carrier, `body:tenantId` that one).
  const matches = (selector: string, c: { channel: string; carrier: string }) => channelMatches(selector, `${c.channel}:${c.carrier}`);
  // `channels.appliesTo`: a channel that exists only on some operation kinds is probed only there.
  const all = configuredCarriers(space, op).filter((c) => appliesTo.every(([selector, kinds]) => !matches(selector, c) || kinds.includes(op.kind)));
  const declared = op.channels;
  if (declared === undefined) return all;
  return all.filter((c) => declared.some((d) => matches(d, c)));
}

function configuredCarriers(space: ProbeSpace, op: OperationView): { channel: AssertionChannel; carrier: string }[] {
  const { channels } = space;
  return [
    ...channels.headers.map((carrier) => ({ channel: 'header' as const, carrier })),
    ...channels.query.map((carrier) => ({ channel: 'query' as const, carrier })),
    ...(op.hasBody ? channels.body.map((carrier) => ({ channel: 'body' as const, carrier })) : []),
    ...op.tenantPathVars.map((carrier) => ({ channel: 'path' as const, carrier })),
    ...channels.cookies.map((carrier) => ({ channel: 'cookie' as const, carrier })),
    ...(channels.host ? [{ channel: 'host' as const, carrier: channels.host }] : []),
  ];
}

interface SuiteIdentity {
  suite: string;
  family: Family;
  path?: PathKind;
}

/** Forged-credential probes over (forgery × tenant pair × object owner) for one operation. */
export function forgeryCell(id: SuiteIdentity, space: ProbeSpace, op: OperationView, forgeries: readonly ForgeryInfo[]): ProbeCell | undefined {
  if (forgeries.length === 0 || space.tenantPairs.length === 0) return undefined;
  const toProbe = (forgery: ForgeryInfo, [actor, other]: readonly [string, string], ownerIsOther: boolean): Probe => {
    const claimsOther = forgery.claims === 'other';
    return {
      suite: id.suite,
      family: id.family,
      path: id.path ?? 'sync',
      operation: op.id,
      mutation: { id: forgery.id, title: forgery.title },
      credential: { kind: 'forged', forgeryId: forgery.id, actor, other },
      actor: forgery.family === 'missing' ? null : actor,
      victim: claimsOther ? other : forgery.family === 'missing' ? null : actor,
      objectOwner: claimsOther || ownerIsOther ? other : actor,
    };
  };
  const arbitrary = fc
    .record({ forgery: fc.constantFrom(...forgeries), pair: fc.constantFrom(...space.tenantPairs), ownerIsOther: fc.boolean() })
    .map(({ forgery, pair, ownerIsOther }) => toProbe(forgery, pair, ownerIsOther));
  const examples = forgeries.map((forgery) => toProbe(forgery, space.tenantPairs[0]!, false));
  return { key: `${id.suite}/${op.id}`, operation: op.id, arbitrary, examples };
}

/** Legit credential of the actor with a mismatched tenant asserted through one channel. */
export function assertionCell(id: SuiteIdentity, space: ProbeSpace, op: OperationView, channel: AssertionChannel): ProbeCell | undefined {
  const carriers = carriersFor(space, op).filter((c) => c.channel === channel);
  if (carriers.length === 0 || space.tenantPairs.length === 0) return undefined;
  const toProbe = (carrier: (typeof carriers)[number], [actor, victim]: readonly [string, string], value: AssertedValue, ownerIsVictim: boolean): Probe => {
    const assertion: Assertion = { ...carrier, value };
    return {
      suite: id.suite,
      family: id.family,
      path: id.path ?? 'sync',
      operation: op.id,
      mutation: {
        id: `${carrier.channel}-${value.kind === 'tenant' ? `other-tenant${value.variant === 'upper' ? '-upper' : ''}` : `literal-${value.value}`}`,
        title: `${carrier.channel} ${carrier.carrier} asserts ${value.kind === 'tenant' ? 'another tenant' : `"${value.value}"`}`,
        channel: `${carrier.channel}:${carrier.carrier}`,
      },
      credential: { kind: 'legit', tenant: actor },
      actor,
      victim,
      objectOwner: ownerIsVictim ? victim : actor,
      assertion,
    };
  };
  const arbitrary = fc
    .record({ carrier: fc.constantFrom(...carriers), pair: fc.constantFrom(...space.tenantPairs), ownerIsVictim: fc.boolean() })
    .chain(({ carrier, pair, ownerIsVictim }) =>
      fc.constantFrom(...assertedValues(pair[1])).map((value) => toProbe(carrier, pair, value, ownerIsVictim)),
    );
  const first = space.tenantPairs[0]!;
  const examples = carriers.flatMap((carrier) =>
    [true, false].map((ownerIsVictim) => toProbe(carrier, first, assertedValues(first[1])[0]!, ownerIsVictim)),
  );
  return { key: `${id.suite}/${op.id}/${channel}`, operation: op.id, arbitrary, examples };
}

/** Legit credential of the actor aimed at another tenant's object (BOLA / IDOR). */
export function foreignObjectCell(id: SuiteIdentity, space: ProbeSpace, op: OperationView): ProbeCell | undefined {
  if (!op.addressesObject || space.tenantPairs.length === 0) return undefined;
  const toProbe = ([actor, victim]: readonly [string, string]): Probe => ({
    suite: id.suite,
    family: id.family,
    path: id.path ?? 'sync',
    operation: op.id,
    mutation: { id: `foreign-object-${op.kind}`, title: `${op.kind} another tenant's object by id` },
    credential: { kind: 'legit', tenant: actor },
    actor,
    victim,
    objectOwner: victim,
  });
  return {
    key: `${id.suite}/${op.id}`,
    operation: op.id,
    arbitrary: fc.constantFrom(...space.tenantPairs).map(toProbe),
    examples: [toProbe(space.tenantPairs[0]!)],
  };
}

/**
 * The operations of the space marked `tenantScoped` (the config's default): the ones a suite should build cells for.
 *
 * @example
 * cells: (space) => scopedOperations(space).map((op) => foreignObjectCell({ suite: id, family: 'cross-tenant' }, space, op)),
 */
export function scopedOperations(space: ProbeSpace): OperationView[] {
  return space.operations.filter((op) => op.tenantScoped);
}
