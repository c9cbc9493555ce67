import { describe, expect, it } from 'vitest';
import { fn, policy, snapshot } from '../../../../test/db/snapshot.ts';
import { policyTenantKey } from './policy-tenant-key.ts';

describe('policyTenantKey', () => {
  it('passes a permissive policy comparing the tenant column with the setting', () => {
    expect(policyTenantKey.run(snapshot())).toEqual([expect.objectContaining({ verdict: 'pass', reason: 'policy-keyed' })]);
  });

  it('passes a policy keyed through a function that reads the setting', () => {
    const s = snapshot({
      functions: [fn('current_tenant', { returnsSet: false, returnType: 'uuid', definition: "CREATE FUNCTION public.current_tenant()\n RETURNS uuid AS $$ SELECT current_setting('app.tenant_id')::uuid $$" })],
      policies: [policy('documents', 'via_fn', { using: '(tenant_id = current_tenant())' })],
    });
    expect(policyTenantKey.run(s)[0]).toMatchObject({ verdict: 'pass', detail: expect.stringContaining('current_tenant') });
  });

  it('fails open on USING (true), naming the policy', () => {
    const s = snapshot({ policies: [...snapshot().policies, policy('documents', 'open', { command: 'SELECT', using: 'true', withCheck: null })] });
    const bad = policyTenantKey.run(s).find((f) => f.verdict !== 'pass');
    expect(bad).toMatchObject({ verdict: 'fail-open', reason: 'policy-always-true', operation: 'public.documents' });
    expect(bad!.detail).toContain('"open"');
  });

  it('fails open on a policy that reads the setting but not the tenant column', () => {
    const s = snapshot({ policies: [policy('documents', 'any_ctx', { using: "(current_setting('app.tenant_id'::text) IS NOT NULL)" })] });
    expect(policyTenantKey.run(s)[0]).toMatchObject({ verdict: 'fail-open', reason: 'policy-not-keyed', detail: expect.stringContaining('does not mention tenant_id') });
  });

  it('passes an unkeyed permissive policy when a keyed restrictive policy pins the same commands', () => {
    const s = snapshot({
      policies: [
        policy('documents', 'open', { command: 'SELECT', using: 'true', withCheck: null }),
        policy('documents', 'pin', { permissive: false, command: 'SELECT', withCheck: null }),
      ],
    });
    expect(policyTenantKey.run(s).find((f) => f.detail.includes('"open"'))).toMatchObject({ verdict: 'pass', reason: 'pinned-by-restrictive' });
  });

  it('ignores policies that do not apply to the audited role', () => {
    const s = snapshot({ policies: [policy('documents', 'admin_open', { using: 'true', appliesToRole: false, roles: ['admin'] })] });
    expect(policyTenantKey.run(s)).toEqual([]);
  });
});
