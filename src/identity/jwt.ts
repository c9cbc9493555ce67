import { createHmac } from 'node:crypto';
import { base64url } from 'jose';
import type { CryptoKey } from 'jose';

/** A decoded compact JWS, for inspection only: nothing here verifies anything. */
export interface JwtShape {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

interface JwtParts extends JwtShape {
  /** The three base64url segments as they appear in the token. */
  segments: [string, string, string];
  /** Decoded signature bytes (empty for `header.payload.`). */
  signature: Uint8Array;
}

const SEGMENT = /^[A-Za-z0-9_-]*$/;

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  if (segment.length === 0 || !SEGMENT.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64url.decode(segment)));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** @internal Decodes a compact JWS into header, payload, raw segments and signature bytes; `undefined` if it is not one. */
export function parseJwt(token: string): JwtParts | undefined {
  const segments = token.split('.');
  if (segments.length !== 3) return undefined;
  const [h, p, s] = segments as [string, string, string];
  if (!SEGMENT.test(s)) return undefined;
  const header = decodeJsonObject(h);
  const payload = decodeJsonObject(p);
  if (header === undefined || payload === undefined) return undefined;
  let signature: Uint8Array;
  try {
    signature = base64url.decode(s);
  } catch {
    return undefined;
  }
  return { header, payload, segments: [h, p, s], signature };
}

/** Safe decode of a compact JWT (header and payload must be JSON objects). Never throws, never verifies. */
export function jwtShape(token: string): JwtShape | undefined {
  const parts = parseJwt(token);
  return parts === undefined ? undefined : { header: parts.header, payload: parts.payload };
}

/** @internal base64url(JSON) of a header or payload. */
export function encodeSegment(value: Record<string, unknown>): string {
  return base64url.encode(JSON.stringify(value));
}

/** @internal `header.payload` of a JWS, the bytes a signature covers. */
export function signingInput(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  return `${encodeSegment(header)}.${encodeSegment(payload)}`;
}

/** @internal HMAC-SHA-2 over the signing input with raw key bytes (an empty key is allowed, unlike WebCrypto). */
export function hmacSign(hash: 'sha256' | 'sha384' | 'sha512', key: string | Uint8Array, input: string): string {
  return base64url.encode(createHmac(hash, key).update(input).digest());
}

/** @internal Complete a JWS with an HMAC signature. */
export function hmacJws(header: Record<string, unknown>, payload: Record<string, unknown>, key: string | Uint8Array): string {
  const input = signingInput(header, payload);
  return `${input}.${hmacSign('sha256', key, input)}`;
}

/** @internal Complete a JWS with an RSASSA-PKCS1-v1_5 signature from a WebCrypto private key (RS256 for attacker keys). */
export async function rsaJws(header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey): Promise<string> {
  const input = signingInput(header, payload);
  const sig = await crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, key, new TextEncoder().encode(input));
  return `${input}.${base64url.encode(new Uint8Array(sig))}`;
}
