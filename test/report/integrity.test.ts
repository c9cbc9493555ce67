import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyCommand } from '../../src/cli/commands/verify.ts';
import { canonicalJson, sha256Hex } from '../../src/core/canonical.ts';
import { createRedactor, openEvidenceWriter, readEvidence, readManifest, verifyRun, writeManifest } from '../../src/evidence/index.ts';
import { editEvidence, keyFiles, rec, tempDir, writeSyntheticRun } from './support/synthetic-run.ts';

let root: { path: string; cleanup: () => Promise<void> };
let n = 0;
const fresh = () => join(root.path, `run-${++n}`);

beforeAll(async () => {
  root = await tempDir('ta-integrity-');
});
afterAll(async () => root.cleanup());
afterEach(() => {
  process.exitCode = undefined;
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command().exitOverride().addCommand(verifyCommand({ out: (l) => out.push(l), err: (l) => err.push(l), color: false }));
  process.exitCode = undefined;
  await program.parseAsync(['verify', ...args], { from: 'user' });
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('evidence chain', () => {
  it('verifies an untouched run, and the CLI exits 0', async () => {
    const run = await writeSyntheticRun(fresh());
    const r = await verifyRun(run.dir);
    expect(r).toMatchObject({ ok: true, records: run.records.length, signature: 'unsigned', manifest: 'present', complete: true });
    expect(r.problems).toEqual([]);
    expect(r.headHash).toBe(run.manifest?.headHash);
    expect(run.records.map((x) => x.seq)).toEqual(run.records.map((_, i) => i + 1));
    expect((await cli([run.dir])).code).toBe(0);
  });

  it('writes each record as the canonical JSON of itself, its hash covering the rest', async () => {
    const run = await writeSyntheticRun(fresh());
    const lines = (await readFile(join(run.dir, 'evidence.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines.length).toBe(run.records.length);
    for (const line of lines) {
      const { hash, ...rest } = JSON.parse(line) as Record<string, unknown>;
      expect(line).toBe(canonicalJson({ ...rest, hash }));
      expect(hash).toBe(sha256Hex(canonicalJson(rest)));
    }
  });

  it('names the record when one character of it changes', async () => {
    const run = await writeSyntheticRun(fresh());
    await editEvidence(run.dir, (lines) => lines.map((l, i) => (i === 4 ? l.replace('"durationMs":12', '"durationMs":13') : l)));
    const r = await verifyRun(run.dir);
    expect(r.ok).toBe(false);
    expect(r.firstBadRecord).toMatchObject({ seq: 5, line: 5 });
    expect(r.firstBadRecord?.reason).toMatch(/changed after it was written/);
    const c = await cli([run.dir]);
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/first bad record: seq 5 \(line 5\)/);
  });

  it('names the record when a character change breaks the JSON', async () => {
    const run = await writeSyntheticRun(fresh());
    await editEvidence(run.dir, (lines) => lines.map((l, i) => (i === 2 ? l.replace('{', '[') : l)));
    const r = await verifyRun(run.dir);
    expect(r.ok).toBe(false);
    expect(r.firstBadRecord).toMatchObject({ seq: 3, line: 3 });
  });

  it('names a record whose verdict is outside the vocabulary', async () => {
    const run = await writeSyntheticRun(fresh());
    await editEvidence(run.dir, (lines) => lines.map((l, i) => (i === 5 ? l.replace('"verdict":"pass"', '"verdict":"PASS"') : l)));
    const r = await verifyRun(run.dir);
    expect(r.firstBadRecord).toMatchObject({ seq: 6, line: 6 });
    expect(r.firstBadRecord?.reason).toMatch(/verdict "PASS" is not one of/);
  });

  it('names the gap when a record is dropped from the middle', async () => {
    const run = await writeSyntheticRun(fresh());
    await editEvidence(run.dir, (lines) => lines.filter((_, i) => i !== 6));
    const r = await verifyRun(run.dir);
    expect(r.ok).toBe(false);
    expect(r.firstBadRecord).toMatchObject({ seq: 8, line: 7 });
    expect(r.firstBadRecord?.reason).toMatch(/seq 8 found where 7 was expected/);
  });

  it('names the missing record when the last one is dropped', async () => {
    const run = await writeSyntheticRun(fresh());
    const total = run.records.length;
    await editEvidence(run.dir, (lines) => lines.slice(0, -1));
    const r = await verifyRun(run.dir);
    expect(r.ok).toBe(false);
    expect(r.firstBadRecord).toMatchObject({ seq: total, line: total });
    expect(r.problems.join('\n')).toMatch(/headHash/);
  });

  it('names the first displaced record when two are swapped', async () => {
    const run = await writeSyntheticRun(fresh());
    await editEvidence(run.dir, (lines) => {
      const copy = [...lines];
      [copy[3], copy[4]] = [copy[4] as string, copy[3] as string];
      return copy;
    });
    const r = await verifyRun(run.dir);
    expect(r.ok).toBe(false);
    expect(r.firstBadRecord).toMatchObject({ seq: 5, line: 4 });
    expect(r.firstBadRecord?.reason).toMatch(/reordered/);
  });

  it('catches a record edited with its hash recomputed (the next link breaks)', async () => {
    const run = await writeSyntheticRun(fresh());
    const { canonicalJson, sha256Hex } = await import('../../src/evidence/index.ts');
    await editEvidence(run.dir, (lines) =>
      lines.map((l, i) => {
        if (i !== 3) return l;
        const { hash: _h, ...rest } = JSON.parse(l) as Record<string, unknown>;
        expect(rest.verdict).toBe('closed-by-error');
        const edited = { ...rest, verdict: 'pass' };
        return canonicalJson({ ...edited, hash: sha256Hex(canonicalJson(edited)) });
      }),
    );
    const r = await verifyRun(run.dir);
    expect(r.ok).toBe(false);
    expect(r.firstBadRecord).toMatchObject({ seq: 5, line: 5 });
    expect(r.firstBadRecord?.reason).toMatch(/seq 4/);
  });

  it('flags counts in the manifest that do not match the records', async () => {
    const run = await writeSyntheticRun(fresh());
    const m = JSON.parse(await readFile(join(run.dir, 'manifest.json'), 'utf8'));
    m.counts.byVerdict.leak = 0;
    await writeFile(join(run.dir, 'manifest.json'), JSON.stringify(m));
    const r = await verifyRun(run.dir);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/byVerdict/);
  });

  it('tolerates a truncated tail in the reader and flags it in both reader and verifier', async () => {
    const run = await writeSyntheticRun(fresh(), { manifest: 'none' });
    const file = join(run.dir, 'evidence.jsonl');
    const text = await readFile(file, 'utf8');
    const lastLine = text.trimEnd().split('\n').at(-1) as string;
    await writeFile(file, text + lastLine.slice(0, 40));
    const read = await readEvidence(run.dir);
    expect(read.truncatedTail).toBe(true);
    expect(read.records).toHaveLength(run.records.length);
    expect(read.badLines).toEqual([]);
    const v = await verifyRun(run.dir);
    expect(v).toMatchObject({ ok: false, truncatedTail: true, manifest: 'missing', records: run.records.length });
    expect(v.firstBadRecord).toBeUndefined();
    expect(v.problems.join('\n')).toMatch(/manifest.json is missing/);
  });

  it('verifies an incomplete run (complete: false) as intact, with a warning', async () => {
    const run = await writeSyntheticRun(fresh(), { manifest: 'incomplete' });
    const r = await verifyRun(run.dir);
    expect(r).toMatchObject({ ok: true, complete: false });
    expect(r.warnings.join('\n')).toMatch(/incomplete: interrupted/);
  });

  it('exits 2 for a folder that does not exist', async () => {
    const c = await cli([join(root.path, 'nope')]);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/not found/);
  });

  it('serializes concurrent appends into one gap-free chain', async () => {
    const dir = fresh();
    const w = await openEvidenceWriter(dir, { runId: 'concurrent', redactor: createRedactor([]) });
    const written = await Promise.all(Array.from({ length: 200 }, (_, i) => w.append(rec({ suite: 'identity.missing', kind: 'probe', verdict: 'pass', detail: `#${i}` }))));
    await w.close();
    expect(written.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(written.map((r) => r.detail)).toEqual(Array.from({ length: 200 }, (_, i) => `#${i}`));
    await writeManifest(dir, {
      v: 1, tool: { name: 'tenancy-audit', version: 't' }, kind: 'http', runId: 'concurrent', startedAt: '', endedAt: '', complete: true, system: 's', environment: 'e', target: {},
      configHash: 'h', config: {}, seed: 1, runs: 1, command: '', operator: {}, suites: [], mutations: [], operations: [], tenants: [],
      counts: w.counts(), headHash: w.headHash, evidenceSha256: w.evidenceSha256(), exitCode: 0,
    });
    expect((await verifyRun(dir)).ok).toBe(true);
  });

  it('refuses to write into a folder that already holds evidence', async () => {
    const run = await writeSyntheticRun(fresh());
    await expect(openEvidenceWriter(run.dir, { runId: 'x', redactor: createRedactor([]) })).rejects.toMatchObject({ code: 'TA_EVIDENCE_INVALID' });
  });

  it('leaves only verifiable complete lines when the writing process is killed with SIGKILL', async () => {
    const dir = fresh();
    const writerUrl = new URL('../../src/evidence/index.ts', import.meta.url).href;
    const script = `
      import { createRedactor, openEvidenceWriter } from ${JSON.stringify(writerUrl)};
      const w = await openEvidenceWriter(${JSON.stringify(dir)}, { runId: 'killed', redactor: createRedactor([]) });
      for (let i = 0; ; i++) {
        await w.append({ v: 1, kind: 'probe', suite: 'identity.missing', family: 'missing', path: 'sync', mutation: { id: 'm', title: 'm' }, seed: 1, verdict: 'pass', reason: 'r', detail: 'x'.repeat(i % 900), startedAt: '', durationMs: 1 });
        if (i === 50) process.stdout.write('ready\\n');
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const read = await readEvidence(dir);
    expect(read.records.length).toBeGreaterThan(50);
    expect(read.badLines).toEqual([]);
    const v = await verifyRun(dir);
    expect(v.firstBadRecord).toBeUndefined();
    expect(v.records).toBe(read.records.length);
    expect(v.manifest).toBe('missing');
    expect(v.ok).toBe(false);
  });
});

describe('manifest signature', () => {
  it.each(['ec', 'rsa', 'ed25519'] as const)('signs with a %s key and verifies with the public key (JWK and PEM files)', async (type) => {
    const keys = await keyFiles(root.path, type);
    const run = await writeSyntheticRun(fresh(), { signKey: keys.privatePem });
    expect(run.manifest?.signature?.alg).toBe({ ec: 'ES256', rsa: 'RS256', ed25519: 'EdDSA' }[type]);
    expect(run.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const key of [keys.publicJwk, keys.publicPem, await readFile(keys.publicJwk, 'utf8')]) {
      const r = await verifyRun(run.dir, { publicKey: key });
      expect(r).toMatchObject({ ok: true, signature: 'valid', thumbprint: run.thumbprint });
    }
    const c = await cli([run.dir, '--key', keys.publicJwk]);
    expect(c.code).toBe(0);
    expect(c.out).toContain(`valid (thumbprint ${run.thumbprint})`);
  });

  it('accepts a private JWK object as the signing key', async () => {
    const keys = await keyFiles(root.path, 'ec');
    const run = await writeSyntheticRun(fresh(), { signKey: JSON.parse(await readFile(keys.privateJwk, 'utf8')) });
    expect((await verifyRun(run.dir, { publicKey: keys.publicPem })).signature).toBe('valid');
  });

  it('without --key reports the signature as present but not checked, and still exits 0', async () => {
    const keys = await keyFiles(root.path, 'ec');
    const run = await writeSyntheticRun(fresh(), { signKey: keys.privateJwk });
    const r = await verifyRun(run.dir);
    expect(r).toMatchObject({ ok: true, signature: 'not-checked', thumbprint: run.thumbprint });
    const c = await cli([run.dir]);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/present, not checked \(pass --key/);
  });

  it('rejects a signature checked against the wrong key', async () => {
    const signer = await keyFiles(root.path, 'ec');
    const run = await writeSyntheticRun(fresh(), { signKey: signer.privatePem });
    const { mkdtemp } = await import('node:fs/promises');
    const other = await keyFiles(await mkdtemp(join(root.path, 'other-')), 'ec');
    const r = await verifyRun(run.dir, { publicKey: other.publicJwk });
    expect(r).toMatchObject({ ok: false, signature: 'invalid' });
    const c = await cli([run.dir, '--key', other.publicJwk]);
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/signature invalid/);
  });

  it('rejects a manifest edited after signing, even with the thumbprint left alone', async () => {
    const keys = await keyFiles(root.path, 'ec');
    const run = await writeSyntheticRun(fresh(), { signKey: keys.privatePem });
    const path = join(run.dir, 'manifest.json');
    const m = JSON.parse(await readFile(path, 'utf8'));
    m.environment = 'production';
    await writeFile(path, JSON.stringify(m, null, 2));
    const r = await verifyRun(run.dir, { publicKey: keys.publicPem });
    expect(r.signature).toBe('invalid');
    expect(r.problems.join('\n')).toMatch(/changed after signing/);
  });

  it('rejects a tampered JWS', async () => {
    const keys = await keyFiles(root.path, 'ec');
    const run = await writeSyntheticRun(fresh(), { signKey: keys.privatePem });
    const path = join(run.dir, 'manifest.json');
    const m = JSON.parse(await readFile(path, 'utf8'));
    const sig: string = m.signature.jws;
    m.signature.jws = sig.slice(0, -3) + (sig.endsWith('AAA') ? 'BBB' : 'AAA');
    await writeFile(path, JSON.stringify(m, null, 2));
    expect((await verifyRun(run.dir, { publicKey: keys.publicPem })).signature).toBe('invalid');
  });

  it('fails when a key is given but the manifest is unsigned (a stripped signature)', async () => {
    const keys = await keyFiles(root.path, 'ec');
    const run = await writeSyntheticRun(fresh());
    const r = await verifyRun(run.dir, { publicKey: keys.publicPem });
    expect(r).toMatchObject({ ok: false, signature: 'unsigned' });
    expect(r.problems.join('\n')).toMatch(/not signed, but a key was given/);
  });

  it('refuses public or symmetric keys for signing and bad key files with usage errors (exit 2)', async () => {
    const keys = await keyFiles(root.path, 'ec');
    await expect(writeSyntheticRun(fresh(), { signKey: keys.publicJwk })).rejects.toMatchObject({ code: 'TA_USAGE' });
    await expect(writeSyntheticRun(fresh(), { signKey: '{"kty":"oct","k":"c2VjcmV0"}' })).rejects.toMatchObject({ code: 'TA_USAGE' });
    const run = await writeSyntheticRun(fresh());
    expect((await cli([run.dir, '--key', join(root.path, 'missing.pem')])).code).toBe(2);
  });

  it('reads back what it wrote', async () => {
    const run = await writeSyntheticRun(fresh());
    expect(await readManifest(run.dir)).toEqual(run.manifest);
  });
});
