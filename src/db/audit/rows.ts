import type { ColumnFacts, TableFacts } from './types.ts';

/** Marks values the audit wrote, so any of them seen by another tenant is a leak whatever column carries it. */
export const CANARY_PREFIX = 'ta-canary-';

/** Small seeded PRNG (mulberry32) for filler values; tenant values and probe order come from fast-check. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(random() * 16).toString(16);
  return out;
}

function uuid(random: () => number): string {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[Math.floor(random() * 4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const INT_RANGES: Record<string, [number, number]> = {
  int2: [16_384, 32_767],
  int4: [1_073_741_824, 2_147_483_647],
  int8: [1_073_741_824, 9_007_199_254_740_991],
};

/** A canary of at most `max` characters (null when the column is too short to hold a recognisable one). */
export function canary(random: () => number, max: number | null): string | null {
  const value = `${CANARY_PREFIX}${hex(random, 12)}`;
  if (max === null || max >= value.length) return value;
  return max >= CANARY_PREFIX.length + 6 ? value.slice(0, max) : null;
}

/** Whether the column holds text (canaries fit there). */
export function isTextColumn(column: ColumnFacts): boolean {
  return column.category === 'S';
}

/** Whether the column's value comes from a sequence (serial / identity): the audit supplies one itself, never calling nextval. */
export function usesSequence(column: ColumnFacts): boolean {
  return column.identity !== '' || (column.default !== null && /\bnextval\s*\(/i.test(column.default));
}

/**
 * A value of the column's type that PostgreSQL's input functions accept through `jsonb_populate_record`,
 * or undefined when the audit cannot make one (the row then cannot be synthesized).
 */
export function synthValue(column: ColumnFacts, random: () => number): unknown {
  if (column.enumLabels && column.enumLabels.length > 0) return column.enumLabels[0];
  if (column.category === 'A') return [];
  const range = INT_RANGES[column.baseType];
  if (range) return Math.floor(range[0] + random() * (range[1] - range[0]));
  switch (column.baseType) {
    case 'numeric':
    case 'float4':
    case 'float8':
    case 'money':
      return Math.floor(1 + random() * 999);
    case 'uuid':
      return uuid(random);
    case 'bool':
      return true;
    case 'date':
      return '2024-01-01';
    case 'timestamp':
    case 'timestamptz':
      return new Date().toISOString();
    case 'time':
    case 'timetz':
      return '12:00:00';
    case 'interval':
      return '1 hour';
    case 'json':
    case 'jsonb':
      return { canary: canary(random, null) };
    case 'bytea':
      return '\\x00';
    case 'inet':
    case 'cidr':
      return '127.0.0.1';
    case 'macaddr':
      return '08:00:2b:01:02:03';
  }
  if (isTextColumn(column)) return canary(random, column.maxLength) ?? hex(random, Math.max(1, column.maxLength ?? 8));
  return undefined;
}

/** Columns in a unique key other than the tenant column (a copied value there would collide). */
function uniqueColumns(table: TableFacts): Set<string> {
  return new Set(table.uniqueKeys.flat().filter((c) => c !== table.tenantColumn));
}

function foreignKeyColumns(table: TableFacts): Set<string> {
  return new Set(table.foreignKeys.flatMap((f) => f.columns));
}

export interface RowPlan {
  /** Column names to insert, in table order. */
  columns: string[];
  /** Values by column name, as JSON for `jsonb_populate_record`. */
  values: Record<string, unknown>;
  /** An identity ALWAYS column is given explicitly (needs OVERRIDING SYSTEM VALUE). */
  overriding: boolean;
}

/**
 * A row for the insert probe, copied from a row the actor can see: the tenant column set to `tenant`, fresh values
 * in unique columns (columns with a non-sequence default are left to it), explicit values for serial/identity
 * columns (so no sequence advances), generated columns left out. The same plan is inserted for the actor (control)
 * and for the victim (attempt), so a refusal can only come from the tenant value.
 */
export function planInsertFromTemplate(
  table: TableFacts,
  template: Record<string, unknown>,
  random: () => number,
): { plan: (tenant: string) => RowPlan } | { error: string } {
  const tenantColumn = table.tenantColumn;
  if (tenantColumn === null) return { error: `${table.qualified} has no tenant column` };
  const unique = uniqueColumns(table);
  const fk = foreignKeyColumns(table);
  const allowed = checkListValues(table);
  const fixed: Record<string, unknown> = {};
  const columns: string[] = [];
  let overriding = false;
  for (const column of table.columns) {
    if (column.generated || column.name === tenantColumn) {
      if (column.name === tenantColumn) columns.push(column.name);
      continue;
    }
    if (usesSequence(column)) {
      const value = synthValue(column, random);
      if (value === undefined) return { error: `cannot make a value for ${column.name} (${column.type})` };
      fixed[column.name] = value;
      columns.push(column.name);
      if (column.identity === 'a') overriding = true;
      continue;
    }
    if (unique.has(column.name) && !fk.has(column.name)) {
      if (column.default !== null) continue;
      // A value a CHECK IN-list allows (another than the template's), else a fresh one of the type.
      const listed = allowed.get(column.name);
      const value = listed && listed.length > 0 ? (listed.find((v) => v !== String(template[column.name])) ?? listed[0]) : synthValue(column, random);
      if (value === undefined) return { error: `cannot make a fresh value for unique column ${column.name} (${column.type})` };
      fixed[column.name] = value;
      columns.push(column.name);
      continue;
    }
    if (Object.hasOwn(template, column.name)) {
      fixed[column.name] = template[column.name];
      columns.push(column.name);
    }
  }
  return { plan: (tenant) => ({ columns, values: { ...fixed, [tenantColumn]: tenant }, overriding }) };
}

/**
 * Values the CHECK constraints of a table allow for a column, read from `pg_get_constraintdef` text:
 * `status IN ('open', 'done')` prints as `((status = ANY (ARRAY['open'::text, 'done'::text])))`, and `col = 'x'`.
 */
export function checkListValues(table: TableFacts): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const domainChecks = table.columns.flatMap((c) => (c.domainChecks ?? []).map((d) => d.replace(/\bVALUE\b/g, c.name)));
  for (const def of [...(table.checks ?? []), ...domainChecks]) {
    const any = /\(*"?([A-Za-z_][A-Za-z0-9_$]*)"?\)?(?:::[a-z ]+)?\s*=\s*ANY\s*\(\(?ARRAY\[([^\]]*)\]/i.exec(def);
    const eq = /\(*"?([A-Za-z_][A-Za-z0-9_$]*)"?\)?(?:::[a-z ]+)?\s*=\s*'((?:[^']|'')*)'/i.exec(def);
    if (any) out.set(any[1]!, [...any[2]!.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replaceAll("''", "'")));
    else if (eq) out.set(eq[1]!, [eq[2]!.replaceAll("''", "'")]);
  }
  return out;
}

