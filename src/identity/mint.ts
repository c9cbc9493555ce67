import { randomUUID } from 'node:crypto';
import { CompactSign, importJWK, importPKCS8 } from 'jose';
import type { CryptoKey } from 'jose';
import { TenancyAuditError } from '../core/errors.ts';
import { setClaim, claimPath } from './claims.ts';
import { createTokenCache } from './token-cache.ts';
import type { TokenProvider, TokenProviderOptions, TokenSource } from './types.ts';

type MintSource = Extract<TokenSource, { kind: 'mint' }>;

const KEY_HINT = 'Check identity.mint.key: `alg` must match the key, `pem` must be a PKCS#8 private key (or the HMAC secret for HS*), `jwk` a private JWK.';

async function importSigningKey(key: MintSource['key']): Promise<CryptoKey | Uint8Array> {
  const alg = key.alg;
  try {
    if (key.jwk !== undefined) return await importJWK(key.jwk, alg);
    if (key.pem !== undefined) {
      if (/^HS\d+$/.test(alg)) {
        if (key.pem.length === 0) throw new Error('empty HMAC secret');
        return new TextEncoder().encode(key.pem);
      }
      return await importPKCS8(key.pem, alg);
    }
  } catch (err) {
    // Never echo the library message verbatim: some include key material. Name/code only.
    const what = err instanceof Error ? ((err as { code?: string }).code ?? err.name) : 'unknown error';
    throw new TenancyAuditError('TA_IDENTITY', `could not import the mint signing key (alg ${alg}): ${what}`, { hint: KEY_HINT, cause: err });
  }
  throw new TenancyAuditError('TA_IDENTITY', `the mint signing key (alg ${alg}) has neither "jwk" nor "pem"`, { hint: KEY_HINT });
}

/** A provider that mints legit tokens with the target's trusted test key. */
export function createMintProvider(source: MintSource, opts: TokenProviderOptions = {}): TokenProvider {
  const now = opts.now ?? Date.now;
  const lifetime = source.expiresInSeconds;
  if (!Number.isFinite(lifetime) || lifetime <= 0) {
    throw new TenancyAuditError('TA_IDENTITY', `mint expiresInSeconds must be a positive number, got ${String(lifetime)}`);
  }
  claimPath(source.tenantClaim); // validate early
  const kid = source.key.kid ?? (typeof source.key.jwk?.kid === 'string' ? source.key.jwk.kid : undefined);
  const subjectTemplate = source.subject ?? 'audit-user@{{tenant}}';
  const issued = new Set<string>();
  let keyPromise: Promise<CryptoKey | Uint8Array> | undefined;

  const signingKey = (): Promise<CryptoKey | Uint8Array> => {
    keyPromise ??= importSigningKey(source.key);
    // A failed import is not cached: the next call retries (and fails the same way, cheaply).
    keyPromise.catch(() => {
      keyPromise = undefined;
    });
    return keyPromise;
  };

  const mint = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> => {
    const key = await signingKey();
    const protectedHeader: Record<string, unknown> = { alg: source.key.alg, ...(kid === undefined ? {} : { kid }), typ: 'JWT', ...header };
    protectedHeader['alg'] = source.key.alg; // the key decides the alg
    const cleaned = JSON.parse(JSON.stringify(protectedHeader)) as { alg: string };
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(cleaned).sign(key);
    issued.add(token);
    return token;
  };

  const mintFor = async (tenant: string): Promise<{ token: string; expiresAt: number }> => {
    const iat = Math.floor(now() / 1000);
    const exp = iat + Math.floor(lifetime);
    let payload: Record<string, unknown> = { ...structuredClone(source.claims ?? {}) };
    payload['iss'] = source.issuer;
    payload['sub'] = subjectTemplate.replaceAll('{{tenant}}', tenant);
    payload['aud'] = source.audience;
    payload = setClaim(payload, source.tenantClaim, tenant);
    payload['iat'] = iat;
    payload['exp'] = exp;
    payload['jti'] = randomUUID();
    return { token: await mint(payload), expiresAt: exp * 1000 };
  };
  const cache = createTokenCache('mint', mintFor, opts);

  return {
    tenantClaim: source.tenantClaim,
    mint,
    issued: () => [...new Set([...issued, ...cache.issued()])],
    tokenFor: cache.tokenFor,
    refresh: cache.refresh,
    stats: cache.stats,
  };
}
