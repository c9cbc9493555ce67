import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnsignedEvidenceRecord } from '../../src/core/types.ts';
import type { Verdict } from '../../src/core/verdict.ts';
import { renderReport } from '../../src/report/index.ts';
import { BUILTIN_SUITE_IDS, rec, tempDir, writeSyntheticRun } from './support/synthetic-run.ts';

const RECORDS = 100_000;
let root: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  root = await tempDir('ta-scale-');
});
afterAll(async () => root.cleanup());

function* many(): Generator<UnsignedEvidenceRecord> {
  const ops = Array.from({ length: 12 }, (_, i) => `op${i}`);
  const mutations = Array.from({ length: 30 }, (_, i) => ({ id: `mutation-${i}`, title: `Mutation ${i}` }));
  for (const suite of BUILTIN_SUITE_IDS) yield rec({ suite, kind: 'control', verdict: 'pass' });
  for (let i = 0; i < RECORDS - BUILTIN_SUITE_IDS.length; i++) {
    const suite = BUILTIN_SUITE_IDS[i % BUILTIN_SUITE_IDS.length] as string;
    const verdict: Verdict = i % 997 === 0 ? 'closed-by-error' : i % 4999 === 0 ? 'inconclusive' : 'pass';
    yield rec({
      suite,
      kind: 'probe',
      verdict,
      operation: ops[i % ops.length] as string,
      mutation: mutations[i % mutations.length] as { id: string; title: string },
      request: { method: 'GET', url: `https://api.staging.example/v1/items/${i}`, headers: { 'X-Tenant-ID': 'tenant-b' } },
      response: { status: 403, headers: {}, excerpt: '{"error":"forbidden"}', bodySha256: 'cd'.repeat(32), bodyBytes: 21, truncated: false },
    });
  }
}

describe('a 100,000-record run', () => {
  it('renders every format from the aggregate, with a bounded report.html', async () => {
    const run = await writeSyntheticRun(join(root.path, 'big'), { records: [...many()] });
    expect(run.records).toHaveLength(RECORDS);
    const started = Date.now();
    const r = await renderReport(run.dir);
    const seconds = (Date.now() - started) / 1000;
    const html = await readFile(join(run.dir, 'report.html'), 'utf8');
    const htmlBytes = (await stat(join(run.dir, 'report.html'))).size;
    console.info(`100k records: rendered in ${seconds.toFixed(1)} s, report.html ${(htmlBytes / 1024).toFixed(0)} KiB`);
    expect(r.model.totals.records).toBe(RECORDS);
    expect(r.model.totals.judged).toBe(RECORDS - BUILTIN_SUITE_IDS.length);
    expect(r.model.integrity.ok).toBe(true);
    expect(r.model.appendix.mode).toBe('summary');
    expect(htmlBytes).toBeLessThan(3 * 1024 * 1024);
    expect((html.match(/<tr/g) ?? []).length).toBeLessThan(5000);
    expect(html).toContain('records are summarised per suite');
    expect((await stat(join(run.dir, 'report.md'))).size).toBeLessThan(60_000);
    expect((await stat(join(run.dir, 'junit.xml'))).size).toBeLessThan(2 * 1024 * 1024);
  }, 180_000);
});
