import { describe, expect, it } from 'vitest';
import { column, policy, snapshot, table } from '../../../test/db/snapshot.ts';
import { findMembership, principalFor } from './membership.ts';
import { mentionsOwnColumn } from './sql-text.ts';

const IN_FORM = `(org_id IN ( SELECT memberships.org_id
   FROM memberships
  WHERE (memberships.user_id = (current_setting('app.user_id'::text))::uuid)))`;
const CORRELATED = `(EXISTS ( SELECT 1
   FROM memberships m
  WHERE ((m.user_id = (current_setting('app.user_id'::text))::uuid) AND (m.org_id = docs.org_id))))`;
const UNCORRELATED = `(EXISTS ( SELECT 1
   FROM memberships m
  WHERE ((m.user_id = (current_setting('app.user_id'::text))::uuid) AND (m.org_id IS NOT NULL))))`;

const docs = table('docs', { tenantColumn: 'org_id', columns: [column('id', 'uuid', { notNull: true }), column('org_id', 'uuid', { notNull: true })] });
const memberships = table('memberships', { tenant: true, tenantColumn: 'org_id', columns: [column('user_id', 'uuid', { notNull: true }), column('org_id', 'uuid', { notNull: true })] });

describe('memberships', () => {
  it('reads the mapping out of IN (SELECT …) and correlated EXISTS policies', () => {
    for (const using of [IN_FORM, CORRELATED]) {
      const s = snapshot({ tables: [docs, memberships], policies: [policy('docs', 'p', { using, withCheck: null })] });
      expect(findMembership(s)).toEqual({ table: 'public.memberships', principalColumn: 'user_id', tenantColumn: 'org_id' });
    }
  });

  it('counts only the policy table\'s own tenant column: an uncorrelated EXISTS is not keyed', () => {
    expect(mentionsOwnColumn(IN_FORM, 'docs', 'org_id')).toBe(true);
    expect(mentionsOwnColumn(CORRELATED, 'docs', 'org_id')).toBe(true);
    expect(mentionsOwnColumn(UNCORRELATED, 'docs', 'org_id')).toBe(false);
  });

  it('makes deterministic principals shaped like the principal column', () => {
    expect(principalFor('A', 'uuid')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(principalFor('A', 'uuid')).toBe(principalFor('A', 'uuid'));
    expect(principalFor('A', 'uuid')).not.toBe(principalFor('B', 'uuid'));
    expect(principalFor('A', 'int8')).toMatch(/^\d+$/);
  });
});
