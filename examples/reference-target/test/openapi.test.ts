// GET /openapi.json is complete and faithful: it documents exactly the routes the router serves (the
// list comes from the router itself), validates as OpenAPI 3.1 with the parser `init` uses, and the
// bodies, channels, idempotency and public routes it documents behave as documented against the live target.
import { dereference, validate, compileErrors } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_SIGNATURE_HEADER, type RunningTarget } from '../src/index.ts';
import { requiredOf, sampleObject, violations } from './openapi-sampler.ts';
import { as, call, createProject, startTarget, stopAll, tokensFor, type Tenant } from './support.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let target: RunningTarget;
let tokens: Record<Tenant, string>;
let raw: any;
let doc: any; // dereferenced
let ids: { project: string; document: string; generation: string };

beforeAll(async () => {
  target = await startTarget('fail-closed');
  tokens = await tokensFor(target);
  const reply = await call(target, 'GET', '/openapi.json');
  expect(reply.status).toBe(200);
  raw = reply.body;
  doc = await dereference(structuredClone(raw));
  const project = await createProject(target, tokens.acme, 'openapi-project');
  const document = await as(target, tokens.acme).post(`/projects/${project.id}/documents`, { title: 'openapi-doc' });
  const generation = await as(target, tokens.acme).post('/generations', { prompt: 'openapi-prompt' });
  ids = { project: project.id, document: document.body.id, generation: generation.body.id };
});
afterAll(stopAll);

const toOpenApiPath = (pattern: string) => pattern.replace(/:([A-Za-z_]+)/g, '{$1}');

function documentedOperations(): { key: string; path: string; method: string; op: any }[] {
  return Object.entries<any>(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op: item[method] })),
  );
}

/** A concrete path for a documented one, with acme's own resources in it. */
function concrete(path: string): string {
  return path
    .replace('{tenantId}', 'acme')
    .replace(/^\/documents\/\{id\}/, `/documents/${ids.document}`)
    .replace(/^\/generations\/\{id\}/, `/generations/${ids.generation}`)
    .replace('{id}', ids.project);
}

const parametersOf = (path: string, op: any): any[] => [...(doc.paths[path].parameters ?? []), ...(op.parameters ?? [])];

const isGraphql = (op: any) => Boolean(op['x-graphql']);

/** A body for probing an operation: a GraphQL list query for the GraphQL face, else a required-only sample. */
function probeBody(method: string, op: any): unknown {
  if (isGraphql(op)) return { query: '{ projects { id } }' };
  const schema = op.requestBody?.content['application/json']?.schema;
  if (schema) return sampleObject(schema, { tenant: 'acme', fill: 'min' }, requiredOf(schema));
  return method === 'get' || method === 'delete' ? undefined : {};
}

/** Status and code of a rejection: over HTTP from the response, over GraphQL from the error (a 200 with data: null). */
function rejection(reply: { status: number; body: any }, op: any): { status: number; code: string } {
  if (!isGraphql(op)) return { status: reply.status, code: reply.body?.error?.code };
  expect(reply.status).toBe(200);
  expect(reply.body.data).toBeNull();
  return { status: reply.body.errors[0].extensions.status, code: reply.body.errors[0].extensions.code };
}

