import { describe, expect, it } from 'vitest';
import { snapshot, table } from '../../../../test/db/snapshot.ts';
import { catalogRead } from './catalog-read.ts';

describe('catalogRead', () => {
  it('passes and states the population when the catalog was read', () => {
    expect(catalogRead.run(snapshot())[0]).toMatchObject({ verdict: 'pass', detail: expect.stringContaining('public.documents') });
  });

  it('is inconclusive — never a pass — when no tenant table is in scope', () => {
    const s = snapshot({ tables: [table('tenants', { tenant: false, tenantColumn: null })] });
    expect(catalogRead.run(s)[0]).toMatchObject({ verdict: 'inconclusive', reason: 'no-tenant-tables' });
  });

  it('is inconclusive when a section could not be read', () => {
    expect(catalogRead.run(snapshot({ gaps: [{ section: 'functions', message: 'denied' }] }))[0]).toMatchObject({ verdict: 'inconclusive' });
  });
});
