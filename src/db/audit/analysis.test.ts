import { describe, expect, it } from 'vitest';
import { fn, policy, snapshot, table, view } from '../../../test/db/snapshot.ts';
import { analyseKey, bypassReason, settingReaders, viewAccesses } from './analysis.ts';

describe('analysis', () => {
  it('finds setting readers transitively through other functions, carrying missing_ok', () => {
    const s = snapshot({
      functions: [
        fn('raw', { definition: "CREATE FUNCTION public.raw()\n AS $$ SELECT current_setting('app.tenant_id', true) $$" }),
        fn('wrapped', { definition: 'CREATE FUNCTION public.wrapped()\n AS $$ SELECT raw()::uuid $$' }),
        fn('unrelated', { definition: 'CREATE FUNCTION public.unrelated()\n AS $$ SELECT 1 $$' }),
      ],
    });
    const readers = settingReaders(s);
    expect([...readers.keys()].sort()).toEqual(['raw', 'wrapped']);
    expect(readers.get('wrapped')!.missingOk).toBe(true);
  });

  it('keys an expression only when it reads the setting and mentions the tenant column', () => {
    const s = snapshot();
    const t = s.tables[0]!;
    expect(analyseKey("(tenant_id = current_setting('app.tenant_id'))", s, t, new Map()).keyed).toBe(true);
    expect(analyseKey("(owner_id = current_setting('app.tenant_id'))", s, t, new Map()).keyed).toBe(false);
    expect(analyseKey('(tenant_id IS NOT NULL)', s, t, new Map()).keyed).toBe(false);
    expect(analyseKey(null, s, t, new Map()).keyed).toBe(false);
  });

  it('says why an executor bypasses RLS', () => {
    const s = snapshot({ owners: { su: { name: 'su', superuser: true, bypassRls: false }, br: { name: 'br', superuser: false, bypassRls: true }, own: { name: 'own', superuser: false, bypassRls: false } } });
    const forced = table('documents', { owner: 'own' });
    const unforced = table('documents', { owner: 'own', rlsForced: false });
    expect(bypassReason(s, 'su', forced)).toBe('superuser');
    expect(bypassReason(s, 'br', forced)).toBe('bypassrls');
    expect(bypassReason(s, 'own', forced)).toBeNull();
    expect(bypassReason(s, 'own', unforced)).toBe('owner-not-forced');
    expect(bypassReason(s, 'app', table('documents', { rlsEnabled: false }))).toBe('rls-disabled');
  });

  it('walks view chains with the nearest owner-rights view as executor', () => {
    const s = snapshot({
      views: [view('outer_v', { references: ['public.mid_v'] }), view('mid_v', { securityInvoker: false, owner: 'admin', references: ['public.inner_v'] }), view('inner_v', { references: ['public.documents'] })],
      policies: [policy('documents', 'p')],
    });
    const [access] = viewAccesses(s, s.views[0]!);
    expect(access).toMatchObject({ executor: 'admin', bypass: 'superuser', path: ['public.outer_v', 'public.mid_v', 'public.inner_v'] });
  });
});
