import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/evidence/hash.ts';
import { CONTROLS_DIR, DEFAULT_CATALOGUES, catalogueSchema, loadControlCatalogues, renderReport } from '../../src/report/index.ts';
import { validateJsonSchema } from '../../src/report/json-schema.ts';
import type { ControlCatalogue } from '../../src/report/index.ts';
import { BUILTIN_SUITE_IDS, rec, tempDir, writeSyntheticRun } from './support/synthetic-run.ts';

let root: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  root = await tempDir('ta-controls-');
});
afterAll(async () => root.cleanup());

const REQUIRED: Record<string, string[]> = {
  'soc2-tsc-2017.json': ['CC6.1', 'CC6.2', 'CC6.3', 'CC6.6', 'CC6.8', 'CC7.1', 'CC7.2', 'CC8.1', 'C1.1'],
  'iso27001-2022.json': ['5.15', '5.18', '8.3', '8.5', '8.15', '8.16', '8.25', '8.26', '8.28', '8.29'],
};
const ISO_TITLES: Record<string, string> = {
  '5.15': 'Access control',
  '5.18': 'Access rights',
  '8.3': 'Information access restriction',
  '8.5': 'Secure authentication',
  '8.15': 'Logging',
  '8.16': 'Monitoring activities',
  '8.25': 'Secure development life cycle',
  '8.26': 'Application security requirements',
  '8.28': 'Secure coding',
  '8.29': 'Security testing in development and acceptance',
};

describe('control catalogues', () => {
  it.each(DEFAULT_CATALOGUES)('%s validates against the JSON Schema and maps only built-in suites', async (file) => {
    const json = JSON.parse(await readFile(join(CONTROLS_DIR, file), 'utf8')) as ControlCatalogue;
    expect(validateJsonSchema(json, await catalogueSchema())).toEqual([]);
    const ids = json.requirements.map((r) => r.id);
    for (const id of REQUIRED[file] ?? []) expect(ids, id).toContain(id);
    for (const r of json.requirements) for (const suite of r.tests) expect(BUILTIN_SUITE_IDS as readonly string[], `${r.id} → ${suite}`).toContain(suite);
    expect(json.requirements.some((r) => r.tests.length === 0), 'lists untested controls').toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses the official ISO/IEC 27001:2022 Annex A short titles', async () => {
    const iso = JSON.parse(await readFile(join(CONTROLS_DIR, 'iso27001-2022.json'), 'utf8')) as ControlCatalogue;
    for (const [id, title] of Object.entries(ISO_TITLES)) expect(iso.requirements.find((r) => r.id === id)?.name).toBe(title);
  });

  it('every built-in suite evidences at least one control', async () => {
    const loaded = await loadControlCatalogues();
    const mapped = new Set(loaded.flatMap((l) => l.catalogue.requirements.flatMap((r) => r.tests)));
    for (const id of BUILTIN_SUITE_IDS) expect(mapped, id).toContain(id);
  });

  it('refuses a catalogue that breaks the schema or the rules, naming the path', async () => {
    const soc2 = JSON.parse(await readFile(join(CONTROLS_DIR, 'soc2-tsc-2017.json'), 'utf8')) as ControlCatalogue;
    const broken = structuredClone(soc2) as unknown as { requirements: Record<string, unknown>[] };
    delete broken.requirements[0]?.name;
    (broken.requirements[2] as Record<string, unknown>).relationship = 'equivalent-to';
    (broken.requirements[3] as Record<string, unknown>).tests = ['Not A Suite'];
    const file = join(root.path, 'broken.json');
    await writeFile(file, JSON.stringify(broken));
    const err = await loadControlCatalogues([file]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TA_CONFIG_INVALID' });
    const paths = (err as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['requirements[0]', 'requirements[2].relationship', 'requirements[3].tests[0]']));
  });

  it('lists controls no suite maps once as outside scope, renders mapped controls whose suites did not run as "not tested", a control with a failing suite as an exception, and prints the file hashes', async () => {
    const run = await writeSyntheticRun(join(root.path, 'run'), {
      records: [
        rec({ suite: 'callback.integrity', kind: 'control', verdict: 'pass' }),
        rec({ suite: 'callback.integrity', kind: 'probe', verdict: 'pass' }),
        rec({ suite: 'identity.spoofed', kind: 'control', verdict: 'pass' }),
        rec({ suite: 'identity.spoofed', kind: 'probe', verdict: 'pass' }),
        rec({ suite: 'identity.spoofed', kind: 'probe', verdict: 'fail-open' }),
      ],
    });
    const { model, files } = await renderReport(run.dir, { formats: ['html', 'json'] });
    const soc2 = model.frameworks.find((f) => f.framework === 'SOC2');
    const iso = model.frameworks.find((f) => f.framework === 'ISO27001');
    const status = (fw: typeof soc2, id: string) => fw?.requirements.find((r) => r.id === id)?.status;
    expect(status(soc2, 'CC7.2')).toBeUndefined();
    expect(status(iso, '8.15')).toBeUndefined();
    expect(soc2?.outOfScope.map((r) => r.id)).toEqual(expect.arrayContaining(['CC4.1', 'CC6.2', 'CC6.8', 'CC7.2']));
    expect(iso?.outOfScope.map((r) => r.id)).toContain('8.15');
    expect(status(iso, '5.14')).toBe('effective');
    expect(status(iso, '5.17')).toBe('exception');
    expect(status(soc2, 'CC6.6')).toBe('exception');
    expect(status(soc2, 'CC6.1')).toBe('exception');
    expect(status(soc2, 'CC7.1')).toBe('not-tested');
    for (const fw of model.frameworks) {
      for (const r of fw.requirements) {
        if (r.suites.some((s) => s.status === 'fail')) expect(r.status, r.id).toBe('exception');
        expect(r.suites.length, r.id).toBeGreaterThan(0);
      }
    }
    const html = await readFile(files.find((f) => f.endsWith('report.html')) as string, 'utf8');
    const row = (id: string) => html.match(new RegExp(`<tr class="control-row" data-status="[a-z-]+"><td><strong>${id.replace('.', '\\.')}</strong>[\\s\\S]*?</tr>`))?.[0] ?? '';
    expect(row('CC7.2')).toBe('');
    expect(row('CC7.1')).toContain('data-status="not-tested"');
    expect(row('CC7.1')).toContain('Not tested');
    expect(row('CC7.1')).not.toContain('Effective');
    const outside = html.match(/<p class="small out-of-scope" data-framework="SOC2">[\s\S]*?<\/p>/)?.[0] ?? '';
    expect(outside.match(/CC7\.2/g)).toHaveLength(1);
    expect(html.match(/CC7\.2 /g)?.length ?? 0).toBeLessThanOrEqual(2);
    expect(row('CC6.6')).toContain('Exception');
    const summary = JSON.parse(await readFile(files.find((f) => f.endsWith('summary.json')) as string, 'utf8'));
    for (const file of DEFAULT_CATALOGUES) {
      const hash = sha256Hex(await readFile(join(CONTROLS_DIR, file)));
      expect(html).toContain(hash);
      expect(summary.controls.map((c: { sha256: string }) => c.sha256)).toContain(hash);
    }
  });
});
