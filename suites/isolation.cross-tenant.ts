import { defineSuite, foreignObjectCell, scopedOperations } from 'tenancy-audit/suite';

const id = 'isolation.cross-tenant';

export default defineSuite({
  id,
  title: "Another tenant's objects cannot be read, listed, changed or deleted",
  description:
    "Tenant A's valid token is aimed at tenant B's object ids for read, update and delete, and at B's parent objects for listing and creating children. Each must be refused (404 preferred, 403 accepted); afterwards B's data is read back as B to prove no write landed there.",
  families: ['cross-tenant'],
  paths: ['sync'],
  severity: 'critical',
  controls: { soc2: ['CC6.1', 'C1.1'], iso27001: ['8.3', '5.15', '8.28'] },
  remediation:
    "Scope every lookup by the context tenant (and keep row-level security as the backstop): a foreign id must behave exactly like a missing one (404), and writes must include the tenant in their WHERE clause.",
  target: 'http',
  cells: (space) => scopedOperations(space).map((op) => foreignObjectCell({ suite: id, family: 'cross-tenant' }, space, op)),
});
