import { describe, expect, it } from 'vitest';
import { column, policy, snapshot, table } from '../../../../test/db/snapshot.ts';
import { nullAdmissions, policyNullTenant } from './policy-null-tenant.ts';

const KEY = "(tenant_id = (current_setting('app.tenant_id'::text))::uuid)";
const nullable = table('documents', { columns: [column('id', 'uuid', { notNull: true }), column('tenant_id', 'uuid'), column('title', 'text')] });

describe('policyNullTenant', () => {
  it('passes keyed policies on a nullable tenant column', () => {
    expect(policyNullTenant.run(snapshot({ tables: [nullable] }))).toEqual([expect.objectContaining({ verdict: 'pass', reason: 'no-null-branch' })]);
  });

  it.each([
    ['OR tenant_id IS NULL', `(${KEY} OR (tenant_id IS NULL))`, /tenant_id IS NULL" lets rows/],
    ['COALESCE', "(COALESCE(tenant_id, (current_setting('app.tenant_id'::text))::uuid) = (current_setting('app.tenant_id'::text))::uuid)", /COALESCE\(tenant_id/],
    ['IS NOT DISTINCT FROM', "(NOT (tenant_id IS DISTINCT FROM (current_setting('app.tenant_id'::text, true))::uuid))", /IS NOT DISTINCT FROM treats NULL/],
  ])('fails %s on a nullable column, naming the policy, why, and the rewritten policy', (_name, using, why) => {
    const [finding] = policyNullTenant.run(snapshot({ tables: [nullable], policies: [policy('documents', 'docs_shared', { using, withCheck: KEY })] }));
    expect(finding).toMatchObject({ verdict: 'fail-open', reason: 'null-tenant-admitted', operation: 'public.documents' });
    expect(finding!.detail).toMatch(why);
    expect(finding!.detail).toContain('"docs_shared"');
    expect(finding!.detail).toContain('ALTER POLICY "docs_shared" ON public.documents USING (');
    expect(finding!.detail).toContain('ALTER TABLE public.documents ALTER COLUMN tenant_id SET NOT NULL;');
    const rewritten = /USING \((.*)\) WITH CHECK/.exec(finding!.detail)![1]!;
    expect(nullAdmissions(rewritten, 'tenant_id')).toEqual([]);
  });

  it('passes a NULL branch on a NOT NULL tenant column, saying the branch is dead', () => {
    const [finding] = policyNullTenant.run(snapshot({ policies: [policy('documents', 'docs_shared', { using: `(${KEY} OR (tenant_id IS NULL))` })] }));
    expect(finding).toMatchObject({ verdict: 'pass', reason: 'null-branch-unreachable' });
  });

  it('does not mistake IS NOT NULL, another column, or a string literal for a NULL branch', () => {
    expect(nullAdmissions(`(${KEY} AND (tenant_id IS NOT NULL))`, 'tenant_id')).toEqual([]);
    expect(nullAdmissions(`(${KEY} AND (deleted_at IS NULL))`, 'tenant_id')).toEqual([]);
    expect(nullAdmissions(`(${KEY} AND (title <> 'tenant_id IS NULL'::text))`, 'tenant_id')).toEqual([]);
    expect(nullAdmissions('(COALESCE(other_id, tenant_id) = 1)', 'tenant_id')).toHaveLength(1);
  });
});
