import fs from 'node:fs';
import { SignJWT, importJWK, type JWK, type JWTPayload } from 'jose';

export const ISSUER = 'https://idp.reference-target.test';
export const AUDIENCE = 'reference-target';
export const ISSUER_KID = 'reference-issuer-1';
/** The claim that carries the tenant. */
export const TENANT_CLAIM = 'tenant_id';

export interface MintClaims {
  tenant_id?: unknown;
  sub?: string;
  [claim: string]: unknown;
}

export interface TestIssuer {
  issuer: string;
  audience: string;
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  /**
   * Signs an RS256 token with the trusted fixture key. Defaults: `iss`, `aud`, `iat` = now,
   * `exp` = now + `expiresIn` (default `10m`; jose syntax, e.g. `-5m` for an expired token) and
   * `sub` = `user@<tenant>`. A claim given explicitly, even as `undefined`, replaces its default
   * (`undefined` leaves it out), so `mint({ tenant_id: 'acme', sub: undefined })` has no `sub`.
   */
  mint(claims: MintClaims, opts?: { expiresIn?: string }): Promise<string>;
}

function readJwk(name: string): JWK {
  return JSON.parse(fs.readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as JWK;
}

let cached: Promise<TestIssuer> | undefined;

/** The test identity provider whose public key the target trusts (fixtures/issuer.*.jwk.json). */
export function loadTestIssuer(): Promise<TestIssuer> {
  cached ??= createTestIssuer();
  return cached;
}

async function createTestIssuer(): Promise<TestIssuer> {
  const privateJwk = readJwk('issuer.private.jwk.json');
  const publicJwk = readJwk('issuer.public.jwk.json');
  const signingKey = await importJWK(privateJwk, 'RS256');
  return {
    issuer: ISSUER,
    audience: AUDIENCE,
    kid: ISSUER_KID,
    privateJwk,
    publicJwk,
    async mint(claims, opts = {}) {
      const payload: JWTPayload = { ...claims };
      if (!('sub' in claims)) payload.sub = typeof claims.tenant_id === 'string' ? `user@${claims.tenant_id}` : 'user';
      const jwt = new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: ISSUER_KID, typ: 'JWT' });
      if (!('iss' in claims)) jwt.setIssuer(ISSUER);
      if (!('aud' in claims)) jwt.setAudience(AUDIENCE);
      if (!('iat' in claims)) jwt.setIssuedAt();
      if (!('exp' in claims)) jwt.setExpirationTime(opts.expiresIn ?? '10m');
      return jwt.sign(signingKey);
    },
  };
}
