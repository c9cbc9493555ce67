/**
 * Test-only support (not exported from index.ts): a trusted RS256 test issuer, a mint provider over
 * it, a forge context, and an independent STRICT verifier (the fail-closed twin).
 */
import { createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, jwtVerify } from 'jose';
import type { JWK, JWTPayload, JWTVerifyGetKey } from 'jose';
import { createAttackerKeys } from '../../src/identity/attacker.ts';
import { createTokenProvider } from '../../src/identity/provider.ts';
import type { AttackerKeys, ForgeContext, TokenProvider } from '../../src/identity/types.ts';

export const ISSUER = 'https://idp.example.test/';
export const AUDIENCE = 'https://api.example.test';
export const ACTOR = 'acme';
export const OTHER = 'globex';
export const TRUSTED_KID = 'trusted-1';
export const ATTACKER_JWKS_URL = 'http://127.0.0.1:45999/.well-known/attacker-jwks.json';

/** Tenant-claim layouts exercised by the suites, each with an independent reader (not claims.ts). */
export const LAYOUTS = [
  { tenantClaim: 'tenant_id', read: (p: Record<string, unknown>) => p['tenant_id'], extra: { scope: 'read write' } },
  {
    tenantClaim: 'org.id',
    read: (p: Record<string, unknown>) => (p['org'] as Record<string, unknown> | undefined)?.['id'],
    extra: { org: { name: 'Audit Org', plan: 'enterprise' }, scope: 'read' },
  },
  { tenantClaim: 'https://example.com/tenant', read: (p: Record<string, unknown>) => p['https://example.com/tenant'], extra: {} },
] as const;
export type Layout = (typeof LAYOUTS)[number];

export interface Issuer {
  jwks: { keys: JWK[] };
  getKey: JWTVerifyGetKey;
  publicPem: string;
  privateJwk: JWK;
}

export async function createIssuer(): Promise<Issuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const pub = { ...(await exportJWK(publicKey)), kid: TRUSTED_KID, alg: 'RS256', use: 'sig' };
  const jwks = { keys: [pub] };
  return { jwks, getKey: createLocalJWKSet(jwks), publicPem: await exportSPKI(publicKey), privateJwk: await exportJWK(privateKey) };
}

export interface World {
  issuer: Issuer;
  attacker: AttackerKeys;
  provider: TokenProvider;
  layout: Layout;
  legitToken: string;
  ctx: ForgeContext;
}

export async function createWorld(layout: Layout, issuer?: Issuer, attacker?: AttackerKeys): Promise<World> {
  const iss = issuer ?? (await createIssuer());
  const att = attacker ?? (await createAttackerKeys());
  const provider = createTokenProvider({
    kind: 'mint',
    key: { alg: 'RS256', jwk: iss.privateJwk, kid: TRUSTED_KID },
    issuer: ISSUER,
    audience: AUDIENCE,
    tenantClaim: layout.tenantClaim,
    expiresInSeconds: 900,
    claims: structuredClone(layout.extra) as Record<string, unknown>,
  });
  const legitToken = await provider.tokenFor(ACTOR);
  const ctx: ForgeContext = {
    actor: ACTOR,
    other: OTHER,
    legitToken,
    provider,
    tenantClaim: layout.tenantClaim,
    targetPublicKeys: [{ pem: iss.publicPem, kid: TRUSTED_KID, alg: 'RS256' }],
    attacker: att,
    attackerJwksUrl: ATTACKER_JWKS_URL,
  };
  return { issuer: iss, attacker: att, provider, layout, legitToken, ctx };
}

/** The fail-closed twin: signature (RS256 only, trusted JWKS), iss, aud, exp/nbf, required claims, and a non-blank string tenant. */
export async function strictVerify(world: World, token: string): Promise<string> {
  const { payload } = await jwtVerify(token, world.issuer.getKey, {
    algorithms: ['RS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    requiredClaims: ['exp', 'iat', 'sub'],
  });
  return requireTenant(world, payload);
}

export function requireTenant(world: World, payload: JWTPayload): string {
  const tenant = world.layout.read(payload as Record<string, unknown>);
  if (typeof tenant !== 'string' || tenant.trim().length === 0) throw new Error('tenant claim missing or not a non-blank string');
  return tenant;
}

/** Splits `Bearer x` → `x`; anything else (null, other schemes, empty) → undefined (= no usable bearer token). */
export function bearerToken(authorization: string | null): string | undefined {
  if (authorization === null || !authorization.startsWith('Bearer ')) return undefined;
  const t = authorization.slice('Bearer '.length);
  return t.length > 0 ? t : undefined;
}

/** Naive decode of a JWT payload with no checks at all (the leaky twin). */
export function decodePayloadUnsafe(token: string): Record<string, unknown> {
  const seg = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function decodeHeaderUnsafe(token: string): Record<string, unknown> {
  const seg = token.split('.')[0] ?? '';
  return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8')) as Record<string, unknown>;
}
