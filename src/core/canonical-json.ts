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
  const out = encode(value, []);
  return out === undefined ? 'null' : out;
}

/**
 * The members (`"key":value`) of a plain object in canonical order, with their keys; members whose value
 * encodes to nothing are dropped. `{${members.join(',')}}` is the object's canonical JSON, so a caller can add a
 * member (a hash of the rest) without encoding the rest twice.
 */
export function canonicalMembers(record: Record<string, unknown>): { keys: string[]; members: string[] } {
  const keys: string[] = [];
  const members: string[] = [];
  const ancestors: object[] = [record];
  for (const key of Object.keys(record).sort()) {
    const encoded = encode(record[key], ancestors);
    if (encoded === undefined) continue;
    keys.push(key);
    members.push(`${JSON.stringify(key)}:${encoded}`);
  }
  return { keys, members };
}

/** Below this depth a cycle is not looked for: it cannot close without going deeper, where it is found. */
const CYCLE_CHECK_DEPTH = 32;

function encode(value: unknown, ancestors: object[]): string | undefined {
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
  if (ancestors.length >= CYCLE_CHECK_DEPTH && ancestors.includes(obj)) throw new TypeError('canonicalJson: the value contains a cycle');
  ancestors.push(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = '[';
    for (let i = 0; i < obj.length; i++) out += `${i ? ',' : ''}${encode(obj[i], ancestors) ?? 'null'}`;
    out += ']';
  } else {
    const record = obj as Record<string, unknown>;
    out = '';
    for (const key of Object.keys(record).sort()) {
      const encoded = encode(record[key], ancestors);
      if (encoded !== undefined) out += `${out ? ',' : ''}${JSON.stringify(key)}:${encoded}`;
    }
    out = `{${out}}`;
  }
  ancestors.pop();
  return out;
}
