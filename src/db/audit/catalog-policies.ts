import type pg from 'pg';
import { QUALIFIED, readSection } from './catalog-section.ts';
import type { CatalogGap, PolicyCommand, PolicyFacts } from './types.ts';

const POLICY_COMMANDS: Record<string, PolicyCommand> = { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };

interface PolicyRow {
  table: string;
  name: string;
  cmd: string;
  permissive: boolean;
  roles: string[];
  applies: boolean;
  qual: string | null;
  with_check: string | null;
}

const POLICIES_SQL = `SELECT ${QUALIFIED('n.nspname', 'c.relname')} AS table, pol.polname::text AS name, pol.polcmd::text AS cmd,
              pol.polpermissive AS permissive,
              ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END FROM unnest(pol.polroles) r) AS roles,
              (0 = ANY(pol.polroles) OR EXISTS (SELECT 1 FROM unnest(pol.polroles) r WHERE r <> 0 AND pg_has_role($1::name, r, 'USAGE'))) AS applies,
              pg_get_expr(pol.polqual, pol.polrelid) AS qual, pg_get_expr(pol.polwithcheck, pol.polrelid) AS with_check
         FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        ORDER BY 1, 2`;

/** Every row-level security policy, with whether it applies to the audited role; a gap if unreadable. */
export function readPolicies(client: pg.ClientBase, gaps: CatalogGap[], roleName: string): Promise<PolicyFacts[]> {
  return readSection(client, gaps, 'policies', POLICIES_SQL, [roleName], (p: PolicyRow): PolicyFacts => ({
    table: p.table,
    name: p.name,
    command: POLICY_COMMANDS[p.cmd] ?? 'ALL',
    permissive: p.permissive,
    roles: p.roles,
    appliesToRole: p.applies,
    using: p.qual,
    withCheck: p.with_check,
  }));
}