/**
 * A row for seeding a synthetic tenant: forced values (tenant column, foreign keys to the rows seeded for the same
 * tenant), canaries in text columns, type-made values for other NOT NULL columns without default, the first value
 * a CHECK's IN-list allows. With `minimal`, nullable columns are left out (a retry when a CHECK rejected the full
 * row). With `explicitSequences`, serial/identity columns get a value of their own so no sequence advances (a user
 * database: a sequence is not rolled back).
 */
export function planSeedRow(
  table: TableFacts,
  forced: Record<string, unknown>,
  random: () => number,
  minimal: boolean,
  explicitSequences = false,
): RowPlan | { error: string } {
  const values: Record<string, unknown> = {};
  const columns: string[] = [];
  const allowed = checkListValues(table);
  let overriding = false;
  for (const column of table.columns) {
    if (column.generated) continue;
    if (Object.hasOwn(forced, column.name)) {
      values[column.name] = forced[column.name];
      columns.push(column.name);
      continue;
    }
    const sequence = usesSequence(column);
    if (sequence && explicitSequences) {
      if (column.identity === 'a') overriding = true;
    } else {
      if (column.default !== null || column.identity !== '') continue;
      if (!column.notNull && (minimal || !isTextColumn(column))) continue;
    }
    const listed = allowed.get(column.name);
    const value = listed && listed.length > 0 ? listed[0] : synthValue(column, random);
    if (value === undefined) {
      if (!column.notNull) continue;
      return { error: `cannot make a value for ${table.qualified}.${column.name} (${column.type})` };
    }
    values[column.name] = value;
    columns.push(column.name);
  }
  return { columns, values, overriding };
}
