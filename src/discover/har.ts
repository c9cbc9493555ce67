import { TenancyAuditError } from '../core/errors.ts';
import { singular } from './draft.ts';
import { isRecord, type JsonSchema, type OpenApiDoc, type Operation, type Parameter, type PathItem } from './openapi-types.ts';
import { invalid, parseDocumentText, readSource } from './source.ts';

interface HarEntry {
  request: { method: string; url: string; headers?: { name: string; value: string }[]; postData?: { mimeType?: string; text?: string } };
  response: { status: number; headers?: { name: string; value: string }[]; content?: { mimeType?: string; text?: string; encoding?: string } };
}

const STATIC = /\.(js|mjs|css|png|jpe?g|gif|svg|ico|woff2?|ttf|map|html?)$/i;
const ID_SEGMENT = /^([0-9]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[A-Za-z0-9_-]{20,})$/i;
const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/**
 * A HAR capture (browser dev tools, Burp) of one tenant's session read as an OpenAPI document, so the same inference
 * applies: API requests to the base URL's origin become operations, id-like path segments (and ids seen in earlier
 * responses) become parameters, JSON bodies give request and response schemas, a segment equal to the capturing
 * tenant's id a tenant path parameter, requests sent without Authorization are public.
 */
export async function loadHar(where: string, capturingTenant: string, baseUrl: string | undefined): Promise<{ doc: OpenApiDoc; origin: string; baseUrl: string; requests: number }> {
  const source = await readSource('--har', where);
  const raw = parseDocumentText(source, 'HAR capture') as { log?: { entries?: HarEntry[] } };
  const entries = raw?.log?.entries;
  if (!Array.isArray(entries)) throw invalid(source, 'HAR capture', 'no log.entries: is this a HAR file?', 'Export the capture as HAR ("Save all as HAR" in the browser dev tools, or Burp → Save items as HAR).');
  const api = entries.filter((e) => isRecord(e?.request) && METHODS.has(String(e.request.method).toLowerCase()) && URL.canParse(e.request.url) && !STATIC.test(new URL(e.request.url).pathname));
  const origin = baseUrl ? new URL(baseUrl).origin : mostCommon(api.map((e) => new URL(e.request.url).origin));
  const prefix = baseUrl ? new URL(baseUrl).pathname.replace(/\/$/, '') : '';
  const mine = api.filter((e) => new URL(e.request.url).origin === origin && new URL(e.request.url).pathname.startsWith(prefix));
  if (mine.length === 0) throw new TenancyAuditError('TA_SPEC_INVALID', `HAR capture ${source.origin}: no API request to ${origin ?? 'any origin'}`, { hint: 'Pass --base-url with the API origin the capture talks to.' });
  const seenIds = new Set<string>();
  const paths: Record<string, PathItem> = {};
  for (const entry of mine) {
    const url = new URL(entry.request.url);
    const segments = url.pathname.slice(prefix.length).split('/').filter(Boolean);
    const params: Parameter[] = [];
    const template = segments.map((seg, i) => {
      const value = decodeURIComponent(seg);
      if (value === capturingTenant) {
        params.push({ name: 'tenantId', in: 'path', required: true, schema: { type: 'string' } });
        return '{tenantId}';
      }
      if (!ID_SEGMENT.test(value) && !seenIds.has(value)) return seg;
      const owner = segments[i - 1] && !ID_SEGMENT.test(segments[i - 1]!) ? singular(segments[i - 1]!) : 'item';
      const name = i === segments.length - 1 ? 'id' : `${owner}Id`;
      params.push({ name, in: 'path', required: true, schema: { type: 'string' } });
      return `{${name}}`;
    });
    const route = `/${template.join('/')}`;
    for (const [name] of url.searchParams) params.push({ name, in: 'query', schema: { type: 'string' } });
    for (const h of entry.request.headers ?? []) {
      if (/^(authorization|cookie|content-type|content-length|accept.*|user-agent|host|origin|referer|connection|sec-.*|:.*|cache-control|pragma)$/i.test(h.name)) continue;
      params.push({ name: h.name, in: 'header', schema: { type: 'string' } });
    }
    const authorized = (entry.request.headers ?? []).some((h) => /^authorization$/i.test(h.name) || /^cookie$/i.test(h.name));
    const requestJson = jsonOf(entry.request.postData?.text);
    const responseJson = jsonOf(entry.response.content?.encoding === 'base64' ? undefined : entry.response.content?.text);
    collectIds(responseJson, seenIds);
    const method = entry.request.method.toLowerCase() as 'get';
    const item = (paths[route] ??= {});
    if (item[method]) continue;
    const op: Operation = {
      parameters: dedupe(params),
      ...(requestJson !== undefined ? { requestBody: { content: { 'application/json': { schema: schemaOf(requestJson) } } } } : {}),
      responses: { [String(entry.response.status)]: { description: 'captured', ...(responseJson !== undefined ? { content: { 'application/json': { schema: schemaOf(responseJson) } } } : {}), headers: Object.fromEntries((entry.response.headers ?? []).map((h) => [h.name, {}])) } },
      ...(authorized ? {} : { security: [] }),
    };
    item[method] = op;
  }
  const doc: OpenApiDoc = { openapi: '3.1.0', info: { title: new URL(origin!).hostname }, security: [{ captured: [] }], paths };
  return { doc, origin: source.origin, baseUrl: `${origin}${prefix}`, requests: mine.length };
}

/** A JSON Schema that describes a captured value (every string a plain string: it may carry a canary). */
export function schemaOf(value: unknown, depth = 0): JsonSchema {
  if (depth > 6) return {};
  if (Array.isArray(value)) return { type: 'array', items: value.length > 0 ? schemaOf(value[0], depth + 1) : {} };
  if (isRecord(value)) {
    return { type: 'object', properties: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schemaOf(v, depth + 1)])), required: Object.keys(value).filter((k) => typeof value[k] !== 'object' || value[k] === null) };
  }
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (value === null) return { type: 'null' };
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(String(value)) ? { type: 'string', format: 'uuid' } : { type: 'string' };
}

function collectIds(value: unknown, into: Set<string>, depth = 0): void {
  if (depth > 6) return;
  if (Array.isArray(value)) value.forEach((v) => collectIds(v, into, depth + 1));
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'id' || /Id$|_id$/.test(k)) && (typeof v === 'string' || typeof v === 'number')) into.add(String(v));
      else collectIds(v, into, depth + 1);
    }
  }
}

function jsonOf(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function dedupe(params: Parameter[]): Parameter[] {
  return [...new Map(params.map((p) => [`${p.in}:${p.name.toLowerCase()}`, p])).values()];
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}
