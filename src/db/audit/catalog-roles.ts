import type pg from 'pg';
import { TenancyAuditError } from '../../core/errors.ts';
import { readSection } from './catalog-section.ts';
import type { AuditedRole, CatalogGap, CatalogSnapshot, FunctionFacts, RoleFacts, SettingDefault, TableFacts, ViewFacts } from './types.ts';

/** The audited role's attributes and the SUPERUSER/BYPASSRLS roles it is a member of; an unknown role is a usage error. */
export async function readAuditedRole(client: pg.ClientBase, roleName: string, database: string): Promise<AuditedRole> {
  const roleRes = await client.query<{
    rolname: string;
    rolsuper: boolean;
    rolbypassrls: boolean;
    rolcanlogin: boolean;
    privileged: string[];
  }>(
    `SELECT r.rolname::text, r.rolsuper, r.rolbypassrls, r.rolcanlogin,
            ARRAY(SELECT p.rolname::text FROM pg_roles p
                  WHERE (p.rolsuper OR p.rolbypassrls) AND p.oid <> r.oid AND pg_has_role(r.oid, p.oid, 'MEMBER')
                  ORDER BY 1) AS privileged
       FROM pg_roles r WHERE r.rolname = $1`,
    [roleName],
  );
  const roleRow = roleRes.rows[0];
  if (!roleRow) {
    throw new TenancyAuditError('TA_USAGE', `role "${roleName}" does not exist in ${database}`, {
      hint: 'Pass --app-role with the role the application connects as.',
    });
  }
  return {
    name: roleRow.rolname,
    superuser: roleRow.rolsuper,
    bypassRls: roleRow.rolbypassrls,
    canLogin: roleRow.rolcanlogin,
    privilegedMemberships: roleRow.privileged,
  };
}

const SETTING_DEFAULTS_SQL = `SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole)::text END AS role,
              CASE WHEN s.setdatabase = 0 THEN NULL ELSE (SELECT datname::text FROM pg_database WHERE oid = s.setdatabase) END AS database,
              cfg AS entry
         FROM pg_db_role_setting s, unnest(s.setconfig) cfg
        WHERE (s.setdatabase = 0 OR s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()))
          AND (s.setrole = 0 OR s.setrole = (SELECT oid FROM pg_roles WHERE rolname = $1))
          AND lower(split_part(cfg, '=', 1)) = lower($2)`;

/** Defaults of the tenant setting stored for the role and/or the current database (`ALTER ROLE … SET`); a gap if unreadable. */
export function readSettingDefaults(client: pg.ClientBase, gaps: CatalogGap[], roleName: string, tenantSetting: string): Promise<SettingDefault[]> {
  return readSection(client, gaps, 'settings', SETTING_DEFAULTS_SQL, [roleName, tenantSetting], (row: SettingDefault) => row);
}

/**
 * Owners of the tables, views and functions (their SUPERUSER/BYPASSRLS attributes), and which owners of views and
 * functions have the privileges of an owner of a tenant table.
 */
export async function readOwners(
  client: pg.ClientBase,
  tables: readonly TableFacts[],
  views: readonly ViewFacts[],
  functions: readonly FunctionFacts[],
): Promise<Pick<CatalogSnapshot, 'owners' | 'ownerInherits'>> {
  const tenantOwners = [...new Set(tables.filter((t) => t.tenant).map((t) => t.owner))];
  const executors = [...new Set([...views.map((v) => v.owner), ...functions.map((f) => f.owner)])];
  const ownerNames = [...new Set([...tables.map((t) => t.owner), ...executors])];
  const ownersRes = await client.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>(
    `SELECT rolname::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ANY($1::text[])`,
    [ownerNames],
  );
  const owners: Record<string, RoleFacts> = {};
  for (const o of ownersRes.rows) owners[o.rolname] = { name: o.rolname, superuser: o.rolsuper, bypassRls: o.rolbypassrls };
  const inheritsRes = await client.query<{ a: string; b: string }>(
    `SELECT x.rolname::text AS a, y.rolname::text AS b FROM pg_roles x, pg_roles y
      WHERE x.rolname = ANY($1::text[]) AND y.rolname = ANY($2::text[]) AND x.oid <> y.oid AND pg_has_role(x.oid, y.oid, 'USAGE')`,
    [executors, tenantOwners],
  );
  return { owners, ownerInherits: inheritsRes.rows.map((r) => [r.a, r.b]) };
}
