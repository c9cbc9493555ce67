import type { UserConfig } from '../config/schema.ts';
import { kebab } from './draft.ts';
import { flattenSchema, sampleBody } from './sample.ts';
import { isRecord, METHODS, type OpenApiDoc, type Operation, type Parameter, type PathItem } from './openapi-types.ts';
import { idPath, type Route } from './routes.ts';

type AsyncOut = NonNullable<UserConfig['async']>;
type WebhookOut = NonNullable<UserConfig['webhooks']>[number];

const CALLBACK_FIELD = /^(callback|callbackurl|callback_url|webhookurl|webhook_url|notifyurl|notify_url|notificationurl)$/i;
const SIGNATURE = /signature|x-hub-signature|x-signature/i;
const TERMINAL = /succe|fail|complete|done|error|cancel|finish|expire|reject/i;
const RESULT = ['output', 'result', 'results', 'data', 'content', 'text', 'response'];

export interface Signature {
  header: string;
  algorithm: 'sha256' | 'sha512';
  prefix: string;
}

/** A POST that takes a callback URL (OpenAPI `callbacks`, or a callback-URL body field): an async job submission. */
export function isAsyncSubmit(route: Route): boolean {
  if (route.method !== 'post' || route.item || route.public) return false;
  return Object.keys(route.op.callbacks ?? {}).length > 0 || callbackField(route) !== undefined;
}

/** A public POST signed by the caller (a signature header, or `webhook` in its path): an inbound webhook. */
export function isInboundWebhook(route: Route): boolean {
  return route.method === 'post' && route.public && (route.params.some((p) => p.in === 'header' && SIGNATURE.test(p.name)) || /webhook|hook/i.test(route.path));
}

/** The async section: submit, poll, callbacks (the signature secrets when given, else a commented placeholder). */
export function inferAsync(doc: OpenApiDoc, submit: Route, routes: readonly Route[], seed: number, isTenant: (n: string) => boolean): { async: AsyncOut; why: string; poll?: Route; signature?: Signature } | undefined {
  const poll = routes.find((r) => r.method === 'get' && r.item && r.resource === submit.resource && !r.public && r.parents.length === 0);
  if (!poll) return undefined;
  const field = callbackField(submit);
  const body = sampleBody(submit.requestSchema, { fill: '{{marker}}', skip: isTenant, seed, override: (n) => (field && n === field.toLowerCase() ? '{{callbackUrl}}' : undefined) }).body;
  const pollPath = poll.path.replace(`{${poll.itemParam}}`, '{{jobId}}').replace(/\{[^{}]+\}/g, (m) => (poll.tenantParams.includes(m.slice(1, -1)) ? '{{tenant}}' : m));
  const schema = flattenSchema(poll.responseSchema);
  const props = schema && isRecord(schema['properties']) ? schema['properties'] : {};
  const statusName = Object.keys(props).find((k) => /^(status|state|phase)$/i.test(k));
  const statusEnum = statusName ? (flattenSchema(props[statusName] as Record<string, unknown>)?.['enum'] as unknown[] | undefined) : undefined;
  const terminal = (statusEnum ?? []).filter((v): v is string => typeof v === 'string' && TERMINAL.test(v));
  const result = Object.keys(props).find((k) => RESULT.includes(k.toLowerCase())) ?? '$';
  const signature = callbackSignature(doc, submit.op);
  const out: AsyncOut = {
    submit: { method: 'POST', path: submit.tenantParams.reduce((p, t) => p.replaceAll(`{${t}}`, '{{tenant}}'), submit.path), body, jobId: idPath(submit.responseSchema, submit.resource) ?? 'id' },
    poll: { method: 'GET', path: pollPath, until: { jsonPath: statusName ?? 'status', in: terminal.length > 0 ? terminal : ['succeeded', 'failed', 'completed'] }, result },
    callbacks: {},
  };
  const why = `submit: ${submit.path} takes a callback URL (${field ?? 'OpenAPI callbacks'} → {{callbackUrl}}); poll: GET ${poll.path}` +
    (terminal.length > 0 ? `, until ${statusName} is ${terminal.join('/')}` : ', until: no status enum in the schema, so the usual terminal words are guessed: check them') +
    `; result at ${result}`;
  return { async: out, why, poll, ...(signature ? { signature } : {}) };
}

/** An inbound webhook (its secret given, or left to a placeholder by the caller). */
export function inferWebhook(route: Route, seed: number, isTenant: (n: string) => boolean, jobResource: string | undefined): { hook: Omit<WebhookOut, 'signature'>; signature: Signature; why: string } {
  const sigParam = route.params.find((p) => p.in === 'header' && SIGNATURE.test(p.name));
  const jobField = (n: string) => n === 'jobid' || n === 'job_id' || (jobResource !== undefined && n === `${jobResource.toLowerCase()}id`);
  const body = sampleBody(route.requestSchema, { fill: '{{marker}}', skip: isTenant, seed, override: (n) => (jobField(n) ? '{{jobId}}' : undefined) }).body;
  const schema = flattenSchema(route.requestSchema);
  const tenantField = Object.keys(schema && isRecord(schema['properties']) ? schema['properties'] : {}).find((k) => isTenant(k));
  const id = route.op.operationId ? kebab(route.op.operationId) : kebab(route.path.split('/').filter((s) => s && !s.startsWith('{')).join('-'));
  return {
    hook: { id, method: 'POST', path: route.path, body, ...(tenantField ? { tenantField } : {}) },
    signature: signatureOf(sigParam) ?? { header: 'X-Signature', algorithm: 'sha256', prefix: '' },
    why: `POST ${route.path}: public and ${sigParam ? `signed (${sigParam.name})` : 'named like a webhook'} → an inbound webhook${tenantField ? `; ${tenantField} names a tenant (forged to another)` : ''}`,
  };
}

function callbackField(route: Route): string | undefined {
  for (const callback of Object.values(route.op.callbacks ?? {})) {
    for (const expression of Object.keys(callback)) {
      const m = /\$request\.body#\/([^}]+)/.exec(expression);
      if (m) return m[1]!.split('/')[0];
    }
  }
  const schema = flattenSchema(route.requestSchema);
  return Object.keys(schema && isRecord(schema['properties']) ? schema['properties'] : {}).find((k) => CALLBACK_FIELD.test(k));
}

/** The signature header of the callback requests (OpenAPI `callbacks`, else 3.1 `webhooks`). */
function callbackSignature(doc: OpenApiDoc, op: Operation): Signature | undefined {
  const items: PathItem[] = [...Object.values(op.callbacks ?? {}).flatMap((c) => Object.values(c)), ...Object.values(doc.webhooks ?? {})];
  for (const item of items) {
    for (const method of METHODS) {
      const param = [...(item?.parameters ?? []), ...(item?.[method]?.parameters ?? [])].find((p) => p?.in === 'header' && SIGNATURE.test(p.name));
      const signature = signatureOf(param);
      if (signature) return signature;
    }
  }
  return undefined;
}

function signatureOf(param: Parameter | undefined): Signature | undefined {
  if (!param) return undefined;
  const text = JSON.stringify(param).toLowerCase();
  const algorithm = text.includes('sha512') ? 'sha512' : 'sha256';
  return { header: param.name, algorithm, prefix: text.includes(`${algorithm}=`) ? `${algorithm}=` : '' };
}

export const IDEMPOTENCY_HEADER = /^(x-)?idempotency[-_]?key$|^idempotency-token$/i;
