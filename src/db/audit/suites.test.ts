import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbSuiteDefinition, DbSuitePhase } from './context.ts';
import type { DbRule } from './rules.ts';
import { orderDbSuites, ruleResolver, selectDbSuites, validateDbSuite } from './suites.ts';

const rule = (id: string, extra: Partial<DbRule> = {}): DbRule => ({ id, title: `rule ${id}`, failVerdict: 'fail-open', severity: 'high', description: `what ${id} checks`, ...extra });

function dbSuite(id: string, phase: DbSuitePhase, rules: readonly DbRule[] = [rule('r1')]): DbSuiteDefinition {
  return {
    id,
    title: `suite ${id}`,
    description: 'a data-layer suite for the tests',
    families: ['data-layer'],
    paths: ['db'],
    severity: 'high',
    controls: { soc2: [], iso27001: [] },
    remediation: 'nothing to remediate here',
    target: 'db',
    phase,
    rules,
    run: async () => {},
  };
}

/** A user `db` suite file as a user writes it: `defineSuite` from the package name, its id the file name. */
function userSuiteSource(id: string, phase: DbSuitePhase, body: string, rules: readonly DbRule[] = [rule('user-rule')]): string {
  return `import { defineSuite } from 'tenancy-audit/suite';
export default defineSuite({
  id: ${JSON.stringify(id)},
  title: 'A user data-layer suite',
  description: 'Checks one more thing about the tenant tables.',
  families: ['data-layer'],
  paths: ['db'],
  severity: 'high',
  controls: { soc2: ['CC6.1'], iso27001: ['8.3'] },
  remediation: 'Fix what the records name.',
  target: 'db',
  phase: ${JSON.stringify(phase)},
  rules: ${JSON.stringify(rules)},
  async run(ctx) {
    ${body}
  },
});
`;
}

describe('db suites', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-db-suites-'));
    await fs.writeFile(path.join(dir, 'acme.tables.ts'), userSuiteSource('acme.tables', 'catalog', 'void ctx;'));
    await fs.writeFile(path.join(dir, 'acme.later.ts'), userSuiteSource('acme.later', 'behaviour', 'void ctx;'));
    // A db suite without `run` passes the loader's metadata check but is no suite the audit can run.
    await fs.writeFile(path.join(dir, 'acme.no-run.ts'), userSuiteSource('acme.no-run', 'catalog', '').replace(/ {2}async run\(ctx\) \{\n.*\n {2}\},\n/s, ''));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('orders catalog suites first, then behaviour suites, ties by id', () => {
    const ordered = orderDbSuites([dbSuite('b', 'behaviour'), dbSuite('z', 'catalog'), dbSuite('a', 'behaviour'), dbSuite('c', 'catalog')]);
    expect(ordered.map((s) => s.id)).toEqual(['c', 'z', 'a', 'b']);
  });

  it('loads the built-in suites by default, catalog before behaviour, each with its rules', async () => {
    const suites = await selectDbSuites({});
    expect(suites.map((s) => s.phase)).toEqual(['catalog', 'behaviour']);
    for (const s of suites) expect(s.rules.length).toBeGreaterThan(0);
    const ids = suites.flatMap((s) => s.rules.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('loads user folders with the built-in one, keeps only runnable db suites, and selects by id or prefix', async () => {
    const [catalog, behaviour] = (await selectDbSuites({})).map((s) => s.id);
    // "acme…" sorts before the built-in "db.…" ids within each phase.
    expect((await selectDbSuites({ suiteDirs: [dir] })).map((s) => s.id)).toEqual(['acme.tables', catalog, 'acme.later', behaviour]);
    expect((await selectDbSuites({ suiteDirs: [dir], only: ['acme'] })).map((s) => s.id)).toEqual(['acme.tables', 'acme.later']);
    expect((await selectDbSuites({ suiteDirs: [dir], only: [behaviour!, 'acme.tables'] })).map((s) => s.id)).toEqual(['acme.tables', behaviour]);
    await expect(selectDbSuites({ suiteDirs: [dir], only: ['acme.no-run'] })).rejects.toMatchObject({ code: 'TA_USAGE', message: expect.stringContaining('"acme.no-run"') });
    await expect(selectDbSuites({ only: ['identity'] })).rejects.toMatchObject({ code: 'TA_USAGE' });
  });

  it('applies `only` to given suites too, without loading folders', async () => {
    const given = [dbSuite('x.two', 'behaviour'), dbSuite('x.one', 'catalog'), dbSuite('y', 'catalog')];
    expect((await selectDbSuites({ suites: given, only: ['x'] })).map((s) => s.id)).toEqual(['x.one', 'x.two']);
  });

  it.each([
    ['no phase', { phase: undefined }, /"acme": phase/],
    ['an unknown phase', { phase: 'later' }, /"acme": phase/],
    ['no rules', { rules: [] }, /"acme": rules/],
    ['a rule without a severity', { rules: [{ ...rule('r1'), severity: 'urgent' }] }, /"acme": rules\.0\.severity/],
    ['a pass failVerdict', { rules: [rule('r1', { failVerdict: 'pass' as never })] }, /"acme": rules\.0\.failVerdict/],
    ['a rule twice', { rules: [rule('r1'), rule('r2'), rule('r1')] }, /"acme": rule "r1" declared twice/],
  ])('refuses a db suite with %s (TA_SUITE_INVALID)', (_name, extra, message) => {
    const suite = { ...dbSuite('acme', 'catalog'), ...extra } as DbSuiteDefinition;
    expect(() => validateDbSuite(suite)).toThrow(message);
    expect(() => validateDbSuite(suite)).toThrow(expect.objectContaining({ code: 'TA_SUITE_INVALID' }));
  });

  it('resolves a recorded rule in the suite’s own rules; an undeclared one is a TypeError naming suite and rule', () => {
    const resolve = ruleResolver(dbSuite('acme', 'catalog', [rule('r1'), rule('r2')]));
    expect(resolve('r2')).toMatchObject({ id: 'r2', title: 'rule r2' });
    expect(() => resolve('rls-enabled')).toThrow(TypeError);
    expect(() => resolve('rls-enabled')).toThrow('suite "acme" recorded rule "rls-enabled", which is not among its rules (r1, r2)');
  });
});
