import { describe, expect, it } from 'vitest';
import { claimPath, deleteClaim, getClaim, setClaim } from './claims.ts';

describe('claimPath', () => {
  it('splits plain dot paths', () => {
    expect(claimPath('tenant_id')).toEqual(['tenant_id']);
    expect(claimPath('org.id')).toEqual(['org', 'id']);
    expect(claimPath('a.b.c')).toEqual(['a', 'b', 'c']);
  });

  it('keeps URL-looking namespaced keys whole, splitting only after the last path segment', () => {
    expect(claimPath('https://example.com/tenant')).toEqual(['https://example.com/tenant']);
    expect(claimPath('https://example.com/claims.tenant')).toEqual(['https://example.com/claims', 'tenant']);
    expect(claimPath('https://example.com')).toEqual(['https://example.com']);
    expect(claimPath('https://a.example.com/ns/org.tenant.id')).toEqual(['https://a.example.com/ns/org', 'tenant', 'id']);
  });

  it('uses the whole string when the object has it as a key', () => {
    expect(claimPath('org.id', { 'org.id': 'x' })).toEqual(['org.id']);
    expect(claimPath('https://example.com/claims.tenant', { 'https://example.com/claims.tenant': 'x' })).toEqual(['https://example.com/claims.tenant']);
    expect(claimPath('org.id', { org: { id: 'x' } })).toEqual(['org', 'id']);
  });

  it('rejects empty segments with TA_IDENTITY', () => {
    for (const bad of ['', 'a..b', '.a', 'a.', 'https://example.com/a..b']) {
      expect(() => claimPath(bad), bad).toThrow(expect.objectContaining({ code: 'TA_IDENTITY' }));
    }
  });
});

describe('getClaim / setClaim / deleteClaim', () => {
  const payload = { sub: 's', org: { id: 'acme', name: 'Acme' }, 'flat.key': 'f', list: [1] };

  it('reads flat, nested and dotted-flat claims', () => {
    expect(getClaim(payload, 'sub')).toBe('s');
    expect(getClaim(payload, 'org.id')).toBe('acme');
    expect(getClaim(payload, 'flat.key')).toBe('f');
    expect(getClaim(payload, 'org.missing')).toBeUndefined();
    expect(getClaim(payload, 'sub.x')).toBeUndefined();
    expect(getClaim(payload, 'list.0')).toBeUndefined(); // arrays are not traversed
  });

  it('sets immutably, creating or replacing intermediate objects', () => {
    const next = setClaim(payload, 'org.id', 'globex');
    expect(next).toEqual({ ...payload, org: { id: 'globex', name: 'Acme' } });
    expect(payload.org.id).toBe('acme');
    expect(next['org']).not.toBe(payload.org);
    expect(setClaim({ sub: 's' }, 'a.b', 1)).toEqual({ sub: 's', a: { b: 1 } });
    expect(setClaim({ a: 'scalar' }, 'a.b', 1)).toEqual({ a: { b: 1 } });
    expect(setClaim(payload, 'flat.key', 'g')['flat.key']).toBe('g');
    expect(Object.keys(setClaim(payload, 'sub', 'x'))).toEqual(Object.keys(payload)); // order kept
  });

  it('deletes only the leaf', () => {
    const next = deleteClaim(payload, 'org.id');
    expect(next).toEqual({ ...payload, org: { name: 'Acme' } });
    expect(payload.org).toHaveProperty('id');
    expect(deleteClaim(payload, 'nope.x')).toEqual(payload);
    expect(deleteClaim(payload, 'flat.key')).not.toHaveProperty(['flat.key']);
  });
});
