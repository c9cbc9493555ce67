import { TenancyAuditError } from '../core/errors.ts';
import { baseDraft, type Common } from './assemble.ts';
import { IDEMPOTENCY_HEADER, inferAsync, inferWebhook, isAsyncSubmit, isInboundWebhook, type Signature } from './callbacks.ts';
import { inferChannels } from './channels.ts';
import type { Draft } from './draft.ts';
import { inferOperations } from './openapi-operations.ts';
import type { OpenApiDoc } from './openapi-types.ts';
import { routesOf, type Route } from './routes.ts';
import { flattenSchema } from './sample.ts';
import { isRecord } from './openapi-types.ts';
import type { discoverExisting } from './existing-data.ts';

export interface OpenApiInference {
  seed: number;
  readOnly: boolean;
  isTenant: (name: string) => boolean;
  callbackSecrets?: Record<string, string>;
  webhookSecrets?: Record<string, string>;
  /** Read-only staging: fixtures found in the tenants' existing data, and why others were not. */
  existing?: Awaited<ReturnType<typeof discoverExisting>>;
}

/** A whole config from a dereferenced OpenAPI document, each decision noted for the YAML comments. */
export function draftFromOpenApi(doc: OpenApiDoc, common: Omit<Common, 'jwksUrl'>, options: OpenApiInference): Draft {
  const routes = routesOf(doc, options.isTenant);
  const jwks = routes.find((r) => r.method === 'get' && /jwks/i.test(r.path) && r.params.every((p) => p.in !== 'path'));
  const draft = baseDraft({ ...common, ...(jwks ? { jwksUrl: jwks.path } : {}) });
  const submits = routes.filter(isAsyncSubmit);
  const hooks = routes.filter(isInboundWebhook);
  const asyncInfo = submits.length > 0 && !options.readOnly ? inferAsync(doc, submits[0]!, routes, options.seed, options.isTenant) : undefined;
  const graphql = routes.filter(isGraphqlEndpoint);
  const taken = new Set([...submits, ...hooks, ...graphql, ...(asyncInfo?.poll ? [asyncInfo.poll] : []), ...(jwks ? [jwks] : [])]);
  const sync = routes.filter((r) => !taken.has(r));

  const { channels, why: channelWhy } = inferChannels(doc, routes, options.isTenant);
  draft.config['channels'] = channels;
  draft.note(['channels'], channelWhy.length > 0 ? `where a request could name a tenant: ${channelWhy.join('; ')}` : 'no parameter or field named like a tenant: only the token carries it');

  const set = inferOperations(sync, { seed: options.seed, readOnly: options.readOnly, isTenant: options.isTenant, ignoredHeaders: (n) => IDEMPOTENCY_HEADER.test(n), ...(options.existing ? { existing: options.existing.fixtures } : {}) });
  set.skipped.push(...(options.existing?.notes ?? []));
  if (!set.operations.some((o) => o.op.tenantScoped !== false)) {
    throw new TenancyAuditError('TA_SPEC_INVALID', `the description ${common.source} has no tenant-scoped operation${routes.length === 0 ? ' (it has no operations)' : ` (of ${routes.length} operations, ${routes.filter((r) => r.public).length} are public and the rest could not be used: ${set.skipped.slice(0, 3).join('; ') || 'none'})`}`, {
      hint: 'A tenant-scoped operation needs authentication (not `security: []`) and, to address an object, a create operation of that resource (or --read-only discovery). Check the description, or write the config by hand.',
    });
  }
  if (Object.keys(set.fixtures).length > 0) {
    draft.config['fixtures'] = Object.fromEntries(Object.entries(set.fixtures).map(([k, v]) => [k, v.fixture]));
    for (const [name, f] of Object.entries(set.fixtures)) draft.note(['fixtures', name], f.why);
  }
  draft.config['operations'] = set.operations.map((o) => o.op);
  set.operations.forEach((o, i) => draft.note(['operations', i], o.why));
  set.skipped.push(...graphql.map((r) => `${r.method.toUpperCase()} ${r.path}: a GraphQL endpoint (run init --graphql on it for its queries and mutations)`));
  draft.skipped = set.skipped.length;
  if (set.skipped.length > 0) draft.note(['operations'], `not probed:\n${set.skipped.map((s) => `- ${s}`).join('\n')}`);

  const keyed = set.operations.filter((o) => o.op.kind === 'create' && o.route.params.some((p) => p.in === 'header' && IDEMPOTENCY_HEADER.test(p.name)));
  if (keyed.length > 0) {
    const header = keyed[0]!.route.params.find((p) => p.in === 'header' && IDEMPOTENCY_HEADER.test(p.name))!.name;
    draft.config['idempotency'] = { header, operations: keyed.map((o) => o.op.id) };
    draft.note(['idempotency'], `these creates take an ${header} header parameter: replays are tested across tenants`);
  }
  if (asyncInfo) {
    draft.config['async'] = asyncInfo.async;
    draft.note(['async'], asyncInfo.why);
    signatureBlock(draft, asyncInfo.signature, common.setup.tenants, options.callbackSecrets);
  }
  addWebhooks(draft, hooks, options, submits[0]?.resource);

  draft.config['rejection'] = { statuses: [400, 401, 403, 404, 422] };
  draft.note(['rejection'], 'answers that count as a refusal; add bodyMatchers if the service refuses with 200 and an error body');
  const empty = ['$', ...set.listPaths.filter((p) => p !== '$'), ...(set.listPaths.length > 0 ? [] : ['items', 'data', 'results'])];
  draft.config['empty'] = empty.map((jsonPath) => ({ jsonPath }));
  draft.note(['empty'], set.listPaths.length > 0 ? 'an empty body, and where the list responses keep their items (an empty list there is an empty answer)' : 'the usual places (no list response schema says)');
  return draft;
}

