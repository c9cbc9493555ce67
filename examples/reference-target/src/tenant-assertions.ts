import type { IncomingHttpHeaders } from 'node:http';
import { ForbiddenError } from './errors.ts';
import type { Bugs } from './modes.ts';

export type AssertionChannel = 'header' | 'query' | 'body' | 'path' | 'cookie';

/** A tenant named by the request outside the token. It may only repeat the token's tenant. */
export interface TenantAssertion {
  readonly channel: AssertionChannel;
  readonly name: string;
  readonly value: unknown;
}

export const TENANT_HEADER = 'x-tenant-id';
export const TENANT_COOKIE = 'tenant';
const QUERY_NAMES = ['tenantId', 'tenant_id'];
const BODY_NAMES = ['tenantId', 'tenant_id'];

export interface AssertionSources {
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  body: unknown;
  params: Readonly<Record<string, string>>;
}

/** Every place a request can name a tenant: header, query, body (top level and `meta`), path, cookie. */
export function collectTenantAssertions({ headers, query, body, params }: AssertionSources): TenantAssertion[] {
  const found: TenantAssertion[] = [];
  const header = headers[TENANT_HEADER];
  for (const value of Array.isArray(header) ? header : header === undefined ? [] : [header]) {
    found.push({ channel: 'header', name: 'X-Tenant-ID', value });
  }
  for (const name of QUERY_NAMES) {
    for (const value of query.getAll(name)) found.push({ channel: 'query', name, value });
  }
  if (isObject(body)) {
    for (const name of BODY_NAMES) if (Object.hasOwn(body, name)) found.push({ channel: 'body', name, value: body[name] });
    const meta = body['meta'];
    if (isObject(meta)) {
      for (const name of BODY_NAMES) if (Object.hasOwn(meta, name)) found.push({ channel: 'body', name: `meta.${name}`, value: meta[name] });
    }
  }
  if (params['tenantId'] !== undefined) found.push({ channel: 'path', name: ':tenantId', value: params['tenantId'] });
  for (const value of cookieValues(headers.cookie, TENANT_COOKIE)) found.push({ channel: 'cookie', name: TENANT_COOKIE, value });
  return found;
}

export interface ResolveOptions {
  method: string;
  bugs: Bugs;
  knownTenants: ReadonlySet<string>;
}

/**
 * The request's tenant: the token's. Any other channel naming a different tenant is rejected with 403;
 * naming the same one is accepted (and the field is never stored).
 */
export function resolveRequestTenant(tokenTenant: string, assertions: readonly TenantAssertion[], options: ResolveOptions): string {
  let tenant = tokenTenant;
  const override = seededOverride(assertions, options);
  if (override !== undefined) {
    if (typeof override.value !== 'string' || !options.knownTenants.has(override.value)) {
      throw new ForbiddenError('UNKNOWN_TENANT', `${override.name} names an unknown tenant`);
    }
    tenant = override.value;
  }
  for (const assertion of assertions) {
    if (assertion.value !== tenant) {
      throw new ForbiddenError('TENANT_MISMATCH', `${assertion.channel} ${assertion.name} names a tenant other than the authenticated one`);
    }
  }
  return tenant;
}

/** The seeded override bugs: one channel is trusted over the token. */
function seededOverride(assertions: readonly TenantAssertion[], { method, bugs }: ResolveOptions): TenantAssertion | undefined {
  const isWrite = method === 'POST' || method === 'PATCH';
  return assertions.find(
    (a) =>
      (bugs.headerOverride && a.channel === 'header') ||
      (bugs.pathOverride && a.channel === 'path') ||
      (bugs.bodyOverride && a.channel === 'body' && isWrite),
  );
}

function cookieValues(cookieHeader: string | undefined, name: string): string[] {
  if (!cookieHeader) return [];
  const values: string[] = [];
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      values.push(decodeURIComponent(raw));
    } catch {
      values.push(raw);
    }
  }
  return values;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
