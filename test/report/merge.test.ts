import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/commands/report.ts';
import { verifyCommand } from '../../src/cli/commands/verify.ts';
import type { EvidenceRecord } from '../../src/core/types.ts';
import { readEvidence, readManifest, verifyRun } from '../../src/evidence/index.ts';
import { loadRun, mergeRuns, renderReport } from '../../src/report/index.ts';
import { MUST_NOT_APPEAR, allFiles, editEvidence, keyFiles, scenarioRecords, tempDir, writeSyntheticRun } from './support/synthetic-run.ts';
import type { SyntheticRun } from './support/synthetic-run.ts';

let root: { path: string; cleanup: () => Promise<void> };
let keys: Awaited<ReturnType<typeof keyFiles>>;
let shards: SyntheticRun[];
let n = 0;
const fresh = (name: string) => join(root.path, `${name}-${++n}`);

/** Shard i of 3 gets every third record of the scenario (controls included), as a CI matrix would split cells. */
async function writeShards(overrides: Partial<Record<number, { configHash?: string; seed?: number }>> = {}): Promise<SyntheticRun[]> {
  const all = scenarioRecords();
  const out: SyntheticRun[] = [];
  for (const index of [1, 2, 3]) {
    out.push(
      await writeSyntheticRun(fresh(`shard-${index}`), {
        runId: `run-shard-${index}`,
        shard: { index, total: 3 },
        records: all.filter((_, i) => i % 3 === index - 1),
        signKey: keys.privatePem,
        ...overrides[index],
      }),
    );
  }
  return out;
}

beforeAll(async () => {
  root = await tempDir('ta-merge-');
  keys = await keyFiles(root.path);
  shards = await writeShards();
});
afterAll(async () => root.cleanup());
afterEach(() => {
  process.exitCode = undefined;
});

