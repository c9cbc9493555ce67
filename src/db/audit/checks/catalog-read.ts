import { tenantTables } from '../analysis.ts';
import { defineCatalogCheck } from './finding.ts';

/**
 * The catalog suite's positive control: the population it judged, and the sections it could not read. No tenant
 * table in scope is inconclusive, never a pass: an audit that looked at nothing proves nothing.
 */
export const catalogRead = defineCatalogCheck({
  rules: [
    {
      id: 'catalog-read',
      title: 'Positive control: the catalog is readable and tenant tables are in scope',
      failVerdict: 'control',
      severity: 'high',
      description: 'No tenant table in scope (no table has the tenant column, none listed) is inconclusive, never a pass. The audit reads pg_class, pg_policy, pg_roles, pg_proc and privileges; a section it cannot read makes the checks needing it inconclusive.',
    },
  ],
  run(snapshot) {
    const tenants = tenantTables(snapshot);
    const summary = `${snapshot.tables.length} tables, ${tenants.length} tenant tables (column ${snapshot.tenantColumn}), ${snapshot.policies.length} policies, ${snapshot.views.length} views, ${snapshot.functions.length} functions; PostgreSQL ${snapshot.serverVersion}; database ${snapshot.database}; audited role ${snapshot.role.name} (session ${snapshot.sessionUser})`;
    const steps = [{ title: 'read pg_class, pg_attribute, pg_policy, pg_roles, pg_proc, pg_rewrite/pg_depend, pg_db_role_setting', note: summary }];
    if (tenants.length === 0) {
      return [
        {
          kind: 'control',
          rule: 'catalog-read',
          operation: `database ${snapshot.database}`,
          verdict: 'inconclusive',
          reason: 'no-tenant-tables',
          detail: `no tenant table in scope: no table has a column "${snapshot.tenantColumn}" and none was listed; nothing was audited (${summary})`,
          steps,
        },
      ];
    }
    return [
      {
        kind: 'control',
        rule: 'catalog-read',
        operation: `database ${snapshot.database}`,
        verdict: snapshot.gaps.length === 0 ? 'pass' : 'inconclusive',
        reason: snapshot.gaps.length === 0 ? 'catalog-read' : 'catalog-partly-unreadable',
        detail:
          snapshot.gaps.length === 0
            ? `catalog read: ${summary}; tenant tables: ${tenants.map((t) => t.qualified).join(', ')}`
            : `catalog partly unreadable (${snapshot.gaps.map((g) => `${g.section}: ${g.message}`).join('; ')}); ${summary}`,
        steps,
      },
    ];
  },
});
