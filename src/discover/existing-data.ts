import type { UserConfig } from '../config/schema.ts';
import { parseJsonSafe, readJsonPath } from '../core/json-path.ts';
import { isRecord } from './openapi-types.ts';
import { flattenSchema } from './sample.ts';
import { idPath, listPath, type Route } from './routes.ts';

type FixtureOut = NonNullable<UserConfig['fixtures']>[string];

const ID_LIKE = /^([0-9]+|[0-9a-f-]{16,}|[A-Za-z0-9_-]{20,})$/i;

/**
 * Read-only staging: instead of creating fixtures, each tenant's existing items are listed (GET, with its own
 * token) and one item per tenant becomes the fixture; its canary is a value present in that tenant's item and
 * absent from everything the other tenants' listings showed. A resource some tenant has no usable item of is skipped.
 */
export async function discoverExisting(
  routes: readonly Route[],
  baseUrl: string,
  tenants: readonly string[],
  tokens: readonly string[],
): Promise<{ fixtures: Record<string, { fixture: FixtureOut; why: string }>; notes: string[] }> {
  const fixtures: Record<string, { fixture: FixtureOut; why: string }> = {};
  const notes: string[] = [];
  const lists = routes.filter((r) => r.method === 'get' && !r.item && !r.public && r.parents.length === 0 && r.resource && listPath(r.responseSchema) !== undefined);
  for (const route of lists) {
    const name = route.resource!;
    if (fixtures[name]) continue;
    const items = listPath(route.responseSchema)!;
    const itemSchema = flattenSchema(flattenSchema(route.responseSchema)?.['items'] as Record<string, unknown> | undefined) ?? itemOf(route.responseSchema, items);
    const idAt = idPath(itemSchema, name) ?? 'id';
    const seen: { text: string; first: Record<string, unknown> | undefined }[] = [];
    for (const [i, tenant] of tenants.entries()) {
      const path = route.tenantParams.reduce((p, t) => p.replaceAll(`{${t}}`, encodeURIComponent(tenant)), route.path);
      const text = await get(`${baseUrl.replace(/\/$/, '')}${path}`, tokens[i]!);
      const listed = readJsonPath(parse(text), items);
      seen.push({ text: text ?? '', first: Array.isArray(listed) ? (listed.find((x) => isRecord(x) && readJsonPath(x, idAt) !== undefined) as Record<string, unknown> | undefined) : undefined });
    }
    const ids: Record<string, string> = {};
    const canaries: Record<string, string> = {};
    tenants.forEach((tenant, i) => {
      const own = seen[i]!.first;
      if (!own) return;
      const others = seen.filter((_, j) => j !== i).map((s) => s.text).join('\n');
      // Ids are no canaries: a refusal may echo the id it was asked for ("project 2d47… not found").
      const canary = stringsOf(own)
        .filter((v) => v.length >= 6 && !tenants.includes(v) && !others.includes(v) && !/^\d{4}-\d\d-\d\d/.test(v) && !ID_LIKE.test(v))
        .sort((a, b) => b.length - a.length)[0];
      ids[tenant] = String(readJsonPath(own, idAt));
      if (canary) canaries[tenant] = canary;
    });
    const missing = tenants.filter((t) => !(t in ids) || !(t in canaries));
    if (missing.length > 0) {
      notes.push(`GET ${route.path}: ${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no item with a value the other tenants' listings lack, so ${name} is not a fixture`);
      continue;
    }
    fixtures[name] = { fixture: { ids, canaries }, why: `read-only: each tenant's first ${name} listed by GET ${route.path} (id at ${idAt}); its canary is a value of that item no other tenant's listing shows` };
  }
  return { fixtures, notes };
}

function itemOf(schema: Route['responseSchema'], at: string): Record<string, unknown> | undefined {
  const s = flattenSchema(schema);
  const prop = s && isRecord(s['properties']) ? (s['properties'] as Record<string, Record<string, unknown>>)[at] : undefined;
  return flattenSchema(prop && isRecord(prop['items']) ? (prop['items'] as Record<string, unknown>) : undefined);
}

async function get(url: string, token: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

function parse(text: string | undefined): unknown {
  return text === undefined ? undefined : parseJsonSafe(text);
}

function stringsOf(value: unknown, depth = 0): string[] {
  if (depth > 4) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((v) => stringsOf(v, depth + 1));
  if (isRecord(value)) return Object.values(value).flatMap((v) => stringsOf(v, depth + 1));
  return [];
}
