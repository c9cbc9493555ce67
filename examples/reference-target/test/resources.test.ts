// fail-closed resources: own-tenant CRUD works; a foreign id is 404 on read/update/delete and the
// foreign row is unchanged afterwards; idempotency keys are scoped per tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTarget } from '../src/index.ts';
import { as, call, canary, createProject, startTarget, stopAll, tokensFor, type Tenant } from './support.ts';

let target: RunningTarget;
let tokens: Record<Tenant, string>;
let acme: ReturnType<typeof as>;
let globex: ReturnType<typeof as>;

beforeAll(async () => {
  target = await startTarget('fail-closed');
  tokens = await tokensFor(target);
  acme = as(target, tokens.acme);
  globex = as(target, tokens.globex);
});
afterAll(stopAll);

describe('projects and documents (own tenant)', () => {
  it('create, list, read, update, delete', async () => {
    const created = await acme.post('/projects', { name: 'alpha', description: 'first' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/projects/${created.body.id}`);
    expect(created.body).toMatchObject({ tenantId: 'acme', name: 'alpha', description: 'first' });
    const id = created.body.id as string;

    expect((await acme.get('/projects')).body.items.map((p: { id: string }) => p.id)).toContain(id);
    expect(await acme.get(`/projects/${id}`)).toMatchObject({ status: 200, body: { id, tenantId: 'acme' } });
    expect(await acme.patch(`/projects/${id}`, { name: 'alpha-2', description: null })).toMatchObject({
      status: 200,
      body: { id, name: 'alpha-2', description: null, tenantId: 'acme' },
    });

    const doc = await acme.post(`/projects/${id}/documents`, { title: 'spec', body: 'text' });
    expect(doc).toMatchObject({ status: 201, body: { projectId: id, tenantId: 'acme', title: 'spec', body: 'text' } });
    expect((await acme.get(`/projects/${id}/documents`)).body.items).toHaveLength(1);
    expect(await acme.get(`/documents/${doc.body.id}`)).toMatchObject({ status: 200, body: { id: doc.body.id, tenantId: 'acme' } });
    expect(await acme.patch(`/documents/${doc.body.id}`, { body: 'more' })).toMatchObject({ status: 200, body: { body: 'more', title: 'spec' } });

    expect((await acme.del(`/projects/${id}`)).status).toBe(204);
    expect((await acme.get(`/projects/${id}`)).status).toBe(404);
    expect((await acme.get(`/documents/${doc.body.id}`)).status).toBe(404); // cascaded
    expect((await acme.del(`/projects/${id}`)).status).toBe(404);
  });

  it('lists only the caller tenant rows', async () => {
    const a = await createProject(target, tokens.acme, canary('acme'));
    const g = await createProject(target, tokens.globex, canary('globex'));
    const acmeList = (await acme.get('/projects')).body.items as { tenantId: string; name: string }[];
    expect(acmeList.every((p) => p.tenantId === 'acme')).toBe(true);
    expect(acmeList.map((p) => p.name)).toContain(a.name);
    expect(JSON.stringify(acmeList)).not.toContain(g.name);
  });

  it('validates input and routes', async () => {
    expect((await acme.post('/projects', { description: 'no name' })).status).toBe(400);
    expect((await acme.post('/projects', { name: '   ' })).status).toBe(400);
    expect((await acme.post('/projects', [1, 2])).status).toBe(400);
    expect((await call(target, 'POST', '/projects', { token: tokens.acme, raw: '{not json' })).body.error.code).toBe('INVALID_JSON');
    expect((await acme.patch(`/projects/${crypto.randomUUID()}`, {})).status).toBe(400);
    expect((await acme.get('/nowhere')).status).toBe(404);
    const wrongMethod = await call(target, 'PUT', '/projects', { token: tokens.acme });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('GET');
  });

  it.each(['not-a-uuid', '%7B%7D', '1', `${'0'.repeat(8)}-0000-0000-0000-00000000000`])('404 (never 5xx) for the invalid id %s', async (id) => {
    for (const path of [`/projects/${id}`, `/documents/${id}`, `/generations/${id}`, `/projects/${id}/documents`]) {
      expect((await acme.get(path)).status, path).toBe(404);
    }
    expect((await acme.patch(`/projects/${id}`, { name: 'x' })).status).toBe(404);
    expect((await acme.del(`/documents/${id}`)).status).toBe(404);
  });
});

describe('cross-tenant object references (BOLA)', () => {
  it('404 for every read, update and delete of a foreign project; the row is unchanged', async () => {
    const victim = await createProject(target, tokens.acme, canary('victim'));
    const doc = (await acme.post(`/projects/${victim.id}/documents`, { title: canary('doc'), body: 'secret' })).body;

    const attempts = [
      await globex.get(`/projects/${victim.id}`),
      await globex.get(`/tenants/globex/projects/${victim.id}`),
      await globex.patch(`/projects/${victim.id}`, { name: 'pwned' }),
      await globex.del(`/projects/${victim.id}`),
      await globex.get(`/projects/${victim.id}/documents`),
      await globex.post(`/projects/${victim.id}/documents`, { title: 'planted', body: 'x' }),
      await globex.get(`/documents/${doc.id}`),
      await globex.patch(`/documents/${doc.id}`, { body: 'pwned' }),
      await globex.del(`/documents/${doc.id}`),
    ];
    for (const reply of attempts) {
      expect(reply.status).toBe(404);
      expect(reply.text).not.toContain(victim.name);
      expect(reply.text).not.toContain('secret');
    }
    expect((await acme.get(`/projects/${victim.id}`)).body).toMatchObject({ name: victim.name, tenantId: 'acme' });
    const docs = (await acme.get(`/projects/${victim.id}/documents`)).body.items;
    expect(docs).toEqual([expect.objectContaining({ id: doc.id, body: 'secret', title: doc.title })]);
  });

  it('404 for a foreign generation', async () => {
    const job = (await acme.post('/generations', { prompt: canary('prompt') })).body;
    expect((await globex.get(`/generations/${job.id}`)).status).toBe(404);
    expect((await acme.get(`/generations/${job.id}`)).body).toMatchObject({ id: job.id, tenantId: 'acme' });
  });
});

describe('idempotency keys', () => {
  it('replays the stored 201 for the same tenant, key and body', async () => {
    const key = canary('key');
    const name = canary('idem');
    const first = await acme.post('/projects', { name }, { headers: { 'Idempotency-Key': key } });
    const second = await acme.post('/projects', { name }, { headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    const matching = (await acme.get('/projects')).body.items.filter((p: { name: string }) => p.name === name);
    expect(matching).toHaveLength(1);
  });

  it('422 for the same key with a different body', async () => {
    const key = canary('key');
    expect((await acme.post('/projects', { name: canary('a') }, { headers: { 'Idempotency-Key': key } })).status).toBe(201);
    const reused = await acme.post('/projects', { name: canary('b') }, { headers: { 'Idempotency-Key': key } });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('is scoped per tenant: another tenant reusing the key gets its own new resource', async () => {
    const key = canary('shared-key');
    const body = { name: canary('same-body') };
    const a = await acme.post('/projects', body, { headers: { 'Idempotency-Key': key } });
    const g = await globex.post('/projects', body, { headers: { 'Idempotency-Key': key } });
    expect(a).toMatchObject({ status: 201, body: { tenantId: 'acme' } });
    expect(g).toMatchObject({ status: 201, body: { tenantId: 'globex' } });
    expect(g.headers.get('idempotent-replayed')).toBeNull();
    expect(g.body.id).not.toBe(a.body.id);
    // and each tenant's replay returns its own
    expect((await globex.post('/projects', body, { headers: { 'Idempotency-Key': key } })).body.id).toBe(g.body.id);
    expect((await acme.post('/projects', body, { headers: { 'Idempotency-Key': key } })).body.id).toBe(a.body.id);
  });

  it('concurrent requests with one key create at most one resource', async () => {
    const key = canary('concurrent');
    const body = { name: canary('concurrent') };
    const replies = await Promise.all([1, 2, 3].map(() => acme.post('/projects', body, { headers: { 'Idempotency-Key': key } })));
    for (const r of replies) expect([201, 409]).toContain(r.status);
    const matching = (await acme.get('/projects')).body.items.filter((p: { name: string }) => p.name === body.name);
    expect(matching).toHaveLength(1);
  });

  it('works for generations too (202 replayed)', async () => {
    const key = canary('gen-key');
    const body = { prompt: canary('prompt') };
    const first = await acme.post('/generations', body, { headers: { 'Idempotency-Key': key } });
    const again = await acme.post('/generations', body, { headers: { 'Idempotency-Key': key } });
    expect(first).toMatchObject({ status: 202, body: { status: 'queued', tenantId: 'acme' } });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const other = await globex.post('/generations', body, { headers: { 'Idempotency-Key': key } });
    expect(other.body.id).not.toBe(first.body.id);
    expect(other.body.tenantId).toBe('globex');
  });

  it('400 for a malformed key', async () => {
    expect((await acme.post('/projects', { name: 'k' }, { headers: { 'Idempotency-Key': 'has space' } })).status).toBe(400);
  });
});
