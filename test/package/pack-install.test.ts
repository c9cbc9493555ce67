/**
 * The package as a user gets it: `npm pack` (whose `prepare` builds dist/), `npm install <tarball>` into projects
 * outside the repository, and from there the user's own `tsc`, the installed `tenancy-audit` binary and
 * `import('tenancy-audit')`. Nothing here resolves `tenancy-audit` to the sources: the user projects see only the
 * tarball and the registry (npm's cache first: `--prefer-offline`).
 *
 * The repository is packed from a copy of its working tree (without node_modules/, dist/, .git/ and run folders;
 * node_modules/ is linked in), so `prepack` + `prepare` build a fresh dist/ as a clean clone would, and the repository's
 * own dist/, which other tests run at the same time, is left alone.
 *
 * A user's `.ts` suite and `.ts` config are loaded through tsx (src/config/user-module.ts) in both kinds of project: with
 * `"type": "module"`, and without it (CommonJS: tsx compiles the file to CommonJS and serves its `import … from
 * 'tenancy-audit/suite'` with a CommonJS copy of that entry), where the same seed must give the same probes.
 *
 * Slow (a full build, two `npm install`s, four `tsc` runs: about 1.5 minutes on an idle 2-core machine, 4.5 on a busy
 * one) but bounded: every child process has a timeout.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readEvidence } from '../../src/evidence/index.ts';
import type { EvidenceRecord } from '../../src/core/types.ts';
import { startReferenceTarget, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { runDirOf } from '../support/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SUITE_ID = 'acme.missing-header';
/** The leaky mode the user's suite must catch: lists served without identity, scoped by a leaked session setting. */
const LEAKY_MODE = 'session-setting-leak';

interface Ran {
  code: number | null;
  out: string;
  ms: number;
}

/** Environment for child processes: this process's, without what an enclosing `npm test` or a loader put there. */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_cafile', 'npm_config_proxy', 'npm_config_https_proxy', 'npm_config_noproxy']);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.toLowerCase().startsWith('npm_') && !keep.has(key.toLowerCase())) continue;
    if (key === 'NODE_OPTIONS' || key === 'INIT_CWD' || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  return { ...env, CI: 'true', ...extra };
}

/** Runs a command to its end (killed after `timeoutMs`); stdout and stderr together. Never rejects. */
function exec(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const timer = setTimeout(() => {
      out += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => (out += `\n[spawn error: ${error.message}]`));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, ms: Math.round(performance.now() - started) });
    });
  });
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const lockVersion = (lock: { packages: Record<string, { version?: string }> }, name: string) => {
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return version;
};

// The user's files. The suite imports only the public entry, as a suite in a user's repository does.
/** The fenced TypeScript block of README.md whose first line is `firstLine`, without that line. */
function readmeBlock(firstLine: string): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = readme.split('```ts\n').find((part) => part.startsWith(firstLine));
  if (!block) throw new Error(`README.md has no \`\`\`ts block starting with ${firstLine}`);
  return block.slice(block.indexOf('\n') + 1, block.indexOf('```'));
}

/** The user suite of README.md ("Install it in your project"), as a user copies it: the README's example must compile and run. */
const USER_SUITE = readmeBlock(`// suites/${SUITE_ID}.ts`);
/** A type error the published declarations must catch (the positive control of the type check). */
const BAD_SUITE = USER_SUITE.replace("severity: 'critical'", "severity: 'catastrophic'").replace(`'${SUITE_ID}'`, "'acme.bad'");
/** Every public entry, as a program (not a suite) uses them. */
const ALL_ENTRIES = `import { run, EXIT, type RunResult } from 'tenancy-audit';
import { defineSuite } from 'tenancy-audit/suite';
import type { DbSuiteContext } from 'tenancy-audit/db';
export const used: [typeof run, typeof EXIT, RunResult | undefined, typeof defineSuite, DbSuiteContext | undefined] = [run, EXIT, undefined, defineSuite, undefined];
`;
const tsconfig = (include: string[]) =>
  `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'] }, include }, null, 2)}\n`;
