/**
 * Interrupts and crashes of the real CLI (spawned `node bin/tenancy-audit.js run …` against the reference target):
 * - SIGINT: exit 130, the manifest is written with `complete: false`, every evidence line is a complete record and
 *   the folder verifies (a graceful stop is a consistent, if incomplete, run);
 * - SIGKILL: every complete line of evidence.jsonl verifies as a chain prefix, the only problems reported are the
 *   missing manifest and the truncated tail, the reader tolerates the tail, and the report renders it as incomplete.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvidence, readManifest, verifyRun } from '../../src/evidence/index.ts';
import { renderReport } from '../../src/report/index.ts';
import { startReferenceTarget, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { evidenceLines, pollUntil, REFERENCE_CONFIG, runFolderIn, spawnCli, STACK_LINE, tempDir } from './helpers.ts';

let target: RunningTarget;
let tmp: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  target = await startReferenceTarget({ mode: 'fail-closed' });
  tmp = await tempDir('ta-safety-signals-');
});
afterAll(async () => {
  await target?.stop();
  await tmp?.cleanup();
});

/** Starts a slow (rate-limited) CLI run and waits until its evidence holds at least `lines` complete lines. */
async function startRun(name: string, lines: number) {
  const reportDir = path.join(tmp.path, name);
  const child = spawnCli(['run', '--config', REFERENCE_CONFIG, '--target', target.url, '--report-dir', reportDir, '--seed', '77', '--rate', '40', '--suite', 'identity', 'isolation'], {
    timeoutMs: 120_000,
  });
  const dir = await pollUntil(
    async () => {
      const found = await runFolderIn(reportDir);
      return found && (await evidenceLines(found)).complete.length >= lines ? found : undefined;
    },
    { tries: 1200, everyMs: 25 },
  );
  if (!dir) {
    child.kill('SIGKILL');
    throw new Error(`the run wrote fewer than ${lines} evidence lines in time\n${child.out()}\n${child.err()}`);
  }
  return { child, dir };
}

describe('SIGINT', () => {
  it('exits 130, writes the manifest complete: false, keeps only complete records, and the folder verifies', async () => {
    const { child, dir } = await startRun('sigint', 5);
    child.kill('SIGINT');
    const exit = await child.code;
    expect(exit, child.err()).toEqual({ code: 130, signal: null });
    expect(child.err()).not.toMatch(STACK_LINE);
    expect(child.out()).toContain('run incomplete: interrupted');

    const manifest = await readManifest(dir);
    expect(manifest).toMatchObject({ complete: false, incompleteReason: 'interrupted', exitCode: 130 });

    const { complete, tail } = await evidenceLines(dir);
    expect(tail).toBe('');
    expect(complete.length).toBeGreaterThanOrEqual(5);
    for (const line of complete) expect(() => JSON.parse(line)).not.toThrow();
    expect(manifest!.counts.records).toBe(complete.length);

    const verified = await verifyRun(dir);
    expect(verified.problems).toEqual([]);
    expect(verified).toMatchObject({ ok: true, complete: false, truncatedTail: false, records: complete.length });
  });
});

describe('SIGKILL (crash safety)', () => {
  it('leaves a verifiable chain prefix; only the missing manifest and a truncated tail are reported', async () => {
    const { child, dir } = await startRun('sigkill', 20);
    child.kill('SIGKILL');
    const exit = await child.code;
    expect(exit.signal).toBe('SIGKILL');

    const read = await readEvidence(dir);
    expect(read.records.length).toBeGreaterThanOrEqual(20);
    expect(read.badLines).toEqual([]);
    expect(read.records.map((r) => r.seq)).toEqual(read.records.map((_, i) => i + 1));

    const verified = await verifyRun(dir);
    expect(verified.records).toBe(read.records.length);
    expect(verified.firstBadRecord, verified.problems.join("\n")).toBeUndefined();
    const expected = [/manifest\.json is missing/, /truncated tail/];
    expect(verified.problems.filter((p) => !expected.some((re) => re.test(p)))).toEqual([]);
    expect(verified.manifest).toBe('missing');
    expect(verified.ok).toBe(false);
    expect(verified.complete).toBe(false);
  });

  it('a killed run folder still renders, marked incomplete', async () => {
    const { child, dir } = await startRun('sigkill-report', 20);
    child.kill('SIGKILL');
    await child.code;
    const { model, files } = await renderReport(dir);
    expect(model.run.complete).toBe(false);
    expect(model.run.incompleteReason).toMatch(/did not finish/);
    expect(model.overall.result).not.toBe('pass');
    expect(model.overall.exitCode).toBe(3);
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['report.html', 'summary.json']));
    expect(await fs.readFile(path.join(dir, 'report.md'), 'utf8')).toMatch(/incomplete|did not finish/i);
  });
});
