import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TenancyAuditError } from '../core/errors.ts';

/** File names inside a run folder. */
export const EVIDENCE_FILE = 'evidence.jsonl';
export const MANIFEST_FILE = 'manifest.json';
/** The files `renderReport` writes into a run folder, by format; `delivered.json` lists their hashes. */
export const RENDERED_FILES = {
  html: 'report.html',
  md: 'report.md',
  junit: 'junit.xml',
  json: 'summary.json',
  sarif: 'report.sarif',
  oscal: 'assessment-results.oscal.json',
  pdf: 'report.pdf',
} as const;

/**
 * The run folder a path names: the path itself when it holds `evidence.jsonl`, else its only sub-folder that does
 * (`--report-dir reports/shard-1` writes `reports/shard-1/<run-id>/`). Several candidate run folders are a usage
 * error naming them; anything else is returned unchanged for the caller to report.
 */
export async function resolveRunFolder(dir: string): Promise<string> {
  if (await isFile(join(dir, EVIDENCE_FILE))) return dir;
  let entries: string[];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return dir;
  }
  const runs: string[] = [];
  for (const name of entries.sort()) if (await isFile(join(dir, name, EVIDENCE_FILE))) runs.push(join(dir, name));
  if (runs.length === 1) return runs[0] as string;
  if (runs.length > 1) {
    throw new TenancyAuditError('TA_USAGE', `${dir} holds ${runs.length} run folders (${runs.join(', ')}); pass one of them`, {
      hint: 'Each run writes its own <report-dir>/<run-id>/ folder.',
    });
  }
  return dir;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
