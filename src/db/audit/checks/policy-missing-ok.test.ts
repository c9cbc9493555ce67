import { describe, expect, it } from 'vitest';
import { fn, policy, snapshot } from '../../../../test/db/snapshot.ts';
import { policyMissingOk } from './policy-missing-ok.ts';

describe('policyMissingOk', () => {
  it('passes a policy that reads the setting without missing_ok', () => {
    expect(policyMissingOk.run(snapshot())).toEqual([expect.objectContaining({ verdict: 'pass', reason: 'setting-required' })]);
  });

  it('soft-fails current_setting(name, true), naming the policy', () => {
    const s = snapshot({ policies: [policy('documents', 'lenient', { using: "(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid)" })] });
    expect(policyMissingOk.run(s)[0]).toMatchObject({ verdict: 'soft-fail', reason: 'missing-ok', detail: expect.stringContaining('"lenient"') });
  });

  it('soft-fails a policy calling a helper that reads the setting with missing_ok, naming the helper', () => {
    const s = snapshot({
      functions: [fn('tenant', { returnsSet: false, definition: "CREATE FUNCTION public.tenant()\n AS $$ SELECT current_setting('app.tenant_id', true)::uuid $$" })],
      policies: [policy('documents', 'via', { using: '(tenant_id = tenant())', withCheck: null })],
    });
    expect(policyMissingOk.run(s)[0]).toMatchObject({ verdict: 'soft-fail', reason: 'missing-ok-via-function', detail: expect.stringContaining('public.tenant()') });
  });

  it('does not mistake missing_ok = false for missing_ok', () => {
    const s = snapshot({ policies: [policy('documents', 'strict', { using: "(tenant_id = (current_setting('app.tenant_id'::text, false))::uuid)" })] });
    expect(policyMissingOk.run(s)[0]).toMatchObject({ verdict: 'pass' });
  });

  it('reports one finding per helper (the root cause), listing every policy that calls it, and the direct form with the rewritten policy', () => {
    const helper = fn('tenant', { returnsSet: false, definition: "CREATE FUNCTION public.tenant()\n AS $$ SELECT current_setting('app.tenant_id', true)::uuid $$" });
    const s = snapshot({ functions: [helper], policies: [policy('documents', 'sel', { command: 'SELECT', using: '(tenant_id = tenant())', withCheck: null }), policy('documents', 'del', { command: 'DELETE', using: '(tenant_id = tenant())', withCheck: null })] });
    const findings = policyMissingOk.run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ operation: 'public.tenant()', verdict: 'soft-fail', detail: expect.stringContaining('2 policies "sel" on public.documents, "del" on public.documents') });
    const direct = policyMissingOk.run(snapshot({ policies: [policy('documents', 'lenient', { command: 'SELECT', using: "(tenant_id = (current_setting('app.tenant_id'::text, true))::uuid)", withCheck: null })] }));
    expect(direct[0]!.detail).toContain(`Fix: ALTER POLICY "lenient" ON public.documents USING (tenant_id = (current_setting('app.tenant_id'::text))::uuid);`);
  });
});
