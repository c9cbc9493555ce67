import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvidence } from '../../src/evidence/index.ts';
import type { EvidenceRecord } from '../../src/core/types.ts';
import { startReferenceTarget, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { REFERENCE_CONFIG } from '../support/audit-reference.ts';
import { cli, runDirOf } from '../support/cli.ts';

const SYNC = ['identity.mismatched', 'isolation.cross-tenant'];
let target: RunningTarget;
let leaky: RunningTarget;
let reports: string;

beforeAll(async () => {
  [target, leaky] = await Promise.all([startReferenceTarget({ mode: 'fail-closed' }), startReferenceTarget({ mode: 'header-override' })]);
  reports = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-e2e-'));
});
afterAll(async () => {
  await Promise.all([target?.stop(), leaky?.stop()]);
  await fs.rm(reports, { recursive: true, force: true });
});

const runArgs = (url: string, extra: string[]) => ['run', '--config', REFERENCE_CONFIG, '--target', url, '--report-dir', reports, '--runs', '5', ...extra];

/** Probe records grouped by property cell, in the order each cell generated them. */
function sequences(records: readonly EvidenceRecord[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of records.filter((x) => x.kind === 'probe')) {
    const cell = `${r.suite}/${r.operation}/${r.mutation.channel?.split(':')[0] ?? ''}`;
    (out[cell] ??= []).push(`${r.mutation.id} ${r.actor} ${r.victim} ${r.request?.url.replace(/:\d+\//, ':PORT/').replace(/[0-9a-f-]{36}/g, 'ID')}`);
  }
  return out;
}

describe('tenancy-audit run (the real binary) on the reference target', () => {
  it('exits 0 on the fail-closed target, writes every file, and the same seed replays the same probes', async () => {
    const [first, second] = [await cli(runArgs(target.url, ['--seed', '42', '--suite', ...SYNC])), await cli(runArgs(target.url, ['--seed', '42', '--suite', ...SYNC]))];
    expect(first.code, first.out).toBe(0);
    expect(second.code, second.out).toBe(0);
    const [a, b] = [runDirOf(first.out), runDirOf(second.out)];
    for (const file of ['evidence.jsonl', 'manifest.json', 'report.html', 'report.md', 'junit.xml', 'summary.json']) {
      await expect(fs.stat(path.join(a, file))).resolves.toBeTruthy();
    }
    const [ra, rb] = [(await readEvidence(a)).records, (await readEvidence(b)).records];
    expect(ra.filter((r) => r.kind === 'control').length).toBeGreaterThan(0);
    expect(sequences(ra)).toEqual(sequences(rb));
    const other = await cli(runArgs(target.url, ['--seed', '43', '--suite', ...SYNC]));
    expect(sequences((await readEvidence(runDirOf(other.out))).records)).not.toEqual(sequences(ra));
  });

  it('verify accepts an untouched run folder and names the record when one character changes or a record is dropped', async () => {
    const run = await cli(runArgs(target.url, ['--seed', '7', '--suite', 'isolation.cross-tenant']));
    const dir = runDirOf(run.out);
    expect((await cli(['verify', dir])).code).toBe(0);

    const file = path.join(dir, 'evidence.jsonl');
    const original = await fs.readFile(file, 'utf8');
    const lines = original.trimEnd().split('\n');
    const tampered = [...lines];
    tampered[3] = tampered[3]!.replace('"verdict":"pass"', '"verdict":"pasS"');
    expect(tampered[3]).not.toBe(lines[3]);
    await fs.writeFile(file, `${tampered.join('\n')}\n`);
    const changed = await cli(['verify', dir]);
    expect(changed.code).toBe(1);
    expect(changed.out).toMatch(/line 4|seq 3/);

    await fs.writeFile(file, `${lines.filter((_, i) => i !== 5).join('\n')}\n`);
    const dropped = await cli(['verify', dir]);
    expect(dropped.code).toBe(1);
    expect(dropped.out).toMatch(/line 6|seq 6|seq 5/);
  });

  it('exits 1 on a leaky target and renders the finding with its steps and curl line in HTML, Markdown and JUnit', async () => {
    const run = await cli(runArgs(leaky.url, ['--seed', '3', '--suite', 'identity.mismatched']));
    expect(run.code, run.out).toBe(1);
    expect(run.out).toMatch(/leak G-01 The X-Tenant-ID header overrides the token's tenant on \d+ operations\n\s+identity\.mismatched/);
    // One console block per root cause: the header channel is one group however many operations it affects.
    const summary = JSON.parse(await fs.readFile(path.join(runDirOf(run.out), 'summary.json'), 'utf8'));
    expect(run.out.match(/^\S+ G-\d\d /gm)).toHaveLength(summary.findingGroups.length);
    expect(run.out).toMatch(/curl -sS -i -X GET .*x-tenant-id: globex/);
    const dir = runDirOf(run.out);
    const [html, md, junit] = await Promise.all(['report.html', 'report.md', 'junit.xml'].map((f) => fs.readFile(path.join(dir, f), 'utf8')));
    for (const text of [html, md, junit]) {
      expect(text).toMatch(/x-tenant-id: globex/i);
      expect(text).toMatch(/curl -sS -i/);
    }
    expect(junit).toMatch(/<failure/);
    expect(md).toMatch(/leak/);
  });

  it('merging 3 shards of a seeded run gives the same counts as the unsharded run', async () => {
    const seed = ['--seed', '99', '--suite', ...SYNC];
    const whole = runDirOf((await cli(runArgs(target.url, seed))).out);
    const shards = [];
    for (const i of [1, 2, 3]) {
      const shard = await cli(runArgs(target.url, [...seed, '--shard', `${i}/3`]));
      expect(shard.code, shard.out).toBe(0);
      shards.push(runDirOf(shard.out));
    }
    const out = path.join(reports, 'merged');
    const merged = await cli(['report', ...shards, '--out', out]);
    expect(merged.code, merged.out).toBe(0);
    const read = async (d: string) => JSON.parse(await fs.readFile(path.join(d, 'manifest.json'), 'utf8'));
    const [a, b] = [await read(whole), await read(out)];
    expect(b.counts).toEqual(a.counts);
    expect((await cli(['verify', out])).code).toBe(0);
  });

  it('exits 2 with the config path for a bad config, and 3 for an unreachable target, without a stack trace', async () => {
    const bad = path.join(reports, 'bad.yaml');
    await fs.writeFile(bad, (await fs.readFile(REFERENCE_CONFIG, 'utf8')).replace('kind: list, method: GET, path: /projects,', 'kind: list, method: FETCH, path: /projects,'));
    const invalid = await cli(['run', '--config', bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.out).toContain('operations[0].method');
    expect(invalid.out).not.toMatch(/\n\s+at /);
    const unreachable = await cli(runArgs('http://127.0.0.1:9', ['--suite', 'isolation.cross-tenant']));
    expect(unreachable.code).toBe(3);
    expect(unreachable.out).toMatch(/unreachable/);
    expect(unreachable.out).not.toMatch(/\n\s+at /);
    // A bad --format is refused before the run: against the same unreachable target it is a 2, not a 3.
    const format = await cli(runArgs('http://127.0.0.1:9', ['--suite', 'isolation.cross-tenant', '--format', 'html,htm']));
    expect(format.code).toBe(2);
    expect(format.out).toMatch(/--format html,htm: unknown format htm/);
    expect(format.out).not.toMatch(/\n\s+at /);
  });
});
