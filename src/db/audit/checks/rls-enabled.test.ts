import { describe, expect, it } from 'vitest';
import { snapshot, table } from '../../../../test/db/snapshot.ts';
import { rlsEnabled } from './rls-enabled.ts';

describe('rlsEnabled', () => {
  it('passes a tenant table with RLS enabled, recording it', () => {
    expect(rlsEnabled.run(snapshot())).toEqual([expect.objectContaining({ rule: 'rls-enabled', operation: 'public.documents', verdict: 'pass' })]);
  });

  it('fails open on a tenant table without RLS, naming it; ignores non-tenant tables', () => {
    const s = snapshot({ tables: [table('documents', { rlsEnabled: false }), table('tenants', { tenant: false, tenantColumn: null, rlsEnabled: false })] });
    const findings = rlsEnabled.run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ verdict: 'fail-open', reason: 'rls-disabled', operation: 'public.documents' });
    expect(findings[0]!.detail).toContain('public.documents');
  });
});
