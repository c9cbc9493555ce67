import { describe, expect, it } from 'vitest';
import { snapshot, table } from '../../../../test/db/snapshot.ts';
import { rlsForced } from './rls-forced.ts';

describe('rlsForced', () => {
  it('passes a forced table', () => {
    expect(rlsForced.run(snapshot())[0]).toMatchObject({ verdict: 'pass', reason: 'rls-forced' });
  });

  it('fails open when the audited role owns an unforced table', () => {
    const s = snapshot({ tables: [table('documents', { rlsForced: false, roleOwns: true, owner: 'app' })] });
    expect(rlsForced.run(s)[0]).toMatchObject({ verdict: 'fail-open', reason: 'owner-not-forced', operation: 'public.documents' });
  });

  it('passes an unforced table owned by another role, naming the owner', () => {
    const [f] = rlsForced.run(snapshot({ tables: [table('documents', { rlsForced: false })] }));
    expect(f).toMatchObject({ verdict: 'pass', reason: 'not-forced-other-owner' });
    expect(f!.detail).toContain('admin');
  });

  it('leaves tables without RLS to rls-enabled', () => {
    expect(rlsForced.run(snapshot({ tables: [table('documents', { rlsEnabled: false, rlsForced: false })] }))).toEqual([]);
  });
});
