import { decodeJwt } from 'jose';
import { TenancyAuditError } from '../core/errors.ts';

/** The tenant claim chosen for a config, and why (written as a comment). */
export interface ClaimChoice {
  path: string;
  why: string;
  /** Each tenant's value of the claim (tenant ids must equal them). */
  values: string[];
}

/** Claims that differ between any two tokens for reasons other than the tenant. */
const INCIDENTAL = new Set(['iat', 'exp', 'nbf', 'jti', 'auth_time', 'sid', 'nonce', 'at_hash', 'c_hash', 'uti', 'rh']);
const TENANT_LIKE = /tenant|org|organi[sz]ation|account|workspace|team|company|customer/i;

/**
 * Finds the tenant claim by decoding the tenants' tokens and diffing their claims: a claim whose values are the
 * tenant ids wins, then a differing claim named like a tenant, then any differing claim except `sub` and the
 * time/nonce claims. `given` (`--tenant-claim`) is checked instead of searched for.
 */
export function findTenantClaim(ids: readonly string[], tokens: readonly string[], given?: string): ClaimChoice {
  const payloads = tokens.map((t) => decoded(t));
  if (payloads.some((p) => p === undefined)) {
    return { path: given ?? 'tenant_id', why: `the tokens are not JWTs, so no claim can be read; ${given ? '--tenant-claim' : 'the default'} is kept (forgeries that edit claims will not apply)`, values: [...ids] };
  }
  const flat = payloads.map((p) => flatten(p!));
  if (given) {
    const values = flat.map((f) => f.get(given));
    if (values.some((v) => v === undefined)) {
      throw new TenancyAuditError('TA_IDENTITY', `--tenant-claim ${given}: not every tenant's token has that claim`, { hint: `Claims present: ${[...flat[0]!.keys()].join(', ')}.` });
    }
    return { path: given, why: 'given with --tenant-claim', values: values.map(String) };
  }
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))];
  const differing = paths.filter((p) => !INCIDENTAL.has(p) && new Set(flat.map((f) => JSON.stringify(f.get(p)))).size === flat.length && flat.every((f) => isId(f.get(p))));
  const equalToIds = differing.filter((p) => flat.every((f, i) => String(f.get(p)) === ids[i]));
  const named = differing.filter((p) => TENANT_LIKE.test(p));
  const others = differing.filter((p) => p !== 'sub');
  const pick = equalToIds.find((p) => TENANT_LIKE.test(p)) ?? equalToIds.find((p) => p !== 'sub') ?? named[0] ?? others[0];
  if (!pick) {
    throw new TenancyAuditError('TA_IDENTITY', `the ${ids.join(' and ')} tokens carry the same claims (apart from ${differing.length > 0 ? differing.join(', ') : 'times and ids'}): no claim names the tenant`, {
      hint: 'Give each tenant a token of its own tenant (a user of that tenant), or name the claim with --tenant-claim PATH.',
    });
  }
  const alternatives = differing.filter((p) => p !== pick);
  const why = `${equalToIds.includes(pick) ? 'its values are the tenant ids' : 'it differs between the tenants\' tokens'}${alternatives.length > 0 ? ` (also differing: ${alternatives.join(', ')})` : ''}`;
  return { path: pick, why, values: flat.map((f) => String(f.get(pick))) };
}

function decoded(token: string): Record<string, unknown> | undefined {
  try {
    return decodeJwt(token) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function isId(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number';
}

/** Dot paths of scalar claims (`org.id`); URL-like keys stay whole. */
function flatten(value: Record<string, unknown>, prefix = '', out = new Map<string, unknown>(), depth = 0): Map<string, unknown> {
  for (const [key, child] of Object.entries(value)) {
    const at = prefix ? `${prefix}.${key}` : key;
    if (child !== null && typeof child === 'object' && !Array.isArray(child) && depth < 4 && !key.includes('://')) flatten(child as Record<string, unknown>, at, out, depth + 1);
    else out.set(at, child);
  }
  return out;
}
