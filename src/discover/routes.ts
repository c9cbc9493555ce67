import { flattenSchema, typeOf } from './sample.ts';
import { singular } from './draft.ts';
import { isRecord, METHODS, type JsonSchema, type Method, type OpenApiDoc, type Operation, type Parameter, type PathItem } from './openapi-types.ts';

/** One operation of the description, with what inference needs to know about its path and schemas. */
export interface Route {
  method: Method;
  path: string;
  op: Operation;
  params: Parameter[];
  /** `security: []` (or no security anywhere while other operations declare some). */
  public: boolean;
  /** The resource the path addresses, singular (`/projects/{id}/documents` → `document`). */
  resource: string | undefined;
  /** The path ends in a (non-tenant) parameter: one object. */
  item: boolean;
  itemParam: string | undefined;
  /** Non-tenant parameters before the last segment, with the resource each names. */
  parents: { param: string; resource: string }[];
  tenantParams: string[];
  requestSchema: JsonSchema | undefined;
  responseSchema: JsonSchema | undefined;
  responseHeaders: string[];
}

const JSON_TYPE = /json/i;

export function routesOf(doc: OpenApiDoc, isTenant: (name: string) => boolean): Route[] {
  const out: Route[] = [];
  const anySecurity = (doc.security?.length ?? 0) > 0 || Object.values(doc.paths ?? {}).some((item) => METHODS.some((m) => (item?.[m]?.security?.length ?? 0) > 0));
  for (const [path, item] of Object.entries(doc.paths ?? {}) as [string, PathItem][]) {
    if (typeof item !== 'object' || item === null) continue;
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (typeof op !== 'object' || op === null) continue;
      const params = mergeParams(item.parameters, op.parameters);
      const security = op.security ?? doc.security;
      const segments = path.split('/').filter(Boolean);
      const tenantParams = params.filter((p) => p.in === 'path' && isTenant(p.name)).map((p) => p.name);
      const last = segments.at(-1) ?? '';
      const lastParam = paramName(last);
      const item_ = lastParam !== undefined && !tenantParams.includes(lastParam);
      const statics = segments.filter((s) => paramName(s) === undefined);
      const parents: Route['parents'] = [];
      segments.forEach((seg, i) => {
        const name = paramName(seg);
        if (name === undefined || tenantParams.includes(name) || (item_ && i === segments.length - 1)) return;
        const owner = segments.slice(0, i).reverse().find((s) => paramName(s) === undefined);
        parents.push({ param: name, resource: singular(owner ?? name) });
      });
      const collection = item_ ? segments.at(-2) : lastParam === undefined ? last : statics.at(-1);
      out.push({
        method,
        path,
        op,
        params,
        public: Array.isArray(security) ? security.length === 0 || security.every((s) => Object.keys(s).length === 0) : anySecurity,
        resource: collection && paramName(collection) === undefined ? singular(collection) : undefined,
        item: item_,
        itemParam: item_ ? lastParam : undefined,
        parents,
        tenantParams,
        requestSchema: jsonSchemaOf(op.requestBody?.content),
        responseSchema: successResponse(op)?.schema,
        responseHeaders: Object.keys(successResponse(op)?.headers ?? {}).map((h) => h.toLowerCase()),
      });
    }
  }
  return out;
}

function paramName(segment: string): string | undefined {
  return /^\{([^}]+)\}$/.exec(segment)?.[1];
}

function mergeParams(shared: Parameter[] | undefined, own: Parameter[] | undefined): Parameter[] {
  const out = new Map<string, Parameter>();
  for (const p of [...(shared ?? []), ...(own ?? [])]) if (isRecord(p) && typeof p.name === 'string') out.set(`${p.in}:${p.name}`, p);
  return [...out.values()];
}

function jsonSchemaOf(content: Record<string, { schema?: JsonSchema }> | undefined): JsonSchema | undefined {
  if (!content) return undefined;
  const type = Object.keys(content).find((t) => JSON_TYPE.test(t)) ?? Object.keys(content)[0];
  return type ? content[type]?.schema : undefined;
}

function successResponse(op: Operation): { schema: JsonSchema | undefined; headers: Record<string, unknown> | undefined } | undefined {
  const codes = Object.keys(op.responses ?? {}).filter((c) => /^2/.test(c)).sort();
  const code = codes[0] ?? (op.responses?.['default'] ? 'default' : undefined);
  if (!code) return undefined;
  const res = op.responses![code]!;
  return { schema: jsonSchemaOf(res.content), headers: res.headers };
}

/** Where a list response keeps its items: `$` for a bare array, else the array property (`items`, `data`, `edges`…). */
export function listPath(schema: JsonSchema | undefined): string | undefined {
  const s = flattenSchema(schema);
  if (!s) return undefined;
  if (typeOf(s) === 'array') return '$';
  const props = isRecord(s['properties']) ? s['properties'] : {};
  const arrays = Object.entries(props).filter(([, v]) => isRecord(v) && typeOf(flattenSchema(v as JsonSchema) ?? {}) === 'array').map(([k]) => k);
  const preferred = ['items', 'data', 'results', 'edges', 'nodes', 'records', 'values', 'content', 'list', 'elements'];
  return arrays.find((a) => preferred.includes(a.toLowerCase())) ?? (arrays.length === 1 ? arrays[0] : undefined);
}

/** Where a create response (or one item) keeps the new object's id. */
export function idPath(schema: JsonSchema | undefined, resource: string | undefined): string | undefined {
  const s = flattenSchema(schema);
  if (!s) return undefined;
  const props = isRecord(s['properties']) ? s['properties'] : {};
  const names = Object.keys(props);
  const direct = names.find((n) => n === 'id') ?? names.find((n) => resource !== undefined && n.toLowerCase() === `${resource.toLowerCase()}id`) ?? names.find((n) => /^(uuid|_id|key|slug|number)$/i.test(n));
  if (direct) return direct;
  for (const wrapper of ['data', 'item', 'result', resource ?? '']) {
    if (wrapper && isRecord(props[wrapper])) {
      const inner = idPath(props[wrapper] as JsonSchema, resource);
      if (inner) return `${wrapper}.${inner}`;
    }
  }
  return undefined;
}

/** An OpenAPI link's `$response.body#/id` of a create response: where the id is, in link terms. */
export function idFromLinks(op: Operation): string | undefined {
  for (const res of Object.values(op.responses ?? {})) {
    for (const link of Object.values(res.links ?? {})) {
      for (const value of Object.values(link.parameters ?? {})) {
        const m = typeof value === 'string' ? /^\$response\.body#\/(.+)$/.exec(value) : null;
        if (m) return m[1]!.split('/').join('.');
      }
    }
  }
  return undefined;
}
