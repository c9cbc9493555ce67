import { describe, expect, it } from 'vitest';
import { callsFunction, isTriviallyTrue, mentionsIdentifier, quoteIdent, readsSetting, readsSettingMissingOk, withoutStringLiterals } from './sql-text.ts';

describe('sql-text', () => {
  it.each([
    ["(tenant_id = (current_setting('app.tenant_id'::text))::uuid)", true],
    ["tenant_id = pg_catalog.current_setting('APP.TENANT_ID')", true],
    ["current_setting ( 'app.tenant_id' , true)", true],
    ["current_setting('app.tenant')", false],
    ["current_setting('xapp.tenant_id')", false],
  ])('readsSetting(%s) → %s', (text, expected) => {
    expect(readsSetting(text, 'app.tenant_id')).toBe(expected);
  });

  it.each([
    ["current_setting('app.tenant_id'::text, true)", true],
    ["current_setting('app.tenant_id', 't')", true],
    ["current_setting('app.tenant_id', (x IS NULL))", true],
    ["current_setting('app.tenant_id'::text, false)", false],
    ["current_setting('app.tenant_id')", false],
    ["current_setting('other'::text, true) AND current_setting('app.tenant_id')", false],
  ])('readsSettingMissingOk(%s) → %s', (text, expected) => {
    expect(readsSettingMissingOk(text, 'app.tenant_id')).toBe(expected);
  });

  it('matches identifiers as words, not inside other names or string literals', () => {
    expect(mentionsIdentifier('(tenant_id = 1)', 'tenant_id')).toBe(true);
    expect(mentionsIdentifier('("tenant_id" = 1)', 'tenant_id')).toBe(true);
    expect(mentionsIdentifier('(other_tenant_id = 1)', 'tenant_id')).toBe(false);
    expect(mentionsIdentifier(withoutStringLiterals("current_setting('app.tenant_id') IS NOT NULL"), 'tenant_id')).toBe(false);
    expect(mentionsIdentifier('SELECT * FROM public.documents d', 'documents')).toBe(true);
    expect(mentionsIdentifier('SELECT documents_count()', 'documents')).toBe(false);
  });

  it('recognises function calls, bare, qualified or quoted', () => {
    expect(callsFunction('tenant_id = app.current_tenant()', 'current_tenant')).toBe(true);
    expect(callsFunction('tenant_id = "current_tenant" ()', 'current_tenant')).toBe(true);
    expect(callsFunction('tenant_id = my_current_tenant()', 'current_tenant')).toBe(false);
  });

  it.each(['true', '(true)', ' ((TRUE)) ', '(1 = 1)', "'t'::boolean"])('treats %s as always true', (expr) => {
    expect(isTriviallyTrue(expr)).toBe(true);
  });

  it.each(['(tenant_id = x)', '(true) AND (false)', '(true OR x)'])('does not treat %s as always true', (expr) => {
    expect(isTriviallyTrue(expr)).toBe(false);
  });

  it('quotes identifiers safely', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });
});
