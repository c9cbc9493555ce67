import crypto from 'node:crypto';
import path from 'node:path';
import { TOOL_VERSION } from '../core/package-root.ts';
import type { RunManifest } from '../core/types.ts';
import type { FailLevel, Verdict } from '../core/verdict.ts';
import { createRedactor, openEvidenceWriter, writeManifest, type EvidenceWriter, type Redactor } from '../evidence/index.ts';
import { previousRun } from '../evidence/chain.ts';
import { describeRunContext } from './context-info.ts';
import { exitCodeOf } from './exit-code.ts';
import { RunTally } from './tally.ts';

/** What every run, HTTP or data layer, returns. */
export interface RunResult {
  runId: string;
  dir: string;
  exitCode: number;
  worst: Verdict;
  complete: boolean;
  manifest: RunManifest;
  thumbprint?: string;
}

/** What a kind of run says about itself in its manifest; the run folder adds identity, counts, hashes and the end. */
export type ManifestFacts = Omit<
  RunManifest,
  'v' | 'tool' | 'runId' | 'startedAt' | 'endedAt' | 'complete' | 'incompleteReason' | 'operator' | 'counts' | 'headHash' | 'evidenceSha256' | 'exitCode' | 'signature'
>;

/** A run folder being written: its id, the evidence writer, and the tally of what was written. */
export interface OpenRunFolder {
  runId: string;
  dir: string;
  startedAt: string;
  writer: EvidenceWriter;
  redactor: Redactor;
  tally: RunTally;
}

export interface RunEnd {
  failOn: FailLevel;
  /** Why the run did not finish (budget spent, interrupted, an error); absent when it did. */
  incompleteReason?: string;
  failed: boolean;
  interrupted: boolean;
  /** Suites whose verdict is inconclusive (nothing they judged may pass the run). */
  inconclusiveSuites: number;
  signKey?: string;
  /** The previous run's folder (`--previous`); default: the latest finished run in the same report folder. */
  previous?: string;
}

/** `20261206T201500Z-a1b2c3`: sortable by start time, unique per run. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${crypto.randomBytes(3).toString('hex')}`;
}

/**
 * Opens `<reportDir>/<run-id>/` with its evidence writer. No manifest until the run ends: a killed run leaves an
 * intact chain prefix, which `verify` and `report` read as "did not finish" rather than as tampered.
 */
export async function openRunFolder(reportDir: string, secrets: readonly string[], suiteIds: readonly string[] = []): Promise<OpenRunFolder> {
  const runId = newRunId();
  const dir = path.resolve(reportDir, runId);
  const redactor = createRedactor(secrets);
  const writer = await openEvidenceWriter(dir, { runId, redactor });
  return { runId, dir, startedAt: new Date().toISOString(), writer, redactor, tally: new RunTally(suiteIds) };
}

/** Closes the evidence, derives the exit code from the tally, and writes (and signs) the manifest. */
export async function closeRunFolder(folder: OpenRunFolder, facts: ManifestFacts, end: RunEnd): Promise<RunResult> {
  const { writer, tally } = folder;
  const incomplete = end.incompleteReason !== undefined;
  const exitCode = exitCodeOf({ worst: tally.worst, failOn: end.failOn, failed: end.failed, interrupted: end.interrupted, incomplete, inconclusiveSuites: end.inconclusiveSuites });
  await writer.close();
  const previous = await previousRun(folder.dir, end.previous);
  const manifest: Omit<RunManifest, 'signature'> = {
    v: 1,
    tool: { name: 'tenancy-audit', version: TOOL_VERSION },
    runId: folder.runId,
    startedAt: folder.startedAt,
    endedAt: new Date().toISOString(),
    complete: !incomplete,
    ...(incomplete ? { incompleteReason: end.incompleteReason } : {}),
    operator: describeRunContext(),
    ...facts,
    failOn: end.failOn,
    counts: writer.counts(),
    headHash: writer.headHash,
    evidenceSha256: writer.evidenceSha256(),
    exitCode,
    ...(previous ? { previous } : {}),
  };
  const written = await writeManifest(folder.dir, manifest, end.signKey ? { signKey: end.signKey } : {});
  return {
    runId: folder.runId,
    dir: folder.dir,
    exitCode,
    worst: tally.worst,
    complete: written.manifest.complete,
    manifest: written.manifest,
    ...(written.thumbprint ? { thumbprint: written.thumbprint } : {}),
  };
}
