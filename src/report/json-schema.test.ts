import { describe, expect, it } from 'vitest';
import { validateJsonSchema } from './json-schema.ts';

const schema = {
  type: 'object',
  required: ['a'],
  additionalProperties: false,
  properties: { a: { type: 'array', minItems: 1, uniqueItems: true, items: { $ref: '#/$defs/id' } }, b: { enum: ['x', 'y'] } },
  $defs: { id: { type: 'string', pattern: '^[a-z]+$', minLength: 2 } },
};

describe('validateJsonSchema', () => {
  it('accepts a valid value', () => {
    expect(validateJsonSchema({ a: ['ab', 'cd'], b: 'x' }, schema)).toEqual([]);
  });

  it('reports each violation with its path', () => {
    const issues = validateJsonSchema({ a: ['ab', 'ab', 'Q'], b: 'z', c: 1 }, schema);
    expect(issues.map((i) => i.path).sort()).toEqual(['a', 'a[2]', 'a[2]', 'b', 'c']);
    expect(validateJsonSchema({}, schema)).toEqual([{ path: '(root)', message: 'missing required property "a"' }]);
    expect(validateJsonSchema([], schema)[0]?.message).toBe('expected object, got array');
  });

  it('refuses a schema keyword it does not implement', () => {
    expect(() => validateJsonSchema({}, { type: 'object', oneOf: [] })).toThrow(/unsupported keyword "oneOf"/);
  });
});