const ENTRY_CHECK = `const m = await import('tenancy-audit');
const suite = await import('tenancy-audit/suite');
const db = await import('tenancy-audit/db');
console.log(JSON.stringify({ run: typeof m.run, exports: Object.keys(m).length, defineSuite: typeof suite.defineSuite, auditDatabase: typeof db.auditDatabase }));
`;

interface Project {
  dir: string;
  kind: 'esm' | 'cjs';
}

let work: string;
let tarball: string;
let packed: { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string; size: number }[] };
let esm: Project;
let cjs: Project;
let targets: Record<'fail-closed' | typeof LEAKY_MODE, RunningTarget>;
let typeChecks: Promise<Record<'esm' | 'cjs' | 'control' | 'entries', Ran>> | undefined;

/** Copies the working tree (what a clean clone plus uncommitted work holds) and links node_modules/ in. */
async function stageRepository(stage: string): Promise<void> {
  const skip = new Set(['.git', 'node_modules', 'dist', '.tmp', '.prof']);
  await fs.cp(ROOT, stage, {
    recursive: true,
    filter: (source) => {
      const parts = path.relative(ROOT, source).split(path.sep);
      if (parts[0] === '') return true;
      if (skip.has(parts[0]!) || source.endsWith('.log')) return false;
      return !(parts[0] === 'reports' && parts.length > 1 && parts[1] !== 'templates' && parts[1] !== 'controls');
    },
  });
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
}

