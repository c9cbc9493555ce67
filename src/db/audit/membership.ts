import crypto from 'node:crypto';
import type { CatalogSnapshot, TableFacts } from './types.ts';

/**
 * How a principal (a user) reaches its tenants: rows of `table` pairing `principalColumn` (what the context holds,
 * e.g. `user_id = current_setting('app.user_id')` or `= auth.uid()`) with `tenantColumn` (the tenant the user may see).
 */
export interface MembershipMapping {
  /** Qualified name of the membership table. */
  table: string;
  principalColumn: string;
  tenantColumn: string;
}

/** Membership options as given by the user (`table` may be unqualified when unique). */
export interface MembershipOptions {
  table: string;
  principalColumn: string;
  tenantColumn: string;
}

const ID = '(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)';
const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1').replaceAll('""', '"');

function tableNamed(snapshot: CatalogSnapshot, name: string): TableFacts | undefined {
  const bare = unquote(name.includes('.') ? name.split('.').pop()! : name);
  const schema = name.includes('.') ? unquote(name.split('.')[0]!) : null;
  const matches = snapshot.tables.filter((t) => t.name === bare && (schema === null || t.schema === schema));
  return matches.length === 1 ? matches[0] : matches.find((t) => t.schema === 'public');
}

/**
 * Reads the membership mapping out of the policies of the tenant tables (pg_get_expr text): a sub-select
 * `FROM <table> [alias] WHERE <alias>.<principal> = <current_setting(…) or a function call>` whose select list
 * (`IN (SELECT <alias>.<tenant> …)`) or correlation (`<alias>.<tenant> = <table>.<tenant column>`) names the tenant.
 */
export function findMembership(snapshot: CatalogSnapshot): MembershipMapping | null {
  const re = new RegExp(
    `SELECT\\s+(?:${ID}\\.)?(${ID}|\\d+)\\s+FROM\\s+((?:${ID}\\.)?${ID})(?:\\s+(?!WHERE\\b)(${ID}))?\\s+WHERE\\s+[\\s(]*(?:${ID}\\.)?(${ID})\\s*=\\s*[\\s(]*(?:current_setting\\s*\\(|(?:${ID}\\.)?${ID}\\s*\\(\\s*\\))`,
    'i',
  );
  for (const policy of snapshot.policies) {
    const owner = snapshot.tables.find((t) => t.qualified === policy.table);
    if (!owner?.tenant || owner.tenantColumn === null) continue;
    for (const expr of [policy.using, policy.withCheck]) {
      const m = expr === null ? null : re.exec(expr.replace(/\s+/g, ' '));
      if (!m) continue;
      const table = tableNamed(snapshot, m[2]!);
      if (!table || table.qualified === owner.qualified) continue;
      const selected = unquote(m[1]!);
      const principal = unquote(m[4]!);
      const correlated = new RegExp(`(?:${ID}\\.)?(${ID})\\s*=\\s*${ID}\\.${owner.tenantColumn}\\b`, 'i').exec(expr!.slice(m.index));
      const tenantColumn = table.columns.some((c) => c.name === selected) && selected !== '1' ? selected : correlated ? unquote(correlated[1]!) : owner.tenantColumn;
      if (!table.columns.some((c) => c.name === principal) || !table.columns.some((c) => c.name === tenantColumn)) continue;
      return { table: table.qualified, principalColumn: principal, tenantColumn };
    }
  }
  return null;
}

/** Resolves user-given membership options against the catalog (null when the table or a column is unknown). */
export function resolveMembership(snapshot: CatalogSnapshot, options: MembershipOptions): MembershipMapping | null {
  const table = tableNamed(snapshot, options.table);
  if (!table || !table.columns.some((c) => c.name === options.principalColumn) || !table.columns.some((c) => c.name === options.tenantColumn)) return null;
  return { table: table.qualified, principalColumn: options.principalColumn, tenantColumn: options.tenantColumn };
}

/** A principal made for a tenant, deterministic and shaped like the principal column (uuid, integer or text). */
export function principalFor(tenant: string, baseType: string): string {
  const hash = crypto.createHash('sha256').update(`tenancy-audit principal of ${tenant}`).digest('hex');
  if (baseType === 'uuid') return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-4${hash.slice(13, 16)}-8${hash.slice(17, 20)}-${hash.slice(20, 32)}`;
  if (['int2', 'int4', 'int8', 'numeric'].includes(baseType)) return String(20_000 + (parseInt(hash.slice(0, 6), 16) % 10_000));
  return `ta-principal-${hash.slice(0, 12)}`;
}
