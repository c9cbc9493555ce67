/**
 * @internal A small JSON Schema (2020-12) validator for the keywords the control-catalogue schema uses.
 * It refuses schemas with any other keyword, so a schema edit can never be silently half-checked.
 */
export interface SchemaIssue {
  path: string;
  message: string;
}

type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', '$defs', 'default', 'examples']);
const SUPPORTED = new Set([
  'type', 'required', 'properties', 'additionalProperties', 'items', 'minItems', 'uniqueItems', 'enum', 'const', 'pattern', 'minLength', '$ref',
]);

export function validateJsonSchema(value: unknown, schema: Schema): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  check(value, schema, schema, '', issues);
  return issues;
}

function check(value: unknown, schema: Schema, root: Schema, path: string, issues: SchemaIssue[]): void {
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !SUPPORTED.has(keyword)) throw new TypeError(`validateJsonSchema: unsupported keyword "${keyword}" at schema path ${path || '(root)'}`);
  }
  const at = path || '(root)';
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    const m = /^#\/\$defs\/([^/]+)$/.exec(ref);
    const target = m ? (root.$defs as Record<string, Schema> | undefined)?.[m[1] ?? ''] : undefined;
    if (!target) throw new TypeError(`validateJsonSchema: unresolvable $ref ${ref}`);
    check(value, target, root, path, issues);
  }
  if (typeof schema.type === 'string' && !hasType(value, schema.type)) {
    issues.push({ path: at, message: `expected ${schema.type}, got ${describe(value)}` });
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) issues.push({ path: at, message: `expected one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}` });
  if ('const' in schema && schema.const !== value) issues.push({ path: at, message: `expected ${JSON.stringify(schema.const)}` });
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) issues.push({ path: at, message: `expected at least ${schema.minLength} characters` });
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) issues.push({ path: at, message: `${JSON.stringify(value)} does not match ${schema.pattern}` });
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) issues.push({ path: at, message: `expected at least ${schema.minItems} items` });
    if (schema.uniqueItems === true) {
      const seen = new Set(value.map((v) => JSON.stringify(v)));
      if (seen.size !== value.length) issues.push({ path: at, message: 'items are not unique' });
    }
    if (schema.items && typeof schema.items === 'object') value.forEach((item, i) => check(item, schema.items as Schema, root, `${path}[${i}]`, issues));
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in obj)) issues.push({ path: at, message: `missing required property "${key}"` });
    }
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, child] of Object.entries(obj)) {
      const childPath = path ? `${path}.${key}` : key;
      if (props[key]) check(child, props[key], root, childPath, issues);
      else if (schema.additionalProperties === false) issues.push({ path: childPath, message: 'property not allowed' });
    }
  }
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
