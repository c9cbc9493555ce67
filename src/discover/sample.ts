import { isRecord, type JsonSchema } from './openapi-types.ts';

/** What string fields carry in a generated body: a fixture's canary, a write's marker. */
export type Fill = '{{canary}}' | '{{marker}}';

export interface SampleOptions {
  fill: Fill;
  /** Field names (lower-cased, any depth) left out: tenant channels, which the suites add themselves. */
  skip: (name: string) => boolean;
  seed: number;
  /** Plain strings shorter than a canary cannot carry one: they get a short sample instead. */
  minFillLength?: number;
  /** A value for a field by name (lower-cased), e.g. `{{callbackUrl}}`, `{{jobId}}`; undefined: generate one. */
  override?: (name: string) => unknown;
  /** Optional plain strings are filled down to this depth (default 0, the top level; GraphQL variables: 1). */
  optionalDepth?: number;
}

export interface Sample {
  body: unknown;
  /** Dot paths of the fields that carry the fill. */
  filled: string[];
}

const MAX_DEPTH = 6;
/** A GraphQL ID no fixture supplies: a request naming it cannot be made. */
export const UNRESOLVED_ID = '{{unresolved-id}}';
const FILL_LENGTH = 26; // `ta-canary-` + 16 hex digits; markers are as long

/**
 * A request body from a JSON Schema, reproducible for a seed: required fields always, optional plain strings too
 * (so more of a fixture's fields carry its canary), formats, enums, lengths and bounds honoured; `example` and
 * `default` preferred for values that must follow a pattern or format.
 */
export function sampleBody(schema: JsonSchema | undefined, options: SampleOptions): Sample {
  const filled: string[] = [];
  const rng = mulberry32(options.seed);
  const value = (s: JsonSchema | undefined, at: string, depth: number): unknown => {
    const merged = flattenSchema(s);
    if (!merged || depth > MAX_DEPTH) return undefined;
    const known = merged['example'] ?? merged['default'] ?? (Array.isArray(merged['examples']) ? merged['examples'][0] : undefined) ?? merged['const'];
    if (Array.isArray(merged['enum']) && merged['enum'].length > 0) return merged['enum'][Math.floor(rng() * merged['enum'].length)];
    switch (typeOf(merged)) {
      case 'object': {
        const props = isRecord(merged['properties']) ? merged['properties'] : {};
        const required = new Set(Array.isArray(merged['required']) ? (merged['required'] as string[]) : []);
        const out: Record<string, unknown> = {};
        for (const [name, child] of Object.entries(props)) {
          if (options.skip(name.toLowerCase()) || !isRecord(child) || child['readOnly'] === true) continue;
          const childAt = at ? `${at}.${name}` : name;
          const given = options.override?.(name.toLowerCase());
          if (given !== undefined) {
            out[name] = given;
            continue;
          }
          if (!required.has(name) && !(isPlainString(child, options) && depth <= (options.optionalDepth ?? 0))) continue;
          const v = value(child, childAt, depth + 1);
          if (v !== undefined) out[name] = v;
        }
        return out;
      }
      case 'array': {
        const min = typeof merged['minItems'] === 'number' ? merged['minItems'] : 0;
        const item = isRecord(merged['items']) ? merged['items'] : undefined;
        return min > 0 ? Array.from({ length: Math.min(min, 3) }, (_, i) => value(item, `${at}[${i}]`, depth + 1)) : [];
      }
      case 'integer':
      case 'number':
        return typeof known === 'number' ? known : numberIn(merged, typeOf(merged) === 'integer');
      case 'boolean':
        return typeof known === 'boolean' ? known : true;
      case 'null':
        return null;
      default:
        if (isPlainString(merged, options)) {
          filled.push(at);
          return options.fill;
        }
        return typeof known === 'string' ? known : formatted(merged, rng);
    }
  };
  return { body: value(schema, '', 0), filled };
}

/**
 * An update changes one field: the fill stays in the last optional field it went into (per object); the other
 * optional ones are left out and required ones get a plain value. A fixture whose every canary field was
 * overwritten would be re-created with a new id, and the objects made under the old one lost to the probes.
 */
