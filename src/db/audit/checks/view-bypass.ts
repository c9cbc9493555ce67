import { quoteIdent } from '../sql-text.ts';
import { viewAccesses } from '../analysis.ts';
import { defineCatalogCheck, gapFindings, type Finding } from './finding.ts';

/**
 * Views (and materialized views) over tenant tables that the role can read do not bypass row-level security:
 * a view without security_invoker reads with its owner's rights, and bypasses when that owner is superuser,
 * BYPASSRLS, or owns an unforced tenant table on the way; a materialized view never applies RLS.
 */
export const viewBypass = defineCatalogCheck({
  rules: [
    {
      id: 'view-bypass',
      title: 'Readable views over tenant tables do not bypass RLS',
      failVerdict: 'fail-open',
      severity: 'high',
      description: 'A view without security_invoker reads its tables with its owner\'s rights; it bypasses RLS when that owner is superuser, BYPASSRLS, or owns an unforced tenant table along the view chain. Materialized views never apply RLS. Failure when the role can read it: fail-open.',
    },
  ],
  run(snapshot) {
    const gaps = gapFindings(snapshot, 'views', 'view-bypass');
    if (gaps.length > 0) return gaps;
    const out: Finding<'view-bypass'>[] = [];
    for (const view of snapshot.views) {
      const accesses = viewAccesses(snapshot, view);
      if (accesses.length === 0) continue;
      const kind = view.kind === 'matview' ? 'materialized view' : 'view';
      const step = {
        title: `SELECT relkind, reloptions, relowner FROM pg_class WHERE oid = '${view.qualified}'::regclass; pg_depend via pg_rewrite`,
        note: `${kind}; owner=${view.owner}; security_invoker=${view.securityInvoker}; readable by ${snapshot.role.name}=${view.readable}; reaches ${accesses.map((a) => `${a.table.qualified} as ${a.executor}${a.bypass ? ` (${a.bypass})` : ''}`).join(', ')}`,
      };
      const bypassing = accesses.filter((a) => a.bypass !== null);
      if (!view.readable) {
        out.push({
          rule: 'view-bypass',
          operation: view.qualified,
          verdict: 'pass',
          reason: 'not-readable',
          detail: `${kind} ${view.qualified} reaches tenant tables but ${snapshot.role.name} cannot SELECT it${bypassing.length > 0 ? ` (it would bypass RLS: ${bypassing.map((a) => `${a.table.qualified} ${a.bypass}`).join(', ')})` : ''}`,
          steps: [step],
        });
        continue;
      }
      if (bypassing.length === 0) {
        out.push({
          rule: 'view-bypass',
          operation: view.qualified,
          verdict: 'pass',
          reason: view.securityInvoker ? 'security-invoker' : 'owner-subject-to-rls',
          detail: view.securityInvoker
            ? `view ${view.qualified} is security_invoker: ${accesses.map((a) => a.table.qualified).join(', ')} are read with ${snapshot.role.name}'s rights and policies`
            : `view ${view.qualified} is not security_invoker, but its reads (${accesses.map((a) => `${a.table.qualified} as ${a.executor}`).join(', ')}) remain subject to row-level security`,
          steps: [step],
        });
        continue;
      }
      out.push({
        rule: 'view-bypass',
        operation: view.qualified,
        verdict: 'fail-open',
        reason: view.kind === 'matview' ? 'materialized-view' : 'view-bypasses-rls',
        detail: `${kind} ${view.qualified}, readable by ${snapshot.role.name}, bypasses row-level security on ${bypassing
          .map((a) => `${a.table.qualified} (read as ${a.executor}: ${a.bypass})`)
          .join(', ')}. Fix: ${view.kind === 'view' ? `ALTER VIEW ${view.qualified} SET (security_invoker = true);` : `REVOKE SELECT ON ${view.qualified} FROM ${quoteIdent(snapshot.role.name)}; (a materialized view stores every tenant's rows)`}`,
        steps: [step],
      });
    }
    return out;
  },
});
