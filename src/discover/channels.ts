import type { UserConfig } from '../config/schema.ts';
import { flattenSchema } from './sample.ts';
import { isRecord, type OpenApiDoc } from './openapi-types.ts';
import type { Route } from './routes.ts';

type Channels = NonNullable<UserConfig['channels']>;

/** Where a request could assert a tenant: tenant-like parameters, body fields, cookies from security schemes, the host. */
export function inferChannels(doc: OpenApiDoc, routes: readonly Route[], isTenant: (name: string) => boolean): { channels: Channels; why: string[] } {
  const headers = new Set<string>();
  const query = new Set<string>();
  const cookies = new Set<string>();
  const body = new Set<string>();
  let path = false;
  const seen: string[] = [];
  for (const route of routes) {
    for (const p of route.params) {
      if (!isTenant(p.name)) continue;
      if (p.in === 'header') headers.add(p.name);
      else if (p.in === 'query') query.add(p.name);
      else if (p.in === 'cookie') cookies.add(p.name);
      else if (p.in === 'path') path = true;
    }
    for (const field of tenantFields(route.requestSchema, isTenant)) body.add(field);
  }
  for (const [name, scheme] of Object.entries(doc.components?.securitySchemes ?? {})) {
    if (scheme.type !== 'apiKey' || !scheme.name || !isTenant(scheme.name)) continue;
    if (scheme.in === 'cookie') cookies.add(scheme.name);
    if (scheme.in === 'header') headers.add(scheme.name);
    if (scheme.in === 'query') query.add(scheme.name);
    seen.push(`security scheme ${name} (${scheme.in} ${scheme.name})`);
  }
  const channels: Channels = {
    headers: [...headers],
    query: [...query],
    body: [...body],
    path: path ? ['tenant'] : [],
    cookies: [...cookies],
  };
  const host = hostPattern(doc);
  if (host) channels.host = host;
  const why = [
    headers.size > 0 ? `headers: parameters named like a tenant (${[...headers].join(', ')})` : '',
    query.size > 0 ? `query: ${[...query].join(', ')}` : '',
    body.size > 0 ? `body: request fields named like a tenant (${[...body].join(', ')})` : '',
    path ? 'path: tenant path parameters are written {{tenant}}' : '',
    cookies.size > 0 ? `cookies: ${[...cookies].join(', ')}` : '',
    host ? `host: the server URL has a tenant variable (${host})` : '',
    ...seen,
  ].filter(Boolean);
  return { channels, why };
}

/** Tenant-like request fields at the top level and one object down (`tenantId`, `meta.tenantId`). */
export function tenantFields(schema: unknown, isTenant: (name: string) => boolean): string[] {
  const s = flattenSchema(isRecord(schema) ? schema : undefined);
  const props = s && isRecord(s['properties']) ? s['properties'] : {};
  const out: string[] = [];
  for (const [name, child] of Object.entries(props)) {
    if (isTenant(name)) out.push(name);
    else if (isRecord(child)) {
      const inner = flattenSchema(child);
      const innerProps = inner && isRecord(inner['properties']) ? inner['properties'] : {};
      for (const key of Object.keys(innerProps)) if (isTenant(key)) out.push(`${name}.${key}`);
    }
  }
  return out;
}

function hostPattern(doc: OpenApiDoc): string | undefined {
  const server = doc.servers?.find((s) => /\{(tenant|org|organization|account|workspace|team|company|customer)\w*\}/i.test(s.url));
  if (!server) return undefined;
  try {
    const url = new URL(server.url.replace(/\{[^}]+\}/g, 'x'));
    const hostTemplate = server.url.replace(/^[a-z]+:\/\//i, '').split('/')[0]!;
    return url.hostname ? hostTemplate.replace(/\{(tenant|org|organization|account|workspace|team|company|customer)\w*\}/i, '{{tenant}}') : undefined;
  } catch {
    return undefined;
  }
}
