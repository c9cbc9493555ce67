import { quoteIdent } from '../sql-text.ts';
import { defineCatalogCheck, gapFindings } from './finding.ts';

/** No `ALTER ROLE/DATABASE … SET <tenant setting>` default reaches the audited role: that is a default tenant. */
export const settingDefault = defineCatalogCheck({
  rules: [
    {
      id: 'setting-default',
      title: 'No default value for the tenant setting',
      failVerdict: 'fail-open',
      severity: 'high',
      description: 'ALTER ROLE/DATABASE … SET <setting> gives every session a default tenant: a query without context is served as that tenant. Failure: fail-open.',
    },
  ],
  run(snapshot) {
    const gaps = gapFindings(snapshot, 'settings', 'setting-default');
    if (gaps.length > 0) return gaps;
    const step = {
      title: `SELECT setrole, setdatabase, setconfig FROM pg_db_role_setting WHERE setconfig entry starts with '${snapshot.tenantSetting}='`,
      note: snapshot.settingDefaults.map((d) => d.entry).join('; ') || 'none',
    };
    if (snapshot.settingDefaults.length === 0) {
      return [
        {
          rule: 'setting-default',
          operation: `role ${snapshot.role.name}`,
          verdict: 'pass',
          reason: 'no-default',
          detail: `no role or database default sets ${snapshot.tenantSetting} for ${snapshot.role.name} in ${snapshot.database}`,
          steps: [step],
        },
      ];
    }
    return snapshot.settingDefaults.map((d) => {
      const scope = [d.role === null ? 'every role' : `role ${d.role}`, d.database === null ? 'every database' : `database ${d.database}`];
      return {
        rule: 'setting-default' as const,
        operation: d.role === null ? `database ${d.database ?? snapshot.database}` : `role ${d.role}`,
        verdict: 'fail-open' as const,
        reason: 'setting-default',
        detail: `${scope.join(' in ')} has the default ${d.entry}: a session without tenant context is served as that tenant. Fix: ${d.role === null ? `ALTER DATABASE ${quoteIdent(d.database ?? snapshot.database)}` : `ALTER ROLE ${quoteIdent(d.role)}${d.database === null ? '' : ` IN DATABASE ${quoteIdent(d.database)}`}`} RESET ${snapshot.tenantSetting};`,
        steps: [step],
      };
    });
  },
});
