// fail-closed: a tenant asserted anywhere but the token must repeat the token's tenant, or the request
// is rejected with 403 TENANT_MISMATCH; repeating it is accepted and nothing of it is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTarget } from '../src/index.ts';
import { as, call, canary, createProject, startTarget, stopAll, tokensFor, type Tenant } from './support.ts';

let target: RunningTarget;
let tokens: Record<Tenant, string>;
let acmeProject: { id: string; name: string };
let globexProject: { id: string; name: string };

beforeAll(async () => {
  target = await startTarget('fail-closed');
  tokens = await tokensFor(target);
  acmeProject = await createProject(target, tokens.acme, canary('acme'));
  globexProject = await createProject(target, tokens.globex, canary('globex'));
});
afterAll(stopAll);

async function globexNames(): Promise<string[]> {
  return (await as(target, tokens.globex).get('/projects')).body.items.map((p: { name: string }) => p.name);
}

interface Probe {
  method: string;
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
}

const mismatches: [string, (ids: { acme: string }) => Probe][] = [
  ['header X-Tenant-ID: globex', () => ({ method: 'GET', path: '/projects', headers: { 'X-Tenant-ID': 'globex' } })],
  ['header X-Tenant-ID: "" (empty)', () => ({ method: 'GET', path: '/projects', headers: { 'X-Tenant-ID': '' } })],
  ['header X-Tenant-ID: ACME (case variant of own tenant)', () => ({ method: 'GET', path: '/projects', headers: { 'X-Tenant-ID': 'ACME' } })],
  ['header X-Tenant-ID: "acme, globex" (duplicate)', () => ({ method: 'GET', path: '/projects', headers: { 'X-Tenant-ID': 'acme, globex' } })],
  ['header X-Tenant-ID on POST', () => ({ method: 'POST', path: '/projects', headers: { 'X-Tenant-ID': 'globex' }, json: { name: 'x-header' } })],
  ['header X-Tenant-ID on GET by id', ({ acme }) => ({ method: 'GET', path: `/projects/${acme}`, headers: { 'X-Tenant-ID': 'globex' } })],
  ['query tenantId=globex', () => ({ method: 'GET', path: '/projects?tenantId=globex' })],
  ['query tenant_id=globex', () => ({ method: 'GET', path: '/projects?tenant_id=globex' })],
  ['query tenantId repeated (acme, globex)', () => ({ method: 'GET', path: '/projects?tenantId=acme&tenantId=globex' })],
  ['query tenantId=* ', () => ({ method: 'GET', path: '/projects?tenantId=*' })],
  ['body tenantId=globex on POST', () => ({ method: 'POST', path: '/projects', json: { name: 'x-body', tenantId: 'globex' } })],
  ['body tenant_id=globex on POST', () => ({ method: 'POST', path: '/projects', json: { name: 'x-body2', tenant_id: 'globex' } })],
  ['body meta.tenantId=globex on POST', () => ({ method: 'POST', path: '/projects', json: { name: 'x-meta', meta: { tenantId: 'globex' } } })],
  ['body tenantId=null', () => ({ method: 'POST', path: '/projects', json: { name: 'x-null', tenantId: null } })],
  ['body tenantId=0 (wrong type)', () => ({ method: 'POST', path: '/projects', json: { name: 'x-num', tenantId: 0 } })],
  ['body tenantId=["acme"] (array)', () => ({ method: 'POST', path: '/projects', json: { name: 'x-arr', tenantId: ['acme'] } })],
  ['body tenantId=globex on PATCH', ({ acme }) => ({ method: 'PATCH', path: `/projects/${acme}`, json: { name: 'moved', tenantId: 'globex' } })],
  ['body tenantId=globex on POST /generations', () => ({ method: 'POST', path: '/generations', json: { prompt: 'p', tenantId: 'globex' } })],
  ['path /tenants/globex/projects', () => ({ method: 'GET', path: '/tenants/globex/projects' })],
  ['path /tenants/ACME/projects', () => ({ method: 'GET', path: '/tenants/ACME/projects' })],
  ['path /tenants/acme%2F/projects (encoded junk)', () => ({ method: 'GET', path: '/tenants/acme%2F/projects' })],
  ['path /tenants/globex/projects/<acme id>', ({ acme }) => ({ method: 'GET', path: `/tenants/globex/projects/${acme}` })],
  ['cookie tenant=globex', () => ({ method: 'GET', path: '/projects', headers: { cookie: 'session=1; tenant=globex' } })],
  ['header acme + query globex (conflicting pair)', () => ({ method: 'GET', path: '/projects?tenantId=globex', headers: { 'X-Tenant-ID': 'acme' } })],
];

describe('fail-closed tenant assertions', () => {
  it.each(mismatches)('403 TENANT_MISMATCH for %s (acme token)', async (_name, probe) => {
    const before = await globexNames();
    const { method, path, headers, json } = probe({ acme: acmeProject.id });
    const reply = await call(target, method, path, { token: tokens.acme, ...(headers ? { headers } : {}), ...(json !== undefined ? { json } : {}) });
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('TENANT_MISMATCH');
    expect(reply.text).not.toContain(globexProject.name);
    expect(await globexNames()).toEqual(before);
    // acme's project was not renamed or moved by the rejected PATCH either
    expect((await as(target, tokens.acme).get(`/projects/${acmeProject.id}`)).body).toMatchObject({ name: acmeProject.name, tenantId: 'acme' });
  });

  it.each([
    ['header', { method: 'GET', path: '/projects', headers: { 'X-Tenant-ID': 'acme' } }],
    ['query', { method: 'GET', path: '/projects?tenantId=acme&tenant_id=acme' }],
    ['path', { method: 'GET', path: '/tenants/acme/projects' }],
    ['cookie', { method: 'GET', path: '/projects', headers: { cookie: 'tenant=acme' } }],
  ] as const)('accepts the %s channel repeating the token tenant', async (_name, probe) => {
    const reply = await call(target, probe.method, probe.path, { token: tokens.acme, ...('headers' in probe ? { headers: probe.headers } : {}) });
    expect(reply.status).toBe(200);
    const names = reply.body.items.map((p: { name: string }) => p.name);
    expect(names).toContain(acmeProject.name);
    expect(names).not.toContain(globexProject.name);
  });

  it('accepts equal body assertions (top level and meta) and does not store them', async () => {
    const name = canary('equal-body');
    const reply = await as(target, tokens.acme).post('/projects', { name, tenantId: 'acme', meta: { tenantId: 'acme' } });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ name, tenantId: 'acme' });
    expect(Object.keys(reply.body).sort()).toEqual(['createdAt', 'description', 'id', 'name', 'tenantId', 'updatedAt']);
    const patched = await as(target, tokens.acme).patch(`/projects/${reply.body.id}`, { description: 'd', tenantId: 'acme' });
    expect(patched).toMatchObject({ status: 200, body: { tenantId: 'acme', description: 'd' } });
  });

  it('GET /tenants/acme/projects/:id serves own project, 404 for a foreign one', async () => {
    expect((await as(target, tokens.acme).get(`/tenants/acme/projects/${acmeProject.id}`)).body).toMatchObject({ id: acmeProject.id, tenantId: 'acme' });
    expect((await as(target, tokens.acme).get(`/tenants/acme/projects/${globexProject.id}`)).status).toBe(404);
  });
});
