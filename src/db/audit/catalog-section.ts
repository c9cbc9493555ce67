import type pg from 'pg';
import type { CatalogGap } from './types.ts';

/** SQL condition keeping only user schemas (no system, TOAST or temporary schemas); `n` is `pg_namespace`. */
export const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

/** SQL expression for the quoted `schema.name` of an object, from its schema and name columns. */
export const QUALIFIED = (ns: string, rel: string) => `quote_ident(${ns}) || '.' || quote_ident(${rel})`;

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

/** Reads one catalog section with one query, each row mapped to its facts; an unreadable section is a gap and no facts. */
export async function readSection<Row extends pg.QueryResultRow, Facts>(
  client: pg.ClientBase,
  gaps: CatalogGap[],
  name: CatalogGap['section'],
  sql: string,
  params: unknown[],
  toFacts: (row: Row) => Facts,
): Promise<Facts[]> {
  return section(gaps, name, [] as Facts[], async () => {
    const res = await client.query<Row>(sql, params);
    return res.rows.map(toFacts);
  });
}
