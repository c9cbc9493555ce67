import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import type { AttackerKeys } from './types.ts';

/** A fresh RS256 key pair the target has never seen, with a random `kid` (`attacker-<hex>`). */
export async function createAttackerKeys(): Promise<AttackerKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = `attacker-${randomBytes(8).toString('hex')}`;
  const exported = await exportJWK(publicKey);
  const publicJwk: JWK = { kty: exported.kty, n: exported.n, e: exported.e, kid, alg: 'RS256', use: 'sig' };
  return { privateKey, publicJwk, jwks: { keys: [publicJwk] }, kid };
}
