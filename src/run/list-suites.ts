import path from 'node:path';
import type { SuiteDefinitionBase } from '../suite/define.ts';
import { BUILTIN_SUITES_DIR, loadSuites } from '../suite/load.ts';

/** A suite as `tenancy-audit suites` lists it: metadata, and the file it came from. */
export interface ListedSuite {
  suite: SuiteDefinitionBase;
  file: string;
  builtIn: boolean;
}

/**
 * The built-in suites and those of the folders given (HTTP and data-layer alike), validated as a run loads them:
 * a duplicate id or a file whose id differs from its name is an error here too.
 */
export async function listSuites(dirs: readonly string[] = []): Promise<ListedSuite[]> {
  const loaded = await loadSuites([BUILTIN_SUITES_DIR, ...dirs.map((d) => path.resolve(d))]);
  return loaded.map(({ suite, file }) => ({ suite, file, builtIn: path.dirname(file) === path.resolve(BUILTIN_SUITES_DIR) }));
}
