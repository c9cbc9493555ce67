import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import type { JsonWebKey as NodeJwk } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { calculateJwkThumbprint } from 'jose';
import type { JWK } from 'jose';
import { TenancyAuditError } from '../core/errors.ts';

/** JWS algorithms the manifest can be signed with; detected from the key, never taken from input. */
export type SigningAlg = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

/** A key spec: a file path to a JWK JSON or PEM, a literal PEM or JWK JSON, a JWK object, or a Node `KeyObject`. */
export type KeySpec = string | JWK | KeyObject;

export interface VerificationKey {
  publicKey: KeyObject;
  alg: SigningAlg;
  /** RFC 7638 JWK thumbprint (sha256, base64url) of the public key. */
  thumbprint: string;
  publicJwk: JWK;
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
  /** `kid` of the JWK when it had one, else the thumbprint. */
  kid: string;
}

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * Loads a private signing key (RSA, EC P-256/384/521 or Ed25519) and detects its JWS algorithm.
 * `env:NAME` specs are resolved by the caller (config layer or CLI).
 */
export async function loadSigningKey(spec: KeySpec | SigningKey): Promise<SigningKey> {
  if (isLoaded(spec)) {
    if ('privateKey' in spec) return spec as SigningKey;
    throw usage('The signing key is a public key; signing needs the private key');
  }
  const material = await resolveMaterial(spec, 'signing');
  let privateKey: KeyObject;
  let kid: string | undefined;
  try {
    if (material instanceof KeyObject) privateKey = material;
    else if (typeof material === 'string') privateKey = createPrivateKey(material);
    else {
      if (material.kty === 'oct') throw usage('Symmetric (oct) keys cannot sign a manifest: anyone able to verify could forge');
      if (typeof material.d !== 'string') throw usage('The signing JWK has no private part ("d"); pass the private key');
      privateKey = createPrivateKey({ key: material as NodeJwk, format: 'jwk' });
      kid = typeof material.kid === 'string' ? material.kid : undefined;
    }
  } catch (cause) {
    if (cause instanceof TenancyAuditError) throw cause;
    throw usage('The signing key could not be read as a private key (PKCS8/PKCS1/SEC1 PEM or private JWK)', cause);
  }
  if (privateKey.type !== 'private') throw usage('The signing key is not a private key');
  const pub = await describePublic(createPublicKey(privateKey));
  return { ...pub, privateKey, kid: kid ?? pub.thumbprint };
}

/** Loads a key to verify a manifest signature with: a public JWK/SPKI PEM/certificate, or a private key (its public half is used). */
export async function loadVerificationKey(spec: KeySpec | VerificationKey): Promise<VerificationKey> {
  if (isLoaded(spec)) return spec;
  const material = await resolveMaterial(spec, 'verification');
  let publicKey: KeyObject;
  try {
    if (material instanceof KeyObject) publicKey = material.type === 'private' ? createPublicKey(material) : material;
    else if (typeof material === 'string') publicKey = createPublicKey(material);
    else {
      if (material.kty === 'oct') throw usage('Symmetric (oct) keys are not accepted for manifest signatures');
      const pub = Object.fromEntries(Object.entries(material).filter(([k]) => !PRIVATE_JWK_MEMBERS.includes(k)));
      publicKey = createPublicKey({ key: pub as NodeJwk, format: 'jwk' });
    }
  } catch (cause) {
    if (cause instanceof TenancyAuditError) throw cause;
    throw usage('The verification key could not be read as a public key (SPKI PEM, certificate or JWK)', cause);
  }
  if (publicKey.type === 'secret') throw usage('Symmetric keys are not accepted for manifest signatures');
  return describePublic(publicKey);
}

function isLoaded(spec: unknown): spec is VerificationKey {
  return typeof spec === 'object' && spec !== null && 'publicKey' in spec && 'alg' in spec && 'thumbprint' in spec;
}

async function resolveMaterial(spec: KeySpec, what: string): Promise<string | JWK | KeyObject> {
  if (spec instanceof KeyObject) return spec;
  if (typeof spec === 'object' && spec !== null) return spec;
  if (typeof spec !== 'string' || spec.trim() === '') throw usage(`The ${what} key is empty`);
  const literal = parseLiteral(spec);
  if (literal !== null) return literal;
  let content: string;
  try {
    content = await readFile(spec, 'utf8');
  } catch (cause) {
    throw usage(`The ${what} key file ${spec} cannot be read`, cause);
  }
  const fromFile = parseLiteral(content);
  if (fromFile === null) throw usage(`The ${what} key file ${spec} holds neither a PEM block nor a JWK JSON object`);
  return fromFile;
}

function parseLiteral(text: string): string | JWK | null {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN ')) return trimmed;
  if (trimmed.startsWith('{')) {
    try {
      const jwk = JSON.parse(trimmed) as unknown;
      if (jwk !== null && typeof jwk === 'object' && typeof (jwk as JWK).kty === 'string') return jwk as JWK;
    } catch {
      /* fall through */
    }
    throw usage('The key looks like JSON but is not a JWK (an object with "kty")');
  }
  return null;
}

async function describePublic(publicKey: KeyObject): Promise<VerificationKey> {
  const alg = detectAlg(publicKey);
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  const thumbprint = await calculateJwkThumbprint(publicJwk, 'sha256');
  return { publicKey, alg, thumbprint, publicJwk };
}

function detectAlg(key: KeyObject): SigningAlg {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'rsa-pss') return 'PS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return 'ES256';
    if (curve === 'secp384r1' || curve === 'P-384') return 'ES384';
    if (curve === 'secp521r1' || curve === 'P-521') return 'ES512';
    throw usage(`EC curve ${curve ?? '(unknown)'} is not supported for manifest signatures; use P-256, P-384 or P-521`);
  }
  throw usage(`Key type ${type ?? '(unknown)'} is not supported for manifest signatures; use RSA, EC (P-256/384/521) or Ed25519`);
}

function usage(message: string, cause?: unknown): TenancyAuditError {
  return new TenancyAuditError('TA_USAGE', message, {
    hint: 'Pass a file path to a JWK JSON or PEM file, or the literal PEM/JWK.',
    ...(cause === undefined ? {} : { cause }),
  });
}
