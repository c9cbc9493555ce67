import { ASSERTION_CHANNELS, assertionCell, defineSuite, scopedOperations } from 'tenancy-audit/suite';

const id = 'identity.mismatched';

export default defineSuite({
  id,
  title: 'A tenant asserted outside the token is rejected when it differs',
  description:
    "A valid token for tenant A is sent while another tenant (or a wildcard such as '*', 'default', 'all') is asserted through every configured channel: headers, query parameters, body fields, path segments, cookies and host. Only the token's tenant counts: a differing assertion must be rejected, not obeyed and not silently ignored.",
  families: ['mismatched'],
  paths: ['sync'],
  severity: 'critical',
  controls: { soc2: ['CC6.1', 'CC6.3'], iso27001: ['5.15', '8.3', '8.26'] },
  remediation:
    'Take the tenant only from the verified token. Compare every tenant the request asserts elsewhere (header, query, body, path, cookie, host) with it and answer 403 when they differ.',
  target: 'http',
  cells: (space) =>
    scopedOperations(space).flatMap((op) => ASSERTION_CHANNELS.map((channel) => assertionCell({ suite: id, family: 'mismatched' }, space, op, channel))),
});
