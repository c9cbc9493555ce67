import { defineSuite, forgeryCell, scopedOperations } from 'tenancy-audit/suite';

const id = 'identity.spoofed';

export default defineSuite({
  id,
  title: 'Spoofed and forged tokens are rejected',
  description:
    'Tokens signed by an attacker key, alg "none" in every casing, RS→HS key confusion with the public key, stripped, truncated or blank signatures, tampered payloads, expired and not-yet-valid tokens, wrong issuer or audience, unknown kid, jku/x5u/embedded-JWK injection and a re-signed tenant-claim swap. Each must be refused; none may reach tenant data.',
  families: ['spoofed'],
  paths: ['sync'],
  severity: 'critical',
  controls: { soc2: ['CC6.1', 'CC6.6'], iso27001: ['8.5', '5.17', '8.24'] },
  remediation:
    'Verify every token against the issuer JWKS with an explicit algorithm allowlist, check iss, aud, exp and nbf, ignore jku/x5u/jwk headers, and never accept alg "none" or HMAC with a public key.',
  target: 'http',
  cells: (space) =>
    scopedOperations(space).map((op) =>
      forgeryCell({ suite: id, family: 'spoofed' }, space, op, space.forgeries.filter((f) => f.family === 'spoofed')),
    ),
});
