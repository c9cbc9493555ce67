import { roleOperation, type CatalogCheck, type Finding } from './finding.ts';

/** The audited role is not superuser, not BYPASSRLS, and cannot SET ROLE to a role that is. */
export const roleAttributes: CatalogCheck = (snapshot) => {
  const { role } = snapshot;
  const operation = roleOperation(role.name);
  const step = {
    title: `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = '${role.name}'`,
    note: `rolsuper=${role.superuser} rolbypassrls=${role.bypassRls} rolcanlogin=${role.canLogin}; member of privileged roles: ${role.privilegedMemberships.join(', ') || 'none'}`,
  };
  const out: Finding[] = [
    {
      rule: 'role-superuser',
      operation,
      verdict: role.superuser ? 'fail-open' : 'pass',
      reason: role.superuser ? 'role-superuser' : 'not-superuser',
      detail: role.superuser
        ? `the audited role ${role.name} is a superuser: row-level security never applies to it`
        : `the audited role ${role.name} is not a superuser`,
      steps: [step],
    },
    {
      rule: 'role-bypassrls',
      operation,
      verdict: role.bypassRls ? 'fail-open' : 'pass',
      reason: role.bypassRls ? 'role-bypassrls' : 'no-bypassrls',
      detail: role.bypassRls
        ? `the audited role ${role.name} has BYPASSRLS: every policy is ignored for it`
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
          ? `the audited role ${role.name} is a member of ${role.privilegedMemberships.join(', ')} (superuser or BYPASSRLS) and can SET ROLE to escape row-level security`
          : `the audited role ${role.name} is not a member of any superuser or BYPASSRLS role`,
      steps: [step],
    },
  ];
  return out;
};
