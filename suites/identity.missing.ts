import { defineSuite, forgeryCell, scopedOperations } from 'tenancy-audit/suite';

const id = 'identity.missing';

export default defineSuite({
  id,
  title: 'Missing tenant identity is rejected',
  description:
    'Every tenant-scoped operation is called with no credential, an empty or garbage bearer, a validly signed token without a tenant claim, and tenant claims that are empty, blank, null or of the wrong type. A fail-closed service refuses each one; it never falls back to a default, global or empty scope.',
  families: ['missing'],
  paths: ['sync'],
  severity: 'critical',
  controls: { soc2: ['CC6.1', 'CC6.6'], iso27001: ['5.15', '8.3', '8.5', '8.26'] },
  remediation:
    'Reject the request (401) at the edge when the verified token carries no usable tenant claim, and make the data layer throw when no tenant context is set, before any query runs. Remove any default-tenant or "global scope" fallback.',
  target: 'http',
  cells: (space) =>
    scopedOperations(space).map((op) =>
      forgeryCell({ suite: id, family: 'missing' }, space, op, space.forgeries.filter((f) => f.family === 'missing')),
    ),
});
