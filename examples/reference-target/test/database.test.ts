// fail-closed data layer: RLS enabled and forced on every tenant table, policies for every command
// without missing_ok, a least-privileged app role, and a hard error for a query without tenant context.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../../../src/db/provision.ts';
import { TenantDal } from '../src/dal.ts';
import { errorResponse } from '../src/server.ts';
import { bugsFor, migrate, MissingTenantContextError, startReferenceTarget, type RunningTarget } from '../src/index.ts';
import type { SystemDb } from '../src/system-db.ts';
import { runWithContext } from '../src/tenant-context.ts';
import { as, createProject, freshDatabase, startTarget, stopAll, tokensFor } from './support.ts';

const TENANT_TABLES = ['callback_deliveries', 'documents', 'idempotency_keys', 'jobs', 'projects'];
const MIGRATIONS = ['001_roles.sql', '002_schema.sql', '003_row_level_security.sql', '004_grants.sql', '005_seed_tenants.sql'];

let target: RunningTarget;
let notForced: RunningTarget;
let concurrentDbs: string[];

beforeAll(async () => {
  // Several databases on one server migrated at once race on the cluster-wide roles.
  concurrentDbs = await Promise.all([1, 2, 3].map(() => freshDatabase()));
  await Promise.all(concurrentDbs.map((url) => migrate(url)));
  target = await startTarget('fail-closed');
  notForced = await startTarget('rls-not-forced');
  const tokens = await tokensFor(target);
  await createProject(target, tokens.acme, 'acme-db-row');
  await createProject(target, tokens.globex, 'globex-db-row');
});
afterAll(stopAll);

const admin = <T>(url: string, fn: (c: pg.Client) => Promise<T>) => withClient(url, fn);

