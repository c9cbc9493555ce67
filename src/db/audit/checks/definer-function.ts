import { quoteIdent } from '../sql-text.ts';
import { bypassReason, functionTenantTables } from '../analysis.ts';
import { defineCatalogCheck, gapFindings, type Finding } from './finding.ts';

/**
 * SECURITY DEFINER functions the role can execute do not read or write tenant tables with an owner that bypasses
 * row-level security. Tenant tables are found by matching their names in the function definition (text match:
 * may over-report a name in a comment or string; dynamic SQL building names at run time is not seen).
 */
export const definerFunction = defineCatalogCheck({
  rules: [
    {
      id: 'definer-function',
      title: 'SECURITY DEFINER functions executable by the role do not touch tenant tables',
      failVerdict: 'fail-open',
      severity: 'high',
      description: 'A SECURITY DEFINER function runs as its owner; when that owner bypasses RLS on a tenant table named in the function body (text match of table names in pg_get_functiondef), the role can read or write across tenants through it. Failure: fail-open.',
    },
  ],
  run(snapshot) {
    const gaps = gapFindings(snapshot, 'functions', 'definer-function');
    if (gaps.length > 0) return gaps;
    const out: Finding<'definer-function'>[] = [];
    for (const fn of snapshot.functions.filter((f) => f.securityDefiner)) {
      if (fn.definition === null) {
        out.push({
          rule: 'definer-function',
          operation: fn.signature,
          verdict: fn.executable ? 'inconclusive' : 'pass',
          reason: fn.executable ? 'definition-unreadable' : 'not-executable',
          detail: fn.executable
            ? `SECURITY DEFINER function ${fn.signature} (owner ${fn.owner}) is executable by ${snapshot.role.name} but its definition could not be read`
            : `SECURITY DEFINER function ${fn.signature} is not executable by ${snapshot.role.name}`,
          steps: [],
        });
        continue;
      }
      const tables = functionTenantTables(snapshot, fn);
      if (tables.length === 0) continue;
      const bypassing = tables.map((t) => ({ t, reason: bypassReason(snapshot, fn.owner, t) })).filter((x) => x.reason !== null);
      const step = {
        title: `SELECT prosecdef, proowner, has_function_privilege('${snapshot.role.name}', oid, 'EXECUTE'), pg_get_functiondef(oid) FROM pg_proc WHERE oid = '${fn.signature}'::regprocedure`,
        note: `SECURITY DEFINER; owner=${fn.owner}; executable=${fn.executable}; names tenant tables ${tables.map((t) => t.qualified).join(', ')}`,
      };
      let verdict: Finding['verdict'] = 'pass';
      let reason = 'owner-subject-to-rls';
      let detail = `SECURITY DEFINER function ${fn.signature} touches ${tables.map((t) => t.qualified).join(', ')} as ${fn.owner}, which remains subject to row-level security there`;
      if (!fn.executable) {
        reason = 'not-executable';
        detail = `SECURITY DEFINER function ${fn.signature} touches ${tables.map((t) => t.qualified).join(', ')} but ${snapshot.role.name} cannot execute it`;
      } else if (bypassing.length > 0) {
        verdict = 'fail-open';
        reason = 'definer-bypasses-rls';
        detail = `SECURITY DEFINER function ${fn.signature}, executable by ${snapshot.role.name}, reads or writes ${bypassing
          .map((x) => `${x.t.qualified} as ${fn.owner} (${x.reason})`)
          .join(', ')}: it crosses tenants unless its body filters by ${snapshot.tenantSetting} itself. Fix: ALTER FUNCTION ${fn.signature} SECURITY INVOKER; or REVOKE EXECUTE ON FUNCTION ${fn.signature} FROM PUBLIC, ${quoteIdent(snapshot.role.name)};`;
      }
      out.push({ rule: 'definer-function', operation: fn.signature, verdict, reason, detail, steps: [step] });
    }
    return out;
  },
});
