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

  it('judges partitions by the privileges the role has: one record per partitioned table, naming the partitions at fault', () => {
    const none = { SELECT: false, INSERT: false, UPDATE: false, DELETE: false };
    const parent = table('events', { kind: 'partitioned' });
    const part = (name: string, extra = {}) => table(name, { partition: true, parent: 'public.events', rlsEnabled: false, privileges: none, ...extra });
    const closed = rlsEnabled.run(snapshot({ tables: [parent, part('events_a'), part('events_b')] }));
    expect(closed).toEqual([expect.objectContaining({ operation: 'public.events', verdict: 'pass', detail: expect.stringContaining('holds no privilege on them') })]);
    const open = rlsEnabled.run(snapshot({ tables: [parent, part('events_a'), part('events_b', { privileges: { ...none, SELECT: true } })] }));
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ operation: 'public.events', verdict: 'fail-open', reason: 'partition-rls-disabled' });
    expect(open[0]!.detail).toContain('ALTER TABLE public.events_b ENABLE ROW LEVEL SECURITY;');
    expect(open[0]!.detail).not.toContain('public.events_a ENABLE');
  });
});
