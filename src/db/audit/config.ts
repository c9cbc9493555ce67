import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { dbContextFields } from '../../config/db-context-schema.ts';
import { toConfigIssues } from '../../config/issues.ts';
import { ConfigError } from '../../core/errors.ts';
import { FAIL_LEVELS } from '../../core/verdict.ts';

/** A `tenancy-audit db` config file (JSON or YAML). Command-line flags override it. */
export const dbConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  system: z.string().min(1).optional().describe('System name on the report cover.'),
  environment: z.string().min(1).optional(),
  databaseUrl: z.string().min(1).optional().describe('URL as the application role, or env:NAME to read it from a variable.'),
  migrations: z.string().min(1).optional().describe('Folder of *.sql migrations (relative to this file) to build a disposable database from.'),
  appRole: z.string().min(1).optional(),
  ...dbContextFields,
  tenantColumn: z.string().min(1).optional(),
  tables: z.array(z.string().min(1)).min(1).optional().describe('Tenant tables listed explicitly (schema.table).'),
  tenants: z.array(z.string().min(1)).min(1).optional().describe('Tenant values with rows to protect (a user database).'),
  seed: z.number().int().optional(),
  runs: z.number().int().positive().optional(),
  failOn: z.enum([...FAIL_LEVELS, 'never']).optional(),
  reportDir: z.string().min(1).optional(),
});

export type DbConfig = z.output<typeof dbConfigSchema>;

/** Reads and validates a db config file; relative folders are resolved against the file's folder. */
export async function loadDbConfig(file: string): Promise<DbConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError([{ path: '', message: `cannot read the config file: ${(cause as Error).message}` }], file);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text, { uniqueKeys: true });
  } catch (cause) {
    throw new ConfigError([{ path: '', message: `invalid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(cause as Error).message.split('\n')[0]}` }], file);
  }
  const parsed = dbConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error, raw, dbConfigSchema), file);
  const dir = path.dirname(path.resolve(file));
  const config = { ...parsed.data };
  if (config.migrations) config.migrations = path.resolve(dir, config.migrations);
  if (config.reportDir) config.reportDir = path.resolve(dir, config.reportDir);
  return config;
}
