import { exportSPKI, importJWK } from 'jose';
import type { JWK } from 'jose';
import type { TargetPublicKey } from './types.ts';

const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
};

function defaultAlg(jwk: JWK): string | undefined {
  switch (jwk.kty) {
    case 'RSA':
      return 'RS256';
    case 'EC':
      return jwk.crv === 'P-256' ? 'ES256' : jwk.crv === 'P-384' ? 'ES384' : jwk.crv === 'P-521' ? 'ES512' : undefined;
    case 'OKP':
      return jwk.crv === 'Ed25519' ? 'EdDSA' : undefined;
    default:
      return undefined;
  }
}

/**
 * The signing keys of a JWKS as SPKI PEM (for RS→HS key confusion). RSA, EC and OKP (Ed25519)
 * keys are converted; `oct` keys, `use: "enc"` keys and keys that fail to import are skipped (the
 * forgeries needing a public key then simply have less, or nothing, to work with). Private members
 * (`d`, …) are ignored: only the public part is imported. Order is kept.
 */
export async function publicKeysFromJwks(jwks: { keys: readonly JWK[] }): Promise<TargetPublicKey[]> {
  const out: TargetPublicKey[] = [];
  for (const jwk of jwks.keys ?? []) {
    if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string') continue;
    const members = PUBLIC_MEMBERS[jwk.kty];
    if (members === undefined || jwk.use === 'enc') continue;
    const pub: Record<string, unknown> = {};
    const source = jwk as Record<string, unknown>;
    for (const m of members) if (typeof source[m] === 'string' && source[m] !== '') pub[m] = source[m];
    if (Object.keys(pub).length !== members.length) continue; // a public member is missing
    const candidates = [...new Set([jwk.alg, defaultAlg(jwk)].filter((a): a is string => typeof a === 'string'))];
    for (const alg of candidates) {
      try {
        const key = await importJWK(pub as JWK, alg);
        if (key instanceof Uint8Array) break;
        const entry: TargetPublicKey = { pem: await exportSPKI(key) };
        if (typeof jwk.kid === 'string') entry.kid = jwk.kid;
        entry.alg = alg;
        out.push(entry);
        break;
      } catch {
        /* try the next candidate alg, else skip the key */
      }
    }
  }
  return out;
}
