import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import * as formats from 'ajv-formats';

// ajv-formats is CommonJS: its function is the default export under ESM interop.
const addFormats = ((formats as unknown as { default: unknown }).default ?? formats) as (ajv: Ajv) => Ajv;
import { afterAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/index.ts';
import { rec, tempDir, writeSyntheticRun } from './support/synthetic-run.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

const control = (suite: string) => rec({ suite, kind: 'control', verdict: 'pass', reason: 'control-live', mutation: { id: 'positive-control', title: 'Legitimate request' } });
const probe = (suite: string) => rec({ suite, kind: 'probe', verdict: 'pass' });
const finding = (suite: string, operation: string, url: string) =>
  rec({ suite, kind: 'finding', verdict: 'leak', operation, mutation: { id: 'header-other-tenant', title: 'header X-Tenant-ID asserts another tenant', channel: 'header:X-Tenant-ID' }, request: { method: 'GET', url, headers: { 'x-tenant-id': 'tenant-b' } } });

async function exported() {
  const root = await tempDir('ta-exports-');
  cleanups.push(root.cleanup);
  const run = await writeSyntheticRun(join(root.path, 'run'), {
    records: [
      control('identity.mismatched'),
      probe('identity.mismatched'),
      finding('identity.mismatched', 'getInvoice', 'https://api.staging.example/v1/invoices/42'),
      finding('identity.mismatched', 'listInvoices', 'https://api.staging.example/v1/invoices'),
      control('identity.missing'),
      probe('identity.missing'),
    ],
  });
  const { files, model } = await renderReport(run.dir, { formats: ['sarif', 'oscal'] });
  const read = async (name: string) => JSON.parse(await readFile(files.find((f) => f.endsWith(name)) as string, 'utf8'));
  return { model, sarif: await read('report.sarif'), oscal: await read('assessment-results.oscal.json'), delivered: JSON.parse(await readFile(join(run.dir, 'delivered.json'), 'utf8')) };
}

/** ajv with the formats the schemas use (uri, uri-reference, date-time); strict off for the schema's own keywords. */
async function validator(file: string) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(await readFile(join('test/data', file), 'utf8')));
}

describe('exports', () => {
  it('SARIF validates against the SARIF 2.1.0 schema, and the schema rejects a broken log', async () => {
    const { sarif } = await exported();
    const validate = await validator('sarif-2.1.0.subset.schema.json');
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(sarif);
    broken.runs[0].results[0].level = 'critical';
    delete broken.runs[0].results[0].message;
    expect(validate(broken)).toBe(false);
  });

  it('SARIF 2.1.0: one result per root cause, rule metadata from the suite, the operation URLs as locations', async () => {
    const { sarif, model } = await exported();
    expect(sarif.version).toBe('2.1.0');
    const [run] = sarif.runs;
    expect(run.tool.driver.name).toBe('tenancy-audit');
    expect(run.results).toHaveLength(model.findings.groups.length);
    expect(run.results).toHaveLength(1);
    const [result] = run.results;
    const rule = run.tool.driver.rules[result.ruleIndex];
    const suite = model.suites.find((s) => s.id === 'identity.mismatched');
    expect(rule).toMatchObject({ id: 'identity.mismatched', shortDescription: { text: suite?.title }, help: { text: suite?.remediation } });
    expect(result).toMatchObject({ ruleId: 'identity.mismatched', level: 'error' });
    expect(result.message.text).toContain("The X-Tenant-ID header overrides the token's tenant on 2 operations");
    expect(result.locations.map((l: { physicalLocation: { artifactLocation: { uri: string } } }) => l.physicalLocation.artifactLocation.uri)).toEqual([
      'https://api.staging.example/v1/invoices/42',
      'https://api.staging.example/v1/invoices',
    ]);
    expect(result.partialFingerprints.rootCause).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('OSCAL validates against the NIST OSCAL assessment-results schema, and the schema rejects a broken document', async () => {
    const { oscal } = await exported();
    const validate = await validator('oscal-assessment-results-1.0.4.subset.schema.json');
    expect(validate(oscal), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(oscal);
    broken['assessment-results'].results[0].findings[0].target.status.state = 'effective';
    delete broken['assessment-results'].metadata['oscal-version'];
    expect(validate(broken)).toBe(false);
  });

  it('OSCAL assessment-results: the required assemblies, a satisfied finding only for an Effective control, and no finding for one not judged', async () => {
    const { oscal, model, delivered } = await exported();
    const ar = oscal['assessment-results'];
    for (const key of ['uuid', 'metadata', 'import-ap', 'results']) expect(ar).toHaveProperty(key);
    expect(ar.metadata).toMatchObject({ 'oscal-version': '1.0.4' });
    const [result] = ar.results;
    for (const key of ['uuid', 'title', 'description', 'start', 'reviewed-controls']) expect(result).toHaveProperty(key);
    const states = Object.fromEntries(result.findings.map((f: { target: { 'target-id': string; status: { state: string } } }) => [f.target['target-id'], f.target.status.state]));
    const soc2 = model.frameworks.find((f) => f.framework === 'SOC2');
    for (const r of soc2?.requirements ?? []) {
      const state = states[`soc2-${r.id.toLowerCase()}`];
      if (r.status === 'effective') expect(state, r.id).toBe('satisfied');
      else if (r.status === 'exception') expect(state, r.id).toBe('not-satisfied');
      else expect(state, r.id).toBeUndefined();
    }
    expect(states['soc2-cc6.1']).toBe('not-satisfied');
    const observationIds = new Set(result.observations.map((o: { uuid: string }) => o.uuid));
    for (const f of result.findings) for (const r of f['related-observations'] ?? []) expect(observationIds.has(r['observation-uuid'])).toBe(true);
    for (const token of Object.keys(states)) expect(token).toMatch(/^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$/u);
    expect(Object.keys(delivered.files)).toEqual(expect.arrayContaining(['report.sarif', 'assessment-results.oscal.json']));
  });

  it('the cover carries the verdict and the sign-off block; the summary a severity chart and a suite × family heat map', async () => {
    const root = await tempDir('ta-cover-');
    cleanups.push(root.cleanup);
    const run = await writeSyntheticRun(join(root.path, 'run'), {
      records: [control('identity.mismatched'), probe('identity.mismatched'), finding('identity.mismatched', 'getInvoice', 'https://api.staging.example/v1/invoices/42')],
    });
    const { files } = await renderReport(run.dir, { formats: ['html'], signOff: { preparedBy: 'Ada Auditor', reviewedBy: 'Rex Reviewer', date: '2026-12-07' } });
    const html = await readFile(files[0] as string, 'utf8');
    const cover = html.slice(html.indexOf('<section id="cover">'), html.indexOf('<section id="summary">'));
    expect(cover).toContain('<div class="label">FAIL</div>');
    expect(cover).toMatch(/<table class="signoff" id="sign-off">[\s\S]*<td>Ada Auditor<\/td><td>Rex Reviewer<\/td><td>2026-12-07<\/td>/);
    const summary = html.slice(html.indexOf('<section id="summary">'), html.indexOf('<section id="findings">'));
    expect(summary).toMatch(/<svg class="chart" id="severity-chart"[\s\S]*?<rect x="90" y="\d+" width="\d+" height="20" fill="#4a0d0d"><title>critical: 1<\/title>/);
    expect(summary).toMatch(/<svg class="chart" id="heat-map"[\s\S]*?<title>identity\.mismatched × mismatched: 1 failing of \d+ \(worst leak\)<\/title>/);
  });
});
