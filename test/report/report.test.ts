import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/commands/report.ts';
import { MARKDOWN_MAX_BYTES, renderReport } from '../../src/report/index.ts';
import type { RenderedReport } from '../../src/report/index.ts';
import { MUST_NOT_APPEAR, allFiles, keyFiles, rec, scenarioRecords, tempDir, writeSyntheticRun } from './support/synthetic-run.ts';

let root: { path: string; cleanup: () => Promise<void> };
let rendered: RenderedReport;
let html: string;
let md: string;
let junit: string;
let summary: Record<string, unknown> & { suites: { id: string; status: string; verdicts: Record<string, number> }[] };
const read = (name: string) => readFile(join(rendered.dir, name), 'utf8');

beforeAll(async () => {
  root = await tempDir('ta-render-');
  const keys = await keyFiles(root.path);
  const run = await writeSyntheticRun(join(root.path, 'run'), { signKey: keys.privatePem });
  await writeFile(join(root.path, 'custom.txt.hbs'), 'run={{run.runId}} result={{overall.result}} findings={{findings.total}} first={{#each findings.items}}{{#if @first}}{{detail}}{{/if}}{{/each}}\n');
  rendered = await renderReport(run.dir, { template: join(root.path, 'custom.txt.hbs'), publicKey: keys.publicJwk, now: new Date('2025-06-02T00:00:00Z') });
  [html, md, junit] = await Promise.all([read('report.html'), read('report.md'), read('junit.xml')]);
  summary = JSON.parse(await read('summary.json'));
});
afterAll(async () => root.cleanup());
afterEach(() => {
  process.exitCode = undefined;
});

