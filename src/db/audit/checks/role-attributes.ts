import { quoteIdent } from '../sql-text.ts';
import { defineCatalogCheck, roleOperation, type Finding } from './finding.ts';

/** The audited role is not superuser, not BYPASSRLS, and cannot SET ROLE to a role that is. */
export const roleAttributes = defineCatalogCheck({
  rules: [
    {
      id: 'role-superuser',
      title: 'The audited role is not superuser',
      failVerdict: 'fail-open',
      severity: 'critical',
      description: 'Superusers bypass row-level security entirely. Failure: fail-open.',
    },
    {
      id: 'role-bypassrls',
      title: 'The audited role does not have BYPASSRLS',
      failVerdict: 'fail-open',
      severity: 'critical',
      description: 'BYPASSRLS roles ignore every policy. Failure: fail-open.',
    },
    {
      id: 'role-privileged-membership',
      title: 'The audited role cannot SET ROLE to a superuser or BYPASSRLS role',
      failVerdict: 'fail-open',
      severity: 'high',
      description: 'Membership in a superuser or BYPASSRLS role lets the application escalate with SET ROLE. Failure: fail-open.',
    },
  ],
  run(snapshot) {
    const { role } = snapshot;
    const operation = roleOperation(role.name);
    const step = {
      title: `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = '${role.name}'`,
      note: `rolsuper=${role.superuser} rolbypassrls=${role.bypassRls} rolcanlogin=${role.canLogin}; member of privileged roles: ${role.privilegedMemberships.join(', ') || 'none'}`,
    };
    const out: Finding<'role-superuser' | 'role-bypassrls' | 'role-privileged-membership'>[] = [
      {
        rule: 'role-superuser',
        operation,
        verdict: role.superuser ? 'fail-open' : 'pass',
        reason: role.superuser ? 'role-superuser' : 'not-superuser',
        detail: role.superuser
          ? `the audited role ${role.name} is a superuser: row-level security never applies to it. Fix: ALTER ROLE ${quoteIdent(role.name)} NOSUPERUSER;`
          : `the audited role ${role.name} is not a superuser`,
        steps: [step],
      },
      {
        rule: 'role-bypassrls',
        operation,
        verdict: role.bypassRls ? 'fail-open' : 'pass',
        reason: role.bypassRls ? 'role-bypassrls' : 'no-bypassrls',
        detail: role.bypassRls
          ? `the audited role ${role.name} has BYPASSRLS: every policy is ignored for it. Fix: ALTER ROLE ${quoteIdent(role.name)} NOBYPASSRLS;`
          : `the audited role ${role.name} does not have BYPASSRLS`,
        steps: [step],
      },
      {
        rule: 'role-privileged-membership',
        operation,
        verdict: role.privilegedMemberships.length > 0 ? 'fail-open' : 'pass',
        reason: role.privilegedMemberships.length > 0 ? 'member-of-privileged-role' : 'no-privileged-membership',
        detail:
          role.privilegedMemberships.length > 0
            ? `the audited role ${role.name} is a member of ${role.privilegedMemberships.join(', ')} (superuser or BYPASSRLS) and can SET ROLE to escape row-level security. Fix: ${role.privilegedMemberships.map((m) => `REVOKE ${quoteIdent(m)} FROM ${quoteIdent(role.name)};`).join(' ')}`
            : `the audited role ${role.name} is not a member of any superuser or BYPASSRLS role`,
        steps: [step],
      },
    ];
    return out;
  },
});
