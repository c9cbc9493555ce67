import { UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { findTenantClaim } from './claim-diff.ts';
import { kebab, singular, tenantLike, TENANT_LIKE_DEFAULT } from './draft.ts';
import { pathOfFrame, pathsByLine } from './json-lines.ts';
import { keepOneFill, sampleBody } from './sample.ts';

const token = (claims: Record<string, unknown>) => new UnsecuredJWT(claims).encode();

describe('findTenantClaim', () => {
  it('picks the claim whose values are the tenant ids, over sub and times', () => {
    const choice = findTenantClaim(['acme', 'globex'], [token({ sub: 'u1', iat: 1, org: { id: 'acme' } }), token({ sub: 'u2', iat: 2, org: { id: 'globex' } })]);
    expect(choice.path).toBe('org.id');
    expect(choice.why).toContain('its values are the tenant ids');
  });

  it('falls back to a differing tenant-like claim when the ids are names the tokens do not use', () => {
    const choice = findTenantClaim(['a', 'b'], [token({ sub: 'x', tid: 'T-1', workspace: 'w-1' }), token({ sub: 'y', tid: 'T-2', workspace: 'w-2' })]);
    expect(choice.path).toBe('workspace');
    expect(choice.values).toEqual(['w-1', 'w-2']);
  });

  it('refuses tokens whose claims do not differ (apart from times), and checks a given claim', () => {
    expect(() => findTenantClaim(['a', 'b'], [token({ sub: 's', tenant: 't', iat: 1 }), token({ sub: 's', tenant: 't', iat: 2 })])).toThrow(/carry the same claims/);
    expect(() => findTenantClaim(['a', 'b'], [token({ tenant: 'a' }), token({ other: 'b' })], 'tenant')).toThrow(/not every tenant's token has that claim/);
    expect(findTenantClaim(['a', 'b'], [token({ tenant: 'a' }), token({ tenant: 'b' })], 'tenant').path).toBe('tenant');
  });

  it('keeps the default for opaque tokens and says why', () => {
    const choice = findTenantClaim(['a', 'b'], ['opaque-1', 'opaque-2']);
    expect(choice.path).toBe('tenant_id');
    expect(choice.why).toContain('not JWTs');
  });
});

describe('sampleBody', () => {
  const schema = {
    type: 'object',
    required: ['name', 'kind', 'count', 'email'],
    properties: {
      name: { type: 'string', maxLength: 200 },
      code: { type: 'string', maxLength: 4 },
      kind: { type: 'string', enum: ['a', 'b', 'c'] },
      count: { type: 'integer', minimum: 3 },
      email: { type: 'string', format: 'email' },
      tenantId: { type: 'string' },
      note: { type: 'string' },
      nested: { type: 'object', properties: { x: { type: 'string' } } },
      id: { type: 'string', readOnly: true },
    },
  };

  it('fills plain strings, honours enums, bounds, formats and lengths, skips tenant fields and read-only ones', () => {
    const { body, filled } = sampleBody(schema, { fill: '{{canary}}', skip: tenantLike(TENANT_LIKE_DEFAULT), seed: 1 });
    expect(filled).toEqual(['name', 'note']);
    expect(body).toMatchObject({ name: '{{canary}}', note: '{{canary}}', count: 3 });
    const b = body as Record<string, unknown>;
    expect(['a', 'b', 'c']).toContain(b['kind']);
    expect(String(b['email'])).toMatch(/^audit-[0-9a-f]{8}@example\.test$/);
    expect(b).not.toHaveProperty('tenantId');
    expect(b).not.toHaveProperty('id');
    expect(b).not.toHaveProperty('code'); // optional and too short for a canary
    expect(b).not.toHaveProperty('nested'); // optional, not a plain string
  });

  it('is reproducible for a seed and varies with it', () => {
    const bodies = (seed: number) => Array.from({ length: 8 }, (_, i) => JSON.stringify(sampleBody(schema, { fill: '{{canary}}', skip: () => false, seed: seed + i }).body));
    expect(bodies(5)).toEqual(bodies(5));
    expect(bodies(5)).not.toEqual(bodies(6));
  });

  it('keeps a write\'s marker in one optional field (the fixture keeps its canary in the others)', () => {
    const update = { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' } } };
    const sample = sampleBody(update, { fill: '{{marker}}', skip: () => false, seed: 1 });
    expect(keepOneFill(sample.body, sample.filled, update)).toEqual(['description']);
    expect(sample.body).toEqual({ description: '{{marker}}' });
  });

  it('ignores anyOf branches that only require fields', () => {
    const patch = { type: 'object', anyOf: [{ required: ['title'] }, { required: ['body'] }], properties: { title: { type: 'string' }, body: { type: 'string' } } };
    const sample = sampleBody(patch, { fill: '{{marker}}', skip: () => false, seed: 1 });
    expect(keepOneFill(sample.body, sample.filled, patch)).toEqual(['body']);
  });
});

describe('json-lines: a validator code frame back to the JSON path', () => {
  it('maps each line of JSON.stringify(value, null, 2) to its path', () => {
    const value = { a: { 'b/c': [1, { d: true }] }, e: [] };
    const text = JSON.stringify(value, null, 2).split('\n');
    const paths = pathsByLine(value);
    expect(paths.length).toBe(text.length);
    expect(paths[text.findIndex((l) => l.includes('"d"'))]).toBe('a."b/c"[1].d');
    expect(pathOfFrame(`oops\n> ${text.findIndex((l) => l.includes('"e"')) + 1} | "e": []`, value)).toBe('e');
  });
});

describe('names', () => {
  it('tenant-like names', () => {
    const isTenant = tenantLike(TENANT_LIKE_DEFAULT);
    for (const yes of ['tenantId', 'X-Tenant-ID', 'tenant_id', 'org', 'organizationId', 'workspace', 'account_id', 'customerId']) expect(isTenant(yes), yes).toBe(true);
    for (const no of ['id', 'name', 'projectId', 'contenttype', 'accountant', 'orgasm']) expect(isTenant(no), no).toBe(false);
  });

  it('ids and singulars', () => {
    expect(kebab('listProjects')).toBe('list-projects');
    expect(kebab('GET /a/{b}')).toBe('get-a-b');
    expect(singular('companies')).toBe('company');
    expect(singular('boxes')).toBe('box');
    expect(singular('status')).toBe('status');
  });
});
