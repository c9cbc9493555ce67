import type { UserConfig } from '../config/schema.ts';
import { kebab } from './draft.ts';
import { idFromLinks, idPath, listPath, type Route } from './routes.ts';
import { keepOneFill, sampleBody, type Fill } from './sample.ts';

type OperationOut = UserConfig['operations'][number];
type FixtureOut = NonNullable<UserConfig['fixtures']>[string];

export interface OperationSet {
  operations: { op: OperationOut; why: string; route: Route }[];
  fixtures: Record<string, { fixture: FixtureOut; why: string }>;
  skipped: string[];
  /** Where list responses keep their items (the config's `empty` shapes). */
  listPaths: string[];
}

export interface OperationOptions {
  seed: number;
  readOnly: boolean;
  isTenant: (name: string) => boolean;
  /** Header parameter names handled elsewhere (idempotency keys), lower case. */
  ignoredHeaders: (name: string) => boolean;
  /** Fixtures found in the tenants' existing data (read-only staging). */
  existing?: Record<string, { fixture: FixtureOut; why: string }>;
}

const KIND_WORD = { list: 'list', read: 'read', create: 'create', update: 'update', delete: 'delete' } as const;

/** Operations and fixtures from the synchronous routes (async submit/poll and inbound webhooks are taken out before). */
export function inferOperations(routes: readonly Route[], options: OperationOptions): OperationSet {
  const out: OperationSet = { operations: [], fixtures: { ...options.existing }, skipped: [], listPaths: [] };
  const creates = options.readOnly ? [] : routes.filter((r) => kindOf(r) === 'create' && !r.public && r.resource);
  for (const route of [...creates].sort((a, b) => weight(a) - weight(b))) {
    const name = route.resource!;
    if (out.fixtures[name]) continue;
    const path = template(route, out.fixtures, name);
    if (path === undefined) {
      out.skipped.push(`${route.method.toUpperCase()} ${route.path}: its path names an object no create operation makes`);
      continue;
    }
    const sample = sampleBody(route.requestSchema, { fill: '{{canary}}', skip: options.isTenant, seed: options.seed + hash(route.path) });
    const id = idFromLinks(route.op) ?? idPath(route.responseSchema, name);
    const del = routes.filter((r) => r.method === 'delete' && r.item && r.resource === name && !r.public).sort((a, b) => weight(a) - weight(b))[0];
    const delPath = del ? template(del, out.fixtures, name) : undefined;
    out.fixtures[name] = {
      fixture: {
        create: { method: 'POST', path, ...(route.requestSchema ? { body: sample.body } : {}), id: id ?? 'id' },
        ...(del && delPath ? { delete: { method: 'DELETE', path: delPath } } : {}),
      },
      why:
        `made per tenant by ${route.method.toUpperCase()} ${route.path}; ` +
        (sample.filled.length > 0 ? `the canary goes into ${sample.filled.join(', ')}` : 'no plain string field can carry the canary, so only ids are compared') +
        `; id from ${id ? `the response's ${id}` : 'the response\'s `id` (the response schema names none: check it)'}` +
        (del ? `; deleted by ${del.path} at teardown` : '; no delete operation, so fixtures stay behind'),
    };
  }

  const ids = new Set<string>();
  for (const route of routes) {
    const kind = kindOf(route);
    if (!kind || (options.readOnly && kind !== 'list' && kind !== 'read')) continue;
    const label = `${route.method.toUpperCase()} ${route.path}`;
    if (route.public) {
      if (route.method === 'get' && route.params.every((p) => p.in !== 'path')) {
        out.operations.push({ op: { id: uniqueId(route, kind, ids), kind, method: 'GET', path: route.path, tenantScoped: false }, route, why: `${label}: public (\`security: []\`): never required to reject, only probed for canary leaks (each tenant reads it; no other tenant's data may show)` });
      } else out.skipped.push(`${label}: public (\`security: []\`) and not a plain read`);
      continue;
    }
    const fixture = route.resource && out.fixtures[route.resource] ? route.resource : undefined;
    if (route.item && !fixture) {
      out.skipped.push(`${label}: no create operation makes ${article(route.resource ?? 'object')} to address${options.readOnly ? ' and no existing one was found' : ' (--read-only finds existing ones instead)'}`);
      continue;
    }
    const path = template(route, out.fixtures, fixture);
    if (path === undefined) {
      out.skipped.push(`${label}: its path names an object no create operation makes`);
      continue;
    }
    const op: OperationOut = { id: uniqueId(route, kind, ids), kind, method: route.method.toUpperCase() as OperationOut['method'], path };
    const query = requiredValues(route, 'query', options);
    const headers = requiredValues(route, 'header', options);
    if (query) op.query = query;
    if (headers) op.headers = headers;
    const reasons = [reasonFor(route, kind)];
    if ((kind === 'create' || kind === 'update') && route.requestSchema) {
      const sample = sampleBody(route.requestSchema, { fill: '{{marker}}', skip: options.isTenant, seed: options.seed + hash(route.path) + 1 });
      const filled = kind === 'update' ? keepOneFill(sample.body, sample.filled, route.requestSchema) : sample.filled;
      op.body = sample.body;
      if (filled.length > 0) reasons.push(`the write's marker goes into ${filled.join(', ')}${kind === 'update' ? ' (one field, so the fixture keeps its canary elsewhere)' : ''}`);
    }
    if (fixture) op.fixture = fixture;
    if (kind === 'list') {
      const items = listPath(route.responseSchema);
      if (items && !out.listPaths.includes(items)) out.listPaths.push(items);
    }
    out.operations.push({ op, route, why: reasons.join('; ') });
  }
  linkVerify(out.operations);
  return out;
}

