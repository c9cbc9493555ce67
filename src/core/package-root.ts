import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding tenancy-audit's own `package.json`, found by walking up from this module: the sources run
 * from `src/` (tests, tsx) and the build from `dist/src/` (the installed package), at different depths.
 */
export const PACKAGE_ROOT: string = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside the installed package (`reports/templates`, `package.json`, …). */
export function packagePath(...segments: string[]): string {
  return path.join(PACKAGE_ROOT, ...segments);
}

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'tenancy-audit') return dir;
    if (path.dirname(dir) === dir) throw new Error(`tenancy-audit: no package.json of tenancy-audit above ${from}`);
  }
}

/** This package's version, from its `package.json`. */
export const TOOL_VERSION: string = (JSON.parse(fs.readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
