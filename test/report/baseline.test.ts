import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/index.ts';
import { cli } from '../support/cli.ts';
import { rec, tempDir, writeSyntheticRun } from './support/synthetic-run.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

const control = (suite: string) => rec({ suite, kind: 'control', verdict: 'pass', reason: 'control-live', mutation: { id: 'positive-control', title: 'Legitimate request' } });
const finding = (suite: string, mutation: string, channel: string, operation: string) =>
  rec({ suite, kind: 'finding', verdict: 'leak', operation, mutation: { id: mutation, title: mutation, channel } });

describe('baselines: findings by root cause marked new / still open / fixed', () => {
  it('marks one new and one still-open root cause, lists the fixed one, and gates --fail-on-new on the new one only', async () => {
    const root = await tempDir('ta-baseline-');
    cleanups.push(root.cleanup);
    const base = await writeSyntheticRun(join(root.path, 'base'), {
      records: [
        control('identity.mismatched'),
        finding('identity.mismatched', 'header-other-tenant', 'header:X-Tenant-ID', 'list'),
        finding('identity.mismatched', 'query-other-tenant', 'query:tenantId', 'list'),
      ],
    });
    const now = await writeSyntheticRun(join(root.path, 'now'), {
      records: [
        control('identity.mismatched'),
        finding('identity.mismatched', 'header-other-tenant', 'header:X-Tenant-ID', 'list'),
        finding('identity.mismatched', 'header-other-tenant', 'header:X-Tenant-ID', 'read'),
        finding('identity.mismatched', 'cookie-other-tenant', 'cookie:tenant', 'read'),
      ],
    });
    const { model, files } = await renderReport(now.dir, { formats: ['html', 'json'], baseline: base.dir });
    const trend = Object.fromEntries(model.findings.groups.map((g) => [g.mutation.channel, g.trend]));
    expect(trend).toEqual({ 'header:X-Tenant-ID': 'open', 'cookie:tenant': 'new' });
    expect(model.fixedGroups?.map((g) => g.title)).toEqual(["The query parameter tenantId overrides the token's tenant on 1 operation"]);
    expect(model.trend).toMatchObject({ new: 1, open: 1, fixed: 1, exitCodeOnNew: 1 });
    const html = await import('node:fs/promises').then((fs) => fs.readFile(files.find((f) => f.endsWith('report.html')) as string, 'utf8'));
    expect(html).toMatch(/id="trend"[^>]*>Since the baseline run <span class="mono">[^<]+<\/span>: <strong>1 new<\/strong> · 1 still open · 1 fixed/);
    expect(html).toContain('<span class="pill trend-new">new</span>');

    // The CLI: --fail-on-new exits 1 for the new root cause; against itself (nothing new) it exits 0, while without it the findings fail.
    expect((await cli(['report', now.dir, '--baseline', base.dir, '--exit-code', '--fail-on-new'])).code).toBe(1);
    expect((await cli(['report', now.dir, '--baseline', now.dir, '--exit-code', '--fail-on-new'])).code).toBe(0);
    expect((await cli(['report', now.dir, '--baseline', now.dir, '--exit-code'])).code).toBe(1);

    // A baseline whose evidence was edited cannot decide what is new: exit 2, not a quiet pass of the gate.
    const evidence = join(base.dir, 'evidence.jsonl');
    const fs = await import('node:fs/promises');
    await fs.writeFile(evidence, (await fs.readFile(evidence, 'utf8')).replace('"leak"', '"pass"'));
    const tampered = await cli(['report', now.dir, '--baseline', base.dir, '--exit-code', '--fail-on-new']);
    expect(tampered.code, tampered.out).toBe(2);
    expect(tampered.out).toContain('its evidence does not verify');
  });
});
