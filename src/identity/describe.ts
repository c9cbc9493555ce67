import { claimPath, getClaim } from './claims.ts';
import { GARBAGE_TOKEN } from './forge-kit.ts';
import { parseJwt } from './jwt.ts';
import type { ForgedCredential } from './types.ts';

export interface DescribeOptions {
  /** Show this claim's value (e.g. `claims.tenant_id="globex"`). */
  tenantClaim?: string;
  /** Epoch ms for exp/nbf wording; default `Date.now()`. */
  now?: number;
}

/** Literal values that are safe to print as-is (they are not secrets). */
const SAFE_LITERALS = new Set([GARBAGE_TOKEN, 'null', 'undefined']);

function short(value: string, max = 48): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function renderValue(value: unknown): string {
  if (value === undefined) return 'absent';
  return short(JSON.stringify(value), 64);
}

function relative(seconds: number): string {
  const abs = Math.abs(seconds);
  const minutes = Math.round(abs / 60);
  const text = minutes >= 60 ? `${Math.round(minutes / 6) / 10}h` : abs >= 60 ? `${minutes}m` : `${Math.round(abs)}s`;
  return seconds < 0 ? `-${text}` : `+${text}`;
}

function describeJwt(token: string, opts: DescribeOptions): string | undefined {
  const jwt = parseJwt(token);
  if (jwt === undefined) return undefined;
  const { header, payload, signature } = jwt;
  const parts: string[] = [`alg=${typeof header['alg'] === 'string' ? short(header['alg'], 16) : '-'}`];
  parts.push(`kid=${typeof header['kid'] === 'string' ? JSON.stringify(short(header['kid'], 40)) : '-'}`);
  for (const h of ['jku', 'x5u'] as const) if (typeof header[h] === 'string') parts.push(`${h}=${short(header[h] as string, 64)}`);
  if (header['jwk'] !== undefined) parts.push('jwk=embedded');
  if (opts.tenantClaim !== undefined) {
    let value: unknown;
    try {
      claimPath(opts.tenantClaim);
      value = getClaim(payload, opts.tenantClaim);
    } catch {
      value = undefined;
    }
    parts.push(`claims.${opts.tenantClaim}=${renderValue(value)}`);
  }
  for (const c of ['iss', 'aud'] as const) if (payload[c] !== undefined) parts.push(`${c}=${renderValue(payload[c])}`);
  const now = (opts.now ?? Date.now()) / 1000;
  if (typeof payload['exp'] === 'number') parts.push(`exp=${relative(payload['exp'] - now)}`);
  if (typeof payload['nbf'] === 'number' && payload['nbf'] > now) parts.push(`nbf=${relative(payload['nbf'] - now)}`);
  if (signature.length === 0) parts.push('sig=empty');
  else if (signature.every((b) => b === 0)) parts.push(`sig=${signature.length}B-all-zero`);
  else parts.push(`sig=${signature.length}B`);
  return `<JWT ${parts.join(' ')}>`;
}

/**
 * A human, non-secret description of a credential for reports, e.g.
 * `Bearer <JWT alg=none kid=- claims.tenant_id="globex" sig=empty>`. Never prints a signature, a
 * whole token or an opaque credential (only its length); `sub` is left out (it may be personal data).
 */
export function describeCredential(c: ForgedCredential, opts: DescribeOptions = {}): string {
  const auth = c.authorization;
  if (auth === null) return '<no Authorization header>';
  if (auth.trim().length === 0) return '<empty Authorization header>';
  const space = auth.indexOf(' ');
  const scheme = space < 0 ? undefined : auth.slice(0, space);
  const value = space < 0 ? auth : auth.slice(space + 1);
  const prefix = scheme === undefined ? '' : `${short(scheme, 16)} `;
  if (value.length === 0) return `${prefix}<empty>`;
  if (SAFE_LITERALS.has(value)) return `${prefix}${value}`;
  const jwt = describeJwt(value, opts);
  if (jwt !== undefined) return `${prefix}${jwt}`;
  return `${prefix}<opaque ${value.length} chars>`;
}
