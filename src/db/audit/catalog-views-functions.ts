import type pg from 'pg';
import { QUALIFIED, USER_SCHEMAS, readSection } from './catalog-section.ts';
import type { CatalogGap, FunctionFacts, ViewFacts } from './types.ts';

interface ViewRow {
  oid: string;
  qualified: string;
  relkind: string;
  owner: string;
  reloptions: string[] | null;
  readable: boolean;
  refs: string[];
  columns: string[];
}

const VIEWS_SQL = `SELECT c.oid::int8::text AS oid, ${QUALIFIED('n.nspname', 'c.relname')} AS qualified, c.relkind::text AS relkind,
              pg_get_userbyid(c.relowner)::text AS owner, c.reloptions::text[] AS reloptions,
              has_schema_privilege($1::name, n.oid, 'USAGE') AND has_table_privilege($1::name, c.oid, 'SELECT') AS readable,
              ARRAY(SELECT DISTINCT ${QUALIFIED('rn.nspname', 'rc.relname')}
                      FROM pg_rewrite rw
                      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid AND d.refclassid = 'pg_class'::regclass
                      JOIN pg_class rc ON rc.oid = d.refobjid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                     WHERE rw.ev_class = c.oid AND d.refobjid <> c.oid) AS refs,
              ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND ${USER_SCHEMAS}
        ORDER BY 2`;

/** User views and materialized views: owner, `security_invoker`, what they read and whether the role may read them; a gap if unreadable. */
export function readViews(client: pg.ClientBase, gaps: CatalogGap[], roleName: string): Promise<ViewFacts[]> {
  return readSection(client, gaps, 'views', VIEWS_SQL, [roleName], (v: ViewRow): ViewFacts => ({
    oid: Number(v.oid),
    qualified: v.qualified,
    kind: v.relkind === 'm' ? 'matview' : 'view',
    owner: v.owner,
    securityInvoker: relOptionTrue(v.reloptions, 'security_invoker'),
    readable: v.readable,
    references: v.refs,
    columns: v.columns,
  }));
}

interface FunctionRow {
  oid: string;
  qualified: string;
  signature: string;
  prokind: string;
  secdef: boolean;
  owner: string;
  executable: boolean;
  volatility: string;
  retset: boolean;
  rettype: string;
  has_out: boolean;
  nargs: number;
  ndefaults: number;
  language: string;
  def: string | null;
}

const FUNCTIONS_SQL = `SELECT p.oid::int8::text AS oid, ${QUALIFIED('n.nspname', 'p.proname')} AS qualified, ${QUALIFIED('n.nspname', 'p.proname')} || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS signature,
              p.prokind::text AS prokind, p.prosecdef AS secdef, pg_get_userbyid(p.proowner)::text AS owner,
              has_schema_privilege($1::name, n.oid, 'USAGE') AND has_function_privilege($1::name, p.oid, 'EXECUTE') AS executable,
              p.provolatile::text AS volatility, p.proretset AS retset, format_type(p.prorettype, NULL) AS rettype,
              coalesce(p.proargmodes && ARRAY['o', 't', 'b']::"char"[], false) AS has_out,
              p.pronargs::int AS nargs, p.pronargdefaults::int AS ndefaults, l.lanname::text AS language,
              pg_get_functiondef(p.oid) AS def
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
        WHERE p.prokind IN ('f', 'p') AND ${USER_SCHEMAS} AND l.lanname NOT IN ('c', 'internal')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
        ORDER BY 3`;

/**
 * User functions and procedures (not C/internal, not from extensions): SECURITY DEFINER, owner, whether the role may
 * execute them, their shape and definition; a gap if unreadable.
 */
export function readFunctions(client: pg.ClientBase, gaps: CatalogGap[], roleName: string): Promise<FunctionFacts[]> {
  return readSection(client, gaps, 'functions', FUNCTIONS_SQL, [roleName], (f: FunctionRow): FunctionFacts => ({
    oid: Number(f.oid),
    qualified: f.qualified,
    signature: f.signature,
    kind: f.prokind === 'p' ? 'procedure' : 'function',
    securityDefiner: f.secdef,
    owner: f.owner,
    executable: f.executable,
    volatility: f.volatility === 'i' ? 'immutable' : f.volatility === 's' ? 'stable' : 'volatile',
    returnsSet: f.retset,
    returnType: f.rettype,
    bareRecord: f.rettype === 'record' && !f.has_out,
    requiredArgs: f.nargs - f.ndefaults,
    language: f.language,
    definition: f.def,
  }));
}

function relOptionTrue(options: string[] | null, name: string): boolean {
  const entry = options?.find((o) => o.toLowerCase().startsWith(`${name}=`));
  if (!entry) return false;
  return ['true', 'on', 'yes', '1', 't', 'y'].includes(entry.slice(name.length + 1).toLowerCase());
}
