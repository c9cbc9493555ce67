import { describe, expect, it } from 'vitest';
import { snapshot } from '../../../../test/db/snapshot.ts';
import { settingDefault } from './setting-default.ts';

describe('settingDefault', () => {
  it('passes when no default reaches the role', () => {
    expect(settingDefault.run(snapshot())).toEqual([expect.objectContaining({ verdict: 'pass', operation: 'role app' })]);
  });

  it('fails open on a role default, naming the role', () => {
    const s = snapshot({ settingDefaults: [{ role: 'app', database: null, entry: 'app.tenant_id=acme' }] });
    expect(settingDefault.run(s)).toEqual([expect.objectContaining({ verdict: 'fail-open', operation: 'role app', detail: expect.stringContaining('app.tenant_id=acme') })]);
  });

  it('fails open on a database default, naming the database', () => {
    const s = snapshot({ settingDefaults: [{ role: null, database: 'db', entry: 'app.tenant_id=acme' }] });
    expect(settingDefault.run(s)[0]).toMatchObject({ verdict: 'fail-open', operation: 'database db' });
  });

  it('is inconclusive when pg_db_role_setting could not be read', () => {
    expect(settingDefault.run(snapshot({ gaps: [{ section: 'settings', message: 'denied' }] }))[0]).toMatchObject({ verdict: 'inconclusive' });
  });
});
