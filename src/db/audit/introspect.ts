import type pg from 'pg';
import { ConfigError, TenancyAuditError } from '../../core/errors.ts';
import type {
  AuditedRole,
  CatalogGap,
  CatalogSnapshot,
  ColumnFacts,
  ForeignKeyFacts,
  FunctionFacts,
  PolicyCommand,
  PolicyFacts,
  RoleFacts,
  SettingDefault,
  TableFacts,
  ViewFacts,
} from './types.ts';

export interface IntrospectOptions {
  /** Role to audit; default `current_user` of the connection. */
  role?: string | undefined;
  tenantSetting: string;
  /** Default `tenant_id`. */
  tenantColumn?: string | undefined;
  /** Tenant tables listed explicitly (`schema.table` or `table`) instead of detecting them by the tenant column. */
  tables?: readonly string[] | undefined;
}

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;
const QUALIFIED = (ns: string, rel: string) => `quote_ident(${ns}) || '.' || quote_ident(${rel})`;

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
  const roleName = options.role ?? info.current_user;

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
    throw new TenancyAuditError('TA_USAGE', `role "${roleName}" does not exist in ${info.db}`, {
      hint: 'Pass --app-role with the role the application connects as.',
    });
  }
  const role: AuditedRole = {
    name: roleRow.rolname,
    superuser: roleRow.rolsuper,
    bypassRls: roleRow.rolbypassrls,
    canLogin: roleRow.rolcanlogin,
    privilegedMemberships: roleRow.privileged,
  };

  const tableRes = await client.query<{
    oid: string;
    schema: string;
    name: string;
    qualified: string;
    relkind: string;
    relispartition: boolean;
    owner: string;
    relrowsecurity: boolean;
    relforcerowsecurity: boolean;
    role_owns: boolean;
    sel: boolean;
    ins: boolean;
    upd: boolean;
    del: boolean;
  }>(
    `SELECT c.oid::int8::text AS oid, n.nspname::text AS schema, c.relname::text AS name,
            ${QUALIFIED('n.nspname', 'c.relname')} AS qualified, c.relkind::text AS relkind, c.relispartition,
            pg_get_userbyid(c.relowner)::text AS owner, c.relrowsecurity, c.relforcerowsecurity,
            pg_has_role($1::name, c.relowner, 'USAGE') AS role_owns,
            has_schema_privilege($1::name, n.oid, 'USAGE') AND has_any_column_privilege($1::name, c.oid, 'SELECT') AS sel,
            has_schema_privilege($1::name, n.oid, 'USAGE') AND has_any_column_privilege($1::name, c.oid, 'INSERT') AS ins,
            has_schema_privilege($1::name, n.oid, 'USAGE') AND has_any_column_privilege($1::name, c.oid, 'UPDATE') AS upd,
            has_schema_privilege($1::name, n.oid, 'USAGE') AND has_table_privilege($1::name, c.oid, 'DELETE') AS del
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND ${USER_SCHEMAS}
      ORDER BY 4`,
    [role.name],
  );
  const oids = tableRes.rows.map((r) => r.oid);

  const columnRes = await client.query<{
    rel: string;
    name: string;
    type: string;
    base_type: string;
    category: string;
    notnull: boolean;
    default_expr: string | null;
    identity: string;
    generated: string;
    typmod: number;
    enum_labels: string[] | null;
  }>(
    `SELECT a.attrelid::int8::text AS rel, a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
            bt.typname::text AS base_type, bt.typcategory::text AS category, a.attnotnull AS notnull,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity::text AS identity,
            a.attgenerated::text AS generated,
            CASE WHEN a.atttypmod > 0 THEN a.atttypmod ELSE t.typtypmod END AS typmod,
            CASE WHEN bt.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder) END AS enum_labels
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`,
    [oids],
  );

  const fkRes = await client.query<{ rel: string; name: string; ref: string; cols: string[]; refcols: string[] }>(
    `SELECT con.conrelid::int8::text AS rel, con.conname::text AS name,
            (SELECT ${QUALIFIED('rn.nspname', 'rc.relname')} FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = con.confrelid) AS ref,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS cols,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i) AS refcols
       FROM pg_constraint con WHERE con.contype = 'f' AND con.conrelid = ANY($1::oid[])
      ORDER BY 1, 2`,
    [oids],
  );

  const uniqueRes = await client.query<{ rel: string; cols: string[]; has_expr: boolean }>(
    `SELECT i.indrelid::int8::text AS rel, 0 = ANY(i.indkey::int2[]) AS has_expr,
            ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o) AS cols
       FROM pg_index i WHERE i.indisunique AND i.indrelid = ANY($1::oid[])`,
    [oids],
  );

  const explicit = options.tables?.map((t) => t.trim()).filter((t) => t !== '');
  const tables: TableFacts[] = tableRes.rows.map((r) => {
    const columns: ColumnFacts[] = columnRes.rows
      .filter((c) => c.rel === r.oid)
      .map((c) => ({
        name: c.name,
        type: c.type,
        baseType: c.base_type,
        category: c.category,
        notNull: c.notnull,
        default: c.default_expr,
        identity: c.identity === 'a' || c.identity === 'd' ? c.identity : '',
        generated: c.generated !== '',
        maxLength: ['varchar', 'bpchar'].includes(c.base_type) && c.typmod > 4 ? c.typmod - 4 : null,
        enumLabels: c.enum_labels,
      }));
    const foreignKeys: ForeignKeyFacts[] = fkRes.rows
      .filter((f) => f.rel === r.oid)
      .map((f) => ({ name: f.name, columns: f.cols, references: f.ref, referencedColumns: f.refcols }));
    const hasTenantColumn = columns.some((c) => c.name === tenantColumn);
    return {
      oid: Number(r.oid),
      schema: r.schema,
      name: r.name,
      qualified: r.qualified,
      kind: r.relkind === 'p' ? 'partitioned' : 'table',
      partition: r.relispartition,
      owner: r.owner,
      rlsEnabled: r.relrowsecurity,
      rlsForced: r.relforcerowsecurity,
      tenant: explicit ? false : hasTenantColumn,
      tenantColumn: hasTenantColumn ? tenantColumn : null,
      roleOwns: r.role_owns,
      privileges: { SELECT: r.sel, INSERT: r.ins, UPDATE: r.upd, DELETE: r.del },
      columns,
      foreignKeys,
      uniqueKeys: uniqueRes.rows.filter((u) => u.rel === r.oid && !u.has_expr).map((u) => u.cols),
    };
  });
  if (explicit) markExplicitTables(tables, explicit);

  const policies = await section(gaps, 'policies', [] as PolicyFacts[], async () => {
    const res = await client.query<{
      table: string;
      name: string;
      cmd: string;
      permissive: boolean;
      roles: string[];
      applies: boolean;
      qual: string | null;
      with_check: string | null;
    }>(
      `SELECT ${QUALIFIED('n.nspname', 'c.relname')} AS table, pol.polname::text AS name, pol.polcmd::text AS cmd,
              pol.polpermissive AS permissive,
              ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END FROM unnest(pol.polroles) r) AS roles,
              (0 = ANY(pol.polroles) OR EXISTS (SELECT 1 FROM unnest(pol.polroles) r WHERE r <> 0 AND pg_has_role($1::name, r, 'USAGE'))) AS applies,
              pg_get_expr(pol.polqual, pol.polrelid) AS qual, pg_get_expr(pol.polwithcheck, pol.polrelid) AS with_check
         FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        ORDER BY 1, 2`,
      [role.name],
    );
    return res.rows.map((p) => ({
      table: p.table,
      name: p.name,
      command: POLICY_COMMANDS[p.cmd] ?? 'ALL',
      permissive: p.permissive,
      roles: p.roles,
      appliesToRole: p.applies,
      using: p.qual,
      withCheck: p.with_check,
    }));
  });

  const views = await section(gaps, 'views', [] as ViewFacts[], async () => {
    const res = await client.query<{
      oid: string;
      qualified: string;
      relkind: string;
      owner: string;
      reloptions: string[] | null;
      readable: boolean;
      refs: string[];
      columns: string[];
    }>(
      `SELECT c.oid::int8::text AS oid, ${QUALIFIED('n.nspname', 'c.relname')} AS qualified, c.relkind::text AS relkind,
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
        ORDER BY 2`,
      [role.name],
    );
    return res.rows.map((v) => ({
      oid: Number(v.oid),
      qualified: v.qualified,
      kind: v.relkind === 'm' ? 'matview' : 'view',
      owner: v.owner,
      securityInvoker: relOptionTrue(v.reloptions, 'security_invoker'),
      readable: v.readable,
      references: v.refs,
      columns: v.columns,
    }));
  });

  const functions = await section(gaps, 'functions', [] as FunctionFacts[], async () => {
    const res = await client.query<{
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
    }>(
      `SELECT p.oid::int8::text AS oid, ${QUALIFIED('n.nspname', 'p.proname')} AS qualified, ${QUALIFIED('n.nspname', 'p.proname')} || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS signature,
              p.prokind::text AS prokind, p.prosecdef AS secdef, pg_get_userbyid(p.proowner)::text AS owner,
              has_schema_privilege($1::name, n.oid, 'USAGE') AND has_function_privilege($1::name, p.oid, 'EXECUTE') AS executable,
              p.provolatile::text AS volatility, p.proretset AS retset, format_type(p.prorettype, NULL) AS rettype,
              coalesce(p.proargmodes && ARRAY['o', 't', 'b']::"char"[], false) AS has_out,
              p.pronargs::int AS nargs, p.pronargdefaults::int AS ndefaults, l.lanname::text AS language,
              pg_get_functiondef(p.oid) AS def
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
        WHERE p.prokind IN ('f', 'p') AND ${USER_SCHEMAS} AND l.lanname NOT IN ('c', 'internal')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
        ORDER BY 3`,
      [role.name],
    );
    return res.rows.map((f) => ({
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
  });

  const settingDefaults = await section(gaps, 'settings', [] as SettingDefault[], async () => {
    const res = await client.query<{ role: string | null; database: string | null; entry: string }>(
      `SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole)::text END AS role,
              CASE WHEN s.setdatabase = 0 THEN NULL ELSE (SELECT datname::text FROM pg_database WHERE oid = s.setdatabase) END AS database,
              cfg AS entry
         FROM pg_db_role_setting s, unnest(s.setconfig) cfg
        WHERE (s.setdatabase = 0 OR s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()))
          AND (s.setrole = 0 OR s.setrole = (SELECT oid FROM pg_roles WHERE rolname = $1))
          AND lower(split_part(cfg, '=', 1)) = lower($2)`,
      [role.name, options.tenantSetting],
    );
    return res.rows;
  });

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

  return {
    serverVersion: info.version,
    serverVersionNum: Number(info.num),
    database: info.db,
    sessionUser: info.session_user,
    role,
    tenantSetting: options.tenantSetting,
    tenantColumn,
    tables,
    policies,
    views,
    functions,
    settingDefaults,
    owners,
    ownerInherits: inheritsRes.rows.map((r) => [r.a, r.b]),
    gaps,
    collectedAt,
    durationMs: Date.now() - started,
  };
}

const POLICY_COMMANDS: Record<string, PolicyCommand> = { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };

function relOptionTrue(options: string[] | null, name: string): boolean {
  const entry = options?.find((o) => o.toLowerCase().startsWith(`${name}=`));
  if (!entry) return false;
  return ['true', 'on', 'yes', '1', 't', 'y'].includes(entry.slice(name.length + 1).toLowerCase());
}

/** Runs one catalog section; a PostgreSQL error becomes a gap (the connection itself failing still throws). */
async function section<T>(gaps: CatalogGap[], name: CatalogGap['section'], fallback: T, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || code.startsWith('08')) throw error;
    gaps.push({ section: name, message: `${code}: ${(error as Error).message}` });
    return fallback;
  }
}

/** Marks the listed tables (`schema.table`, or `table` when unique) as tenant tables; an unknown name is a usage error. */
function markExplicitTables(tables: TableFacts[], names: readonly string[]): void {
  const issues = [];
  for (const [i, raw] of names.entries()) {
    const name = raw.replaceAll('"', '');
    const matches = tables.filter((t) => (name.includes('.') ? `${t.schema}.${t.name}` === name : t.name === name));
    if (matches.length === 1) matches[0]!.tenant = true;
    else
      issues.push({
        path: `tables[${i}]`,
        message:
          matches.length === 0
            ? `no table "${raw}" in the database`
            : `"${raw}" is ambiguous (${matches.map((m) => m.qualified).join(', ')}); qualify it with its schema`,
        received: raw,
      });
  }
  if (issues.length > 0) throw new ConfigError(issues);
}
