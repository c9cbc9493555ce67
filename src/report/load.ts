import { isAbsolute, relative } from 'node:path';
import { TenancyAuditError } from '../core/errors.ts';
import type { EvidenceRecord, RunManifest } from '../core/types.ts';
import type { KeySpec, VerificationKey } from '../evidence/keys.ts';
import { loadVerificationKey } from '../evidence/keys.ts';
import { readManifest } from '../evidence/manifest.ts';
import type { SignatureStatus, VerifyResult } from '../evidence/verify.ts';
import { verifyRunCollecting } from '../evidence/verify.ts';
import { combineShards } from './combine.ts';
import type { LoadedCatalogue } from './controls.ts';
import { loadControlCatalogues } from './controls.ts';
import type { BuildReportOptions } from './model.ts';
import { buildReportModel } from './model.ts';
import type { ReportModel } from './model-types.ts';

export interface LoadRunOptions {
  /** Catalogue files (default: the built-in SOC 2 and ISO 27001 ones). */
  catalogues?: readonly string[];
  /** Checks manifest signatures with this public key (otherwise they are reported as not checked). */
  publicKey?: KeySpec | VerificationKey;
  now?: Date;
  limits?: BuildReportOptions['limits'];
  signOff?: BuildReportOptions['signOff'];
}

/** One run folder, read and verified. */
export interface RunFolder {
  dir: string;
  manifest: RunManifest | null;
  records: EvidenceRecord[];
  verification: VerifyResult;
}

export interface LoadedRun {
  folders: RunFolder[];
  catalogues: LoadedCatalogue[];
  model: ReportModel;
}

/** @internal Reads and verifies one run folder in a single pass over its evidence. */
export async function readRunFolder(folder: string, publicKey?: VerificationKey): Promise<RunFolder> {
  const records: EvidenceRecord[] = [];
  const verification = await verifyRunCollecting(folder, publicKey ? { publicKey } : {}, (r) => records.push(r));
  return { dir: verification.dir, manifest: await readManifest(verification.dir), records, verification };
}

/**
 * Reads run folders (only `evidence.jsonl` and `manifest.json`) into one report model. Several folders are
 * shards of one run: they are checked to belong together and aggregated in shard order (use `mergeRuns`
 * to write them as one re-chained run folder).
 */
export async function loadRun(dirs: readonly string[], options: LoadRunOptions = {}): Promise<LoadedRun> {
  if (dirs.length === 0) throw new TenancyAuditError('TA_USAGE', 'No run folder given', { hint: 'Pass the folder a run wrote, e.g. reports/<run-id>.' });
  const key = options.publicKey === undefined ? undefined : await loadVerificationKey(options.publicKey);
  const catalogues = await loadControlCatalogues(options.catalogues);
  const folders: RunFolder[] = [];
  for (const dir of dirs) folders.push(await readRunFolder(dir, key));
  const build = { ...(options.now ? { now: options.now } : {}), ...(options.limits ? { limits: options.limits } : {}), ...(options.signOff ? { signOff: options.signOff } : {}) };

  if (folders.length === 1) {
    const f = folders[0] as RunFolder;
    const model = buildReportModel(f.manifest, f.records, catalogues, { ...build, integrity: f.verification, runDir: displayPath(f.dir) });
    return { folders, catalogues, model };
  }
  const missing = folders.filter((f) => f.manifest === null);
  if (missing.length > 0) {
    throw new TenancyAuditError('TA_USAGE', `Cannot combine shards: ${missing.map((f) => f.dir).join(', ')} has no manifest.json (the run did not finish)`, {
      hint: 'Render an unfinished shard on its own, or re-run it.',
    });
  }
  const { ordered } = combineShards(folders.map((f) => ({ dir: f.dir, manifest: f.manifest as RunManifest })));
  const byDir = new Map(folders.map((f) => [f.dir, f]));
  const inOrder = ordered.map((o) => byDir.get(o.dir) as RunFolder);
  const model = buildReportModel(
    inOrder.map((f) => f.manifest as RunManifest),
    inOrder.flatMap((f) => f.records),
    catalogues,
    { ...build, integrity: combineVerifications(inOrder), runDir: inOrder.map((f) => displayPath(f.dir)) },
  );
  return { folders: inOrder, catalogues, model };
}

/** @internal Folds the shard verifications of an unmerged multi-folder view. */
function combineVerifications(folders: readonly RunFolder[]): VerifyResult {
  const vs = folders.map((f) => f.verification);
  const order: SignatureStatus[] = ['invalid', 'unsigned', 'not-checked', 'valid'];
  const signature = order.find((s) => vs.some((v) => v.signature === s)) ?? 'unsigned';
  const bad = folders.find((f) => f.verification.firstBadRecord);
  const result: VerifyResult = {
    ok: vs.every((v) => v.ok),
    dir: folders.map((f) => f.dir).join(' '),
    records: vs.reduce((n, v) => n + v.records, 0),
    problems: folders.flatMap((f) => f.verification.problems.map((p) => `${f.dir}: ${p}`)),
    warnings: ['unmerged shards: each shard is its own chain (see sources); `tenancy-audit report --out` writes one merged, re-chained run', ...folders.flatMap((f) => f.verification.warnings.map((w) => `${f.dir}: ${w}`))],
    signature,
    manifest: 'present',
    complete: vs.every((v) => v.complete),
    truncatedTail: vs.some((v) => v.truncatedTail),
    headHash: '(one per shard, see sources)',
    evidenceSha256: '(one per shard, see sources)',
  };
  if (bad?.verification.firstBadRecord) result.firstBadRecord = { ...bad.verification.firstBadRecord, reason: `${bad.dir}: ${bad.verification.firstBadRecord.reason}` };
  return result;
}

/** @internal A folder as a user would type it: relative to the working directory when below it. */
export function displayPath(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dir : rel;
}
