import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWK, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { ForbiddenError, NoIdentityError, UnauthenticatedError } from './errors.ts';
import { AUDIENCE, ISSUER, TENANT_CLAIM } from './issuer.ts';
import type { Bugs } from './modes.ts';
import { DEFAULT_TENANT } from './tenants.ts';

export interface Identity {
  readonly tenantId: string;
  readonly subject: string;
}

export interface AuthenticatorOptions {
  bugs: Bugs;
  publicJwk: JWK;
  knownTenants: ReadonlySet<string>;
}

export type Authenticate = (authorization: string | undefined) => Promise<Identity>;

const CLOCK_TOLERANCE_S = 5;
const MAX_LIFETIME_S = 3600;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Bearer JWT → identity. Only the trusted issuer's RS256 key (a local JWK set) is consulted: `jku`,
 * `x5u`, `jwk` and `x5c` headers are never read, so they cannot point verification elsewhere.
 */
export function createAuthenticator({ bugs, publicJwk, knownTenants }: AuthenticatorOptions): Authenticate {
  const jwks = createLocalJWKSet({ keys: [publicJwk] });

  async function verifiedClaims(token: string, header: ProtectedHeaderParameters): Promise<JWTPayload> {
    const [, , signature] = token.split('.');
    if (bugs.algNone && typeof header.alg === 'string' && header.alg.toLowerCase() === 'none' && signature === '') {
      return checkClaims(decodePayload(token)); // seeded bug: unsecured JWTs accepted
    }
    if (bugs.unverifiedSignature) {
      if (header.alg !== 'RS256') throw new UnauthenticatedError('INVALID_TOKEN', 'token algorithm is not allowed');
      return checkClaims(decodePayload(token)); // seeded bug: the signature is never checked
    }
    try {
      const { payload } = await jwtVerify(token, jwks, {
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
      });
      return checkClaims(payload);
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      throw new UnauthenticatedError('INVALID_TOKEN', `token rejected: ${(error as Error).message}`);
    }
  }

  function tenantOf(claims: JWTPayload): string {
    const claim = claims[TENANT_CLAIM];
    const absent = claim === undefined || claim === null || (typeof claim === 'string' && claim.trim() === '');
    if (absent || typeof claim !== 'string') {
      if (bugs.defaultTenant) return DEFAULT_TENANT; // seeded bug: no usable tenant → first tenant
      if (absent) throw new UnauthenticatedError('MISSING_TENANT_CLAIM', `token has no "${TENANT_CLAIM}" claim`);
      throw new ForbiddenError('INVALID_TENANT_CLAIM', `"${TENANT_CLAIM}" must be a string`);
    }
    if (!knownTenants.has(claim)) throw new ForbiddenError('UNKNOWN_TENANT', `tenant "${claim}" is not known`);
    return claim;
  }

  return async function authenticate(authorization) {
    const token = bearerToken(authorization);
    const header = protectedHeader(token);
    const claims = await verifiedClaims(token, header);
    return { tenantId: tenantOf(claims), subject: claims.sub as string };
  };
}

function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') {
    throw new NoIdentityError('MISSING_CREDENTIALS', 'an Authorization: Bearer token is required');
  }
  const match = /^Bearer[ \t]+(\S*)[ \t]*$/i.exec(authorization);
  if (!match) throw new NoIdentityError('MISSING_CREDENTIALS', 'the Authorization header is not a Bearer token');
  const token = match[1] ?? '';
  if (token === '') throw new NoIdentityError('MISSING_CREDENTIALS', 'the bearer token is empty');
  if (!JWS_COMPACT.test(token)) throw new NoIdentityError('MALFORMED_TOKEN', 'the bearer token is not a JWT');
  return token;
}

function protectedHeader(token: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw new NoIdentityError('MALFORMED_TOKEN', 'the bearer token is not a JWT');
  }
}

function decodePayload(token: string): JWTPayload {
  try {
    return decodeJwt(token);
  } catch {
    throw new UnauthenticatedError('INVALID_TOKEN', 'token payload is not a JSON object');
  }
}

/**
 * Claim checks shared by every path (jose already did most of them on the verified path; the seeded
 * bugs that skip verification still check claims, as real code usually does).
 */
function checkClaims(claims: JWTPayload): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const reject = (why: string): never => {
    throw new UnauthenticatedError('INVALID_TOKEN', `token rejected: ${why}`);
  };
  if (claims.iss !== ISSUER) reject('unexpected "iss"');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(AUDIENCE)) reject('unexpected "aud"');
  if (typeof claims.sub !== 'string' || claims.sub.trim() === '') reject('"sub" is required');
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) reject('"exp" is required');
  const exp = claims.exp as number;
  if (exp <= now - CLOCK_TOLERANCE_S) reject('expired');
  if (exp > now + MAX_LIFETIME_S + CLOCK_TOLERANCE_S) reject('"exp" is more than 1h away');
  for (const claim of ['nbf', 'iat'] as const) {
    const value = claims[claim];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) reject(`"${claim}" must be a number`);
    if ((value as number) > now + CLOCK_TOLERANCE_S) reject(`"${claim}" is in the future`);
  }
  return claims;
}
