import { quoteIdent, withoutOuterParentheses } from './sql-text.ts';
import type { CatalogSnapshot, PolicyFacts, TableFacts } from './types.ts';

/** SQL a DBA can run to fix a finding, built from the catalog facts (pure text; shown in the finding's detail). */

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `schema.table` of a qualified name as SQL (the qualified name is already quoted where needed). */
export function tableSql(table: TableFacts | string): string {
  return typeof table === 'string' ? table : table.qualified;
}

/** The expression without redundant outer parentheses: `((a = b))` → `a = b`. */
export function unwrap(expr: string): string {
  return withoutOuterParentheses(expr.replace(/\s*\n\s*/g, ' '));
}

/** `ALTER POLICY` with the given expressions (only the clauses the policy's command allows). */
export function alterPolicySql(policy: PolicyFacts, using: string | null, withCheck: string | null): string {
  const parts = [`ALTER POLICY ${quoteIdent(policy.name)} ON ${policy.table}`];
  if (using !== null && policy.command !== 'INSERT') parts.push(`USING (${unwrap(using)})`);
  if (withCheck !== null && policy.command !== 'SELECT' && policy.command !== 'DELETE') parts.push(`WITH CHECK (${unwrap(withCheck)})`);
  return `${parts.join(' ')};`;
}

/** The expression with `current_setting('<setting>', <anything>)` read without missing_ok. */
export function withoutMissingOk(expr: string, setting: string): string {
  const re = new RegExp(`(current_setting\\s*\\(\\s*'${escapeRegExp(setting)}'(?:::text)?)\\s*,\\s*[^)]*\\)`, 'gi');
  return expr.replace(re, '$1)');
}

/** The policy rewritten to read the setting without missing_ok (null when it reads it only through functions). */
export function policyWithoutMissingOkSql(policy: PolicyFacts, setting: string): string | null {
  const using = policy.using === null ? null : withoutMissingOk(policy.using, setting);
  const check = policy.withCheck === null ? null : withoutMissingOk(policy.withCheck, setting);
  if (using === policy.using && check === policy.withCheck) return null;
  return alterPolicySql(policy, using, check);
}

/** The expression without its `OR (col IS NULL)` branches, `NOT (col IS DISTINCT FROM x)` as `col = x`. */
export function withoutNullBranches(expr: string, column: string): string {
  const col = `(?:${escapeRegExp(column)}|"${escapeRegExp(column)}")`;
  let out = expr
    .replace(new RegExp(`\\s+OR\\s+\\(${col}\\s+IS\\s+NULL\\)`, 'gi'), '')
    .replace(new RegExp(`\\(${col}\\s+IS\\s+NULL\\)\\s+OR\\s+`, 'gi'), '')
    .replace(new RegExp(`NOT\\s*\\((${col})\\s+IS\\s+DISTINCT\\s+FROM\\s+`, 'gi'), '($1 = ')
    .replace(new RegExp(`(${col})\\s+IS\\s+NOT\\s+DISTINCT\\s+FROM\\s+`, 'gi'), '$1 = ');
  for (const call of coalesceCalls(out)) {
    if (call.args.some((a) => new RegExp(`^${col}$`, 'i').test(a.trim()))) out = out.replace(call.text, column);
  }
  return out;
}

/** `COALESCE(…)` calls in the text with their top-level arguments. */
export function coalesceCalls(text: string): { text: string; args: string[] }[] {
  const out: { text: string; args: string[] }[] = [];
  const re = /COALESCE\s*\(/gi;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const args: string[] = [];
    let start = i;
    for (; i < text.length && depth > 0; i++) {
      const ch = text[i];
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      else if (ch === ',' && depth === 1) {
        args.push(text.slice(start, i));
        start = i + 1;
      }
    }
    args.push(text.slice(start, i - 1));
    out.push({ text: text.slice(m.index, i), args });
  }
  return out;
}

/**
 * An expression keyed on the tenant for `table`: the USING of a keyed policy on the same table when there is one
 * (the schema's own idiom), else `col = current_setting('<setting>')::<type>`.
 */
export function tenantKeyExpr(table: TableFacts, snapshot: CatalogSnapshot, keyedElsewhere: readonly PolicyFacts[]): string {
  const own = keyedElsewhere.find((p) => p.table === table.qualified && p.using !== null);
  if (own?.using) return own.using;
  const setting = snapshot.tenantSetting;
  const m = snapshot.membership;
  if (m) {
    const members = snapshot.tables.find((t) => t.qualified === m.table);
    const type = members?.columns.find((c) => c.name === m.principalColumn)?.type ?? 'text';
    return `${quoteIdent(table.tenantColumn ?? m.tenantColumn)} IN (SELECT ${quoteIdent(m.tenantColumn)} FROM ${m.table} WHERE ${quoteIdent(m.principalColumn)} = current_setting('${setting}')::${type})`;
  }
  const column = table.columns.find((c) => c.name === table.tenantColumn);
  return `${quoteIdent(table.tenantColumn ?? 'tenant_id')} = current_setting('${setting}')::${column?.type ?? 'text'}`;
}

/** The policy narrowed to the tenant: `ALTER POLICY … USING ((key) AND (old))`, or dropped when it was always true. */
export function keyedPolicySql(policy: PolicyFacts, key: string, clause: 'using' | 'check'): string {
  const old = clause === 'using' ? policy.using : (policy.withCheck ?? policy.using);
  const narrowed = old === null || /^true$/i.test(unwrap(old)) ? unwrap(key) : `(${unwrap(key)}) AND (${unwrap(old)})`;
  return clause === 'using' ? alterPolicySql(policy, narrowed, null) : alterPolicySql({ ...policy, command: policy.command === 'INSERT' ? 'INSERT' : policy.command }, null, narrowed);
}
