/**
 * Pure text helpers over SQL that PostgreSQL printed (pg_get_expr, pg_get_functiondef).
 * These are heuristics on deparsed text and say so in the evidence; the behaviour proofs are the backstop.
 */

/** Always-quoted identifier for SQL the audit runs. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches `current_setting('<setting>'` (any case, optional `pg_catalog.`), capturing what follows the name. */
function settingCallRegExp(setting: string): RegExp {
  return new RegExp(`current_setting\\s*\\(\\s*'${escapeRegExp(setting)}'(?:::text)?\\s*(,\\s*[^)]*)?\\)`, 'gi');
}

/** The text reads the setting with `current_setting('<setting>' …)`. */
export function readsSetting(text: string, setting: string): boolean {
  return settingCallRegExp(setting).test(text);
}

const FALSE_LITERAL = /^\(?\s*(false|'f'|'false'|'off'|'no'|'0'|0)\b/i;

/**
 * The text calls `current_setting('<setting>', <missing_ok>)` with a second argument that is not literally false:
 * anything else (true, an expression) is reported, since it can make a missing context return NULL.
 */
export function readsSettingMissingOk(text: string, setting: string): boolean {
  for (const match of text.matchAll(settingCallRegExp(setting))) {
    const rest = match[1];
    if (rest === undefined) continue;
    const arg = rest.replace(/^,\s*/, '').trim();
    if (!FALSE_LITERAL.test(arg)) return true;
  }
  return false;
}

/** The text with single-quoted string literals emptied (`'app.tenant_id'` → `''`), so names inside them are not matched. */
export function withoutStringLiterals(text: string): string {
  return text.replace(/'(?:[^']|'')*'/g, "''");
}

/** The text mentions the name as an identifier (bare or quoted). */
export function mentionsIdentifier(text: string, name: string): boolean {
  const bare = /^[a-z_][a-z0-9_$]*$/.test(name);
  const quoted = new RegExp(`"${escapeRegExp(name.replaceAll('"', '""'))}"`);
  if (quoted.test(text)) return true;
  return bare && new RegExp(`(?<![A-Za-z0-9_$"])${escapeRegExp(name)}(?![A-Za-z0-9_$"])`, 'i').test(text);
}

/** The text calls a function named `name` (optionally schema-qualified, optionally quoted). */
export function callsFunction(text: string, name: string): boolean {
  const bare = `(?<![A-Za-z0-9_$"])${escapeRegExp(name)}`;
  const quoted = `"${escapeRegExp(name.replaceAll('"', '""'))}"`;
  return new RegExp(`(?:${bare}|${quoted})\\s*\\(`, 'i').test(text);
}

/** The expression is a constant true (`true`, `(true)`, `1 = 1`, `'t'::boolean`, …). */
export function isTriviallyTrue(expr: string): boolean {
  const text = withoutOuterParentheses(expr.toLowerCase());
  return /^(true|'t'::boolean|'true'::boolean|true::boolean|1\s*=\s*1|not\s+false)$/.test(text);
}

/** The expression without redundant outer parentheses: `((a = b))` → `a = b`. */
export function withoutOuterParentheses(expr: string): string {
  let text = expr.trim();
  while (text.startsWith('(') && text.endsWith(')') && balanced(text.slice(1, -1))) text = text.slice(1, -1).trim();
  return text;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Drops the `CREATE … FUNCTION name(args)` line of `pg_get_functiondef` output so a function's own name is not matched. */
export function functionBody(definition: string): string {
  const newline = definition.indexOf('\n');
  return newline === -1 ? definition : definition.slice(newline + 1);
}

/**
 * The text mentions `column` of the table named `table` itself: bare, or qualified by that table's name. Columns
 * qualified by another name (`m.org_id`, `memberships.org_id` inside a sub-select) belong to other tables: a policy
 * that only compares those is not keyed on its own rows (an uncorrelated `EXISTS (…)`).
 */
export function mentionsOwnColumn(text: string, table: string, column: string): boolean {
  const col = `(?:${escapeRegExp(column)}|"${escapeRegExp(column.replaceAll('"', '""'))}")`;
  const qualified = new RegExp(`((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\\s*\\.\\s*)${col}(?![A-Za-z0-9_$"])`, 'g');
  const own = text.replace(qualified, (_match, qualifier: string) => (qualifier.replace(/\s*\.\s*$/, '').replace(/^"(.*)"$/, '$1') === table ? column : ' '));
  return mentionsIdentifier(own, column);
}