describe('GET /openapi.json', () => {
  it('validates as OpenAPI 3.1 with @readme/openapi-parser', async () => {
    expect(raw.openapi).toMatch(/^3\.1\./);
    const result = await validate(structuredClone(raw));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(raw.servers).toEqual([{ url: target.url }]);
  });

  it('documents every route the router serves, and nothing else', () => {
    expect(target.routes.length).toBeGreaterThan(15);
    const served = target.routes.map((r) => `${r.method} ${toOpenApiPath(r.pattern)}`).sort();
    expect(documentedOperations().map((o) => o.key).sort()).toEqual(served);
    expect(new Set(served).size).toBe(served.length);
  });

  it('marks exactly the routes without bearer authentication public (security: [])', () => {
    expect(raw.security).toEqual([{ bearerAuth: [] }]);
    expect(raw.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    for (const route of target.routes) {
      const op = doc.paths[toOpenApiPath(route.pattern)][route.method.toLowerCase()];
      if (route.auth === 'none') expect(op.security, route.pattern).toEqual([]);
      else expect(op.security, route.pattern).toBeUndefined();
    }
  });

  it('public routes answer without a token; every other route rejects a missing token', async () => {
    const signed = (path: string, op: any) => parametersOf(path, op).some((p: any) => p.in === 'header' && p.required && /signature/i.test(p.name));
    for (const { path, method, op } of documentedOperations()) {
      const json = probeBody(method, op);
      const reply = await call(target, method.toUpperCase(), concrete(path), json === undefined ? {} : { json });
      if (signed(path, op)) expect(rejection(reply, op), `${method} ${path}`).toEqual({ status: 401, code: 'INVALID_SIGNATURE' });
      else if (op.security?.length === 0) expect(reply.status, `${method} ${path}`).toBe(200);
      else expect(rejection(reply, op), `${method} ${path}`).toEqual({ status: 401, code: 'MISSING_CREDENTIALS' });
    }
    expect(documentedOperations().filter(({ path, op }) => signed(path, op)).map((o) => o.key)).toEqual(['POST /webhooks/provider']);
  });

  it('documents the tenant channels on every authenticated route, and each one is checked there', async () => {
    for (const { path, method, op } of documentedOperations()) {
      if (op.security?.length === 0) continue;
      const params = parametersOf(path, op).map((p: any) => `${p.in}:${p.name}`);
      expect(params, `${method} ${path}`).toEqual(expect.arrayContaining(['header:X-Tenant-ID', 'query:tenantId', 'query:tenant_id', 'cookie:tenant']));
      const probes: { headers?: Record<string, string>; query?: string }[] = [{ headers: { 'X-Tenant-ID': 'globex' } }, { headers: { cookie: 'tenant=globex' } }, { query: 'tenantId=globex' }];
      for (const probe of probes) {
        const url = concrete(path) + (probe.query ? `?${probe.query}` : '');
        const json = probeBody(method, op);
        const reply = await call(target, method.toUpperCase(), url, { token: tokens.acme, headers: probe.headers ?? {}, ...(json === undefined ? {} : { json }) });
        expect(rejection(reply, op), `${method} ${url} ${JSON.stringify(probe)}`).toEqual({ status: 403, code: 'TENANT_MISMATCH' });
      }
    }
    const tenantPaths = Object.keys(doc.paths).filter((p) => p.includes('{tenantId}'));
    expect(tenantPaths.length).toBe(2);
    for (const path of tenantPaths) {
      expect(parametersOf(path, doc.paths[path].get).find((p: any) => p.in === 'path' && p.name === 'tenantId')).toMatchObject({ required: true, 'x-tenant-channel': true });
      expect((await call(target, 'GET', concrete(path).replace('/acme/', '/globex/'), { token: tokens.acme })).status).toBe(403);
    }
  });

  it('documents Idempotency-Key exactly where the target honours it', async () => {
    const posts = documentedOperations().filter((o) => o.method === 'post' && o.op.security === undefined);
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const { path, op } of posts) {
      const documented = parametersOf(path, op).some((p: any) => p.in === 'header' && p.name === 'Idempotency-Key');
      const reply = await call(target, 'POST', concrete(path), { token: tokens.acme, json: probeBody('post', op) ?? {}, headers: { 'Idempotency-Key': 'not valid' } });
      const honoured = reply.status === 400 && reply.body.error.code === 'INVALID_IDEMPOTENCY_KEY';
      expect(honoured, `${path}: ${reply.status} ${reply.text}`).toBe(documented);
    }
  });

  it('documents callbacks on POST /generations and the outbound delivery as a 3.1 webhook with its signature header', () => {
    const callback = doc.paths['/generations'].post.callbacks.generationSucceeded['{$request.body#/callbackUrl}'].post;
    const webhook = doc.webhooks.generationSucceeded.post;
    for (const op of [callback, webhook]) {
      expect(op.parameters.map((p: any) => p.name)).toContain(CALLBACK_SIGNATURE_HEADER);
      expect(op.requestBody.content['application/json'].schema.required).toEqual(['jobId', 'tenantId', 'status', 'output']);
    }
  });

  it('documents lists as arrays of items and reads as objects', () => {
    for (const { key, method, op } of documentedOperations()) {
      const ok = op.responses['200'] ?? op.responses['201'] ?? op.responses['202'];
      const schema = ok?.content?.['application/json']?.schema;
      if (method !== 'get' || !schema || key.includes('openapi') || key.includes('schema.graphql')) continue;
      expect(schema.type, key).toBe('object');
      if (/projects$|documents$/.test(key)) expect(schema.properties.items.type, key).toBe('array');
    }
  });
});

describe('request bodies: what the schema accepts, the target accepts; what it refuses, the target refuses', () => {
  const bodyOperations = () =>
    documentedOperations().filter((o) => o.op.requestBody && o.op.security === undefined && !isGraphql(o.op) && ['post', 'patch'].includes(o.method));

  it('accepts required-only, all-fields-at-maximum and each anyOf branch', async () => {
    const seen: string[] = [];
    for (const { key, path, method, op } of bodyOperations()) {
      const schema = op.requestBody.content['application/json'].schema;
      const branches = Array.isArray(schema.anyOf) ? schema.anyOf.length : 1;
      const samples = [sampleObject(schema, { tenant: 'acme', fill: 'max' }, [])];
      samples.push(...Array.from({ length: branches }, (_, i) => sampleObject(schema, { tenant: 'acme', fill: 'min' }, requiredOf(schema, i))));
      for (const body of samples) {
        const reply = await call(target, method.toUpperCase(), concrete(path), { token: tokens.acme, json: body });
        expect(reply.status, `${key} ${JSON.stringify(body).slice(0, 200)} -> ${reply.text.slice(0, 200)}`).toBeGreaterThanOrEqual(200);
        expect(reply.status).toBeLessThan(300);
        expect(Object.keys(op.responses)).toContain(String(reply.status));
      }
      seen.push(key);
    }
    expect(seen.sort()).toEqual(['PATCH /documents/{id}', 'PATCH /projects/{id}', 'POST /generations', 'POST /projects', 'POST /projects/{id}/documents']);
  });

  it('refuses each single violation of a documented constraint with 400', async () => {
    let count = 0;
    for (const { key, path, method, op } of bodyOperations()) {
      const schema = op.requestBody.content['application/json'].schema;
      const base = sampleObject(schema, { tenant: 'acme', fill: 'min' }, requiredOf(schema));
      for (const { why, body } of violations(schema, base)) {
        const reply = await call(target, method.toUpperCase(), concrete(path), { token: tokens.acme, json: body });
        expect(reply.status, `${key} ${why}: ${reply.text.slice(0, 200)}`).toBe(400);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(12);
  });
});
