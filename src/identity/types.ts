import type { CryptoKey, JWK } from 'jose';
import type { MutationInfo } from '../core/types.ts';

/** The key a `mint` source signs legit tokens with (the target's TRUSTED test issuer key). */
export interface MintKey {
  /** JWS alg: RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512|EdDSA|HS256|HS384|HS512. */
  alg: string;
  /** Private JWK (or `kty: "oct"` for HS*). */
  jwk?: JWK;
  /** PKCS#8 PEM private key, or the HMAC secret itself for HS*. */
  pem?: string;
  /** `kid` header; defaults to `jwk.kid` when present, else no `kid`. */
  kid?: string;
}

export type TokenSource =
  | {
      kind: 'mint';
      key: MintKey;
      issuer: string;
      audience: string | string[];
      /** Dot path of the tenant claim; see `claimPath` for how URL-looking keys are split. */
      tenantClaim: string;
      /** `{{tenant}}` is replaced; default `audit-user@{{tenant}}`. */
      subject?: string;
      expiresInSeconds: number;
      /** Extra claims (a template: the standard claims and the tenant claim are written over it). */
      claims?: Record<string, unknown>;
    }
  | { kind: 'static'; tokens: Record<string, string> }
  | { kind: 'command'; command: string; timeoutMs: number; cacheSeconds?: number };

export interface TokenProviderOptions {
  /** Clock in epoch milliseconds (tests inject one). Default `Date.now`. */
  now?: () => number;
  /** `mint`/`command`: refresh a JWT this many seconds before its `exp`. Default `min(60, lifetime / 4)`. */
  refreshBeforeSeconds?: number;
  /** `command`: base environment for the shell (default `process.env`); `TENANCY_AUDIT_TENANT` is always added. */
  env?: Record<string, string | undefined>;
}

export interface TokenProvider {
  /** Legit token for `tenant`, cached; `mint` re-mints before expiry, `command` re-runs after `cacheSeconds` (default 300). */
  tokenFor(tenant: string): Promise<string>;
  /** Only for kind `mint`: sign arbitrary claims (as given, nothing added) with the TRUSTED test key. `alg` cannot be overridden; `kid` defaults to the key's kid (pass `kid: undefined` to drop it). */
  mint?: (claims: Record<string, unknown>, header?: Record<string, unknown>) => Promise<string>;
  readonly tenantClaim?: string;
  /** Every token this provider ever produced (for `static`: every configured token), so the evidence writer can redact them. */
  issued(): readonly string[];
}

/** The attacker's own RS256 key pair (a key the target must never trust). */
export interface AttackerKeys {
  privateKey: CryptoKey;
  publicJwk: JWK;
  jwks: { keys: JWK[] };
  kid: string;
}

/** A public key of the target, as SPKI PEM. */
export interface TargetPublicKey {
  pem: string;
  kid?: string;
  alg?: string;
}

export interface ForgeContext {
  /** Tenant A, whose legit token we hold. */
  actor: string;
  /** Tenant B. */
  other: string;
  /** A's legit token. */
  legitToken: string;
  /** `provider.mint` may be undefined. */
  provider: TokenProvider;
  /** Dot path of the tenant claim. */
  tenantClaim: string;
  /** From the target's JWKS; may be empty. */
  targetPublicKeys: readonly TargetPublicKey[];
  attacker: AttackerKeys;
  /** Loopback URL where the harness serves `attacker.jwks` (jku/x5u); default `http://127.0.0.1:9/jwks.json`. */
  attackerJwksUrl?: string;
  /** Clock in epoch milliseconds for exp/nbf/iat. Default `Date.now`. */
  now?: () => number;
}

/** Header value to send; `null` = omit the Authorization header entirely. */
export type ForgedCredential = { authorization: string | null };

/**
 * Capabilities a forgery needs: `mint` (a signature from the trusted key, `provider.mint`), `publicKey`
 * (at least one target public key), `jwt` (the legit token decodes as a compact JWT).
 */
export type Capability = 'mint' | 'publicKey' | 'jwt';

export interface Forgery extends MutationInfo {
  family: 'missing' | 'spoofed';
  /** Capabilities needed; the engine skips (and records as not applicable) when absent — see `unmetRequirements`. */
  requires: readonly Capability[];
  /** Tenant the forged credential claims (for the oracle). */
  claims: 'actor' | 'other' | 'none';
  build(ctx: ForgeContext): Promise<ForgedCredential>;
}

/** Which credential a probe presents: a tenant's legit token, or a forgery of the catalogue built from `actor`'s token aimed at `other`. */
export type CredentialSpec =
  | { kind: 'legit'; tenant: string }
  /** A forgery of the identity catalogue, built from `actor`'s legit token, aimed at `other`. */
  | { kind: 'forged'; forgeryId: string; actor: string; other: string };

/** A forgery as suites see it: what it claims, not how it is built. */
export interface ForgeryInfo {
  id: string;
  title: string;
  family: 'missing' | 'spoofed';
  /** Tenant the forged credential claims. */
  claims: 'actor' | 'other' | 'none';
}