describe('schema and migrations', () => {
  it('records every migration, and re-running applies nothing', async () => {
    const names = await admin(target.databaseUrl, async (c) => (await c.query('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name));
    expect(names).toEqual(MIGRATIONS);
    expect(await migrate(target.databaseUrl)).toEqual([]);
  });

  it('migrated three databases concurrently', async () => {
    for (const url of concurrentDbs) {
      const n = await admin(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0].n);
      expect(n).toBe(MIGRATIONS.length);
    }
  });

  it('seeds acme, globex, initech in that order', async () => {
    const ids = await admin(target.databaseUrl, async (c) => (await c.query('SELECT id FROM tenants ORDER BY created_at')).rows.map((r) => r.id));
    expect(ids).toEqual(['acme', 'globex', 'initech']);
  });
});

describe('row-level security', () => {
  it('is enabled and forced on every table with a tenant_id', async () => {
    const rows = await admin(target.databaseUrl, async (c) =>
      (
        await c.query(`SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = 'public' AND c.relkind = 'r'
                         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
                       ORDER BY c.relname`)
      ).rows,
    );
    expect(rows.map((r) => r.relname)).toEqual(TENANT_TABLES);
    for (const r of rows) expect(r, r.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
  });

  it('has a policy per command keyed on app.tenant_id without missing_ok', async () => {
    const policies = await admin(target.databaseUrl, async (c) => (await c.query("SELECT tablename, cmd, qual, with_check FROM pg_policies WHERE schemaname = 'public'")).rows);
    for (const table of TENANT_TABLES) {
      const mine = policies.filter((p) => p.tablename === table);
      expect(mine.map((p) => p.cmd).sort(), table).toEqual(['DELETE', 'INSERT', 'SELECT', 'UPDATE']);
      for (const p of mine) {
        for (const expr of [p.qual, p.with_check].filter(Boolean)) {
          expect(expr).toContain("current_setting('app.tenant_id'::text)");
          expect(expr).not.toMatch(/current_setting\('app\.tenant_id'::text,\s*true\)/);
        }
      }
    }
  });

  it('the app role is not superuser, not BYPASSRLS and owns no table; the worker role cannot read content', async () => {
    const facts = await admin(target.databaseUrl, async (c) => ({
      roles: (await c.query("SELECT rolname, rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname IN ('reference_app', 'reference_worker') ORDER BY rolname")).rows,
      owned: (await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner IN ('reference_app', 'reference_worker')")).rows,
      workerReads: (
        await c.query(`SELECT t, has_table_privilege('reference_worker', t, 'SELECT') AS can FROM unnest(ARRAY['projects', 'documents', 'idempotency_keys', 'callback_deliveries']) AS t`)
      ).rows,
    }));
    expect(facts.roles).toEqual([
      { rolname: 'reference_app', rolsuper: false, rolbypassrls: false, rolcanlogin: true },
      { rolname: 'reference_worker', rolsuper: false, rolbypassrls: true, rolcanlogin: true },
    ]);
    expect(facts.owned).toEqual([]);
    expect(facts.workerReads.every((r) => r.can === false)).toBe(true);
    expect(new URL(target.appDatabaseUrl).username).toBe('reference_app');
  });

  it('as the app role: a query without the tenant setting errors', async () => {
    for (const sql of ['SELECT * FROM projects', 'SELECT * FROM documents', "INSERT INTO projects (tenant_id, name) VALUES ('acme', 'x')"]) {
      await expect(withClient(target.appDatabaseUrl, (c) => c.query(sql)), sql).rejects.toThrow(/app\.tenant_id/);
    }
  });

  it('as the app role with tenant acme: only acme rows are visible or writable', async () => {
    await withClient(target.appDatabaseUrl, async (c) => {
      await c.query('BEGIN');
      await c.query("SELECT set_config('app.tenant_id', 'acme', true)");
      const names = (await c.query('SELECT name, tenant_id FROM projects')).rows;
      expect(names.length).toBeGreaterThan(0);
      expect(names.every((r) => r.tenant_id === 'acme')).toBe(true);
      expect((await c.query("UPDATE projects SET name = 'pwned' WHERE tenant_id = 'globex'")).rowCount).toBe(0);
      expect((await c.query("DELETE FROM projects WHERE tenant_id = 'globex'")).rowCount).toBe(0);
      await expect(c.query("INSERT INTO projects (tenant_id, name) VALUES ('globex', 'planted')")).rejects.toThrow(/row-level security/);
      await c.query('ROLLBACK');
    });
    const globexRows = await admin(target.databaseUrl, async (c) => (await c.query("SELECT name FROM projects WHERE tenant_id = 'globex'")).rows);
    expect(globexRows.map((r) => r.name)).toEqual(['globex-db-row']);
  });
});

describe('rls-not-forced database (seeded bug, for contrast)', () => {
  it('leaves RLS enabled but not forced, and the service connects as the table owner', async () => {
    const facts = await admin(notForced.databaseUrl, async (c) => ({
      tables: (await c.query('SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY($1)', [TENANT_TABLES])).rows,
      owner: (await c.query("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")).rows.map((r) => r.tableowner),
    }));
    expect(facts.tables.map((t) => t.relname).sort()).toEqual([...TENANT_TABLES].sort());
    for (const t of facts.tables) expect(t, t.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: false });
    expect(facts.owner).toEqual([decodeURIComponent(new URL(notForced.appDatabaseUrl).username)]);
    const rows = await withClient(notForced.appDatabaseUrl, (c) => c.query('SELECT * FROM projects'));
    expect(rows.rowCount).toBe(0); // no error without the setting: RLS does not apply to this role
  });
});

describe('tenant context in the data layer', () => {
  it('throws MissingTenantContextError before any query, logged with stack and request id', async () => {
    const lines: string[] = [];
    const pool = { connect: () => Promise.reject(new Error('a query was attempted')), query: () => Promise.reject(new Error('a query was attempted')) };
    const dal = new TenantDal({ pool: pool as unknown as pg.Pool, system: {} as SystemDb, bugs: bugsFor('fail-closed'), log: (l) => lines.push(l) });

    await expect(dal.listProjects()).rejects.toBeInstanceOf(MissingTenantContextError);
    await expect(runWithContext({ requestId: 'req-123', tenantId: undefined }, () => dal.getDocument('x'))).rejects.toMatchObject({
      name: 'MissingTenantContextError',
      requestId: 'req-123',
    });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('request_id=req-123');
    expect(lines[1]).toMatch(/MissingTenantContextError: no tenant in context for data access "documents.get"[\s\S]*\n\s+at /);
  });

  it('maps MissingTenantContextError to 401 at the HTTP layer', () => {
    const mapped = errorResponse(new MissingTenantContextError('x', 'r'), 'r', () => {});
    expect(mapped).toMatchObject({ status: 401, body: { error: { code: 'MISSING_TENANT_CONTEXT' } } });
  });
});

describe('startReferenceTarget without a database URL', () => {
  it('provisions its own database and disposes it on stop', async () => {
    const own = await startReferenceTarget();
    try {
      expect(own.mode).toBe('fail-closed');
      expect(own.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const token = await own.issuer.mint({ tenant_id: 'initech' });
      expect((await as(own, token).get('/projects')).status).toBe(200);
    } finally {
      await own.stop();
      await own.stop(); // idempotent
    }
    await expect(fetch(`${own.url}/healthz`)).rejects.toThrow();
    await expect(withClient(own.databaseUrl, (c) => c.query('SELECT 1'))).rejects.toThrow();
  });
});
