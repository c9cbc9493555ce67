import { describe, expect, it } from 'vitest';
import { renderContext, resolveContext } from './tenant-context.ts';

describe('resolveContext', () => {
  it('keeps --tenant-setting as the short form of a one-setting template', () => {
    expect(resolveContext({ tenantSetting: 'app.tenant_id' })).toEqual({ settings: [{ name: 'app.tenant_id', template: '{tenant}' }], tenantSetting: 'app.tenant_id', role: undefined, principalKeyed: false, missingContext: 'error' });
    expect(resolveContext({ principalSetting: 'app.user_id' })).toMatchObject({ settings: [{ name: 'app.user_id', template: '{principal}' }], tenantSetting: 'app.user_id', principalKeyed: true });
  });

  it('takes several templated settings; the one holding {tenant} is the tenant setting', () => {
    const r = resolveContext({ context: { 'app.user_id': '{principal}', 'request.jwt.claims': '{"tenant_id":"{tenant}","sub":"{principal}"}' }, role: 'authenticated' });
    expect(r.tenantSetting).toBe('request.jwt.claims');
    expect(r.role).toBe('authenticated');
    expect(renderContext(r.settings, 'T1', 'U1')).toEqual([['app.user_id', 'U1'], ['request.jwt.claims', '{"tenant_id":"T1","sub":"U1"}']]);
    expect(renderContext(r.settings, null, null)).toEqual([['app.user_id', ''], ['request.jwt.claims', '']]);
  });

  it('fills in claims and the authenticated role for --preset supabase (explicit options win)', () => {
    const r = resolveContext({ preset: 'supabase' });
    expect(r).toMatchObject({ tenantSetting: 'request.jwt.claims', role: 'authenticated', missingContext: 'empty' });
    const claims = JSON.parse(renderContext(r.settings, 'T1', 'U1').find(([n]) => n === 'request.jwt.claims')![1]);
    expect(claims).toMatchObject({ sub: 'U1', role: 'authenticated', tenant_id: 'T1', app_metadata: { tenant_id: 'T1' } });
    expect(resolveContext({ preset: 'postgrest', role: 'web_user' }).role).toBe('web_user');
  });

  it.each([
    [{}, /no tenant context/],
    [{ tenantSetting: 'tenant' }, /custom setting name/],
    [{ context: { 'app.tenant_id': 'fixed' } }, /no tenant context/],
    [{ context: { 'bad name': '{tenant}' } }, /custom setting name/],
    [{ preset: 'heroku' as 'supabase' }, /unknown --preset/],
  ])('refuses %o with TA_USAGE and a hint', (options, message) => {
    expect(() => resolveContext(options)).toThrow(expect.objectContaining({ code: 'TA_USAGE', message: expect.stringMatching(message), hint: expect.any(String) }));
  });
});
