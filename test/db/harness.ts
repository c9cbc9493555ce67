import crypto from 'node:crypto';
import { provisionDatabase, withClient, withDatabase, type ProvisionedDatabase } from '../../src/db/provision.ts';
import { FAIL_CLOSED, SEED_ROWS, fill } from './fixtures/schema.ts';

export const MACHINE_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

export type ServerKind = 'embedded' | 'pg15';

/** One PostgreSQL server per test file (embedded cluster or the machine's PG15) on which fixture databases are made. */
export interface FixtureServer {
  kind: ServerKind;
  provisioned: ProvisionedDatabase;
  /** Makes a database with the fail-closed schema plus `extraSql`, an audited login role, and (optionally) two tenants' rows. */
  fixture(extraSql?: string, options?: { seedRows?: boolean; base?: boolean }): Promise<FixtureDatabase>;
  close(): Promise<void>;
}

export interface FixtureDatabase {
  name: string;
  /** Admin (superuser) URL of the fixture database. */
  adminUrl: string;
  /** URL connecting as the audited role. */
  appUrl: string;
  app: string;
  suffix: string;
  drop(): Promise<void>;
}

export async function openServer(kind: ServerKind): Promise<FixtureServer> {
  const provisioned = kind === 'embedded' ? await provisionDatabase({ source: 'embedded' }) : await provisionDatabase({ databaseUrl: MACHINE_POSTGRES });
  const made: FixtureDatabase[] = [];
  return {
    kind,
    provisioned,
    async fixture(extraSql = '', options = {}) {
      const suffix = crypto.randomBytes(5).toString('hex');
      const name = `ta_fx_${suffix}`;
      const app = `ta_app_${suffix}`;
      await withClient(provisioned.url, (c) => c.query(`CREATE DATABASE ${name}`));
      const adminUrl = withDatabase(provisioned.url, name);
      await withClient(adminUrl, async (c) => {
        await c.query(`CREATE ROLE ${app} LOGIN PASSWORD 'app-pw'`);
        if (options.base !== false) await c.query(fill(FAIL_CLOSED, app, suffix));
        if (options.base !== false && options.seedRows !== false) await c.query(SEED_ROWS);
        if (extraSql) await c.query(fill(extraSql, app, suffix));
      });
      const url = new URL(adminUrl);
      url.username = app;
      url.password = 'app-pw';
      const db: FixtureDatabase = {
        name,
        adminUrl,
        appUrl: url.toString(),
        app,
        suffix,
        async drop() {
          await withClient(provisioned.url, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            const roles = await c.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname LIKE $1`, [`%\\_${suffix}`]);
            for (const r of roles.rows) await c.query(`DROP ROLE IF EXISTS "${r.rolname}"`).catch(() => {});
          });
        },
      };
      made.push(db);
      return db;
    },
    async close() {
      for (const db of made.splice(0)) await db.drop().catch(() => {});
      await provisioned.dispose();
    },
  };
}
