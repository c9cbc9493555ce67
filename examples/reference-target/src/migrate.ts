import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { withClient } from '../../../src/db/provision.ts';
import type { Mode } from './modes.ts';

/** The fail-closed schema: what `tenancy-audit db --migrations` builds and audits. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
/** Per-mode SQL applied after the migrations, only for the seeded bugs that live in the database. */
export const MODE_SQL_DIR = fileURLToPath(new URL('../mode-sql/', import.meta.url));

// Concurrent migrations of several databases on one server race on cluster-wide roles.
const RETRYABLE = new Set(['23505', '42710']); // unique_violation, duplicate_object

export interface MigrateOptions {
  mode?: Mode;
  migrationsDir?: string;
  log?: (line: string) => void;
}

/** Applies pending migrations (then the mode's SQL, if any), each in its own transaction. Returns what it applied. */
export async function migrate(adminUrl: string, options: MigrateOptions = {}): Promise<string[]> {
  const log = options.log ?? (() => {});
  const dir = options.migrationsDir ?? MIGRATIONS_DIR;
  const files = (await fs.readdir(dir)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  const steps = files.map((file) => ({ name: file, path: `${dir}/${file}` }));
  if (options.mode && options.mode !== 'fail-closed') {
    const modeFile = `${MODE_SQL_DIR}/${options.mode}.sql`;
    if (await fs.stat(modeFile).then(() => true, () => false)) steps.push({ name: `mode/${options.mode}.sql`, path: modeFile });
  }
  return withClient(adminUrl, async (client) => {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const step of steps) {
      if (done.has(step.name)) continue;
      const sql = await fs.readFile(step.path, 'utf8');
      await applyWithRetry(client, step.name, sql);
      log(`migrate: applied ${step.name}`);
      applied.push(step.name);
    }
    return applied;
  });
}

async function applyWithRetry(client: pg.Client, name: string, sql: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query('BEGIN');
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      await client.query('COMMIT');
      return;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const code = (error as { code?: string }).code;
      if (attempt >= 2 || !code || !RETRYABLE.has(code)) {
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
  }
}
