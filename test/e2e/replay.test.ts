import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceTarget, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { seedSampleData, writeAssessmentConfig } from '../support/assessment.ts';
import { loadBrowser } from '../../src/report/index.ts';
import { cli, ROOT, runDirOf } from '../support/cli.ts';

const chromium = await loadBrowser();

const exec = promisify(execFile);
let leaky: RunningTarget;
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  leaky = await startReferenceTarget({ mode: 'header-override' });
  await seedSampleData(leaky);
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-replay-'));
  // `tenancy-audit` on PATH, as a user who installed the package has it.
  const bin = path.join(work, 'bin');
  await fs.mkdir(bin);
  await fs.writeFile(path.join(bin, 'tenancy-audit'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin/tenancy-audit.js')}" "$@"\n`, { mode: 0o755 });
  env = { ...process.env, PATH: `${bin}:${process.env['PATH']}`, CI: 'true', TA_TEST_APP_DATABASE_URL: leaky.appDatabaseUrl };
});
afterAll(async () => {
  await leaky?.stop();
  await fs.rm(work, { recursive: true, force: true });
});

const unescape = (s: string) => s.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`').replace(/&amp;/g, '&');
const bash = (script: string, cwd: string) => exec('bash', ['-c', script], { cwd, env, timeout: 120_000 }).then(
  (r) => ({ code: 0, out: r.stdout + r.stderr }),
  (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
);

describe('findings reproduce by copy and paste', () => {
  it('runs the replay line and the TOKEN=$(tenancy-audit token …) curl lines of a leaky report and sees the finding again', async () => {
    const config = await writeAssessmentConfig(work, 'TA_TEST_APP_DATABASE_URL');
    const run = await cli(['run', '--config', config, '--target', leaky.url, '--report-dir', path.join(work, 'reports'), '--runs', '3', '--seed', '5', '--suite', 'identity.mismatched'], { env });
    expect(run.code, run.out).toBe(1);
    const dir = runDirOf(run.out);
    const html = await fs.readFile(path.join(dir, 'report.html'), 'utf8');
    const junit = await fs.readFile(path.join(dir, 'junit.xml'), 'utf8');

    // One seed everywhere: console, report and junit show the run's seed, never a derived one.
    const seeds = new Set([...run.out.matchAll(/--seed (-?\d+)/g), ...html.matchAll(/--seed (-?\d+)/g), ...junit.matchAll(/seed (-?\d+)/g)].map((m) => m[1]));
    expect([...seeds]).toEqual(['5']);

    const replays = [...html.matchAll(/<pre class="replay">([^<]+)<\/pre>/g)].map((m) => unescape(m[1] as string));
    expect(replays.length).toBeGreaterThan(0);
    const replay = replays[0] as string;
    expect(replay).toBe(`tenancy-audit run --config ${config} --target ${leaky.url} --suite identity.mismatched --seed 5`);
    const again = await bash(replay, work);
    expect(again.code, again.out).toBe(1);
    const title = /<h3 class="group-title">([^<]+)<\/h3>/.exec(html)?.[1] as string;
    expect(again.out).toContain(unescape(title));

    const curls = [...html.matchAll(/<pre class="curl">([^<]+)<\/pre>/g)].map((m) => unescape(m[1] as string));
    const list = curls.find((c) => c.startsWith('TOKEN=$(tenancy-audit token') && /-X GET '[^']+\/projects'/.test(c));
    expect(list, curls.join('\n\n')).toBeDefined();
    const served = await bash(list as string, work);
    expect(served.code, served.out).toBe(0);
    expect(served.out).toMatch(/^HTTP\/1\.1 200/m);
    // acme's token, X-Tenant-ID: globex — and globex's project comes back.
    expect(served.out).toContain('globex roadmap');
    expect(served.out).not.toContain('acme roadmap');
  });

  it('tenancy-audit token prints a token the target accepts, and refuses an unknown tenant with exit 2', async () => {
    const config = await writeAssessmentConfig(work, 'TA_TEST_APP_DATABASE_URL');
    const ok = await bash(`TOKEN=$(tenancy-audit token --config ${config} --tenant acme); curl -sS -i ${leaky.url}/projects -H "authorization: Bearer $TOKEN"`, work);
    expect(ok.out).toMatch(/^HTTP\/1\.1 200/m);
    expect(ok.out).toContain('acme roadmap');
    const bad = await cli(['token', '--config', config, '--tenant', 'nobody'], { env });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('not a tenant of the config');
  });

  it.runIf(!('missing' in chromium))('prints a header-override assessment in at most 8 PDF pages, listed in delivered.json', async () => {
    const config = await writeAssessmentConfig(work, 'TA_TEST_APP_DATABASE_URL');
    const run = await cli(['run', '--config', config, '--target', leaky.url, '--report-dir', path.join(work, 'pdf'), '--seed', '9', '--pdf'], { env, timeoutMs: 300_000 });
    expect(run.code, run.out).toBe(1);
    const dir = runDirOf(run.out);
    const pdf = await fs.readFile(path.join(dir, 'report.pdf'));
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThanOrEqual(8);
    const delivered = JSON.parse(await fs.readFile(path.join(dir, 'delivered.json'), 'utf8'));
    expect(Object.keys(delivered.files)).toContain('report.pdf');
  });
});
