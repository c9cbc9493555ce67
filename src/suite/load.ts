import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importUserModule } from '../config/user-module.ts';
import { z } from 'zod';
import { TenancyAuditError } from '../core/errors.ts';
import { FAMILIES, PATHS, SEVERITIES } from '../core/types.ts';
import type { SuiteDefinitionBase } from './define.ts';

export const BUILTIN_SUITES_DIR = fileURLToPath(new URL('../../suites/', import.meta.url));

const metaSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/, 'lower-case words joined by "." or "-"'),
  title: z.string().min(3).max(150),
  description: z.string().min(10),
  families: z.array(z.enum(FAMILIES)).min(1),
  paths: z.array(z.enum(PATHS)).min(1),
  severity: z.enum(SEVERITIES),
  controls: z.object({ soc2: z.array(z.string()), iso27001: z.array(z.string()) }),
  remediation: z.string().min(10),
  target: z.enum(['http', 'db']),
});

export interface LoadedSuite {
  suite: SuiteDefinitionBase;
  file: string;
}

/** Loads every suite file (one `defineSuite` default export per file, id = file name) from the folders given. */
export async function loadSuites(dirs: readonly string[]): Promise<LoadedSuite[]> {
  const loaded: LoadedSuite[] = [];
  for (const dir of dirs) {
    const entries = await fs.readdir(dir).catch(() => {
      throw new TenancyAuditError('TA_SUITE_INVALID', `suite folder ${dir} cannot be read`, { hint: 'Check suites.dirs in the config.' });
    });
    for (const name of entries.sort()) {
      if (!/\.(ts|mts|cts|js|mjs|cjs)$/.test(name) || /\.(test|spec|d)\.[mc]?[tj]s$/.test(name)) continue;
      const file = path.join(dir, name);
      const suite = await importSuite(file);
      const clash = loaded.find((l) => l.suite.id === suite.id);
      if (clash) {
        throw new TenancyAuditError('TA_SUITE_INVALID', `suite id "${suite.id}" is defined twice: ${clash.file} and ${file}`, {
          hint: 'Rename one of the suites (the id must equal the file name).',
        });
      }
      loaded.push({ suite, file });
    }
  }
  return loaded;
}

async function importSuite(file: string): Promise<SuiteDefinitionBase> {
  let mod: { default?: unknown };
  try {
    mod = await importUserModule(file);
  } catch (cause) {
    const message = (cause as Error).message;
    // A suite folder outside a project that has the package installed cannot resolve its own imports of it.
    const unresolved = /Cannot find (module|package) '?tenancy-audit/.test(message);
    throw new TenancyAuditError('TA_SUITE_INVALID', `suite file ${file} failed to load: ${message}`, {
      cause,
      ...(unresolved ? { hint: 'Install tenancy-audit in the project that holds this suite (npm install --save-dev tenancy-audit), so its imports of tenancy-audit/suite resolve.' } : {}),
    });
  }
  const parsed = metaSchema.safeParse(mod.default);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new TenancyAuditError('TA_SUITE_INVALID', `suite file ${file}: ${first.path.join('.') || 'default export'}: ${first.message}`, {
      hint: 'A suite file must `export default defineSuite({ id, title, description, families, paths, severity, controls, remediation, target, ... })`.',
    });
  }
  const expected = path.basename(file).replace(/\.[mc]?[tj]s$/, '');
  if (parsed.data.id !== expected) {
    throw new TenancyAuditError('TA_SUITE_INVALID', `suite file ${file} declares id "${parsed.data.id}" but its file name says "${expected}"`, {
      hint: 'Rename the file or the id so they match.',
    });
  }
  return mod.default as SuiteDefinitionBase;
}

/** Keeps the suites named by `--suite` (ids or prefixes like `identity`), then applies include/exclude. */
export function selectSuites<T extends { suite: { id: string } }>(
  suites: readonly T[],
  wanted: { only?: readonly string[]; include?: readonly string[]; exclude?: readonly string[] },
): T[] {
  const matches = (id: string, patterns: readonly string[]) => patterns.some((p) => id === p || id.startsWith(`${p}.`));
  const only = wanted.only?.length ? wanted.only : wanted.include?.length ? wanted.include : undefined;
  if (wanted.only?.length) {
    const unknown = wanted.only.filter((p) => !suites.some((s) => matches(s.suite.id, [p])));
    if (unknown.length > 0) {
      throw new TenancyAuditError('TA_USAGE', `unknown suite ${unknown.map((u) => `"${u}"`).join(', ')}`, {
        hint: `Known suites: ${suites.map((s) => s.suite.id).join(', ')} (see \`tenancy-audit suites\`).`,
      });
    }
  }
  return suites.filter((s) => (!only || matches(s.suite.id, only)) && !matches(s.suite.id, wanted.exclude ?? []));
}
