import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError, TenancyAuditError, type ConfigIssue } from '../core/errors.ts';
import { configSchema, type ParsedConfig, type UserConfig } from './schema.ts';
import { toConfigIssues } from './issues.ts';
import { importUserModule } from './user-module.ts';
import { crossCheck } from './cross-check.ts';
import { inlineWaiversFile } from './waivers-file.ts';
import { resolveSecrets, type ResolvedConfig } from './resolve.ts';

export const CONFIG_FILE_NAMES = [
  'tenancy-audit.config.ts',
  'tenancy-audit.config.mts',
  'tenancy-audit.config.js',
  'tenancy-audit.config.yaml',
  'tenancy-audit.config.yml',
  'tenancy-audit.config.json',
];

/** Identity function for typed TypeScript configs (`export default defineConfig({...})`). */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

/** Finds, parses, validates and resolves a config file. Throws `ConfigError` (exit 2) with path-exact issues. */
export async function loadConfig(file?: string, options: { env?: NodeJS.ProcessEnv } = {}): Promise<ResolvedConfig> {
  const found = file ? path.resolve(file) : await findConfigFile(process.cwd());
  const raw = await readConfigFile(found);
  return resolveConfig(raw, { file: found, env: options.env });
}

/** Validates an in-memory config (as a file would give it) and resolves its secrets. */
export async function resolveConfig(
  raw: unknown,
  options: { file?: string | undefined; dir?: string; env?: NodeJS.ProcessEnv | undefined } = {},
): Promise<ResolvedConfig> {
  const dir = options.dir ?? (options.file ? path.dirname(options.file) : process.cwd());
  const parsed = validateConfig(inlineWaiversFile(raw, dir), options.file);
  return resolveSecrets(parsed, { dir, env: options.env ?? process.env, file: options.file });
}

/**
 * Checks an in-memory config against the schema and the cross-field rules and returns it with defaults filled in,
 * secrets still unresolved. Throws `ConfigError` listing every issue; `file` only names the source in the message.
 */
export function validateConfig(raw: unknown, file?: string): ParsedConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([{ path: '', message: `expected a mapping at the top level, got ${describeTop(raw)}` }], file);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(toConfigIssues(result.error, raw, configSchema), file);
  const issues: ConfigIssue[] = crossCheck(result.data);
  if (issues.length > 0) throw new ConfigError(issues, file);
  return result.data;
}

async function findConfigFile(dir: string): Promise<string> {
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = path.join(dir, name);
    if (await fs.stat(candidate).then((s) => s.isFile(), () => false)) return candidate;
  }
  throw new TenancyAuditError('TA_CONFIG_NOT_FOUND', `no config file found in ${dir}`, {
    hint: `Pass --config FILE, or create one of: ${CONFIG_FILE_NAMES.join(', ')}; \`tenancy-audit init --openapi <file|url> --tenant a=env:A_TOKEN --tenant b=env:B_TOKEN\` writes a commented one from your API description.`,
  });
}

async function readConfigFile(file: string): Promise<unknown> {
  const ext = path.extname(file).toLowerCase();
  if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) return importConfigModule(file);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (cause) {
    throw new TenancyAuditError('TA_CONFIG_NOT_FOUND', `cannot read config file ${file}`, {
      hint: 'Check the --config path.',
      cause,
    });
  }
  if (text.includes('\u0000')) throw new ConfigError([{ path: '', message: 'the file is binary, not YAML or JSON' }], file);
  if (text.trim() === '') throw new ConfigError([{ path: '', message: 'the file is empty' }], file);
  return ext === '.json' ? parseJson(text, file) : parseYaml(text, file);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ path: '', message: `invalid JSON: ${(error as Error).message}` }], file);
  }
}

function parseYaml(text: string, file: string): unknown {
  const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0];
    const where = line ? ` at line ${line.line}, column ${line.col}` : '';
    throw new ConfigError([{ path: '', message: `invalid YAML${where}: ${problem.message.split('\n')[0]}` }], file);
  }
  try {
    // A small alias budget stops "billion laughs" expansion.
    return doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    throw new ConfigError([{ path: '', message: `invalid YAML: ${(error as Error).message}` }], file);
  }
}

async function importConfigModule(file: string): Promise<unknown> {
  try {
    const mod = await importUserModule(file);
    return mod.default;
  } catch (cause) {
    throw new ConfigError([{ path: '', message: `cannot load ${path.basename(file)}: ${(cause as Error).message}` }], file);
  }
}

function describeTop(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  return Array.isArray(value) ? 'a list' : typeof value;
}