/** A GraphQL endpoint described in OpenAPI (`/graphql`, or a body of `query` and `variables`): not a REST collection. */
function isGraphqlEndpoint(route: Route): boolean {
  const props = flattenSchema(route.requestSchema)?.['properties'];
  return /\/graphql\/?$/i.test(route.path) || (route.method === 'post' && isRecord(props) && 'query' in props && ('variables' in props || 'operationName' in props));
}

function signatureBlock(draft: Draft, signature: Signature | undefined, tenants: readonly string[], secrets: Record<string, string> | undefined): void {
  const callbacks = (draft.config['async'] as { callbacks: Record<string, unknown> }).callbacks;
  if (!signature) {
    draft.note(['async', 'callbacks'], 'callbacks are received by the harness; the description shows no signature header, so signatures are not checked');
    return;
  }
  const given = secrets && tenants.every((t) => secrets[t]);
  callbacks['signature'] = { ...signature, ...(given ? { secrets: Object.fromEntries(tenants.map((t) => [t, secrets[t]!])) } : {}) };
  if (given) {
    draft.note(['async', 'callbacks'], `callbacks carry ${signature.header}; the secrets came from --callback-secret`);
    return;
  }
  draft.note(['async', 'callbacks', 'signature'], [
    `callbacks carry ${signature.header}, but the tenants' signing secrets cannot be inferred. Until they are filled in,`,
    'callback.integrity reports the signatures as not configured (inconclusive), never as a pass. Fill in:',
    `secrets: { ${tenants.map((t) => `${t}: env:${envName(t)}_CALLBACK_SECRET`).join(', ')} }`,
  ].join('\n'));
}

function addWebhooks(draft: Draft, hooks: ReturnType<typeof routesOf>, options: OpenApiInference, jobResource: string | undefined): void {
  if (hooks.length === 0) return;
  const entries: Record<string, unknown>[] = [];
  hooks.forEach((route, i) => {
    const { hook, signature, why } = inferWebhook(route, options.seed + i, options.isTenant, jobResource);
    const secret = options.webhookSecrets?.[hook.id] ?? (hooks.length === 1 ? options.webhookSecrets?.['*'] : undefined);
    entries.push({ ...hook, signature: { ...signature, ...(secret ? { secret } : {}) } });
    draft.note(['webhooks', i], secret ? `${why}; the secret came from --webhook-secret` : why);
    if (!secret) {
      draft.note(['webhooks', i, 'signature'], [
        'the signing secret cannot be inferred. Until it is filled in, callback.integrity reports this webhook as',
        'not configured (inconclusive), never as a pass. Fill in:',
        `secret: env:${envName(hook.id)}_WEBHOOK_SECRET`,
      ].join('\n'));
    }
  });
  draft.config['webhooks'] = entries;
}

function envName(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}
