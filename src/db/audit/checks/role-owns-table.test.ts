import { describe, expect, it } from 'vitest';
import { snapshot, table } from '../../../../test/db/snapshot.ts';
import { roleOwnsTable } from './role-owns-table.ts';

describe('roleOwnsTable', () => {
  it('passes once when the role owns no tenant table', () => {
    expect(roleOwnsTable.run(snapshot())).toEqual([expect.objectContaining({ verdict: 'pass', operation: 'role app' })]);
  });

  it('fails open per owned tenant table, naming role and table', () => {
    const s = snapshot({ tables: [table('documents', { roleOwns: true, owner: 'app' }), table('projects')] });
    expect(roleOwnsTable.run(s)).toEqual([
      expect.objectContaining({ verdict: 'fail-open', operation: 'role app', detail: expect.stringContaining('public.documents') }),
    ]);
  });
});
