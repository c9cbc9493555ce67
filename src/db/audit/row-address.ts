import type { ObservedRow } from './observations.ts';
import { quoteIdent } from './sql-text.ts';
import type { TableFacts } from './types.ts';

/** A WHERE clause that picks exactly one row, with its parameters from `$1`. */
export interface RowAddress {
  sql: string;
  params: unknown[];
  /** How the row is addressed, for evidence. */
  by: 'key' | 'ctid';
}

/**
 * Addresses a row the probes saw: by a unique key whose columns are NOT NULL and present in the row (the primary key,
 * stable across transactions, so rows synthesised in every transaction are found again), else by the partition that
 * holds it and its ctid there (a ctid alone repeats across partitions). Null when neither is known.
 */
export function addressRow(table: TableFacts, row: ObservedRow): RowAddress | null {
  const notNull = new Set(table.columns.filter((c) => c.notNull).map((c) => c.name));
  const key = table.uniqueKeys.find((k) => k.length > 0 && k.every((c) => notNull.has(c) && row.data[c] !== null && row.data[c] !== undefined));
  if (key) {
    const cols = key.map(quoteIdent).join(', ');
    const target = `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
    const values = Object.fromEntries(key.map((c) => [c, row.data[c]]));
    return { sql: `(${cols}) = (SELECT ${cols} FROM jsonb_populate_record(NULL::${target}, $1::jsonb))`, params: [JSON.stringify(values)], by: 'key' };
  }
  if (row.ctid) return { sql: 'tableoid = $1::oid AND ctid = $2::tid', params: [row.tableoid ?? null, row.ctid], by: 'ctid' };
  return null;
}
