import { z } from 'zod';
import { dbContextFields } from './db-context-schema.ts';

/**
 * The `database:` section: the data layer audited in the same run as the HTTP target (one run folder, one
 * assessment). Each field is an option of the data-layer audit of the same name (`runDatabaseAudit`), so a new
 * db-audit option is one field here; `url` is the audit's `databaseUrl`.
 */
export const databaseSchema = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .optional()
      .describe('URL of the database as the application role: `env:NAME` or `file:PATH` (a literal URL is accepted for local databases). Exclusive with `migrations`.'),
    migrations: z.string().min(1).optional().describe('Folder of *.sql migrations (relative to the config) to build a disposable database from; needs `appRole`.'),
    appRole: z.string().min(1).optional().describe('Role to audit (required with `migrations`; SET ROLE when it differs from the URL role).'),
    ...dbContextFields,
    tenantColumn: z.string().min(1).optional().describe('Column that marks tenant tables (default `tenant_id`).'),
    tables: z.array(z.string().min(1)).min(1).optional().describe('Tenant tables listed explicitly (schema.table).'),
    tenants: z.array(z.string().min(1)).min(1).optional().describe('Tenant values with rows to protect (default: discovered).'),
    runs: z.number().int().positive().optional().describe('Generated probe plans (default 3).'),
    suites: z.array(z.string().min(1)).optional().describe('db suite ids or prefixes to run (default: every db suite).'),
    suiteDirs: z.array(z.string().min(1)).optional().describe('Folders (relative to the config) of your own `db` suites.'),
  })
  .describe('Audit the data layer (PostgreSQL RLS) in the same run, after the HTTP phases: one run folder, one assessment.');

export type DatabaseConfig = z.output<typeof databaseSchema>;

/** A URL with its password replaced by `***` (a reference such as `env:NAME` is returned as is). */
export function redactedDatabaseUrl(value: string): string {
  if (/^(env|file):/.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '[secret]';
  }
}
