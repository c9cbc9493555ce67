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
  | { kind: 'command'; command: string; timeoutMs: number; cacheSeconds?: number }
  | OAuth2Source
  | LoginSource;

/** One tenant's OAuth 2.0 client (client-credentials grant, RFC 6749 §4.4); the secret is already resolved. */
export interface OAuth2Client {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  audience?: string;
  resource?: string;
  /** Extra form parameters sent with the grant. */
  params?: Record<string, string>;
}

export interface OAuth2Source {
  kind: 'oauth2';
  /** Tenant id → its client. */
  clients: Record<string, OAuth2Client>;
  /** `client_secret_basic` (HTTP Basic, RFC 6749 §2.3.1) or `client_secret_post` (form fields). */
  clientAuth: 'client_secret_basic' | 'client_secret_post';
  timeoutMs: number;
}

/** A login request whose response carries the token; `{{name}}` in url, headers and body is the tenant's value. */
export interface LoginSource {
  kind: 'login';
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  /** A JSON body template (strings are templated), or form fields (`form`); not both. */
  body?: unknown;
  form?: Record<string, string>;
  /** Tenant id → template values (`{{tenant}}` is always the tenant id); secrets are already resolved. */
  values: Record<string, Record<string, string>>;
  /** Where the token is: a JSON path into the response body, or the value of a named Set-Cookie cookie. */
  token: { jsonPath: string } | { cookie: string };
  /** JSON path of the lifetime in seconds (`expires_in`); else the JWT `exp`; else `cacheSeconds`. */
  expiresInPath?: string;
  cacheSeconds: number;
  timeoutMs: number;
}

/** What a provider says about the tokens it obtained (the run's manifest records it as `identity`). */
export interface TokenSourceStats {
  source: string;
  /** False for `static` and when refresh is disabled. */
  refreshable: boolean;
  /** Tokens obtained, first ones included. */
  fetched: number;
  /** Tokens re-obtained for a tenant that already had one (before expiry, or forced). */
  refreshes: number;
  /** Of those, the ones forced by `refresh()` (a 401 on a positive control). */
  forcedRefreshes: number;
  /** Epoch ms of the earliest expiry of any token obtained (undefined: none had a known lifetime). */
  earliestExpiry?: number;
}

export interface TokenProviderOptions {
  /** Clock in epoch milliseconds (tests inject one). Default `Date.now`. */
  now?: () => number;
  /** Refresh a token this many seconds before it expires (JWT `exp`, `expires_in`). Default `min(60, lifetime / 4)`. */
  refreshBeforeSeconds?: number;
  /** `false`: keep each tenant's first token for the whole run (no refresh before expiry, none on a 401). Default true. */
  refresh?: boolean;
  /** `oauth2`/`login`: the fetch used for token requests (default the global `fetch`). */
  fetch?: typeof fetch;
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
  /**
   * Re-obtains `tenant`'s token now (a positive control got 401). `stale` is the token that failed: when another
   * caller already replaced it, its fresh token is shared. Absent for sources that cannot refresh (`static`).
   */
  refresh?(tenant: string, stale?: string): Promise<string>;
  /** Counts of tokens obtained and refreshed. */
  stats?(): TokenSourceStats;
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
