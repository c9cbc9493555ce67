import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DbRecordInput, DbSuiteContext } from '../src/db/audit/context.ts';
import { fn, policy, snapshot, table, view } from '../test/db/snapshot.ts';
import suite, { CATALOG_CHECKS } from './db.rls-catalog.ts';

function catalogIds(file: string): Set<string> {
  const json = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../reports/controls', file), 'utf8')) as unknown;
  return new Set([...JSON.stringify(json).matchAll(/"id"\s*:\s*"([^"]+)"/g)].map((m) => m[1]!));
}

async function runOn(s: ReturnType<typeof snapshot>): Promise<DbRecordInput[]> {
  const records: DbRecordInput[] = [];
  const ctx = { snapshot: s, seed: 1, runs: 1, behaviour: undefined as never, record: async (r: DbRecordInput) => void records.push(r) } satisfies DbSuiteContext;
  await suite.run(ctx);
  return records;
}

describe('db.rls-catalog suite', () => {
  it('declares metadata whose id is its file name and whose controls exist in the catalogues', () => {
    expect(suite.id).toBe(path.basename(import.meta.filename).replace(/\.test\.ts$/, ''));
    expect(suite).toMatchObject({ target: 'db', families: ['data-layer'], paths: ['db'] });
    const soc2 = catalogIds('soc2-tsc-2017.json');
    const iso = catalogIds('iso27001-2022.json');
    for (const id of suite.controls.soc2) expect(soc2, id).toContain(id);
    for (const id of suite.controls.iso27001) expect(iso, id).toContain(id);
  });

  it('declares exactly the rules of its checks, and every one is emitted on a rich snapshot', () => {
    expect(suite.phase).toBe('catalog');
    expect(suite.rules).toEqual(CATALOG_CHECKS.flatMap((check) => check.rules));
    const rich = snapshot({ views: [view('docs_v')], functions: [fn('docs', { securityDefiner: true })] });
    const rules = new Set(CATALOG_CHECKS.flatMap((check) => check.run(rich).map((f) => f.rule)));
    expect([...rules].sort()).toEqual(suite.rules.map((r) => r.id).sort());
    expect(new Set(suite.rules.map((r) => r.id)).size).toBe(suite.rules.length);
  });

  it('passes the fail-closed snapshot: a live control and only passing records', async () => {
    const records = await runOn(snapshot({ views: [view('docs_v')] }));
    expect(records.filter((r) => r.kind === 'control')).toEqual([expect.objectContaining({ rule: 'catalog-read', verdict: 'pass' })]);
    expect(records.filter((r) => r.verdict !== 'pass')).toEqual([]);
    expect(records.length).toBeGreaterThan(8);
  });

  it('fails the leaky snapshot, each finding naming its object', async () => {
    const leaky = snapshot({
      tables: [table('documents', { rlsEnabled: false }), table('projects', { rlsForced: false, roleOwns: true, owner: 'app' })],
      policies: [policy('projects', 'open', { using: 'true', withCheck: 'true' })],
      views: [view('all_docs', { securityInvoker: false, references: ['public.projects'] })],
    });
    const failing = (await runOn(leaky)).filter((r) => r.verdict !== 'pass');
    const byRule = (rule: string) => failing.filter((r) => r.rule === rule).map((r) => `${r.operation} ${r.detail}`);
    expect(byRule('rls-enabled')[0]).toContain('public.documents');
    expect(byRule('rls-forced')[0]).toContain('public.projects');
    expect(byRule('role-owns-table')[0]).toContain('public.projects');
    expect(byRule('policy-tenant-key')[0]).toContain('"open"');
    expect(byRule('policy-check-pinned')[0]).toContain('"open"');
    expect(byRule('view-bypass')[0]).toContain('public.all_docs');
  });
});
