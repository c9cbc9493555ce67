import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RENDERED_FILES } from './files.ts';
import { sha256Hex } from './hash.ts';

/** Beside `manifest.json`: the sha256 of every file rendered from the evidence (reports, exports, PDF). */
export const DELIVERED_FILE = 'delivered.json';

/**
 * What `renderReport` delivered from a run folder. It is a file of its own because the manifest is closed (and
 * signed) when the run ends, while reports are rendered after it and may be rendered again; it names the
 * evidence it was rendered from by head hash, so a report cannot be passed off as another run's.
 */
export interface DeliveredFiles {
  v: 1;
  runId: string;
  headHash: string;
  evidenceSha256: string;
  renderedAt: string;
  /** File name (in the run folder) → sha256 and size of its bytes. */
  files: Record<string, { sha256: string; bytes: number }>;
}

/** Records the files just written (merged with those of an earlier render still listed and unchanged by this one). */
export async function writeDelivered(dir: string, facts: Omit<DeliveredFiles, 'v' | 'files' | 'renderedAt'>, names: readonly string[]): Promise<DeliveredFiles> {
  const previous = await readDelivered(dir);
  const files: DeliveredFiles['files'] = previous && previous.headHash === facts.headHash ? { ...previous.files } : {};
  for (const name of names) {
    const bytes = await readFile(join(dir, name));
    files[name] = { sha256: sha256Hex(bytes), bytes: bytes.length };
  }
  const delivered: DeliveredFiles = { v: 1, ...facts, renderedAt: new Date().toISOString(), files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) };
  await writeFile(join(dir, DELIVERED_FILE), `${JSON.stringify(delivered, null, 2)}\n`, 'utf8');
  return delivered;
}

export async function readDelivered(dir: string): Promise<DeliveredFiles | null> {
  try {
    return JSON.parse(await readFile(join(dir, DELIVERED_FILE), 'utf8')) as DeliveredFiles;
  } catch {
    return null;
  }
}

/** Problems with the delivered files of a run folder: each changed or missing file named; none when nothing was rendered. */
export async function checkDelivered(dir: string, headHash: string): Promise<{ problems: string[]; checked: string[] }> {
  const delivered = await readDelivered(dir);
  // A rendered file beside the evidence that delivered.json does not vouch for could say anything.
  const present = (await Promise.all(Object.values(RENDERED_FILES).map(async (name) => ((await isReadable(join(dir, name))) ? [name] : [])))).flat();
  const unlisted = present.filter((name) => !delivered?.files[name]);
  const problems: string[] = unlisted.map((name) => `${name} is not listed in ${DELIVERED_FILE}: it was not rendered from this evidence by tenancy-audit, or ${DELIVERED_FILE} was edited or removed`);
  if (!delivered) return { problems, checked: [] };
  if (delivered.headHash !== headHash) problems.push(`${DELIVERED_FILE} was rendered from another evidence chain (head ${delivered.headHash}, evidence head ${headHash})`);
  for (const [name, want] of Object.entries(delivered.files)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, name));
    } catch {
      problems.push(`${name} is missing (listed in ${DELIVERED_FILE})`);
      continue;
    }
    if (sha256Hex(bytes) !== want.sha256) problems.push(`${name} was changed after it was rendered (sha256 ${sha256Hex(bytes)}, delivered ${want.sha256})`);
  }
  return { problems, checked: Object.keys(delivered.files) };
}

async function isReadable(file: string): Promise<boolean> {
  return readFile(file).then(() => true, () => false);
}
