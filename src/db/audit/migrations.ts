import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { ConfigError } from '../../core/errors.ts';

export interface AppliedMigrations {
  dir: string;
  files: string[];
}

/** `*.sql` files of `dir` in name order; a missing or empty folder is a configuration error. */
export async function migrationFiles(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (cause) {
    throw new ConfigError([{ path: 'migrations', message: `cannot read the migrations folder: ${(cause as Error).message}`, received: dir }]);
  }
  const files = entries.filter((f) => f.toLowerCase().endsWith('.sql')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) throw new ConfigError([{ path: 'migrations', message: 'the folder holds no *.sql file', received: dir }]);
  return files;
}

function lineOf(sql: string, position: unknown): number | null {
  const pos = Number(position);
  if (!Number.isFinite(pos) || pos <= 0) return null;
  return sql.slice(0, pos).split('\n').length;
}

/**
 * Runs each migration file, in name order, as one simple-protocol query on the admin connection of a disposable
 * database. A failing file is a configuration error naming the file, line and PostgreSQL message.
 */
export async function applyMigrations(admin: pg.ClientBase, dir: string): Promise<AppliedMigrations> {
  const files = await migrationFiles(dir);
  for (const file of files) {
    const sql = await fs.readFile(path.join(dir, file), 'utf8');
    try {
      await admin.query(sql);
    } catch (cause) {
      await admin.query('ROLLBACK').catch(() => {});
      const e = cause as { message?: string; code?: string; position?: unknown };
      const line = lineOf(sql, e.position);
      throw new ConfigError([
        {
          path: `migrations/${file}${line === null ? '' : `:${line}`}`,
          message: `migration failed: ${e.code ?? ''} ${e.message ?? String(cause)}`.trim(),
        },
      ]);
    }
  }
  return { dir, files };
}
