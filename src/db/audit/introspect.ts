import type pg from 'pg';
import { readPolicies } from './catalog-policies.ts';
import { readAuditedRole, readOwners, readSettingDefaults } from './catalog-roles.ts';
import { readTables } from './catalog-tables.ts';
import { readFunctions, readViews } from './catalog-views-functions.ts';
import type { CatalogGap, CatalogSnapshot } from './types.ts';

export interface IntrospectOptions {
  /** Role to audit; default `current_user` of the connection. */
  role?: string | undefined;
  tenantSetting: string;
  /** What a request without tenant context must get (default `error`). */
  missingContext?: 'error' | 'empty' | undefined;
  /** Default `tenant_id`. */
  tenantColumn?: string | undefined;
  /** Tenant tables listed explicitly (`schema.table` or `table`) instead of detecting them by the tenant column. */
  tables?: readonly string[] | undefined;
}

/**
 * Reads everything the catalog checks judge in one pass over `pg_catalog`, using only catalogs and
 * privilege functions any role may read. Sections that fail (e.g. permission denied on `pg_db_role_setting`)
 * are listed in `gaps` and make the checks that need them inconclusive.
 */
export async function introspectCatalog(client: pg.ClientBase, options: IntrospectOptions): Promise<CatalogSnapshot> {
  const started = Date.now();
  const collectedAt = new Date(started).toISOString();
  const tenantColumn = options.tenantColumn ?? 'tenant_id';
  const gaps: CatalogGap[] = [];

  const head = await client.query<{ version: string; num: string; db: string; session_user: string; current_user: string }>(
    `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num,
            current_database() AS db, session_user::text AS session_user, current_user::text AS current_user`,
  );
  const info = head.rows[0]!;
  const role = await readAuditedRole(client, options.role ?? info.current_user, info.db);
  const tables = await readTables(client, role.name, tenantColumn, options.tables);
  const policies = await readPolicies(client, gaps, role.name);
  const views = await readViews(client, gaps, role.name);
  const functions = await readFunctions(client, gaps, role.name);
  const settingDefaults = await readSettingDefaults(client, gaps, role.name, options.tenantSetting);
  const { owners, ownerInherits } = await readOwners(client, tables, views, functions);

  return {
    serverVersion: info.version,
    serverVersionNum: Number(info.num),
    database: info.db,
    sessionUser: info.session_user,
    role,
    tenantSetting: options.tenantSetting,
    ...(options.missingContext === 'empty' ? { missingContext: 'empty' as const } : {}),
    tenantColumn,
    tables,
    policies,
    views,
    functions,
    settingDefaults,
    owners,
    ownerInherits,
    gaps,
    collectedAt,
    durationMs: Date.now() - started,
  };
}