describe('renderReport on the scenario run', () => {
  it('writes the four formats and the custom template', () => {
    expect(rendered.files.map((f) => f.slice(rendered.dir.length + 1)).sort()).toEqual(['junit.xml', 'report.custom.txt', 'report.html', 'report.md', 'summary.json']);
  });

  it('judges the run: fail, exit 1, and each suite as the scenario dictates', () => {
    expect(rendered.model.overall).toMatchObject({ result: 'fail', exitCode: 1 });
    const status = Object.fromEntries(rendered.model.suites.map((s) => [s.id, s.status]));
    expect(status).toEqual({
      'identity.missing': 'warn',
      'identity.spoofed': 'pass',
      'identity.mismatched': 'fail',
      'isolation.cross-tenant': 'fail',
      'retry.idempotency': 'inconclusive',
      'async.propagation': 'inconclusive',
      'callback.integrity': 'pass',
      'db.rls-catalog': 'pass',
      'db.rls-behaviour': 'not-run',
    });
    expect(rendered.model.integrity).toMatchObject({ checked: true, ok: true, signature: 'valid' });
  });

  it('has every HTML section, in order, and the control matrix side by side', () => {
    const ids = [...html.matchAll(/<section id="([a-z]+)"/g)].map((m) => m[1]);
    // Findings right after the summary; methodology, coverage and appendix last (collapsed).
    expect(ids).toEqual(['cover', 'summary', 'findings', 'suites', 'controls', 'integrity', 'methodology', 'coverage', 'appendix']);
    for (const id of ['methodology', 'coverage', 'appendix']) expect(html).toMatch(new RegExp(`<section id="${id}" class="collapsible">\\s*<details>`));
    expect(html).toContain('id="framework-SOC2"');
    expect(html).toContain('id="framework-ISO27001"');
    expect(html.indexOf('id="framework-SOC2"')).toBeLessThan(html.indexOf('id="framework-ISO27001"'));
    expect(html).toMatch(/<svg class="chart"[\s\S]*?<rect[^>]+fill="#6a1b1a"/);
    expect(html).toContain('@media print');
    expect(html).toMatch(/break-before: page/);
  });

  it('shows the cover facts, findings as numbered steps with curl, and the verify command', () => {
    for (const text of ['Invoices API', 'https://api.staging.example', 'staging', '0.1.0-test', 'c0nf1gha5h', 'github-actions', '4 min 30 s']) expect(html).toContain(text);
    const f1 = html.slice(html.indexOf('id="finding-F-001"'), html.indexOf('id="finding-F-002"'));
    expect(f1).toContain('Leak');
    expect(f1).toContain('Minimal counterexample');
    expect([...f1.matchAll(/<li value="(\d)">/g)].map((m) => m[1])).toEqual(['1', '2', '3']);
    expect(f1).toContain('curl -sS -i -X &#x27;POST&#x27;');
    expect(f1).toContain('$TOKEN_TENANT_A');
    const g1 = html.slice(html.indexOf('data-group="G-01"'), html.indexOf('</article>', html.indexOf('data-group="G-01"')));
    expect(g1).toContain('Remediation.');
    expect(g1).toContain('href="#finding-F-001"');
    expect(html).toMatch(/<pre id="verify-command">npx tenancy-audit verify \S+ --key &lt;signer-public-key.jwk&gt;<\/pre>/);
    expect(html).toContain(rendered.model.integrity.thumbprint);
    expect(rendered.model.integrity.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('lists positive controls and marks the failed one', () => {
    const pcs = rendered.model.positiveControls;
    expect(pcs).toMatchObject({ total: 8, failed: 1 });
    expect(pcs.items[0]).toMatchObject({ suite: 'retry.idempotency', live: false });
    expect(html).toContain('id="positive-controls"');
  });

  it('reports population and coverage, including operations never probed', () => {
    expect(rendered.model.coverage.unprobed).toEqual(['deleteInvoice (DELETE /v1/invoices/{id})']);
    expect(html).toContain('Tenant-scoped operations never probed');
    expect(rendered.model.totals).toMatchObject({ judged: 13, findings: 2, controls: 8, records: 23 });
  });

  it('escapes evidence data everywhere and fetches nothing', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('{{root}}');
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed|script|base)\b/i);
    expect(html).not.toMatch(/\b(src|href)="(?!#)/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    expect(md).not.toMatch(/<script/);
    expect(md).toContain('&lt;script&gt;');
  });

  it('never writes a registered secret or a JWT into any file', async () => {
    const files = await allFiles(rendered.dir);
    expect(files.map((f) => f.path.split('/').pop()).sort()).toEqual(['delivered.json', 'evidence.jsonl', 'junit.xml', 'manifest.json', 'report.custom.txt', 'report.html', 'report.md', 'summary.json']);
    const ownJws = rendered.model.integrity.signature === 'valid' ? (JSON.parse(await read('manifest.json')) as { signature: { jws: string } }).signature.jws : '';
    expect(ownJws).toMatch(/^eyJ/);
    for (const { path, text } of files) {
      for (const secret of MUST_NOT_APPEAR) expect(text.includes(secret), `${secret.slice(0, 12)}… in ${path}`).toBe(false);
      // The manifest's own signature is the only JWS allowed (it is not a credential).
      expect(text.replace(ownJws, ''), path).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\./);
    }
    expect(html).toContain('[redacted-jwt alg&#x3D;RS256 sha256:');
    expect(html).toContain('[redacted-jwt alg&#x3D;none sha256:');
  });

  it('renders report.md for a PR comment: result line, suite table, findings with fenced curl, controls, verify line', () => {
    expect(md.split('\n')[0]).toBe('## ❌ tenancy-audit: FAIL');
    expect(md).toMatch(/\| `isolation.cross-tenant` \| \*\*fail\*\* \|/);
    expect(md).toContain('#### F-001 · Leak · critical');
    expect(md).toMatch(/```sh\n\s*curl /);
    expect(md).toMatch(/\*\*SOC 2[^*]+\*\*: \d+ effective · \d+ exception · \d+ inconclusive · \d+ not tested/);
    expect(md).toMatch(/```sh\nnpx tenancy-audit verify /);
    expect(Buffer.byteLength(md)).toBeLessThan(MARKDOWN_MAX_BYTES);
  });

  it('renders junit.xml: failures carry the counterexample, inconclusive suites are errors, 5xx is a warning', () => {
    expect(junit).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="tenancy-audit" tests="\d+" failures="2" errors="\d+">/);
    const leak = junit.match(/<testcase classname="isolation.cross-tenant" name="getInvoice × cross-tenant">[\s\S]*?<\/testcase>/)?.[0] ?? '';
    expect(leak).toContain('<failure type="leak"');
    expect(leak).toContain('F-001 leak: canary-foreign');
    expect(leak).toContain('curl ');
    expect(junit).toMatch(/<testcase classname="retry.idempotency" name="createInvoice × cross-tenant">\s*<error type="inconclusive"/);
    expect(junit).toMatch(/<testcase classname="async.propagation" name="submitJob × mismatched">\s*<error type="inconclusive" message="1 probes inconclusive/);
    expect(junit).toMatch(/<testcase classname="db.rls-behaviour" name="\(suite\)">\s*<error type="not-run"/);
    expect(junit).toMatch(/<testcase classname="identity.missing" name="listInvoices × missing">\s*<system-out>warning: 1 probes rejected with 5xx/);
    expect(junit).toMatch(/<testcase classname="callback.integrity" name="webhookIn × spoofed">\s*<\/testcase>/);
    expect(junit).not.toContain('<script');
  });

  it('writes summary.json with counts per suite and verdict, overall and exit code', () => {
    expect(summary).toMatchObject({ overall: 'fail', exitCode: 1, runId: 'run-2025-06-01-abc', complete: true });
    expect(summary.counts).toMatchObject({ records: 23, judged: 13, findings: 2, byVerdict: { pass: 9, leak: 1, 'soft-fail': 1, 'closed-by-error': 1, inconclusive: 1, 'fail-open': 0 } });
    expect(summary.suites.find((s) => s.id === 'isolation.cross-tenant')).toMatchObject({ status: 'fail', verdicts: { pass: 1, leak: 1 } });
  });

  it('renders a user template with the same model', async () => {
    const custom = await read('report.custom.txt');
    expect(custom).toMatch(/^run=run-2025-06-01-abc result=fail findings=2 first=tenant-b canary CANARY-B-77 seen by tenant-a &lt;script&gt;/);
  });
});

