// Request bodies drawn from a (dereferenced) JSON Schema of the target's OpenAPI description: valid
// samples at both ends (required fields only, every field at its maximum length) and invalid ones that
// break exactly one documented constraint. Tenant-channel fields repeat the caller's tenant.
import crypto from 'node:crypto';

type Schema = Record<string, any>;

export interface SampleOptions {
  tenant: string;
  /** `min`: required fields only, nullable fields null. `max`: every field, strings at maxLength. */
  fill: 'min' | 'max';
}

export function sampleValue(schema: Schema, options: SampleOptions): unknown {
  if (schema['x-tenant-channel']) return options.tenant;
  if ('const' in schema) return schema['const'];
  if (Array.isArray(schema['enum'])) return schema['enum'][0];
  const types: string[] = Array.isArray(schema['type']) ? schema['type'] : [schema['type']];
  if (options.fill === 'min' && types.includes('null')) return null;
  const type = types.find((t) => t !== 'null');
  switch (type) {
    case 'object':
      return sampleObject(schema, options, requiredOf(schema));
    case 'integer':
    case 'number':
      return schema['minimum'] ?? 0;
    case 'boolean':
      return true;
    case 'string':
      return sampleString(schema, options.fill);
    default:
      throw new Error(`no sampler for schema type ${JSON.stringify(schema['type'])}`);
  }
}

/** `required` plus the first `anyOf` branch's required fields. */
export function requiredOf(schema: Schema, branch = 0): string[] {
  return [...(schema['required'] ?? []), ...(schema['anyOf']?.[branch]?.required ?? [])];
}

export function sampleObject(schema: Schema, options: SampleOptions, required: string[]): Record<string, unknown> {
  const properties: Record<string, Schema> = schema['properties'] ?? {};
  const names = options.fill === 'min' ? required : Object.keys(properties);
  return Object.fromEntries(names.map((name) => [name, sampleValue(properties[name]!, options)]));
}

function sampleString(schema: Schema, fill: 'min' | 'max'): string {
  const length = fill === 'max' ? (schema['maxLength'] ?? 64) : Math.max(schema['minLength'] ?? 1, 1);
  switch (schema['format']) {
    case 'uuid':
      return crypto.randomUUID();
    case 'date-time':
      return new Date().toISOString();
    case 'uri': {
      const base = 'http://127.0.0.1:9/cb/';
      return fill === 'max' ? base + 'a'.repeat(length - base.length) : base;
    }
    default:
      return 'x'.repeat(length);
  }
}

export interface Violation {
  why: string;
  body: Record<string, unknown>;
}

/** Bodies that each break one constraint of a valid `base`: a missing required field, a string one over maxLength, a blank required text. */
export function violations(schema: Schema, base: Record<string, unknown>): Violation[] {
  const out: Violation[] = [];
  for (const name of schema['required'] ?? []) {
    const { [name]: _omitted, ...rest } = base;
    out.push({ why: `without required "${name}"`, body: rest });
  }
  if (Array.isArray(schema['anyOf'])) {
    const tenantOnly = Object.fromEntries(Object.entries(base).filter(([k]) => schema['properties']?.[k]?.['x-tenant-channel']));
    out.push({ why: 'with none of the anyOf fields', body: tenantOnly });
  }
  for (const [name, property] of Object.entries<Schema>(schema['properties'] ?? {})) {
    if (property['x-tenant-channel'] || !(name in base)) continue;
    if (typeof property['maxLength'] === 'number') {
      const tooLong = property['format'] === 'uri' ? `http://127.0.0.1:9/${'y'.repeat(property['maxLength'])}` : 'y'.repeat(property['maxLength'] + 1);
      out.push({ why: `"${name}" over maxLength ${property['maxLength']}`, body: { ...base, [name]: tooLong } });
    }
    if (property['pattern'] === '\\S') out.push({ why: `"${name}" blank`, body: { ...base, [name]: '   ' } });
    if ('const' in property) out.push({ why: `"${name}" not the const`, body: { ...base, [name]: `not-${String(property['const'])}` } });
  }
  return out;
}
