/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, ECMAScript number
 * formatting (the RFC 8785 / JCS rules for the values evidence holds). Used for every hash and
 * for the signed manifest payload, so the same value always yields the same bytes.
 *
 * Like `JSON.stringify`: `undefined`, functions and symbols are dropped from objects and become
 * `null` in arrays; `toJSON()` is honoured; non-finite numbers become `null`.
 * Misuse throws `TypeError`: a cycle or a `bigint`.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) === '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const out = encode(value, new Set<object>());
  return out === undefined ? 'null' : out;
}

function encode(value: unknown, stack: Set<object>): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: a bigint cannot be encoded; convert it to a string first');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (stack.has(obj)) throw new TypeError('canonicalJson: the value contains a cycle');
  stack.add(obj);
  try {
    if (Array.isArray(obj)) {
      return `[${obj.map((item) => encode(item, stack) ?? 'null').join(',')}]`;
    }
    const record = obj as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const encoded = encode(record[key], stack);
      if (encoded !== undefined) parts.push(`${JSON.stringify(key)}:${encoded}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    stack.delete(obj);
  }
}