describe('renderReport on other runs', () => {
  it('renders a killed run (no manifest) as inconclusive, saying why, with exit 3', async () => {
    const run = await writeSyntheticRun(join(root.path, 'killed'), { manifest: 'none', records: scenarioRecords().filter((r) => r.verdict !== 'leak' && r.verdict !== 'soft-fail') });
    const r = await renderReport(run.dir, { formats: ['html', 'json'] });
    expect(r.model.overall).toMatchObject({ result: 'inconclusive', exitCode: 3 });
    expect(r.model.problems.join('\n')).toMatch(/manifest.json is missing/);
    const page = await readFile(join(run.dir, 'report.html'), 'utf8');
    expect(page).toContain('INCONCLUSIVE');
    expect(page).toContain('manifest.json is missing');
  });

  it('never passes a run whose positive controls are missing', async () => {
    const run = await writeSyntheticRun(join(root.path, 'no-controls'), {
      records: [rec({ suite: 'identity.missing', kind: 'probe', verdict: 'pass' }), rec({ suite: 'identity.missing', kind: 'probe', verdict: 'pass' })],
      suites: [],
    });
    const r = await renderReport(run.dir, { formats: ['json'] });
    expect(r.model.suites[0]).toMatchObject({ id: 'identity.missing', status: 'inconclusive' });
    expect(r.model.overall.result).toBe('inconclusive');
    expect(r.model.problems.join('\n')).toMatch(/does not declare/);
  });

  it('passes a clean run, and an edited record turns the report inconclusive', async () => {
    const records = ['identity.missing', 'identity.spoofed'].flatMap((suite) => [
      rec({ suite, kind: 'control', verdict: 'pass' }),
      rec({ suite, kind: 'probe', verdict: 'pass' }),
    ]);
    const two = (await import('./support/synthetic-run.ts')).SUITES.filter((s) => s.id === 'identity.missing' || s.id === 'identity.spoofed');
    const run = await writeSyntheticRun(join(root.path, 'clean'), { records, suites: two });
    const ok = await renderReport(run.dir, { formats: ['json'] });
    expect(ok.model.overall).toMatchObject({ result: 'pass', exitCode: 0 });
    const { editEvidence } = await import('./support/synthetic-run.ts');
    await editEvidence(run.dir, (lines) => lines.map((l, i) => (i === 1 ? l.replace('"durationMs":12', '"durationMs":1') : l)));
    const tampered = await renderReport(run.dir, { formats: ['json'] });
    expect(tampered.model.overall.result).toBe('inconclusive');
    expect(tampered.model.overall.reasons.join('\n')).toMatch(/integrity check failed at seq 2 \(line 2\)/);
  });

  it('keeps report.md under 60 KB by summarising many findings', async () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      rec({ suite: 'isolation.cross-tenant', kind: 'finding', verdict: 'leak', detail: `leak #${i} ${'x'.repeat(400)}`, steps: [{ n: 1, title: 'read', request: { method: 'GET', url: `https://a/${i}`, headers: {}, body: 'y'.repeat(2000) }, response: { status: 200, headers: {}, excerpt: 'z'.repeat(2000), bodySha256: '0', bodyBytes: 1, truncated: true } }] }),
    );
    const run = await writeSyntheticRun(join(root.path, 'many'), { records: [rec({ suite: 'isolation.cross-tenant', kind: 'control', verdict: 'pass' }), ...many] });
    const r = await renderReport(run.dir, { formats: ['md'] });
    const text = await readFile(join(run.dir, 'report.md'), 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MARKDOWN_MAX_BYTES);
    expect(text).toContain('#### F-001');
    expect(text).toMatch(/more findings are in report.html/);
    expect(r.model.findings).toMatchObject({ total: 300, omitted: 200 });
  });
});

