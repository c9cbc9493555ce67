import { settingReaders, tenantTables } from '../analysis.ts';
import { callsFunction, readsSetting, readsSettingMissingOk } from '../sql-text.ts';
import { policyWithoutMissingOkSql } from '../fix-sql.ts';
import type { PolicyFacts } from '../types.ts';
import { defineCatalogCheck, gapFindings, policyStep, type Finding } from './finding.ts';

/**
 * No policy on a tenant table reads the tenant setting with missing_ok (`current_setting(name, true)`), directly or
 * through a function it calls: a missing context would become NULL, i.e. a silent empty result.
 */
export const policyMissingOk = defineCatalogCheck({
  rules: [
    {
      id: 'policy-missing-ok',
      title: 'The tenant setting is read without missing_ok',
      failVerdict: 'soft-fail',
      severity: 'medium',
      description: 'current_setting(name, true) returns NULL when the context is missing, turning it into a silent empty result instead of an error. Checked in policy expressions and in the functions they call. Failure: soft-fail.',
    },
  ],
  run(snapshot) {
    const gaps = [
      ...gapFindings(snapshot, 'policies', 'policy-missing-ok'),
      ...gapFindings(snapshot, 'functions', 'policy-missing-ok'),
    ];
    if (gaps.length > 0) return gaps;
    const readers = settingReaders(snapshot);
    const tables = new Set(tenantTables(snapshot).map((t) => t.qualified));
    const out: Finding<'policy-missing-ok'>[] = [];
    // One root cause, one finding: policies that read the setting with missing_ok only through the same helper(s).
    const viaHelper = new Map<string, PolicyFacts[]>();
    for (const policy of snapshot.policies.filter((p) => tables.has(p.table) && p.appliesToRole)) {
      const exprs = [policy.using, policy.withCheck].filter((e): e is string => e !== null);
      const direct = exprs.some((e) => readsSettingMissingOk(e, snapshot.tenantSetting));
      const viaFns = [...readers.entries()]
        .filter(([name, r]) => r.missingOk && exprs.some((e) => callsFunction(e, name)))
        .map(([, r]) => r.fn.signature);
      const reads = exprs.some((e) => readsSetting(e, snapshot.tenantSetting)) || [...readers.keys()].some((n) => exprs.some((e) => callsFunction(e, n)));
      if (!reads) continue;
      const bad = direct || viaFns.length > 0;
      const how = `policy "${policy.name}" on ${policy.table} reads ${snapshot.tenantSetting} with missing_ok${direct ? '' : ` through ${viaFns.join(', ')}`}`;
      const platform = bad && snapshot.missingContext === 'empty';
      if (bad && !platform && !direct) {
        const key = viaFns.join(', ');
        viaHelper.set(key, [...(viaHelper.get(key) ?? []), policy]);
        continue;
      }
      const fix = direct
        ? policyWithoutMissingOkSql(policy, snapshot.tenantSetting)
        : `in ${viaFns.join(', ')}, call current_setting('${snapshot.tenantSetting}') without its second argument (CREATE OR REPLACE FUNCTION …)`;
      out.push({
        rule: 'policy-missing-ok',
        operation: policy.table,
        verdict: bad && !platform ? 'soft-fail' : 'pass',
        reason: platform ? 'missing-ok-platform' : bad ? (direct ? 'missing-ok' : 'missing-ok-via-function') : 'setting-required',
        detail: platform
          ? `${how}: expected on this platform, which sets the claims on every request; a missing claim reads as NULL and matches no tenant (predicates that admit NULL tenants are judged by policy-null-tenant)`
          : bad
            ? `${how}: a session without tenant context gets NULL and a silent empty result instead of an error. Fix: ${fix ?? `drop the second argument of current_setting('${snapshot.tenantSetting}', …)`}`
            : `policy "${policy.name}" on ${policy.table} reads ${snapshot.tenantSetting} without missing_ok (a missing context errors)`,
        steps: [
          policyStep(policy),
          ...viaFns.map((sig) => ({ title: `SELECT pg_get_functiondef('${sig}'::regprocedure)`, note: 'calls current_setting(…, true)' })),
        ],
      });
    }
    for (const [helpers, policies] of viaHelper) {
      const names = policies.map((p) => `"${p.name}" on ${p.table}`).join(', ');
      out.push({
        rule: 'policy-missing-ok',
        operation: helpers,
        verdict: 'soft-fail',
        reason: 'missing-ok-via-function',
        detail: `${helpers} read${helpers.includes(',') ? '' : 's'} ${snapshot.tenantSetting} with missing_ok, and ${policies.length === 1 ? 'policy' : `${policies.length} policies`} ${names} call${policies.length === 1 ? 's' : ''} it: a session without tenant context gets NULL and a silent empty result instead of an error. Fix: in ${helpers}, call current_setting('${snapshot.tenantSetting}') without its second argument (CREATE OR REPLACE FUNCTION …)`,
        steps: [
          ...policies.map(policyStep),
          ...helpers.split(', ').map((sig) => ({ title: `SELECT pg_get_functiondef('${sig}'::regprocedure)`, note: 'calls current_setting(…, true)' })),
        ],
      });
    }
    return out;
  },
});
