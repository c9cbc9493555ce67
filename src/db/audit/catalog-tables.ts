import type pg from 'pg';
import { ConfigError } from '../../core/errors.ts';
import { QUALIFIED, USER_SCHEMAS } from './catalog-section.ts';
import type { ColumnFacts, ForeignKeyFacts, TableFacts } from './types.ts';

interface TableRow {
  oid: string;
  schema: string;
  name: string;
  qualified: string;
  relkind: string;
  relispartition: boolean;
  parent: string | null;
  owner: string;
  relrowsecurity: boolean;
  relforcerowsecurity: boolean;
  role_owns: boolean;
  sel: boolean;
  ins: boolean;
  upd: boolean;
  del: boolean;
}

interface ColumnRow {
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
  domain_checks: string[] | null;
}

/**
 * The user tables (plain and partitioned) with their RLS flags, the role's privileges on them, columns, foreign keys
 * and unique keys. A table is a tenant table when it has `tenantColumn`, or, when `explicitTables` is given, when listed there.
 */
export async function readTables(
  client: pg.ClientBase,
  roleName: string,
  tenantColumn: string,
  explicitTables: readonly string[] | undefined,
): Promise<TableFacts[]> {
  const tableRes = await client.query<TableRow>(
    `SELECT c.oid::int8::text AS oid, n.nspname::text AS schema, c.relname::text AS name,
            ${QUALIFIED('n.nspname', 'c.relname')} AS qualified, c.relkind::text AS relkind, c.relispartition,
            CASE WHEN c.relispartition THEN (SELECT ${QUALIFIED('pn.nspname', 'pc.relname')} FROM pg_class pc JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE pc.oid = pg_partition_root(c.oid)) END AS parent,
            pg_get_userbyid(c.relowner)::text AS owner, c.relrowsecurity, c.relforcerowsecurity,
            pg_has_role($1::name, c.relowner, 'USAGE') AS role_owns,
            has_schema_privilege($1::name, n.oid, 'USAGE') AND has_any_column_privilege($1::name, c.oid, 'SELECT') AS sel,
            has_schema_privilege($1::name, n.oid, 'USAGE') AND has_any_column_privilege($1::name, c.oid, 'INSERT') AS ins,
            has_schema_privilege($1::name, n.oid, 'USAGE') AND has_any_column_privilege($1::name, c.oid, 'UPDATE') AS upd,
            has_schema_privilege($1::name, n.oid, 'USAGE') AND has_table_privilege($1::name, c.oid, 'DELETE') AS del
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND ${USER_SCHEMAS}
      ORDER BY 4`,
    [roleName],
  );
  const oids = tableRes.rows.map((r) => r.oid);

  const columnRes = await client.query<ColumnRow>(
    `SELECT a.attrelid::int8::text AS rel, a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
            bt.typname::text AS base_type, bt.typcategory::text AS category, a.attnotnull AS notnull,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity::text AS identity,
            a.attgenerated::text AS generated,
            CASE WHEN a.atttypmod > 0 THEN a.atttypmod ELSE t.typtypmod END AS typmod,
            CASE WHEN bt.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder) END AS enum_labels,
            CASE WHEN t.typtype = 'd' THEN ARRAY(SELECT pg_get_constraintdef(dc.oid) FROM pg_constraint dc WHERE dc.contypid = t.oid AND dc.contype = 'c') END AS domain_checks
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

  const checkRes = await client.query<{ rel: string; def: string }>(
    `SELECT con.conrelid::int8::text AS rel, pg_get_constraintdef(con.oid) AS def
       FROM pg_constraint con WHERE con.contype = 'c' AND con.conrelid = ANY($1::oid[]) ORDER BY con.conname`,
    [oids],
  );

  const explicit = explicitTables?.map((t) => t.trim()).filter((t) => t !== '');
  const tables: TableFacts[] = tableRes.rows.map((r) => {
    const columns = columnRes.rows.filter((c) => c.rel === r.oid).map(columnFacts);
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
      parent: r.parent,
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
      checks: checkRes.rows.filter((c) => c.rel === r.oid).map((c) => c.def),
    };
  });
  if (explicit) markExplicitTables(tables, explicit);
  return tables;
}

function columnFacts(c: ColumnRow): ColumnFacts {
  return {
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
    ...(c.domain_checks && c.domain_checks.length > 0 ? { domainChecks: c.domain_checks } : {}),
  };
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
