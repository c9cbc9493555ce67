import { describe, expect, it } from 'vitest';
import { column, policy, table } from '../../../test/db/snapshot.ts';
import { alterPolicySql, keyedPolicySql, policyWithoutMissingOkSql, unwrap, withoutNullBranches } from './fix-sql.ts';
import { checkListValues } from './rows.ts';

describe('fix SQL', () => {
  it('rewrites a policy without missing_ok, keeping only the clauses its command allows', () => {
    const p = policy('documents', 'sel', { command: 'SELECT', using: "(tenant_id = (current_setting('app.tenant_id'::text, true))::uuid)", withCheck: null });
    expect(policyWithoutMissingOkSql(p, 'app.tenant_id')).toBe(`ALTER POLICY "sel" ON public.documents USING (tenant_id = (current_setting('app.tenant_id'::text))::uuid);`);
    expect(alterPolicySql(policy('documents', 'ins', { command: 'INSERT' }), '(a)', '(b)')).toBe('ALTER POLICY "ins" ON public.documents WITH CHECK (b);');
  });

  it('drops NULL branches and narrows an open policy to the tenant', () => {
    expect(withoutNullBranches("((tenant_id = x) OR (tenant_id IS NULL))", 'tenant_id')).toBe('((tenant_id = x))');
    expect(unwrap('((a = b))')).toBe('a = b');
    expect(unwrap('(a) AND (b)')).toBe('(a) AND (b)');
    expect(keyedPolicySql(policy('documents', 'open', { command: 'SELECT', using: 'true', withCheck: null }), '(tenant_id = k)', 'using')).toBe('ALTER POLICY "open" ON public.documents USING (tenant_id = k);');
  });

  it('reads the values CHECK IN-lists and domain checks allow', () => {
    const t = table('invoices', {
      checks: ["CHECK ((status = ANY (ARRAY['open'::text, 'paid'::text])))", "CHECK (((kind)::text = ANY ((ARRAY['a'::character varying, 'b''c'::character varying])::text[])))", 'CHECK ((amount > (0)::numeric))'],
      columns: [column('currency', 'text', { domainChecks: ["CHECK ((VALUE = ANY (ARRAY['EUR'::text, 'USD'::text])))"] })],
    });
    const allowed = checkListValues(t);
    expect(allowed.get('status')).toEqual(['open', 'paid']);
    expect(allowed.get('kind')).toEqual(['a', "b'c"]);
    expect(allowed.get('currency')).toEqual(['EUR', 'USD']);
    expect(allowed.has('amount')).toBe(false);
  });
});