describe('merging shards', () => {
  it('counts of a 3-shard merge equal the sum of the shards, and the merged run verifies', async () => {
    const out = fresh('merged');
    const merged = await mergeRuns([shards[2]!.dir, shards[0]!.dir, shards[1]!.dir], out, { signKey: keys.privateJwk, publicKey: keys.publicPem });
    const sum = (pick: (m: NonNullable<SyntheticRun['manifest']>) => number) => shards.reduce((acc, s) => acc + pick(s.manifest!), 0);
    expect(merged.manifest.counts.records).toBe(sum((m) => m.counts.records));
    expect(merged.manifest.counts.records).toBe(scenarioRecords().length);
    for (const v of ['pass', 'leak', 'soft-fail', 'inconclusive', 'closed-by-error'] as const) {
      expect(merged.manifest.counts.byVerdict[v] ?? 0, v).toBe(sum((m) => m.counts.byVerdict[v] ?? 0));
    }
    for (const k of ['control', 'probe', 'finding', 'db-check'] as const) expect(merged.manifest.counts.byKind[k] ?? 0, k).toBe(sum((m) => m.counts.byKind[k] ?? 0));
    const v = await verifyRun(out, { publicKey: keys.publicJwk });
    expect(v).toMatchObject({ ok: true, signature: 'valid', records: merged.manifest.counts.records });
    expect(merged.thumbprint).toBe(v.thumbprint);
  });

  it('orders records by shard then seq, keeps their origin, and lists each shard in sources', async () => {
    const out = fresh('merged');
    const merged = await mergeRuns([shards[1]!.dir, shards[2]!.dir, shards[0]!.dir], out, { publicKey: keys.publicPem });
    const { records } = await readEvidence(out);
    const origins = records.map((r: EvidenceRecord) => [r.origin?.shard, r.origin?.seq]);
    const expected = shards.flatMap((s, i) => s.records.map((r) => [i + 1, r.seq]));
    expect(origins).toEqual(expected);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect(records[0]?.origin).toEqual({ runId: 'run-shard-1', shard: 1, seq: 1, hash: shards[0]!.records[0]!.hash });
    expect(merged.manifest.sources?.map((s) => [s.shard?.index, s.headHash, s.evidenceSha256, s.signature?.status])).toEqual(
      shards.map((s, i) => [i + 1, s.manifest!.headHash, s.manifest!.evidenceSha256, 'valid']),
    );
    expect(merged.manifest).toMatchObject({ complete: true, exitCode: 1, configHash: 'c0nf1gha5h', seed: 42 });
    expect(merged.manifest.shard).toBeUndefined();
    expect(merged.manifest.runId).toMatch(/^merged-[0-9a-f]{16}$/);
  });

  it('renders the merged report with the same totals as the unmerged shards', async () => {
    const unmerged = await loadRun(shards.map((s) => s.dir));
    expect(unmerged.model.integrity.verifyCommand).toMatch(/^for d in \S+ \S+ \S+; do npx tenancy-audit verify "\$d" --key <signer-public-key.jwk> \|\| exit 1; done$/);
    expect(unmerged.model.integrity.ok).toBe(true);
    const out = fresh('merged');
    const r = await renderReport(shards.map((s) => s.dir), { out, formats: ['json', 'html'] });
    expect(r.merged).toBeDefined();
    expect(r.model.totals).toEqual(unmerged.model.totals);
    expect(r.model.suites.map((s) => [s.id, s.status])).toEqual(unmerged.model.suites.map((s) => [s.id, s.status]));
    expect(r.model.integrity.sources).toHaveLength(3);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Merged shards');
    for (const s of shards) expect(html).toContain(s.manifest!.headHash);
  });

  it('marks a merge with a missing shard incomplete', async () => {
    const merged = await mergeRuns([shards[0]!.dir, shards[2]!.dir], fresh('partial'));
    expect(merged.manifest.complete).toBe(false);
    expect(merged.manifest.incompleteReason).toMatch(/1 of 3 shards missing \(2\/3\)/);
  });

  it.each([
    ['configHash', { configHash: 'another-config' }],
    ['seed', { seed: 7 }],
  ] as const)('refuses shards whose %s differs, with a TenancyAuditError', async (what, override) => {
    const mixed = await writeShards({ 2: override });
    const err = await mergeRuns(mixed.map((s) => s.dir), fresh('mixed')).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TenancyAuditError', code: 'TA_USAGE' });
    expect((err as Error).message).toContain(`Cannot merge shards of different runs: ${what} differs`);
    await expect(loadRun(mixed.map((s) => s.dir))).rejects.toMatchObject({ code: 'TA_USAGE' });
  });

  it('refuses the same shard twice, and a whole run', async () => {
    await expect(mergeRuns([shards[0]!.dir, shards[0]!.dir], fresh('dup'))).rejects.toThrow(/both shard 1\/3/);
    const whole = await writeSyntheticRun(fresh('whole'));
    await expect(mergeRuns([shards[0]!.dir, whole.dir], fresh('w'))).rejects.toThrow(/has no shard/);
  });

  it('refuses a tampered shard instead of re-chaining it', async () => {
    const set = await writeShards();
    await editEvidence(set[1]!.dir, (lines) => lines.map((l, i) => (i === 1 ? l.replace('"durationMs":12', '"durationMs":99') : l)));
    const err = await mergeRuns(set.map((s) => s.dir), fresh('tampered')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TA_EVIDENCE_INVALID' });
    expect((err as Error).message).toMatch(/record seq 2, line 2/);
  });

  it('refuses to merge into a folder that already holds a run', async () => {
    await expect(mergeRuns(shards.map((s) => s.dir), shards[0]!.dir)).rejects.toMatchObject({ code: 'TA_EVIDENCE_INVALID' });
    expect((await verifyRun(shards[0]!.dir)).ok).toBe(true);
  });
});

describe('report + verify commands on shards', () => {
  async function run(cmd: Command, args: string[]) {
    const out: string[] = [];
    const program = new Command().exitOverride().addCommand(cmd);
    process.exitCode = undefined;
    await program.parseAsync(args, { from: 'user' });
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return { code, out };
  }

  it('merges with --out and --sign-key, prints the thumbprint, and the merged folder verifies with --key', async () => {
    const out = fresh('cli-merged');
    const lines: string[] = [];
    const errs: string[] = [];
    const r = await run(reportCommand({ out: (l) => lines.push(l), err: (l) => errs.push(l), color: false }), ['report', ...shards.map((s) => s.dir), '--out', out, '--sign-key', keys.privatePem, '--key', keys.publicJwk]);
    expect(errs).toEqual([]);
    expect(r.code).toBe(0);
    for (const { path, text } of await allFiles(out)) for (const secret of MUST_NOT_APPEAR) expect(text.includes(secret), path).toBe(false);
    const m = await readManifest(out);
    expect(lines.join('\n')).toContain(`signer key thumbprint (RFC 7638) ${m?.signature?.thumbprint}`);
    const v: string[] = [];
    expect((await run(verifyCommand({ out: (l) => v.push(l), err: (l) => v.push(l), color: false }), ['verify', out, '--key', keys.publicJwk])).code).toBe(0);
    expect(v.join('\n')).toMatch(/signature valid/);
  });

  it('exits 2 when shards of different runs are given, and when --out is missing', async () => {
    const mixed = await writeShards({ 3: { configHash: 'x' } });
    const errs: string[] = [];
    const cmd = () => reportCommand({ out: () => undefined, err: (l) => errs.push(l), color: false });
    expect((await run(cmd(), ['report', ...mixed.map((s) => s.dir), '--out', fresh('x')])).code).toBe(2);
    expect(errs.join('\n')).toMatch(/different runs: configHash differs/);
    expect((await run(cmd(), ['report', ...shards.map((s) => s.dir)])).code).toBe(2);
    expect(errs.join('\n')).toMatch(/pass --out/);
  });
});

describe('run folders given by their parent (--report-dir reports/shard-N)', () => {
  it('finds the one run folder inside each shard folder', async () => {
    const base = fresh('reports');
    const all = scenarioRecords();
    for (const index of [1, 2, 3]) {
      await writeSyntheticRun(join(base, `shard-${index}`, `run-shard-${index}`), { runId: `run-shard-${index}`, shard: { index, total: 3 }, records: all.filter((_, i) => i % 3 === index - 1) });
    }
    const r = await renderReport([1, 2, 3].map((i) => join(base, `shard-${i}`)), { out: join(base, 'merged'), formats: ['json'] });
    expect(r.model.totals.records).toBe(all.length);
    expect((await verifyRun(join(base, 'merged'))).ok).toBe(true);
  });

  it('refuses a parent folder holding several runs, naming them', async () => {
    const base = fresh('two-runs');
    await writeSyntheticRun(join(base, 'a'));
    await writeSyntheticRun(join(base, 'b'));
    await expect(verifyRun(base)).rejects.toThrow(/holds 2 run folders/);
  });
});
