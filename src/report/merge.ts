import { basename } from 'node:path';
import { TenancyAuditError } from '../core/errors.ts';
import type { RunManifest, RunSource, UnsignedEvidenceRecord } from '../core/types.ts';
import type { KeySpec, SigningKey, VerificationKey } from '../evidence/keys.ts';
import { loadVerificationKey } from '../evidence/keys.ts';
import { writeManifest } from '../evidence/manifest.ts';
import { createRedactor } from '../evidence/redact.ts';
import { openEvidenceWriter } from '../evidence/writer.ts';
import { combineShards } from './combine.ts';
import type { RunFolder } from './load.ts';
import { displayPath, readRunFolder } from './load.ts';

export interface MergeRunsOptions {
  /** Signs the merged manifest. */
  signKey?: KeySpec | SigningKey;
  /** Checks each shard's manifest signature before merging; a shard that does not verify is refused. */
  publicKey?: KeySpec | VerificationKey;
  /** Recorded as the merged manifest's `command`. */
  command?: string;
}

export interface MergedRun {
  dir: string;
  manifest: RunManifest;
  thumbprint?: string;
}

/**
 * Writes shards of one run as one run folder: every shard is verified first (a shard that fails is refused,
 * since re-chaining would launder tampered evidence), records are re-chained in shard then seq order with their
 * `origin`, and the merged manifest lists each shard's head hash and evidence sha256 in `sources`.
 */
export async function mergeRuns(dirs: readonly string[], out: string, options: MergeRunsOptions = {}): Promise<MergedRun> {
  if (dirs.length < 2) throw new TenancyAuditError('TA_USAGE', 'Merging needs at least two shard folders');
  const key = options.publicKey === undefined ? undefined : await loadVerificationKey(options.publicKey);
  const folders: RunFolder[] = [];
  for (const dir of dirs) {
    const f = await readRunFolder(dir, key);
    if (!f.verification.ok || f.manifest === null) {
      const bad = f.verification.firstBadRecord;
      throw new TenancyAuditError(
        'TA_EVIDENCE_INVALID',
        `Refusing to merge: ${dir} does not verify (${bad ? `record seq ${bad.seq}, line ${bad.line}: ${bad.reason}` : (f.verification.problems[0] ?? 'unknown problem')})`,
        { hint: `Run \`tenancy-audit verify ${dir}\` for details; a merge re-chains records, so it only accepts intact shards.` },
      );
    }
    folders.push(f);
  }
  const { ordered, combined } = combineShards(folders.map((f) => ({ dir: f.dir, manifest: f.manifest as RunManifest })));
  const byDir = new Map(folders.map((f) => [f.dir, f]));

  const writer = await openEvidenceWriter(out, { runId: combined.runId, redactor: createRedactor([]) });
  const sources: RunSource[] = [];
  try {
    for (const { dir } of ordered) {
      const f = byDir.get(dir) as RunFolder;
      const m = f.manifest as RunManifest;
      for (const r of f.records) {
        const { seq, runId, prevHash: _p, hash, origin: _o, ...rest } = r;
        const copy: UnsignedEvidenceRecord = { ...rest, origin: { runId, ...(m.shard ? { shard: m.shard.index } : {}), seq, hash } };
        await writer.append(copy);
      }
      const source: RunSource = { dir: basename(dir), runId: m.runId, records: f.records.length, headHash: m.headHash, evidenceSha256: m.evidenceSha256, complete: m.complete };
      if (m.shard) source.shard = m.shard;
      if (m.signature) source.signature = { thumbprint: m.signature.thumbprint, status: f.verification.signature === 'valid' ? 'valid' : 'not-checked' };
      sources.push(source);
    }
  } finally {
    await writer.close();
  }

  const codes = ordered.map((s) => s.manifest.exitCode);
  let exitCode = codes.includes(1) ? 1 : (codes.find((c) => c !== 0) ?? 0);
  if (exitCode === 0 && !combined.complete) exitCode = 3;
  const manifest: Omit<RunManifest, 'signature'> = {
    ...combined,
    command: options.command ?? `tenancy-audit report ${ordered.map((s) => displayPath(s.dir)).join(' ')} --out ${displayPath(out)}`,
    counts: writer.counts(),
    headHash: writer.headHash,
    evidenceSha256: writer.evidenceSha256(),
    exitCode,
    sources,
  };
  const written = await writeManifest(out, manifest, options.signKey === undefined ? {} : { signKey: options.signKey });
  return written.thumbprint === undefined ? { dir: out, manifest: written.manifest } : { dir: out, manifest: written.manifest, thumbprint: written.thumbprint };
}
