import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceTarget, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { readEvidence } from '../../src/evidence/index.ts';
import { seedSampleData, writeAssessmentConfig } from '../support/assessment.ts';
import { cli, runDirOf } from '../support/cli.ts';

let target: RunningTarget;
let work: string;

beforeAll(async () => {
  target = await startReferenceTarget({ mode: 'fail-closed' });
  await seedSampleData(target);
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-assessment-'));
});
afterAll(async () => {
  await target?.stop();
  await fs.rm(work, { recursive: true, force: true });
});

describe('one run, one assessment: a config database: section', () => {
  it('audits HTTP and the data layer into one run folder; CC6.1 and 5.15 are Effective, unmapped controls are outside scope', async () => {
    const config = await writeAssessmentConfig(work, 'TA_TEST_APP_DATABASE_URL');
    const reports = path.join(work, 'reports');
    const result = await cli(['run', '--config', config, '--target', target.url, '--report-dir', reports, '--runs', '5', '--seed', '11'], {
      env: { TA_TEST_APP_DATABASE_URL: target.appDatabaseUrl },
    });
    expect(result.code, result.out).toBe(0);
    const dir = runDirOf(result.out);
    expect(await fs.readdir(reports)).toHaveLength(1);
    const { records } = await readEvidence(dir);
    const suites = new Set(records.map((r) => r.suite));
    expect(suites).toContain('db.rls-behaviour');
    expect(suites).toContain('identity.missing');
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.target.database).toMatch(/^postgres:\/\/.*\*\*\*@/);
    expect(JSON.stringify(manifest)).not.toContain(`:${new URL(target.appDatabaseUrl).password}@`);
    const summary = JSON.parse(await fs.readFile(path.join(dir, 'summary.json'), 'utf8'));
    const status = (fw: string, id: string) => summary.controls.find((c: { framework: string }) => c.framework === fw).requirements.find((r: { id: string }) => r.id === id)?.status;
    expect(status('SOC2', 'CC6.1')).toBe('effective');
    expect(status('ISO27001', '5.15')).toBe('effective');
    expect(status('ISO27001', '8.29')).toBe('effective');
    for (const c of summary.controls) expect(c.counts.inconclusive, c.framework).toBe(0);
    expect(summary.controls.find((c: { framework: string }) => c.framework === 'SOC2').outOfScope).toEqual(expect.arrayContaining(['CC4.1', 'CC6.2', 'CC6.8', 'CC7.2']));
    expect(summary.overall).toBe('pass');
    const html = await fs.readFile(path.join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<tr class="control-row" data-status="[a-z-]+"><td><strong>CC7\.2<\/strong>/);
    expect(html).toContain("Outside this assessment's scope");
  });

  it('exits 2 before any request when the database section is unusable', async () => {
    const config = await writeAssessmentConfig(work, 'TA_TEST_UNSET_DATABASE_URL');
    const result = await cli(['run', '--config', config, '--target', target.url, '--report-dir', path.join(work, 'bad')]);
    expect(result.code, result.out).toBe(2);
    expect(result.out).toContain('database.url');
    await expect(fs.stat(path.join(work, 'bad'))).rejects.toThrow();
  });

  it('verify names a rendered file edited after rendering; a chain of three runs verifies and a removed middle run is reported', async () => {
    const config = await writeAssessmentConfig(work, 'TA_TEST_APP_DATABASE_URL');
    const reports = path.join(work, 'chain');
    const dirs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await cli(['run', '--config', config, '--target', target.url, '--report-dir', reports, '--runs', '2', '--seed', String(20 + i), '--suite', 'isolation.cross-tenant'], {
        env: { TA_TEST_APP_DATABASE_URL: target.appDatabaseUrl },
      });
      expect(run.code, run.out).toBe(0);
      dirs.push(runDirOf(run.out));
    }
    const manifests = await Promise.all(dirs.map(async (d) => JSON.parse(await fs.readFile(path.join(d, 'manifest.json'), 'utf8'))));
    expect(manifests[0].previous).toBeUndefined();
    expect(manifests[1].previous).toMatchObject({ runId: manifests[0].runId, headHash: manifests[0].headHash });
    expect(manifests[2].previous).toMatchObject({ runId: manifests[1].runId, headHash: manifests[1].headHash });

    const delivered = JSON.parse(await fs.readFile(path.join(dirs[2] as string, 'delivered.json'), 'utf8'));
    expect(Object.keys(delivered.files)).toEqual(expect.arrayContaining(['report.html', 'report.md', 'junit.xml', 'summary.json']));
    const ok = await cli(['verify', dirs[2] as string]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain('report.html');

    // One character of the FAIL/PASS banner changed: verify fails and names the file.
    const html = path.join(dirs[2] as string, 'report.html');
    const original = await fs.readFile(html, 'utf8');
    await fs.writeFile(html, original.replace('<div class="label">PASS</div>', '<div class="label">PASs</div>'));
    expect(await fs.readFile(html, 'utf8')).not.toBe(original);
    const tampered = await cli(['verify', dirs[2] as string]);
    expect(tampered.code, tampered.out).toBe(1);
    expect(tampered.out).toMatch(/report\.html was changed after it was rendered/);
    await fs.writeFile(html, original);

    const chain = await cli(['verify', '--chain', reports]);
    expect(chain.code, chain.out).toBe(0);
    expect(chain.out).toContain('OK chain of 3 runs');
    await fs.rm(dirs[1] as string, { recursive: true });
    const broken = await cli(['verify', '--chain', reports]);
    expect(broken.code, broken.out).toBe(1);
    expect(broken.out).toContain(`run ${manifests[1].runId} is missing: ${manifests[2].runId} records it as its previous run`);
  });

  it('report combines a whole HTTP run and a whole db run into one verifiable assessment', async () => {
    const config = await writeAssessmentConfig(work, 'TA_TEST_APP_DATABASE_URL');
    const reports = path.join(work, 'kinds');
    const env = { TA_TEST_APP_DATABASE_URL: target.appDatabaseUrl };
    const http = await cli(['run', '--config', config, '--target', target.url, '--report-dir', reports, '--runs', '2', '--seed', '31', '--suite', 'isolation.cross-tenant'], { env });
    expect(http.code, http.out).toBe(0);
    const db = await cli(['db', '--database-url', target.appDatabaseUrl, '--tenant-setting', 'app.tenant_id', '--tables', 'public.projects,public.documents', '--report-dir', reports, '--seed', '31'], { env });
    expect(db.code, db.out).toBe(0);
    const out = path.join(work, 'combined');
    const combined = await cli(['report', runDirOf(http.out), runDirOf(db.out), '--out', out, '--exit-code']);
    expect(combined.code, combined.out).toBe(0);
    const summary = JSON.parse(await fs.readFile(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.suites.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual(['isolation.cross-tenant:pass', 'db.rls-catalog:pass', 'db.rls-behaviour:pass']);
    const manifest = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.target).toMatchObject({ baseUrl: target.url, database: expect.stringContaining('***@') });
    expect(manifest.sources.map((s: { runId: string }) => s.runId)).toHaveLength(2);
    expect((await cli(['verify', out])).code).toBe(0);
    // Two runs of the same kind are not one assessment.
    const twice = await cli(['report', runDirOf(http.out), runDirOf(http.out), '--out', path.join(work, 'twice')]);
    expect(twice.code).toBe(2);
  });
});
