import { withClient } from '../../src/db/provision.ts';

/**
 * Everything an audit could change, read as the admin: every row of every table (ordered), sequence positions,
 * and the catalog rows that define tables, policies, views, functions, grants and the roles of the fixture.
 */
export async function databaseState(adminUrl: string, roleSuffix: string): Promise<Record<string, unknown>> {
  return withClient(adminUrl, async (c) => {
    const state: Record<string, unknown> = {};
    const tables = await c.query<{ q: string }>(
      `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS q FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1`,
    );
    for (const { q } of tables.rows) state[`rows ${q}`] = (await c.query(`SELECT to_jsonb(t)::text AS r FROM ${q} t ORDER BY 1`)).rows.map((r) => r.r);
    const sequences = await c.query<{ q: string }>(`SELECT quote_ident(sequence_schema) || '.' || quote_ident(sequence_name) AS q FROM information_schema.sequences ORDER BY 1`);
    for (const { q } of sequences.rows) state[`sequence ${q}`] = (await c.query(`SELECT last_value, is_called FROM ${q}`)).rows;
    const catalog: Record<string, string> = {
      pg_class: `SELECT c.relname, c.relkind, c.relowner::regrole::text, c.relrowsecurity, c.relforcerowsecurity, c.reloptions, c.relacl::text
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1, 2`,
      pg_policy: `SELECT polname, polrelid::regclass::text, polcmd, polpermissive, polroles::regrole[]::text, pg_get_expr(polqual, polrelid) AS q, pg_get_expr(polwithcheck, polrelid) AS w FROM pg_policy ORDER BY 1, 2`,
      pg_proc: `SELECT p.oid::regprocedure::text, p.prosecdef, p.proowner::regrole::text, p.proacl::text, md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1`,
      pg_roles: `SELECT rolname, rolsuper, rolbypassrls, rolcanlogin, rolconfig FROM pg_roles WHERE rolname LIKE '%\\_${roleSuffix}' ORDER BY 1`,
      pg_auth_members: `SELECT roleid::regrole::text, member::regrole::text FROM pg_auth_members WHERE member::regrole::text LIKE '%\\_${roleSuffix}' ORDER BY 1, 2`,
      pg_db_role_setting: `SELECT setrole::regrole::text, setconfig FROM pg_db_role_setting ORDER BY 1, 2`,
    };
    for (const [name, sql] of Object.entries(catalog)) state[name] = (await c.query(sql)).rows;
    return state;
  });
}
