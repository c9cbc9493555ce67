import { describe, expect, it } from 'vitest';
import { snapshot, table, view } from '../../../../test/db/snapshot.ts';
import { viewBypass } from './view-bypass.ts';

describe('viewBypass', () => {
  it('passes a security_invoker view', () => {
    expect(viewBypass.run(snapshot({ views: [view('docs_v')] }))).toEqual([expect.objectContaining({ verdict: 'pass', reason: 'security-invoker' })]);
  });

  it('fails open on a readable owner-rights view whose owner is superuser, naming the view', () => {
    const s = snapshot({ views: [view('all_docs', { securityInvoker: false })] });
    expect(viewBypass.run(s)).toEqual([expect.objectContaining({ verdict: 'fail-open', operation: 'public.all_docs', detail: expect.stringContaining('superuser') })]);
  });

  it('passes an owner-rights view whose owner is bound by forced RLS', () => {
    const s = snapshot({ views: [view('docs_v', { securityInvoker: false, owner: 'plain' })], owners: { admin: { name: 'admin', superuser: false, bypassRls: false }, plain: { name: 'plain', superuser: false, bypassRls: false } } });
    expect(viewBypass.run(s)[0]).toMatchObject({ verdict: 'pass', reason: 'owner-subject-to-rls' });
  });

  it('fails open when the view owner owns an unforced table', () => {
    const s = snapshot({
      tables: [table('documents', { rlsForced: false, owner: 'plain' })],
      views: [view('docs_v', { securityInvoker: false, owner: 'plain' })],
      owners: { plain: { name: 'plain', superuser: false, bypassRls: false } },
    });
    expect(viewBypass.run(s)[0]).toMatchObject({ verdict: 'fail-open', detail: expect.stringContaining('owner-not-forced') });
  });

  it('follows view chains: an invoker view over an owner-rights view bypasses', () => {
    const s = snapshot({ views: [view('outer_v', { references: ['public.inner_v'] }), view('inner_v', { securityInvoker: false, readable: false })] });
    const outer = viewBypass.run(s).find((f) => f.operation === 'public.outer_v');
    expect(outer).toMatchObject({ verdict: 'fail-open', detail: expect.stringContaining('public.documents') });
  });

  it('fails open on a readable materialized view, which never applies RLS', () => {
    const s = snapshot({ views: [view('docs_mv', { kind: 'matview', securityInvoker: false, owner: 'admin' })], owners: { admin: { name: 'admin', superuser: false, bypassRls: false } } });
    expect(viewBypass.run(s)[0]).toMatchObject({ verdict: 'fail-open', reason: 'materialized-view' });
  });

  it('passes a bypassing view the role cannot read', () => {
    expect(viewBypass.run(snapshot({ views: [view('all_docs', { securityInvoker: false, readable: false })] }))[0]).toMatchObject({ verdict: 'pass', reason: 'not-readable' });
  });
});
