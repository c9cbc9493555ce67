import type { z } from 'zod';
import type { ConfigIssue } from '../core/errors.ts';

/** `['operations', 2, 'method']` → `operations[2].method`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** zod issues → path-exact, human messages (expected / received), with "did you mean" for unknown keys. */
export function toConfigIssues(error: z.ZodError, input: unknown, schema: z.ZodType): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      return issue.keys.map((key) => {
        const guess = closest(key, known);
        return {
          path: formatPath([...issue.path, key]),
          message: `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
        };
      });
    }
    const received = describeValue(valueAt(input, issue.path));
    if (issue.code === 'invalid_type') {
      const expected = String(issue.expected);
      const message = received === 'undefined' ? `required (expected ${expected})` : `expected ${expected}, got ${received}`;
      return [{ path, message, expected, received }];
    }
    if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
      const kinds = knownDiscriminators(schema, issue.path.slice(0, -1), String(issue.path[issue.path.length - 1]));
      return [{ path, message: `expected one of ${kinds.map((k) => JSON.stringify(k)).join(', ')}, got ${received}`, received }];
    }
    const branch = deepestBranch(issue);
    if (branch) {
      // A union (e.g. `waivers`: a list or a file name) whose value went deep into one branch: report that branch's issues.
      const nested = branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
      return toConfigIssues({ issues: nested } as unknown as z.ZodError, input, schema);
    }
    return [{ path, message: issue.message, received }];
  });
}

/** Of a union's failed branches, the one whose issues all lie below the union's value (the branch the value's shape chose). */
function deepestBranch(issue: z.ZodError['issues'][number]): z.ZodError['issues'] | undefined {
  if (issue.code !== 'invalid_union' || !('errors' in issue) || !Array.isArray(issue.errors)) return undefined;
  const deep = (issue.errors as z.ZodError['issues'][]).filter((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
  return deep.length === 1 ? deep[0] : undefined;
}

export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return value.length > 40 ? 'string' : `string "${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

/** Keys an object schema accepts at `path`, walking through wrappers, arrays, records and unions. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let nodes: z.ZodType[] = [schema];
  for (const key of path) {
    nodes = nodes.flatMap((n) => childSchemas(unwrap(n), key));
  }
  return [...new Set(nodes.flatMap((n) => objectKeys(unwrap(n))))];
}

function knownDiscriminators(schema: z.ZodType, parentPath: readonly PropertyKey[], key: string): string[] {
  let nodes: z.ZodType[] = [schema];
  for (const part of parentPath) nodes = nodes.flatMap((n) => childSchemas(unwrap(n), part));
  return nodes.flatMap((node) => {
    const def = (unwrap(node) as unknown as { def: Record<string, unknown> }).def;
    if (def['type'] !== 'union') return [];
    return (def['options'] as z.ZodType[]).flatMap((o) => {
      const field = (unwrap(o) as unknown as { def: { shape?: Record<string, { def: { values?: unknown[] } }> } }).def.shape?.[key];
      return (field?.def.values ?? []).map(String);
    });
  });
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema as z.ZodType & { def: Record<string, unknown> };
  for (let i = 0; i < 10; i++) {
    const inner = current.def['innerType'] as typeof current | undefined;
    if (!inner) break;
    current = inner;
  }
  return current;
}

function childSchemas(schema: z.ZodType, key: PropertyKey): z.ZodType[] {
  const def = (schema as unknown as { def: Record<string, unknown> }).def;
  switch (def['type']) {
    case 'object':
      return [(def['shape'] as Record<string, z.ZodType>)[String(key)]].filter((s): s is z.ZodType => Boolean(s));
    case 'array':
      return [def['element'] as z.ZodType];
    case 'record':
      return [def['valueType'] as z.ZodType];
    case 'union':
      return (def['options'] as z.ZodType[]).flatMap((o) => childSchemas(unwrap(o), key));
    default:
      return [];
  }
}

function objectKeys(schema: z.ZodType): string[] {
  const def = (schema as unknown as { def: Record<string, unknown> }).def;
  if (def['type'] === 'object') return Object.keys(def['shape'] as object);
  if (def['type'] === 'union') return (def['options'] as z.ZodType[]).flatMap((o) => objectKeys(unwrap(o)));
  return [];
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
