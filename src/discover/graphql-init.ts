import { type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { UserConfig } from '../config/schema.ts';
import { TenancyAuditError } from '../core/errors.ts';
import { baseDraft, type Common } from './assemble.ts';
import { kebab, type Draft } from './draft.ts';
import { argsSchema, callText, mutationTarget, selectionFor, shapeOf, type FieldShape } from './graphql-shapes.ts';
import { isRecord } from './openapi-types.ts';
import { keepOneFill, sampleBody, UNRESOLVED_ID } from './sample.ts';

type Field = GraphQLField<unknown, unknown>;
type OperationOut = UserConfig['operations'][number];

export interface GraphqlInference {
  seed: number;
  readOnly: boolean;
  isTenant: (name: string) => boolean;
  /** The endpoint's path (`/graphql`). */
  path: string;
  /** Channels found by asking the endpoint (headers, query parameters, cookies it rejects when they name another tenant). */
  discovered: { headers: string[]; query: string[]; cookies: string[]; why: string };
}

const VERB = { create: /^(create|add|insert|new)/i, update: /^(update|edit|set|patch|rename|modify)/i, delete: /^(delete|remove|destroy|archive)/i };
const CALLBACK = /callback|webhook|notify/i;

/** A config from a GraphQL schema: reads, lists and writes as POSTs of queries and mutations, errors-in-200 as rejections. */
export function draftFromGraphql(schema: GraphQLSchema, common: Omit<Common, 'jwksUrl'>, options: GraphqlInference): Draft {
  const draft = baseDraft(common);
  const queries = Object.values(schema.getQueryType()?.getFields() ?? {});
  const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
  const fixtureOf = (type: GraphQLObjectType | undefined) => (type ? kebab(type.name) : undefined);
  const verbOf = (m: Field) => (Object.keys(VERB) as (keyof typeof VERB)[]).find((v) => VERB[v].test(m.name));
  const sameType = (m: Field, type: GraphQLObjectType) => m.name.replace(VERB[verbOf(m)!], '').toLowerCase() === type.name.toLowerCase();
  const hasCallback = (m: Field) => JSON.stringify(argsSchema(m)).match(/"(\w+)":/g)?.some((k) => CALLBACK.test(k)) ?? false;

  const creates = options.readOnly ? [] : mutations.filter((m) => verbOf(m) === 'create' && mutationTarget(m) && !hasCallback(m));
  const fixtureNames = new Set(creates.map((m) => fixtureOf(mutationTarget(m)!.type)!));
  const skipped: string[] = mutations.filter(hasCallback).map((m) => `mutation ${m.name}: takes a callback URL (async over GraphQL is not inferred; configure async by hand)`);
  const idRef = (own: string | undefined) => (name: string) => {
    if (name === 'id') return own ? '{{id}}' : undefined;
    const parent = name.endsWith('id') ? name.slice(0, -2) : undefined;
    return parent && fixtureNames.has(parent) ? `{{fixtures.${parent}.id}}` : undefined;
  };
  // Writes fill their optional input fields too (more places for the canary); queries send required arguments only.
  const sample = (field: Field, fill: '{{canary}}' | '{{marker}}', own: string | undefined, seed: number, optionalDepth = 1) => {
    const schemaOfArgs = argsSchema(field);
    const result = sampleBody(schemaOfArgs, { fill, skip: options.isTenant, seed, override: idRef(own), optionalDepth });
    return { ...result, schema: schemaOfArgs, unresolved: JSON.stringify(result.body).includes(UNRESOLVED_ID) };
  };
  const request = (kind: 'query' | 'mutation', field: Field, variables: Record<string, unknown>, selection: string) => {
    const { defs, call } = callText(field, Object.keys(variables));
    return { query: `${kind}${defs} { ${call} ${selection} }`, variables };
  };
  const writeSelection = (m: Field) => {
    const target = mutationTarget(m);
    if (!target) return '{ __typename }';
    const inner = selectionFor(shapeOf(target.type)!, schema);
    return target.via ? `{ ${target.via} ${inner} }` : inner;
  };

  const fixtures: Record<string, unknown> = {};
  for (const [i, m] of creates.entries()) {
    const target = mutationTarget(m)!;
    const name = fixtureOf(target.type)!;
    if (fixtures[name]) continue;
    const s = sample(m, '{{canary}}', undefined, options.seed + i);
    if (s.unresolved) {
      skipped.push(`mutation ${m.name}: an ID argument names an object no create mutation makes`);
      fixtureNames.delete(name);
      continue;
    }
    const del = mutations.find((d) => verbOf(d) === 'delete' && sameType(d, target.type));
    const delVars = del ? (sampleBody(argsSchema(del), { fill: '{{marker}}', skip: options.isTenant, seed: 0, override: idRef(name) }).body as Record<string, unknown>) : undefined;
    fixtures[name] = {
      create: { method: 'POST', path: options.path, body: request('mutation', m, s.body as Record<string, unknown>, writeSelection(m)), id: `data.${m.name}${target.via ? `.${target.via}` : ''}.id` },
      ...(del && delVars ? { delete: { method: 'POST', path: options.path, body: request('mutation', del, delVars, '{ __typename }') } } : {}),
    };
    draft.note(['fixtures', name], `made per tenant by mutation ${m.name}; the canary goes into ${s.filled.join(', ') || 'no field (only ids are compared)'}${del ? `; deleted by ${del.name}` : ''}`);
  }

  const ops: { op: OperationOut; why: string }[] = [];
  const ids = new Set<string>();
  const unique = (base: string) => {
    let id = kebab(base);
    for (let n = 2; ids.has(id); n++) id = `${kebab(base)}-${n}`;
    ids.add(id);
    return id;
  };
  const listPaths: string[] = [];
  for (const field of queries) {
    const shape = shapeOf(field.type);
    if (!shape) continue;
    const owners = shape.iface ? schema.getPossibleTypes(shape.iface as never).map((t) => fixtureOf(t as GraphQLObjectType)!).filter((f) => f in fixtures) : [fixtureOf(shape.type)].filter((f): f is string => f !== undefined);
    const byId = field.args.some((a) => a.name === 'id');
    for (const fixture of byId ? owners : [owners.find((f) => f in fixtures)]) {
      if (byId && !fixture) continue;
      const s = sample(field, '{{marker}}', byId ? fixture : undefined, options.seed, -1);
      if (s.unresolved) {
        skipped.push(`query ${field.name}: a required ID argument names nothing init can make`);
        break;
      }
      const kind = shape.shape === 'one' ? 'read' : 'list';
      if (kind === 'read' && byId && !(fixture && fixture in fixtures)) continue;
      const id = unique(shape.iface ? `${field.name}-${fixture}` : field.name);
      ops.push({
        op: { id, kind, method: 'POST', path: options.path, body: request('query', field, s.body as Record<string, unknown>, selectionFor(shape, schema)), ...(fixture && fixture in fixtures ? { fixture } : {}) },
        why: `query ${field.name}: ${describeShape(shape)} → ${kind}; its variables take no tenant, so body channels are not asserted here (channels.appliesTo)`,
      });
      if (kind === 'list') listPaths.push(`data.${field.name}${shape.itemsAt ? `.${shape.itemsAt}` : ''}`);
    }
  }
  for (const [i, m] of mutations.entries()) {
    const verb = verbOf(m);
    if (!verb || options.readOnly || hasCallback(m)) continue;
    const fixture = [fixtureOf(mutationTarget(m)?.type), kebab(m.name.replace(VERB[verb], ''))].find((f) => f !== undefined && f in fixtures);
    if (!fixture || !(fixture in fixtures)) {
      skipped.push(`mutation ${m.name}: no fixture of its type to address`);
      continue;
    }
    const s = sample(m, '{{marker}}', verb === 'create' ? undefined : fixture, options.seed + 100 + i);
    const filled = verb === 'update' ? keepOneFill(s.body, s.filled, s.schema) : s.filled;
    const kind = verb;
    const op: OperationOut = { id: unique(m.name), kind, method: 'POST', path: options.path, body: request('mutation', m, s.body as Record<string, unknown>, writeSelection(m)), fixture };
    ops.push({ op, why: `mutation ${m.name} → ${kind}${filled.length > 0 ? `; the write's marker goes into ${filled.join(', ')}` : ''}` });
  }
  for (const { op } of ops) {
    if (op.kind !== 'create') continue;
    const list = ops.find((o) => o.op.kind === 'list' && o.op.fixture === op.fixture);
    if (list) op.verify = list.op.id;
  }
  if (ops.length === 0) {
    throw new TenancyAuditError('TA_SPEC_INVALID', `the GraphQL schema ${common.source} has no query or mutation init can use`, { hint: 'Check the schema, or write the config by hand.' });
  }

  const bodyChannels = [...new Set(mutations.filter((m) => verbOf(m)).flatMap((m) => tenantArgs(m, options.isTenant)))];
  draft.config['channels'] = {
    headers: options.discovered.headers,
    query: options.discovered.query,
    body: bodyChannels,
    path: [],
    cookies: options.discovered.cookies,
    // A GraphQL client asserts a tenant only in the inputs of a write: queries take no tenant.
    ...(bodyChannels.length > 0 ? { appliesTo: { body: ['create', 'update', 'delete'] } } : {}),
  };
  draft.note(['channels'], [`body: tenant-like mutation inputs (${bodyChannels.join(', ') || 'none'}), asserted on writes only`, options.discovered.why].join('; '));
  if (Object.keys(fixtures).length > 0) draft.config['fixtures'] = fixtures;
  draft.config['operations'] = ops.map((o) => o.op);
  ops.forEach((o, i) => draft.note(['operations', i], o.why));
  draft.skipped = skipped.length;
  if (skipped.length > 0) draft.note(['operations'], `not probed:\n${skipped.map((s) => `- ${s}`).join('\n')}`);
  draft.config['rejection'] = { statuses: [400, 401, 403, 404, 422], bodyMatchers: [{ jsonPath: 'errors', nonEmpty: true }] };
  draft.note(['rejection'], 'GraphQL refuses with errors in a 200 answer: a non-empty `errors` is a rejection');
  draft.config['empty'] = [{ jsonPath: 'data' }, ...[...new Set(listPaths)].map((jsonPath) => ({ jsonPath }))];
  draft.note(['empty'], 'no data, and each list query\'s items: an empty list there is an empty answer');
  return draft;
}

function describeShape(shape: FieldShape): string {
  if (shape.iface) return `an object by id (the ${shape.iface.name} interface)`;
  return shape.shape === 'one' ? `one ${shape.type!.name}` : shape.shape === 'list' ? `a list of ${shape.type!.name}` : `a connection of ${shape.type!.name}`;
}

function tenantArgs(m: Field, isTenant: (name: string) => boolean): string[] {
  const out: string[] = [];
  const schema = argsSchema(m);
  for (const [arg, s] of Object.entries(schema['properties'] as Record<string, Record<string, unknown>>)) {
    if (isTenant(arg)) out.push(`variables.${arg}`);
    else if (isRecord(s['properties'])) for (const key of Object.keys(s['properties'])) if (isTenant(key)) out.push(`variables.${arg}.${key}`);
  }
  return out;
}