export function keepOneFill(body: unknown, filled: string[], schema: JsonSchema | undefined): string[] {
  const byParent = new Map<string, string[]>();
  for (const f of filled.filter((x) => !x.includes('['))) {
    const parent = f.includes('.') ? f.slice(0, f.lastIndexOf('.')) : '';
    byParent.set(parent, [...(byParent.get(parent) ?? []), f]);
  }
  const kept: string[] = [];
  for (const [parent, fields] of byParent) {
    let node: unknown = body;
    let nodeSchema = flattenSchema(schema);
    for (const part of parent ? parent.split('.') : []) {
      node = (node as Record<string, unknown> | undefined)?.[part];
      const props = nodeSchema && isRecord(nodeSchema['properties']) ? nodeSchema['properties'] : {};
      nodeSchema = flattenSchema(props[part] as JsonSchema | undefined);
    }
    if (!isRecord(node)) continue;
    const required = new Set((nodeSchema?.['required'] as string[] | undefined) ?? []);
    const leaf = (f: string) => f.slice(f.lastIndexOf('.') + 1);
    const keep = [...fields].reverse().find((f) => !required.has(leaf(f))) ?? fields.at(-1)!;
    for (const field of fields) {
      if (field === keep) continue;
      if (required.has(leaf(field))) node[leaf(field)] = 'tenancy-audit update';
      else delete node[leaf(field)];
    }
    kept.push(keep);
  }
  return kept;
}

/** allOf merged, the first of oneOf/anyOf taken, 3.1 type arrays reduced to their first non-null type. */
export function flattenSchema(schema: JsonSchema | undefined, depth = 0): JsonSchema | undefined {
  if (!isRecord(schema) || depth > MAX_DEPTH) return undefined;
  let out: JsonSchema = { ...schema };
  for (const key of ['oneOf', 'anyOf'] as const) {
    // Options that only constrain (`anyOf: [{ required: [a] }, { required: [b] }]`) add no shape to sample from.
    const options = Array.isArray(schema[key]) ? (schema[key] as JsonSchema[]).filter((o) => isRecord(o) && o['type'] !== 'null' && Object.keys(o).some((k) => k !== 'required' && k !== 'description')) : [];
    if (options.length > 0) out = { ...flattenSchema(options[0], depth + 1), ...withoutKeys(out, ['oneOf', 'anyOf']) };
  }
  if (Array.isArray(schema['allOf'])) {
    for (const part of schema['allOf'] as JsonSchema[]) {
      const flat = flattenSchema(part, depth + 1);
      if (!flat) continue;
      out = {
        ...flat,
        ...out,
        properties: { ...(isRecord(flat['properties']) ? flat['properties'] : {}), ...(isRecord(out['properties']) ? out['properties'] : {}) },
        required: [...(Array.isArray(flat['required']) ? flat['required'] : []), ...(Array.isArray(out['required']) ? out['required'] : [])],
      };
    }
    delete out['allOf'];
  }
  return out;
}

export function typeOf(schema: JsonSchema): string {
  const t = schema['type'];
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return (t.find((x) => x !== 'null') as string | undefined) ?? 'null';
  if (isRecord(schema['properties'])) return 'object';
  if (schema['items'] !== undefined) return 'array';
  return 'string';
}

function isPlainString(schema: JsonSchema, options: SampleOptions): boolean {
  const s = flattenSchema(schema) ?? {};
  if (typeOf(s) !== 'string' || s['format'] !== undefined || Array.isArray(s['enum']) || s['const'] !== undefined) return false;
  if (typeof s['pattern'] === 'string' && !patternAccepts(s['pattern'], 'ta-canary-0123456789abcdef')) return false;
  const max = typeof s['maxLength'] === 'number' ? s['maxLength'] : Infinity;
  return max >= (options.minFillLength ?? FILL_LENGTH);
}

function patternAccepts(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return false;
  }
}

function numberIn(schema: JsonSchema, integer: boolean): number {
  const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : typeof schema['exclusiveMinimum'] === 'number' ? schema['exclusiveMinimum'] + 1 : 1;
  const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : min + 100;
  const n = Math.min(Math.max(min, 1), max);
  return integer ? Math.ceil(n) : n;
}

function formatted(schema: JsonSchema, rng: () => number): string {
  const hex = () => Math.floor(rng() * 0x100000000).toString(16).padStart(8, '0');
  switch (schema['format']) {
    case 'email':
      return `audit-${hex()}@example.test`;
    case 'uuid':
      return `${hex()}-${hex().slice(0, 4)}-4${hex().slice(0, 3)}-8${hex().slice(0, 3)}-${hex()}${hex().slice(0, 4)}`;
    case 'date-time':
      return '2026-01-01T00:00:00Z';
    case 'date':
      return '2026-01-01';
    case 'uri':
    case 'url':
      return 'https://example.test/tenancy-audit';
    case 'ipv4':
      return '192.0.2.1';
    case 'graphql-id':
      return UNRESOLVED_ID;
    default: {
      const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 1;
      const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Math.max(min, 8);
      return `ta${hex()}`.padEnd(min, 'x').slice(0, Math.max(min, Math.min(max, 10)));
    }
  }
}

function withoutKeys(value: JsonSchema, keys: string[]): JsonSchema {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

/** A small seeded PRNG: the same seed gives the same bodies. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
