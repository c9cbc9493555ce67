import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TenancyAuditError } from '../core/errors.ts';
import type { RunManifest } from '../core/types.ts';
import { EVIDENCE_FILE, MANIFEST_FILE } from './files.ts';
import { readManifest } from './manifest.ts';
import { verifyRun, type VerifyOptions } from './verify.ts';

/** What {@link verifyChain} found: each run verified on its own, and each run's link to the one before it. */
export interface ChainResult {
  ok: boolean;
  dir: string;
  runs: { dir: string; runId: string; ok: boolean; headHash: string; previous?: string }[];
  problems: string[];
  warnings: string[];
}

/** The finished runs of a report folder, oldest first (run ids sort by start time). */
export async function runFoldersIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (cause) {
    throw new TenancyAuditError('TA_USAGE', `Report folder ${dir} not found`, { hint: 'Pass the folder that holds the run folders (--report-dir).', cause });
  }
  const runs: string[] = [];
  for (const name of names) if (await exists(join(dir, name, EVIDENCE_FILE))) runs.push(join(dir, name));
  return runs;
}

/**
 * The run before `runDir` in its report folder (or `explicit`): its id and head hash, recorded in the new run's
 * manifest so the history of a report folder is a chain `verifyChain` can walk.
 */
export async function previousRun(runDir: string, explicit?: string): Promise<RunManifest['previous']> {
  const candidates = explicit ? [explicit] : (await runFoldersIn(dirname(runDir)).catch(() => [])).filter((d) => basename(d) < basename(runDir)).reverse();
  for (const dir of candidates) {
    const m = await readManifest(dir);
    if (m) return { runId: m.runId, headHash: m.headHash, dir: basename(dir) };
  }
  if (explicit) throw new TenancyAuditError('TA_USAGE', `--previous ${explicit}: no finished run there (no ${MANIFEST_FILE})`, { hint: 'Pass a run folder that holds manifest.json.' });
  return undefined;
}

/**
 * Verifies every run of a report folder and the chain between them: each run's manifest names the run before it
 * and its head hash. A run removed from the middle, a run changed after a later one recorded it, or runs out of
 * order are problems, each naming the runs involved.
 */
export async function verifyChain(dir: string, options: VerifyOptions = {}): Promise<ChainResult> {
  const folders = await runFoldersIn(dir);
  if (folders.length === 0) throw new TenancyAuditError('TA_USAGE', `${dir} holds no run folder`, { hint: 'Pass the report folder the runs were written to.' });
  const problems: string[] = [];
  const warnings: string[] = [];
  const runs: ChainResult['runs'] = [];
  const manifests: (RunManifest | null)[] = [];
  for (const folder of folders) {
    const r = await verifyRun(folder, options);
    const m = await readManifest(folder);
    manifests.push(m);
    runs.push({ dir: folder, runId: m?.runId ?? basename(folder), ok: r.ok, headHash: r.headHash, ...(m?.previous ? { previous: m.previous.runId } : {}) });
    if (!r.ok) problems.push(`${basename(folder)}: ${r.firstBadRecord ? `record seq ${r.firstBadRecord.seq}: ${r.firstBadRecord.reason}` : (r.problems[0] ?? 'does not verify')}`);
  }
  const ids = new Set(runs.map((r) => r.runId));
  runs.forEach((run, i) => {
    const previous = manifests[i]?.previous;
    const before = runs[i - 1];
    if (!before) {
      if (previous) warnings.push(`the history starts at ${run.runId}; the run before it (${previous.runId}) is not in ${dir}`);
      return;
    }
    if (!previous) {
      problems.push(`${run.runId} records no previous run, but ${before.runId} precedes it`);
    } else if (previous.runId !== before.runId) {
      problems.push(
        ids.has(previous.runId)
          ? `${run.runId} records ${previous.runId} as its previous run, but ${before.runId} precedes it (runs out of order)`
          : `run ${previous.runId} is missing: ${run.runId} records it as its previous run (head ${previous.headHash}), and ${dir} goes from ${before.runId} to ${run.runId}`,
      );
    } else if (previous.headHash !== before.headHash) {
      problems.push(`${before.runId} was changed after ${run.runId} recorded it: head ${before.headHash}, recorded ${previous.headHash}`);
    }
  });
  return { ok: problems.length === 0, dir, runs, problems, warnings };
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