describe('report command', () => {
  async function cli(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const program = new Command().exitOverride().addCommand(reportCommand({ out: (l) => out.push(l), err: (l) => err.push(l), color: false }));
    process.exitCode = undefined;
    await program.parseAsync(['report', ...args], { from: 'user' });
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('renders the formats asked for, exits 0, or the run result with --exit-code', async () => {
    const run = await writeSyntheticRun(join(root.path, 'cli'));
    const out = join(root.path, 'cli-out');
    const c = await cli([run.dir, '--format', 'md,json', '--out', out]);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/^FAIL 2 of 9 suites/);
    expect((await allFiles(out)).map((f) => f.path.split('/').pop()).sort()).toEqual(['delivered.json', 'report.md', 'summary.json']);
    expect((await cli([run.dir, '--format', 'json', '--out', out, '--exit-code'])).code).toBe(1);
  });

  it('exits 2 for a missing folder or an unknown format', async () => {
    const missing = await cli([join(root.path, 'does-not-exist')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/TA_USAGE/);
    const run = await writeSyntheticRun(join(root.path, 'cli-2'));
    expect((await cli([run.dir, '--format', 'pdf'])).code).toBe(2);
  });

  it('says clearly when --pdf cannot run, and still writes the other reports', async () => {
    const run = await writeSyntheticRun(join(root.path, 'cli-pdf'));
    const before = process.env.TENANCY_AUDIT_CHROMIUM;
    process.env.TENANCY_AUDIT_CHROMIUM = join(root.path, 'no-chromium-here');
    try {
      const c = await cli([run.dir, '--format', 'html', '--pdf']);
      expect(c.code).toBe(0);
      expect(c.err).toMatch(/PDF not written: (playwright-core is not installed|Chromium not found)/);
    } finally {
      if (before === undefined) delete process.env.TENANCY_AUDIT_CHROMIUM;
      else process.env.TENANCY_AUDIT_CHROMIUM = before;
    }
  });
});
