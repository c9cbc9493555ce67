import { describe, expect, it } from 'vitest';
import { column, table } from '../../../test/db/snapshot.ts';
import { CANARY_PREFIX, canary, planInsertFromTemplate, planSeedRow, seededRandom, synthValue } from './rows.ts';

describe('rows', () => {
  it('is deterministic for a seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it('makes canaries that fit the column', () => {
    const r = seededRandom(1);
    expect(canary(r, null)).toMatch(new RegExp(`^${CANARY_PREFIX}[0-9a-f]{12}$`));
    expect(canary(r, 16)).toHaveLength(16);
    expect(canary(r, 8)).toBeNull();
    expect(synthValue(column('code', 'varchar', { maxLength: 4 }), r)).toHaveLength(4);
  });

  it.each([
    ['int4', 'number'],
    ['uuid', 'string'],
    ['bool', 'boolean'],
    ['jsonb', 'object'],
    ['timestamptz', 'string'],
  ])('synthesizes a %s value', (type, kind) => {
    expect(typeof synthValue(column('c', type), seededRandom(3))).toBe(kind);
  });

  it('returns undefined for a type it cannot make', () => {
    expect(synthValue(column('g', 'geometry', { category: 'G' }), seededRandom(3))).toBeUndefined();
  });

  it('plans an insert from a template: tenant set, unique columns fresh or defaulted, serials explicit, generated omitted', () => {
    const t = table('projects', {
      columns: [
        column('id', 'int8', { notNull: true, default: "nextval('projects_id_seq'::regclass)" }),
        column('uid', 'uuid', { notNull: true, default: 'gen_random_uuid()' }),
        column('tenant_id', 'uuid', { notNull: true }),
        column('slug', 'text', { notNull: true }),
        column('name', 'text'),
        column('search', 'text', { generated: true }),
        column('row_no', 'int4', { identity: 'a' }),
      ],
      uniqueKeys: [['id'], ['uid'], ['tenant_id', 'slug']],
    });
    const planned = planInsertFromTemplate(t, { id: 1, uid: 'x', tenant_id: 'A', slug: 'same', name: 'copied', search: 's', row_no: 1 }, seededRandom(9));
    if ('error' in planned) throw new Error(planned.error);
    const own = planned.plan('A');
    const other = planned.plan('B');
    expect(own.columns).toEqual(['id', 'tenant_id', 'slug', 'name', 'row_no']);
    expect(own.overriding).toBe(true);
    expect(own.values).toMatchObject({ tenant_id: 'A', name: 'copied' });
    expect(own.values['slug']).not.toBe('same');
    expect(own.values['id']).not.toBe(1);
    expect({ ...other.values, tenant_id: 'A' }).toEqual(own.values);
  });

  it('plans a seed row with forced values and canaries, and a minimal retry without nullable columns', () => {
    const t = table('documents', { columns: [column('id', 'uuid', { notNull: true, default: 'gen_random_uuid()' }), column('tenant_id', 'uuid', { notNull: true }), column('title', 'text', { notNull: true }), column('note', 'text'), column('size', 'int4')] });
    const full = planSeedRow(t, { tenant_id: 'A' }, seededRandom(5), false);
    if ('error' in full) throw new Error(full.error);
    expect(full.columns).toEqual(['tenant_id', 'title', 'note']);
    expect(String(full.values['title'])).toMatch(new RegExp(`^${CANARY_PREFIX}`));
    const minimal = planSeedRow(t, { tenant_id: 'A' }, seededRandom(5), true);
    expect('columns' in minimal && minimal.columns).toEqual(['tenant_id', 'title']);
  });
});
