import { describe, expect, it } from 'vitest';
import { snapshot } from '../../../../test/db/snapshot.ts';
import type { DbRule } from '../rules.ts';
import { defineCatalogCheck, type Finding } from './finding.ts';

const rule = (id: string): DbRule => ({ id, title: `rule ${id}`, failVerdict: 'fail-open', severity: 'high', description: `what ${id} checks` });
const finding = (id: string): Finding => ({ rule: id, operation: 'public.documents', verdict: 'pass', reason: 'ok', detail: 'checked', steps: [] });

describe('defineCatalogCheck', () => {
  it('keeps the declared rules beside the check and returns its findings', () => {
    const check = defineCatalogCheck({ rules: [rule('a'), rule('b')], run: () => [finding('a'), finding('b'), finding('a')] });
    expect(check.rules.map((r) => r.id)).toEqual(['a', 'b']);
    expect(check.run(snapshot()).map((f) => f.rule)).toEqual(['a', 'b', 'a']);
  });

  it('fails loudly when the check emits a rule it did not declare', () => {
    const check = defineCatalogCheck({ rules: [rule('a')], run: () => [finding('a'), finding('stray')] as Finding<'a'>[] });
    expect(() => check.run(snapshot())).toThrow(TypeError);
    expect(() => check.run(snapshot())).toThrow(/declaring a emitted a finding for undeclared rule "stray" \(public\.documents\)/);
  });

  it('refuses a check without rules, or with a rule id twice', () => {
    expect(() => defineCatalogCheck({ rules: [], run: () => [] })).toThrow(TypeError);
    expect(() => defineCatalogCheck({ rules: [rule('a'), rule('a')], run: () => [] })).toThrow(/unique ids/);
  });
});
