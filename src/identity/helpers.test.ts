import { exportJWK, exportSPKI, generateKeyPair, generateSecret } from 'jose';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createWorld, LAYOUTS } from '../../test/support/identity.ts';
import { createAttackerKeys } from './attacker.ts';
import { describeCredential } from './describe.ts';
import { FORGERIES } from './forgeries.ts';
import { jwtShape } from './jwt.ts';
import { publicKeysFromJwks } from './jwks.ts';

describe('publicKeysFromJwks', () => {
  it('converts RSA, EC and Ed25519 signing keys to SPKI PEM; skips oct, enc and broken keys; ignores private members', async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const ec = await generateKeyPair('ES384', { extractable: true });
    const ed = await generateKeyPair('EdDSA', { extractable: true });
    const enc = await generateKeyPair('RSA-OAEP', { extractable: true });
    const keys: JWK[] = [
      { ...(await exportJWK(rsa.privateKey)), kid: 'r1', alg: 'RS256', use: 'sig' }, // includes d, p, q…
      { ...(await exportJWK(ec.publicKey)), kid: 'e1' }, // no alg: derived from crv
      { ...(await exportJWK(ed.publicKey)), kid: 'd1', alg: 'EdDSA' },
      { ...(await exportJWK(await generateSecret('HS256', { extractable: true }))), kid: 'h1' },
      { ...(await exportJWK(enc.publicKey)), kid: 'x1', use: 'enc' },
      { kty: 'RSA', kid: 'no-modulus', e: 'AQAB' },
      { kty: 'EC', kid: 'off-curve', crv: 'P-256', x: 'AQAB', y: 'AQAB' },
      { kty: 'FOO', kid: 'unknown-kty' } as unknown as JWK,
    ];
    const out = await publicKeysFromJwks({ keys });
    expect(out.map((k) => [k.kid, k.alg])).toEqual([
      ['r1', 'RS256'],
      ['e1', 'ES384'],
      ['d1', 'EdDSA'],
    ]);
    expect(out[0]?.pem).toBe(await exportSPKI(rsa.publicKey));
    expect(out[1]?.pem).toBe(await exportSPKI(ec.publicKey));
    expect(out[2]?.pem).toBe(await exportSPKI(ed.publicKey));
    for (const k of out) expect(k.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----$/);
    expect(await publicKeysFromJwks({ keys: [] })).toEqual([]);
  });
});

describe('createAttackerKeys', () => {
  it('returns an RS256 pair with a random kid and a public-only JWKS', async () => {
    const a = await createAttackerKeys();
    const b = await createAttackerKeys();
    expect(a.kid).toMatch(/^attacker-[0-9a-f]{16}$/);
    expect(a.kid).not.toBe(b.kid);
    expect(a.publicJwk).toMatchObject({ kty: 'RSA', kid: a.kid, alg: 'RS256', use: 'sig' });
    expect(a.publicJwk).not.toHaveProperty('d');
    expect(a.jwks).toEqual({ keys: [a.publicJwk] });
    expect(a.privateKey.type).toBe('private');
  });
});

describe('jwtShape', () => {
  it('decodes compact JWTs and returns undefined for anything else, never throwing', () => {
    const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
    expect(jwtShape(`${b64({ alg: 'none' })}.${b64({ a: 1 })}.`)).toEqual({ header: { alg: 'none' }, payload: { a: 1 } });
    for (const bad of ['', 'null', 'a.b', 'a.b.c', `${b64({})}.${b64([1])}.x`, `${b64('nope')}.${b64({})}.x`, `${b64({})}.${b64({})}.x.y.z`, `${b64({})}.${b64({})}.s+g`, `${b64({})}.%%.x`]) {
      expect(jwtShape(bad), bad).toBeUndefined();
    }
  });
});

describe('describeCredential', () => {
  it('describes without ever printing a token, signature or opaque credential', async () => {
    const world = await createWorld(LAYOUTS[0]);
    const seen = new Set<string>();
    for (const f of FORGERIES) {
      const c = await f.build(world.ctx);
      const text = describeCredential(c, { tenantClaim: 'tenant_id' });
      expect(text.length).toBeGreaterThan(5);
      seen.add(text);
      const token = c.authorization?.replace(/^Bearer /, '') ?? '';
      if (token.split('.').length !== 3) {
        if (token.length > 0 && !['null', 'TENANCY-AUDIT-INVALID-VALUE'].includes(token)) expect(text, f.id).not.toContain(token.slice(-12));
        continue;
      }
      const [h = '', p = '', s = ''] = token.split('.');
      if (s.length > 12) expect(text, f.id).not.toContain(s.slice(0, 12));
      if (p.length > 12) expect(text, f.id).not.toContain(p.slice(0, 12));
      if (h.length > 12) expect(text, f.id).not.toContain(h.slice(0, 12));
    }
    expect(seen.size).toBeGreaterThan(FORGERIES.length / 2);
    const legit = describeCredential({ authorization: `Bearer ${world.legitToken}` }, { tenantClaim: 'tenant_id' });
    expect(legit).toMatch(/^Bearer <JWT alg=RS256 kid="trusted-1" claims\.tenant_id="acme" iss="https:\/\/idp\.example\.test\/" aud="https:\/\/api\.example\.test" exp=\+\d+m sig=256B>$/);
    expect(legit).not.toContain('audit-user'); // sub is left out
  });

  it('renders the documented shapes', async () => {
    const world = await createWorld(LAYOUTS[0]);
    const build = async (id: string) => FORGERIES.find((f) => f.id === id)!.build(world.ctx);
    expect(describeCredential(await build('alg-none'), { tenantClaim: 'tenant_id' })).toMatch(/^Bearer <JWT alg=none kid="trusted-1" claims\.tenant_id="globex" .*sig=empty>$/);
    expect(describeCredential(await build('psychic-signature'))).toMatch(/alg=ES256 .*sig=64B-all-zero>$/);
    expect(describeCredential(await build('jku-injection'))).toContain('jku=http://127.0.0.1:45999/');
    expect(describeCredential(await build('embedded-jwk'))).toContain('jwk=embedded');
    expect(describeCredential(await build('expired'))).toMatch(/exp=-1h/);
    expect(describeCredential(await build('not-yet-valid'))).toMatch(/nbf=\+1h/);
    expect(describeCredential(await build('claimless'), { tenantClaim: 'tenant_id' })).toContain('claims.tenant_id=absent');
    expect(describeCredential(await build('claim-array'), { tenantClaim: 'tenant_id' })).toContain('claims.tenant_id=["acme","globex"]');
    expect(describeCredential({ authorization: null })).toBe('<no Authorization header>');
    expect(describeCredential({ authorization: 'Bearer ' })).toBe('Bearer <empty>');
    expect(describeCredential({ authorization: 'Bearer null' })).toBe('Bearer null');
    expect(describeCredential(await build('garbage-bearer'))).toBe('Bearer TENANCY-AUDIT-INVALID-VALUE');
    expect(describeCredential({ authorization: 'Bearer s3cr3t-opaque-token' })).toBe('Bearer <opaque 19 chars>');
    expect(describeCredential(await build('non-bearer-scheme'))).toMatch(/^Basic <opaque \d+ chars>$/);
    expect(describeCredential({ authorization: '' })).toBe('<empty Authorization header>');
  });
});