async function createProject(kind: Project['kind'], versions: { typescript: string; typesNode: string }): Promise<Project> {
  const dir = path.join(work, `user-${kind}`);
  await fs.mkdir(path.join(dir, 'suites'), { recursive: true });
  await fs.mkdir(path.join(dir, 'keys'));
  const manifest = { name: `acme-audit-${kind}`, version: '1.0.0', private: true, ...(kind === 'esm' ? { type: 'module' } : {}) };
  await fs.writeFile(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const install = await exec(
    'npm',
    ['install', tarball, `typescript@${versions.typescript}`, `@types/node@${versions.typesNode}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    dir,
    300_000,
  );
  console.log(`npm install (${kind} project): ${secs(install.ms)}`);
  if (install.code !== 0) throw new Error(`npm install in ${dir} failed (${install.code}):\n${install.out}`);

  await fs.writeFile(path.join(dir, 'suites', `${SUITE_ID}.ts`), USER_SUITE);
  // The reference target's config, as a user adapts it: their own suites folder, the signing key copied beside it.
  await fs.copyFile(path.join(ROOT, 'examples/reference-target/fixtures/issuer.private.jwk.json'), path.join(dir, 'keys', 'issuer.private.jwk.json'));
  const reference = await fs.readFile(path.join(ROOT, 'examples/reference-target/tenancy-audit.config.yaml'), 'utf8');
  expect(reference).toContain('jwk: file:fixtures/issuer.private.jwk.json');
  const config = `${reference
    .replace(/^# yaml-language-server:.*\n/m, '')
    .replace('jwk: file:fixtures/issuer.private.jwk.json', 'jwk: file:keys/issuer.private.jwk.json')
    .trimEnd()}\nsuites:\n  dirs: [suites]\n`;
  await fs.writeFile(path.join(dir, 'tenancy-audit.config.yaml'), config);
  // The same config as TypeScript, typed by the package's `defineConfig`.
  const typed = `import { defineConfig } from 'tenancy-audit';\n\nexport default defineConfig(${JSON.stringify(parseYaml(config), null, 2)});\n`;
  await fs.writeFile(path.join(dir, 'tenancy-audit.config.ts'), typed);
  await fs.writeFile(path.join(dir, 'tsconfig.json'), tsconfig(['suites']));
  return { dir, kind };
}

beforeAll(async () => {
  work = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'ta-package-')));
  const lock = JSON.parse(await fs.readFile(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const versions = { typescript: lockVersion(lock, 'typescript'), typesNode: lockVersion(lock, '@types/node') };

  const starting = Promise.all([startReferenceTarget({ mode: 'fail-closed' }), startReferenceTarget({ mode: LEAKY_MODE })]);
  try {
    const stage = path.join(work, 'stage');
    const destination = path.join(work, 'pack');
    await fs.mkdir(destination);
    await stageRepository(stage);
    // What a developer's dist/ holds after a source file was renamed: its old output, which must not be published.
    await fs.mkdir(path.join(stage, 'dist', 'src', 'run'), { recursive: true });
    await fs.writeFile(path.join(stage, 'dist', 'src', 'run', 'renamed-long-ago.js'), 'export {};\n');
    const pack = await exec('npm', ['pack', '--pack-destination', destination, '--json'], stage, 400_000);
    console.log(`npm pack (prepack + prepare: a full build): ${secs(pack.ms)}`);
    if (pack.code !== 0) throw new Error(`npm pack failed (${pack.code}):\n${pack.out}`);
    [packed] = JSON.parse(pack.out.slice(pack.out.indexOf('[')));
    tarball = path.join(destination, packed.filename);
    console.log(`tarball ${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked`);

    [esm, cjs] = await Promise.all([createProject('esm', versions), createProject('cjs', versions)]);
  } finally {
    const [closed, leaky] = await starting;
    targets = { 'fail-closed': closed, [LEAKY_MODE]: leaky } as typeof targets;
  }
}, 900_000);

afterAll(async () => {
  await Promise.all(Object.values(targets ?? {}).map((t) => t.stop()));
  if (work) await fs.rm(work, { recursive: true, force: true });
});

/** The user's own TypeScript compiler over the user's own tsconfig. */
const tsc = (project: Project, config = 'tsconfig.json') => exec(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', config], project.dir, 300_000);

/** Starts the four type checks at once (two cores: about as long as two in a row), once. */
function startTypeChecks(): NonNullable<typeof typeChecks> {
  typeChecks ??= (async () => {
    await fs.mkdir(path.join(esm.dir, 'control'));
    await fs.writeFile(path.join(esm.dir, 'control', 'acme.bad.ts'), BAD_SUITE);
    await fs.writeFile(path.join(esm.dir, 'tsconfig.control.json'), tsconfig(['control']));
    await fs.mkdir(path.join(esm.dir, 'program'));
    await fs.writeFile(path.join(esm.dir, 'program', 'all-entries.ts'), ALL_ENTRIES);
    await fs.writeFile(path.join(esm.dir, 'tsconfig.entries.json'), tsconfig(['program']));
    const [esmRun, cjsRun, control, entries] = await Promise.all([tsc(esm), tsc(cjs), tsc(esm, 'tsconfig.control.json'), tsc(esm, 'tsconfig.entries.json')]);
    console.log(`tsc --noEmit (4 at once): ${secs(Math.max(esmRun.ms, cjsRun.ms, control.ms, entries.ms))}`);
    return { esm: esmRun, cjs: cjsRun, control, entries };
  })();
  return typeChecks;
}

/** `tenancy-audit run` from the project's node_modules/.bin, as `npx tenancy-audit` would; the run folder read back. */
async function audit(project: Project, mode: keyof typeof targets, config = 'tenancy-audit.config.yaml') {
  const bin = path.join(project.dir, 'node_modules', '.bin', 'tenancy-audit');
  const args = ['run', '--config', config, '--target', targets[mode].url, '--suite', 'acme', '--seed', '7', '--report-dir', 'reports'];
  const ran = await exec(bin, args, project.dir, 120_000);
  console.log(`tenancy-audit run --config ${config} (${project.kind} project, ${mode}): exit ${ran.code} in ${secs(ran.ms)}`);
  const dir = runDirOf(ran.out);
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as {
    exitCode: number;
    complete: boolean;
    configHash: string;
    suites: { id: string }[];
    tool: { version: string };
    counts: { byKind: Record<string, number>; byVerdict: Record<string, number> };
  };
  const { records } = await readEvidence(dir);
  return { ...ran, dir, manifest, records };
}

/** Probes grouped by property cell, in the order each cell generated them (object ids and ports left out). */
function sequences(records: readonly EvidenceRecord[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of records.filter((x) => x.kind === 'probe')) {
    const url = r.request?.url.replace(/:\d+\//, ':PORT/').replace(/[0-9a-f-]{36}/g, 'ID');
    (out[`${r.suite}/${r.operation}`] ??= []).push(`${r.mutation.id} ${r.actor} ${r.victim} ${url}`);
  }
  return out;
}

async function expectPassAndCatch(project: Project) {
  const closed = await audit(project, 'fail-closed');
  expect(closed.code, closed.out).toBe(0);
  expect(closed.out).not.toMatch(/TA_SUITE_INVALID|\n\s+at /);
  expect(closed.manifest).toMatchObject({ exitCode: 0, complete: true, tool: { version: JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8')).version } });
  expect(closed.manifest.suites.map((s) => s.id)).toEqual([SUITE_ID]);
  const probes = closed.records.filter((r) => r.kind === 'probe');
  const controls = closed.records.filter((r) => r.kind === 'control');
  expect(probes.length).toBeGreaterThanOrEqual(10);
  expect(controls.length).toBeGreaterThan(0);
  expect(closed.records.every((r) => r.suite === SUITE_ID)).toBe(true);
  expect(closed.records.filter((r) => r.verdict !== 'pass').map((r) => `${r.kind} ${r.operation} ${r.mutation.id}: ${r.verdict} ${r.detail}`)).toEqual([]);
  expect(new Set(probes.map((r) => r.mutation.id))).toEqual(new Set(['no-credential', 'empty-bearer']));
  expect(new Set(probes.map((r) => r.operation))).toEqual(new Set(['list-projects', 'read-project', 'tenant-list-projects', 'tenant-read-project', 'list-documents', 'read-document']));

  const leaky = await audit(project, LEAKY_MODE);
  expect(leaky.code, leaky.out).toBe(1);
  // One console block per root cause: the verdict and group id, then the suite, path and mutation.
  expect(leaky.out).toMatch(new RegExp(`^fail-open G-\\d\\d .*\\n\\s+${SUITE_ID.replace('.', '\\.')} · sync · (no-credential|empty-bearer)`, 'm'));
  expect(leaky.manifest).toMatchObject({ exitCode: 1, complete: true });
  const findings = leaky.records.filter((r) => r.kind === 'finding');
  expect(findings.length).toBeGreaterThan(0);
  expect(findings.every((f) => f.suite === SUITE_ID)).toBe(true);
  expect(findings.filter((f) => f.verdict === 'fail-open').map((f) => f.reason)).toContain('canary-without-identity');
  expect(leaky.manifest.counts.byVerdict['fail-open']).toBeGreaterThan(0);
  // The installed `verify` accepts the run folder the installed `run` wrote.
  const verified = await exec(path.join(project.dir, 'node_modules', '.bin', 'tenancy-audit'), ['verify', leaky.dir], project.dir, 60_000);
  expect(verified.code, verified.out).toBe(0);

  // A TypeScript config (importing `defineConfig` from 'tenancy-audit') is the same config: same hash, same probes.
  const typed = await audit(project, 'fail-closed', 'tenancy-audit.config.ts');
  expect(typed.code, typed.out).toBe(0);
  expect(typed.manifest.configHash).toBe(closed.manifest.configHash);
  expect(sequences(typed.records)).toEqual(sequences(closed.records));
  return { closed, leaky };
}

describe('the packed tarball installed in user projects outside the repository', () => {
  it('holds a deliberate file list: the build, the binary, templates and controls; no sources, tests or stale outputs', async () => {
    const files = packed.files.map((f) => f.path).sort();
    const builtIn = (await fs.readdir(path.join(ROOT, 'suites'))).filter((f) => f.endsWith('.ts') && !f.includes('.test.')).map((f) => f.replace(/\.ts$/, ''));
    const templates = (await fs.readdir(path.join(ROOT, 'reports/templates'), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
    const controls = (await fs.readdir(path.join(ROOT, 'reports/controls'))).map((f) => `reports/controls/${f}`);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/tenancy-audit.js',
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/src/suite/index.js',
        'dist/src/suite/index.d.ts',
        'dist/src/db/index.js',
        'dist/src/db/index.d.ts',
        'dist/src/cli/bin.js',
        ...builtIn.flatMap((id) => [`dist/suites/${id}.js`, `dist/suites/${id}.d.ts`]),
        ...templates,
        ...controls,
      ]),
    );
    expect(templates.length).toBeGreaterThan(0);
    expect(controls.length).toBeGreaterThan(0);
    const misplaced = files.filter(
      (f) =>
        /\.test\.|\.spec\./.test(f) ||
        /(^|\/)(__snapshots__|test|tests)\//.test(f) ||
        (/\.[mc]?ts$/.test(f) && !/\.d\.[mc]?ts$/.test(f)) ||
        !/^(bin\/|dist\/(src|suites)\/|reports\/(templates|controls)\/|(package\.json|README\.md|ARCHITECTURE\.md|LICENSE)$)/.test(f),
    );
    expect(misplaced).toEqual([]);
    // Every compiled file has its source in the repository: nothing left over from a renamed or deleted file
    // (`prepack` empties dist/ before `prepare` builds it; the staged copy had such a leftover).
    const orphans: string[] = [];
    for (const f of files.filter((x) => x.startsWith('dist/'))) {
      const source = f.replace(/^dist\//, '').replace(/(\.d)?\.js(\.map)?$|\.d\.ts(\.map)?$/, '.ts');
      if (!(await fs.stat(path.join(ROOT, source)).catch(() => undefined))) orphans.push(f);
    }
    expect(orphans).toEqual([]);
    expect(files).not.toContain('dist/src/run/renamed-long-ago.js');
    expect(packed.size).toBeLessThan(2 * 1024 * 1024);
  });

  it("type-checks the user's suite with the user's tsc (NodeNext, strict) in an ESM and a CommonJS project: 0 errors", async () => {
    const checks = await startTypeChecks();
    expect(checks.esm.out.trim()).toBe('');
    expect(checks.esm.code).toBe(0);
    expect(checks.cjs.out.trim()).toBe('');
    expect(checks.cjs.code).toBe(0);
    // The declarations are real types, not `any`: a wrong severity in the same suite is an error in the user's file.
    expect(checks.control.code).toBe(2);
    expect(checks.control.out).toMatch(/^control\/acme\.bad\.ts\(\d+,\d+\): error TS\d+: /m);
    expect(checks.control.out).toMatch(/Type '"catastrophic"' is not assignable to type '[^']*"critical"[^']*'/);
    expect(checks.control.out.split('\n').filter((l) => / error TS/.test(l)).every((l) => l.startsWith('control/'))).toBe(true);
  }, 600_000);

  // The declarations of `tenancy-audit` and `tenancy-audit/db` name types of 'pg': its types (@types/pg) are a
  // dependency of the package, so a user's strict tsc finds them without installing anything else.
  it('type-checks a program importing every public entry (tenancy-audit, /suite, /db) without installing @types/pg', async () => {
    const { entries } = await startTypeChecks();
    expect(entries.out.trim()).toBe('');
    expect(entries.code).toBe(0);
  }, 600_000);

  let esmRuns: Awaited<ReturnType<typeof expectPassAndCatch>>;
  it(`ESM project ("type": "module"): the installed CLI runs the user's .ts suite (YAML and .ts config); it passes fail-closed (exit 0) and catches ${LEAKY_MODE} (exit 1)`, async () => {
    esmRuns = await expectPassAndCatch(esm);
  }, 300_000);

  it('CommonJS project (no "type"): the same .ts suite and .ts config just work, and give the same probes for the same seed', async () => {
    const cjsRuns = await expectPassAndCatch(cjs);
    if (esmRuns) expect(sequences(cjsRuns.closed.records)).toEqual(sequences(esmRuns.closed.records));
  }, 300_000);

  it("import('tenancy-audit') (and /suite, /db) from a plain .mjs file of the CommonJS project exposes run", async () => {
    await fs.writeFile(path.join(cjs.dir, 'entries.mjs'), ENTRY_CHECK);
    const ran = await exec(process.execPath, ['entries.mjs'], cjs.dir, 60_000);
    expect(ran.code, ran.out).toBe(0);
    expect(ran.out).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
    expect(JSON.parse(ran.out.trim().split('\n').at(-1)!)).toMatchObject({ run: 'function', defineSuite: 'function', auditDatabase: 'function' });
    const version = await exec(path.join(cjs.dir, 'node_modules', '.bin', 'tenancy-audit'), ['--version'], cjs.dir, 60_000);
    expect(version.code, version.out).toBe(0);
    expect(version.out.trim()).toBe(JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8')).version);
  }, 120_000);
});
