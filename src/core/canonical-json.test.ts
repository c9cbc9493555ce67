import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalMembers } from './canonical-json.ts';

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ z: { y: [3, { d: 1, c: 2 }], x: null } }, '{"z":{"x":null,"y":[3,{"c":2,"d":1}]}}'],
    [{ a: undefined, b: () => 1, c: 'x' }, '{"c":"x"}'],
    [[undefined, Number.NaN, Infinity, -0], '[null,null,null,0]'],
    ['line\nbreak "q" \u2028', '"line\\nbreak \\"q\\" \u2028"'],
    [{ B: 1, a: 1, _: 1, '10': 1, '9': 1 }, '{"10":1,"9":1,"B":1,"_":1,"a":1}'],
    [new Date('2025-01-02T03:04:05.000Z'), '"2025-01-02T03:04:05.000Z"'],
    [undefined, 'null'],
  ])('encodes %j as %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('does not depend on insertion order', () => {
    expect(canonicalJson({ a: 1, b: { c: 1, d: 2 } })).toBe(canonicalJson({ b: { d: 2, c: 1 }, a: 1 }));
  });

  it('round-trips through JSON.parse to the same bytes', () => {
    const value = { seq: 1, durationMs: 1.25, s: 'é\u0000\ud800', list: [1, 'a', { k: true }] };
    const once = canonicalJson(value);
    expect(canonicalJson(JSON.parse(once))).toBe(once);
  });

  it('refuses cycles and bigints with a TypeError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
  });

  it('finds a cycle that closes deep inside the value, and one through an array', () => {
    const root: Record<string, unknown> = {};
    let node = root;
    for (let i = 0; i < 40; i++) node = (node.next = {}) as Record<string, unknown>;
    node.back = root;
    expect(() => canonicalJson(root)).toThrow(/cycle/);
    const list: unknown[] = [];
    list.push({ list });
    expect(() => canonicalJson(list)).toThrow(/cycle/);
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(canonicalJson({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
  });
});

describe('canonicalMembers', () => {
  it('joined in braces, they are the canonical JSON of the object; dropped members are not listed', () => {
    const record = { b: [1, { d: 1, c: 2 }], a: 'x', skip: undefined, z: null };
    const { keys, members } = canonicalMembers(record);
    expect(keys).toEqual(['a', 'b', 'z']);
    expect(`{${members.join(',')}}`).toBe(canonicalJson(record));
  });
});
