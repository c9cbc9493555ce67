import type http from 'node:http';
import pg from 'pg';
import { provisionDatabase, type ProvisionedDatabase } from '../../../src/db/provision.ts';
import type { App } from './app.ts';
import { createAppState } from './app-state.ts';
import { createAuthenticator } from './auth.ts';
import { CallbackDispatcher } from './callbacks.ts';
import { TenantDal } from './dal.ts';
import { APP_PASSWORD, APP_ROLE, WORKER_PASSWORD, WORKER_ROLE, urlAs } from './db-urls.ts';
import { Router, type RouteSummary } from './http.ts';
import { loadTestIssuer, type TestIssuer } from './issuer.ts';
import { migrate } from './migrate.ts';
import { bugsFor, isMode, MODES, type Mode } from './modes.ts';
import { documentRoutes } from './routes/documents.ts';
import { generationRoutes } from './routes/generations.ts';
import { graphqlRoutes } from './routes/graphql.ts';
import { healthRoutes } from './routes/health.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { projectRoutes } from './routes/projects.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { createHttpServer } from './server.ts';
import { SystemDb } from './system-db.ts';
import { Worker } from './worker.ts';

export const PROVIDER_WEBHOOK_SECRET_ENV = 'REFERENCE_PROVIDER_SECRET';
export const DEFAULT_PROVIDER_SECRET = 'provider-secret-dev';

export interface StartOptions {
  mode?: Mode;
  /** Server/admin URL of a database to migrate into; default: a fresh one from provisionDatabase(). */
  databaseUrl?: string;
  /** Default: a free port. */
  port?: number;
  /** Attempt 1 of every job fails after reading its context; attempt 2 succeeds. Default false. */
  failFirstAttempt?: boolean;
  /** Default 50 ms. */
  workerPollMs?: number;
  /** Wait this long before each outbound callback (a slow provider; tests of late callbacks). Default 0. */
  callbackDelayMs?: number;
  /** Default: silent. */
  log?: (line: string) => void;
}

export interface RunningTarget {
  /** http://127.0.0.1:PORT */
  url: string;
  mode: Mode;
  /** Admin URL of its database (owner of the tables). */
  databaseUrl: string;
  /** The URL the service connects with: reference_app (the table owner in `rls-not-forced`). */
  appDatabaseUrl: string;
  issuer: TestIssuer;
  /** Every route the server serves (method, `:param` pattern, auth policy), from its router. */
  routes: readonly RouteSummary[];
  /** Stops server, worker, callbacks and pools, and disposes the database it provisioned itself. Idempotent. */
  stop(): Promise<void>;
}

export async function startReferenceTarget(options: StartOptions = {}): Promise<RunningTarget> {
  const mode = options.mode ?? 'fail-closed';
  if (!isMode(mode)) throw new TypeError(`unknown mode "${String(mode)}"; valid modes: ${MODES.join(', ')}`);
  const log = options.log ?? (() => {});
  const bugs = bugsFor(mode);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => {});
    cleanups.length = 0;
  };

  try {
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const provisioned: ProvisionedDatabase = await provisionDatabase({ log });
      cleanups.push(() => provisioned.dispose());
      databaseUrl = provisioned.url;
    }
    await migrate(databaseUrl, { mode, log });

    const appDatabaseUrl = bugs.rlsNotForced ? databaseUrl : urlAs(databaseUrl, APP_ROLE, APP_PASSWORD);
    // session-setting-leak: a single pooled connection makes the leaked session setting deterministic.
    const appPool = newPool(appDatabaseUrl, bugs.sessionSettingLeak ? 1 : 4, log);
    const systemPool = newPool(urlAs(databaseUrl, WORKER_ROLE, WORKER_PASSWORD), 2, log);
    cleanups.push(() => systemPool.end(), () => appPool.end());

    const tenantRows = await appPool.query<{ id: string }>('SELECT id FROM tenants ORDER BY created_at');
    const issuer = await loadTestIssuer();
    const state = createAppState();
    const system = new SystemDb(systemPool);
    const dal = new TenantDal({ pool: appPool, system, bugs, log });
    const knownTenants = new Set(tenantRows.rows.map((r) => r.id));
    const app: App = {
      mode,
      bugs,
      dal,
      system,
      state,
      log,
      knownTenants,
      publicJwk: issuer.publicJwk,
      authenticate: createAuthenticator({ bugs, publicJwk: issuer.publicJwk, knownTenants }),
      providerSecret: process.env[PROVIDER_WEBHOOK_SECRET_ENV] || DEFAULT_PROVIDER_SECRET,
    };

    const callbacks = new CallbackDispatcher({ dal, bugs, state, log, delayMs: options.callbackDelayMs ?? 0 });
    cleanups.push(() => callbacks.stop());
    const worker = new Worker({
      system,
      dal,
      callbacks,
      bugs,
      state,
      log,
      pollMs: options.workerPollMs ?? 50,
      failFirstAttempt: options.failFirstAttempt ?? false,
    });
    cleanups.push(() => worker.stop());

    const router = new Router().add(
      ...healthRoutes(app),
      ...openApiRoutes(),
      ...projectRoutes(app),
      ...documentRoutes(app),
      ...generationRoutes(app),
      ...webhookRoutes(app),
      ...graphqlRoutes(app),
    );
    const server = createHttpServer(app, router);
    const port = await listen(server, options.port ?? 0);
    cleanups.push(() => closeServer(server));
    worker.start();

    const url = `http://127.0.0.1:${port}`;
    log(`reference-target (${mode}) listening on ${url}`);
    let stopping: Promise<void> | undefined;
    return {
      url,
      mode,
      databaseUrl,
      appDatabaseUrl,
      issuer,
      routes: router.list(),
      stop: () => (stopping ??= cleanup()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function newPool(connectionString: string, max: number, log: (line: string) => void): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 10_000 });
  pool.on('error', (error) => log(`database pool: ${error.message}`));
  // pg-pool stops listening to a client as it ends it, and ending is not awaited by pool.end(): dropping the
  // database right after (stop()) can reach a client still closing, whose error must not crash the process.
  pool.on('connect', (client) => client.on('error', (error) => log(`database client: ${error.message}`)));
  return pool;
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
