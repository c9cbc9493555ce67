import { TenancyAuditError } from '../core/errors.ts';

/**
 * Tenant-claim paths.
 *
 * A `tenantClaim` is a dot path into the JWT payload (`tenant_id`, `org.id`). Rules, in order:
 *  1. If the object being read or written has the WHOLE string as an own key, that key is used
 *     as-is (flat). This covers flat keys that contain dots, e.g. `https://example.com/tenant.id`.
 *  2. If the string looks like a URL (contains `://`), dots up to and including the first path
 *     segment after the last `/` belong to the key: `https://example.com/tenant` is one flat key,
 *     `https://example.com/claims.tenant` is `["https://example.com/claims", "tenant"]`; a bare
 *     origin (`https://example.com`) is one flat key.
 *  3. Otherwise the string is split on every `.`.
 * Empty segments (`a..b`, leading/trailing dots) are rejected.
 */
export function claimPath(tenantClaim: string, obj?: Record<string, unknown>): readonly string[] {
  if (tenantClaim.length === 0) invalid(tenantClaim);
  if (obj !== undefined && Object.hasOwn(obj, tenantClaim)) return [tenantClaim];
  let segments: string[];
  const scheme = tenantClaim.indexOf('://');
  if (scheme >= 0) {
    const lastSlash = tenantClaim.lastIndexOf('/');
    if (lastSlash < scheme + 3) return [tenantClaim]; // a bare origin: one flat key
    const head = tenantClaim.slice(0, lastSlash + 1);
    const rest = tenantClaim.slice(lastSlash + 1).split('.');
    segments = [head + (rest[0] ?? ''), ...rest.slice(1)];
  } else {
    segments = tenantClaim.split('.');
  }
  if (segments.some((s) => s.length === 0)) invalid(tenantClaim);
  return segments;
}

function invalid(tenantClaim: string): never {
  throw new TenancyAuditError('TA_IDENTITY', `invalid tenant claim path "${tenantClaim}": empty segment`, {
    hint: 'Use a dot path such as `tenant_id` or `org.id`.',
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the tenant claim; `undefined` when any segment is absent. */
export function getClaim(payload: Record<string, unknown>, tenantClaim: string): unknown {
  const path = claimPath(tenantClaim, payload);
  let cur: unknown = payload;
  for (const seg of path) {
    if (!isRecord(cur) || !Object.hasOwn(cur, seg)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

/** Returns a copy of `payload` with the tenant claim set to `value` (intermediate objects created or copied, never mutated). */
export function setClaim(payload: Record<string, unknown>, tenantClaim: string, value: unknown): Record<string, unknown> {
  return update(payload, claimPath(tenantClaim, payload), { value });
}

/** Returns a copy of `payload` without the tenant claim (the leaf is removed; parent objects are kept). */
export function deleteClaim(payload: Record<string, unknown>, tenantClaim: string): Record<string, unknown> {
  return update(payload, claimPath(tenantClaim, payload), undefined);
}

function update(obj: Record<string, unknown>, path: readonly string[], leaf: { value: unknown } | undefined): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return obj;
  const copy: Record<string, unknown> = { ...obj };
  if (rest.length === 0) {
    if (leaf === undefined) delete copy[head];
    else copy[head] = leaf.value;
    return copy;
  }
  const child = copy[head];
  if (!isRecord(child)) {
    if (leaf === undefined) return copy; // nothing to delete
    copy[head] = update({}, rest, leaf);
  } else {
    copy[head] = update(child, rest, leaf);
  }
  return copy;
}
