import { randomUUID } from 'node:crypto';
import { TenancyAuditError } from '../core/errors.ts';
import { setClaim } from './claims.ts';
import { parseJwt } from './jwt.ts';
import type { Capability, ForgeContext, ForgedCredential, TokenProvider } from './types.ts';

/** @internal Shared plumbing for forgery builders. */

export const DEFAULT_ATTACKER_JWKS_URL = 'http://127.0.0.1:9/jwks.json';

/** The literal garbage bearer value (recognised by `describeCredential`; not a secret). */
export const GARBAGE_TOKEN = 'TENANCY-AUDIT-INVALID-VALUE';

export function bearer(token: string): ForgedCredential {
  return { authorization: `Bearer ${token}` };
}

export function nowSeconds(ctx: ForgeContext): number {
  return Math.floor((ctx.now ?? Date.now)() / 1000);
}

/** Capabilities the context offers. */
export function capabilitiesOf(ctx: ForgeContext): ReadonlySet<Capability> {
  const caps = new Set<Capability>();
  if (typeof ctx.provider.mint === 'function') caps.add('mint');
  if (ctx.targetPublicKeys.length > 0) caps.add('publicKey');
  if (parseJwt(ctx.legitToken) !== undefined) caps.add('jwt');
  return caps;
}

const NEED: Record<Capability, string> = {
  mint: 'a signature from the trusted test key (identity source kind "mint")',
  publicKey: "the target's public key (a JWKS URL or PEM in the config)",
  jwt: 'a legit token that decodes as a JWT (the configured token is opaque)',
};

export function missing(id: string, cap: Capability): TenancyAuditError {
  return new TenancyAuditError('TA_IDENTITY', `forgery "${id}" is not applicable: it needs ${NEED[cap]}`, {
    hint: 'The engine should check unmetRequirements(forgery, ctx) and record the forgery as not applicable instead of building it.',
  });
}

export function legitJwt(ctx: ForgeContext, id: string): NonNullable<ReturnType<typeof parseJwt>> {
  const parts = parseJwt(ctx.legitToken);
  if (parts === undefined) throw missing(id, 'jwt');
  return parts;
}

export function requireMint(ctx: ForgeContext, id: string): NonNullable<TokenProvider['mint']> {
  const mint = ctx.provider.mint;
  if (typeof mint !== 'function') throw missing(id, 'mint');
  return mint;
}

/** The legit token's `kid`, if it is a JWT with one. */
export function legitKid(ctx: ForgeContext): string | undefined {
  const kid = parseJwt(ctx.legitToken)?.header['kid'];
  return typeof kid === 'string' ? kid : undefined;
}

/** The legit token's `typ`, else `JWT`. */
export function legitTyp(ctx: ForgeContext): string {
  const typ = parseJwt(ctx.legitToken)?.header['typ'];
  return typeof typ === 'string' ? typ : 'JWT';
}

/**
 * Claims for a forged token: a copy of the legit payload (iss/aud/sub/exp/iat… as issued) when the
 * legit token is a JWT, else `{ sub: "tenancy-audit", iat: now, exp: now + 1h }` (iss/aud unknown →
 * omitted). A `jti` is replaced by a fresh one (a re-signed token is a new token). The tenant claim is
 * set to `tenant`, or left as-is when `tenant` is undefined.
 */
export function basePayload(ctx: ForgeContext, tenant: string | undefined): Record<string, unknown> {
  const parsed = parseJwt(ctx.legitToken);
  let payload: Record<string, unknown>;
  if (parsed !== undefined) {
    payload = structuredClone(parsed.payload);
    if (Object.hasOwn(payload, 'jti')) payload['jti'] = randomUUID();
  } else {
    const now = nowSeconds(ctx);
    payload = { sub: 'tenancy-audit', iat: now, exp: now + 3600 };
  }
  return tenant === undefined ? payload : setClaim(payload, ctx.tenantClaim, tenant);
}