export function kindOf(route: Route): OperationOut['kind'] | undefined {
  switch (route.method) {
    case 'get':
      return route.item ? 'read' : listPath(route.responseSchema) !== undefined ? 'list' : 'read';
    case 'post':
      return route.item ? undefined : route.resource ? 'create' : undefined;
    case 'put':
    case 'patch':
      return route.item ? 'update' : undefined;
    case 'delete':
      return route.item ? 'delete' : undefined;
  }
}

function reasonFor(route: Route, kind: string): string {
  const label = `${route.method.toUpperCase()} ${route.path}`;
  switch (kind) {
    case 'list':
      return `${label}: a ${listPath(route.responseSchema) === '$' ? 'JSON array' : `collection (items at ${listPath(route.responseSchema)})`} → list`;
    case 'read':
      return route.item ? `${label}: GET on {${route.itemParam}} → read` : `${label}: GET of one object, no id in the path → read`;
    case 'create':
      return `${label}: POST to a collection → create`;
    default:
      return `${label}: ${route.method.toUpperCase()} on {${route.itemParam}} → ${kind}`;
  }
}

/** The config's path template: tenant parameters → `{{tenant}}`, the item → `{{id}}`, parents → `{{fixtures.X.id}}`. */
function template(route: Route, fixtures: Record<string, unknown>, own: string | undefined): string | undefined {
  let path = route.path;
  for (const t of route.tenantParams) path = path.replaceAll(`{${t}}`, '{{tenant}}');
  if (route.itemParam) {
    if (!own) return undefined;
    path = replaceLast(path, `{${route.itemParam}}`, '{{id}}');
  }
  for (const parent of route.parents) {
    if (!(parent.resource in fixtures)) return undefined;
    path = path.replace(`{${parent.param}}`, `{{fixtures.${parent.resource}.id}}`);
  }
  return /\{[^{}]+\}/.test(path.replace(/\{\{[^}]+\}\}/g, '')) ? undefined : path;
}

function replaceLast(text: string, find: string, replacement: string): string {
  const at = text.lastIndexOf(find);
  return at < 0 ? text : text.slice(0, at) + replacement + text.slice(at + find.length);
}

function requiredValues(route: Route, where: 'query' | 'header', options: OperationOptions): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const p of route.params) {
    if (p.in !== where || !p.required || options.isTenant(p.name) || (where === 'header' && (options.ignoredHeaders(p.name) || /^(authorization|cookie|content-type|accept)$/i.test(p.name)))) continue;
    const sample = sampleBody(p.schema ?? { type: 'string' }, { fill: '{{marker}}', skip: () => false, seed: hash(p.name), minFillLength: Infinity });
    out[p.name] = typeof sample.body === 'string' ? sample.body : JSON.stringify(sample.body ?? '');
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A create operation's writes are read back with a list of the same fixture (its own collection first). */
function linkVerify(operations: OperationSet['operations']): void {
  for (const { op } of operations) {
    if (op.kind !== 'create' || !op.fixture) continue;
    const lists = operations.filter((o) => o.op.kind === 'list' && o.op.fixture === op.fixture && o.op.tenantScoped !== false);
    const verify = lists.find((o) => o.op.path === op.path) ?? lists[0];
    if (verify) op.verify = verify.op.id;
  }
}

function uniqueId(route: Route, kind: keyof typeof KIND_WORD, taken: Set<string>): string {
  const statics = route.path.split('/').filter((s) => s && !s.startsWith('{'));
  const base = route.op.operationId ? kebab(route.op.operationId) : kebab(`${KIND_WORD[kind]}-${statics.join('-') || 'root'}`);
  let id = base.slice(0, 80);
  for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 76)}-${n}`;
  taken.add(id);
  return id;
}

/** Shorter, tenant-free, parent-free paths first: the plainest way to make or delete a resource. */
function weight(route: Route): number {
  return route.tenantParams.length * 100 + route.parents.length * 10 + route.path.length / 1000;
}

function article(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export type { Fill };
