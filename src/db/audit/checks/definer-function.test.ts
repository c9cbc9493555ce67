import { describe, expect, it } from 'vitest';
import { fn, snapshot } from '../../../../test/db/snapshot.ts';
import { definerFunction } from './definer-function.ts';

describe('definerFunction', () => {
  it('ignores SECURITY INVOKER functions and definer functions not naming tenant tables', () => {
    const s = snapshot({ functions: [fn('mine'), fn('now_utc', { securityDefiner: true, definition: 'CREATE FUNCTION public.now_utc()\n AS $$ SELECT now() $$' })] });
    expect(definerFunction.run(s)).toEqual([]);
  });

  it('fails open on an executable SECURITY DEFINER function reading a tenant table as a superuser owner', () => {
    const s = snapshot({ functions: [fn('every_document', { securityDefiner: true })] });
    expect(definerFunction.run(s)).toEqual([
      expect.objectContaining({ verdict: 'fail-open', operation: 'public.every_document()', detail: expect.stringContaining('public.documents') }),
    ]);
  });

  it('passes when the role cannot execute it', () => {
    const s = snapshot({ functions: [fn('every_document', { securityDefiner: true, executable: false })] });
    expect(definerFunction.run(s)[0]).toMatchObject({ verdict: 'pass', reason: 'not-executable' });
  });

  it('passes when its owner is bound by forced RLS', () => {
    const s = snapshot({ functions: [fn('docs', { securityDefiner: true, owner: 'plain' })], owners: { plain: { name: 'plain', superuser: false, bypassRls: false } } });
    expect(definerFunction.run(s)[0]).toMatchObject({ verdict: 'pass', reason: 'owner-subject-to-rls' });
  });

  it('is inconclusive when an executable definer function cannot be read', () => {
    const s = snapshot({ functions: [fn('hidden', { securityDefiner: true, definition: null })] });
    expect(definerFunction.run(s)[0]).toMatchObject({ verdict: 'inconclusive' });
  });
});
