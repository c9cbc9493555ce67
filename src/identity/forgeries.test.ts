import { createHmac, timingSafeEqual } from 'node:crypto';
import { compactVerify, createLocalJWKSet, EmbeddedJWK, importJWK, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACTOR,
  ATTACKER_JWKS_URL,
  AUDIENCE,
  bearerToken,
  createIssuer,
  createWorld,
  decodeHeaderUnsafe,
  decodePayloadUnsafe,
  ISSUER,
  LAYOUTS,
  OTHER,
  requireTenant,
  strictVerify,
  TRUSTED_KID,
} from '../../test/support/identity.ts';
import type { World } from '../../test/support/identity.ts';
import { isTenancyAuditError } from '../core/errors.ts';
import { FORGERIES, forgeriesOf, unmetRequirements } from './forgeries.ts';
import { createTokenProvider } from './provider.ts';
import type { ForgeContext } from './types.ts';

const REQUIRED_IDS = {
  missing: [
    'no-credential', 'empty-bearer', 'garbage-bearer', 'null-token', 'non-bearer-scheme', 'claimless',
    'claim-empty', 'claim-whitespace', 'claim-null', 'claim-number', 'claim-array', 'claim-object',
  ],
  spoofed: [
    'attacker-signed', 'attacker-signed-other-tenant', 'alg-none', 'alg-none-capitalised', 'alg-none-upper', 'alg-none-mixed',
    'stripped-signature', 'truncated-signature', 'tampered-payload', 'blank-hmac', 'rs-hs-confusion', 'expired', 'not-yet-valid',
    'wrong-issuer', 'wrong-audience', 'unknown-kid', 'jku-injection', 'x5u-injection', 'embedded-jwk', 'kid-traversal', 'psychic-signature',
  ],
} as const;

const ALG_NONE = ['alg-none', 'alg-none-capitalised', 'alg-none-upper', 'alg-none-mixed'];

describe('catalogue', () => {
  it('has unique ids, titles, descriptions and the right families', () => {
    const ids = FORGERIES.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of FORGERIES) {
      expect(f.id).toMatch(/^[a-z0-9-]+$/);
      expect(f.title.trim().length).toBeGreaterThan(3);
      expect(f.description.trim().length).toBeGreaterThan(30);
      expect(['missing', 'spoofed']).toContain(f.family);
      if (f.family === 'missing') expect(f.claims).toBe('none');
      else expect(['actor', 'other']).toContain(f.claims);
    }
    for (const id of REQUIRED_IDS.missing) expect(forgeriesOf('missing').map((f) => f.id)).toContain(id);
    for (const id of REQUIRED_IDS.spoofed) expect(forgeriesOf('spoofed').map((f) => f.id)).toContain(id);
    expect(forgeriesOf('missing').length + forgeriesOf('spoofed').length).toBe(FORGERIES.length);
  });

  it('declares the capabilities the brief requires', () => {
    const req = (id: string) => FORGERIES.find((f) => f.id === id)?.requires;
    for (const id of ['claimless', 'claim-empty', 'claim-whitespace', 'claim-null', 'claim-number', 'claim-array', 'claim-object', 'expired', 'not-yet-valid', 'wrong-issuer', 'wrong-audience']) {
      expect(req(id)).toContain('mint');
    }
    expect(req('rs-hs-confusion')).toEqual(['publicKey']);
    expect(req('no-credential')).toEqual([]);
    expect(req('attacker-signed-other-tenant')).toEqual([]);
    expect(FORGERIES.find((f) => f.id === 'attacker-signed')?.claims).toBe('actor');
    expect(FORGERIES.find((f) => f.id === 'expired')?.claims).toBe('actor');
    expect(FORGERIES.find((f) => f.id === 'rs-hs-confusion')?.claims).toBe('other');
  });
});

for (const layout of LAYOUTS) {
  describe(`forgeries with tenant claim "${layout.tenantClaim}"`, () => {
    let world: World;
    const built = new Map<string, string | null>();
    const token = (id: string): string => {
      const t = bearerToken(built.get(id) ?? null);
      if (t === undefined) throw new Error(`${id} has no bearer token`);
      return t;
    };

    beforeAll(async () => {
      world = await createWorld(layout);
      for (const f of FORGERIES) {
        expect(unmetRequirements(f, world.ctx)).toEqual([]);
        built.set(f.id, (await f.build(world.ctx)).authorization);
      }
    });

    /** Ids of every forgery a given verifier accepts (returns the tenant it would serve). */
    async function acceptedBy(verify: (token: string) => Promise<string>): Promise<Map<string, string>> {
      const accepted = new Map<string, string>();
      for (const f of FORGERIES) {
        const t = bearerToken(built.get(f.id) ?? null);
        if (t === undefined) continue;
        try {
          accepted.set(f.id, await verify(t));
        } catch {
          /* rejected */
        }
      }
      return accepted;
    }

    it('positive control: the strict verifier accepts the legit token for the actor', async () => {
      await expect(strictVerify(world, world.legitToken)).resolves.toBe(ACTOR);
    });

    it('fail-closed twin: the strict verifier rejects EVERY forgery', async () => {
      const accepted = await acceptedBy((t) => strictVerify(world, t));
      expect([...accepted.keys()]).toEqual([]);
      // and the credential-less ones carry no usable bearer token at all
      for (const id of ['no-credential', 'empty-bearer', 'non-bearer-scheme']) expect(bearerToken(built.get(id) ?? null)).toBeUndefined();
    });

    it('leaky twin: a decode-only verifier serves the claimed tenant (claims field is accurate)', async () => {
      const naive = await acceptedBy(async (t) => {
        const tenant = layout.read(decodePayloadUnsafe(t));
        if (typeof tenant !== 'string') throw new Error('no tenant');
        return tenant;
      });
      for (const id of ['attacker-signed-other-tenant', 'tampered-payload', ...ALG_NONE]) expect(naive.get(id)).toBe(OTHER);
      for (const f of forgeriesOf('spoofed')) expect(naive.get(f.id)).toBe(f.claims === 'other' ? OTHER : ACTOR);
    });

    it('leaky twin: a verifier honouring alg none (any case) accepts exactly the alg-none variants, as the other tenant', async () => {
      const acceptsNone = async (t: string): Promise<string> => {
        const alg = decodeHeaderUnsafe(t)['alg'];
        if (typeof alg === 'string' && alg.toLowerCase() === 'none' && t.endsWith('.')) return requireTenant(world, decodePayloadUnsafe(t) as JWTPayload);
        return strictVerify(world, t);
      };
      const accepted = await acceptedBy(acceptsNone);
      expect([...accepted.keys()].sort()).toEqual([...ALG_NONE].sort());
      for (const id of ALG_NONE) expect(accepted.get(id)).toBe(OTHER);
    });

    it('leaky twin: a verifier skipping the signature when it is empty accepts stripped-signature and alg-none', async () => {
      const accepted = await acceptedBy(async (t) => {
        if (t.endsWith('.')) return requireTenant(world, decodePayloadUnsafe(t) as JWTPayload);
        return strictVerify(world, t);
      });
      expect([...accepted.keys()].sort()).toEqual(['stripped-signature', ...ALG_NONE].sort());
      expect(accepted.get('stripped-signature')).toBe(ACTOR);
    });

    it('leaky twin: HS256 keyed with the public PEM bytes (each variant) accepts exactly the matching rs-hs-confusion', async () => {
      const spki = world.issuer.publicPem; // jose: LF, no trailing newline
      const variants = {
        'rs-hs-confusion': `${spki.trimEnd()}\n`,
        'rs-hs-confusion-no-newline': spki.trimEnd(),
        'rs-hs-confusion-crlf': `${spki.trimEnd().split('\n').join('\r\n')}\r\n`,
      };
      for (const [id, secret] of Object.entries(variants)) {
        const key = new TextEncoder().encode(secret);
        const accepted = await acceptedBy(async (t) => {
          if (decodeHeaderUnsafe(t)['alg'] === 'HS256') {
            const { payload } = await jwtVerify(t, key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
            return requireTenant(world, payload);
          }
          return strictVerify(world, t);
        });
        expect([...accepted.keys()]).toEqual([id]);
        expect(accepted.get(id)).toBe(OTHER);
        expect(decodeHeaderUnsafe(token(id))['kid']).toBe(TRUSTED_KID);
      }
    });

    it('leaky twin: HS256 with an empty secret accepts blank-hmac and kid-traversal; with "1" accepts kid-sqli', async () => {
      const hmacWith = (secret: string) => async (t: string): Promise<string> => {
        const [h, p, s] = t.split('.') as [string, string, string];
        if (decodeHeaderUnsafe(t)['alg'] !== 'HS256') return strictVerify(world, t);
        const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
        const got = Buffer.from(s, 'base64url');
        if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new Error('bad hmac');
        return requireTenant(world, decodePayloadUnsafe(t) as JWTPayload);
      };
      const empty = await acceptedBy(hmacWith(''));
      expect([...empty.keys()].sort()).toEqual(['blank-hmac', 'kid-traversal']);
      expect(empty.get('blank-hmac')).toBe(OTHER);
      const one = await acceptedBy(hmacWith('1'));
      expect([...one.keys()]).toEqual(['kid-sqli']);
    });

    it('leaky twins: skipping exp/nbf, iss or aud accepts exactly the matching validly-signed forgery', async () => {
      const trusted = world.issuer.getKey;
      const noTime = await acceptedBy(async (t) => {
        const { payload: bytes } = await compactVerify(t, trusted, { algorithms: ['RS256'] });
        const payload = JSON.parse(new TextDecoder().decode(bytes)) as JWTPayload;
        if (payload.iss !== ISSUER || payload.aud !== AUDIENCE) throw new Error('iss/aud');
        return requireTenant(world, payload);
      });
      expect([...noTime.keys()].sort()).toEqual(['expired', 'not-yet-valid']);
      expect(noTime.get('expired')).toBe(ACTOR);

      const noIss = await acceptedBy(async (t) => requireTenant(world, (await jwtVerify(t, trusted, { algorithms: ['RS256'], audience: AUDIENCE })).payload));
      expect([...noIss.keys()]).toEqual(['wrong-issuer']);
      const noAud = await acceptedBy(async (t) => requireTenant(world, (await jwtVerify(t, trusted, { algorithms: ['RS256'], issuer: ISSUER })).payload));
      expect([...noAud.keys()]).toEqual(['wrong-audience']);

      const now = Date.now() / 1000;
      const expired = decodePayloadUnsafe(token('expired'));
      expect(expired['exp']).toBeLessThan(now - 3500);
      expect(expired['iat']).toBeLessThan(expired['exp'] as number);
      const nyv = decodePayloadUnsafe(token('not-yet-valid'));
      expect(nyv['nbf']).toBeGreaterThan(now + 3500);
      expect(nyv['iat']).toBeGreaterThan(now + 3500);
      expect(nyv['exp']).toBeGreaterThan(nyv['nbf'] as number);
    });

    it('leaky twin: a verifier that skips the tenant check accepts the claim-* forgeries (they are validly signed)', async () => {
      const lenient = await acceptedBy(async (t) => {
        const { payload } = await jwtVerify(t, world.issuer.getKey, { algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE });
        return JSON.stringify(layout.read(payload as Record<string, unknown>) ?? '<absent>');
      });
      expect(lenient.get('claimless')).toBe('"<absent>"');
      expect(lenient.get('claim-empty')).toBe('""');
      expect(lenient.get('claim-whitespace')).toBe('"  "');
      expect(lenient.get('claim-null')).toBe('"<absent>"'); // null reads as absent through ??; type checked below
      expect(lenient.get('claim-number')).toBe('0');
      expect(lenient.get('claim-boolean')).toBe('true');
      expect(lenient.get('claim-array')).toBe(JSON.stringify([ACTOR, OTHER]));
      expect(lenient.get('claim-object')).toBe(JSON.stringify({ id: ACTOR }));
      expect(layout.read(decodePayloadUnsafe(token('claim-null')))).toBeNull();
    });

    it('leaky twins: trusting the attacker key / embedded jwk / jku / x5u accepts exactly the attacker-signed forgeries', async () => {
      const attackerKey = await importJWK(world.attacker.publicJwk, 'RS256');
      const anyAttacker = await acceptedBy(async (t) => requireTenant(world, (await jwtVerify(t, attackerKey, { algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE })).payload));
      expect([...anyAttacker.keys()].sort()).toEqual(['attacker-signed', 'attacker-signed-other-tenant', 'embedded-jwk', 'jku-injection', 'unknown-kid', 'x5u-injection']);
      expect(anyAttacker.get('attacker-signed')).toBe(ACTOR);
      expect(anyAttacker.get('attacker-signed-other-tenant')).toBe(OTHER);

      const viaHeader = (member: 'jwk' | 'jku' | 'x5u'): JWTVerifyGetKey => async (header, tok) => {
        const h = header as Record<string, unknown>;
        if (member === 'jwk' && h['jwk'] !== undefined) return EmbeddedJWK(header, tok);
        if (member !== 'jwk' && h[member] === ATTACKER_JWKS_URL) return createLocalJWKSet(world.attacker.jwks)(header, tok); // the "fetched" set
        return world.issuer.getKey(header, tok);
      };
      for (const [member, id] of [['jwk', 'embedded-jwk'], ['jku', 'jku-injection'], ['x5u', 'x5u-injection']] as const) {
        const accepted = await acceptedBy(async (t) => requireTenant(world, (await jwtVerify(t, viaHeader(member), { algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE })).payload));
        expect([...accepted.keys()]).toEqual([id]);
        expect(accepted.get(id)).toBe(OTHER);
      }

      // a verifier that skips verification when the kid is unknown accepts unknown-kid, but not tokens under the legit kid
      const kids = new Set(world.issuer.jwks.keys.map((k) => k.kid));
      const skipUnknown = await acceptedBy(async (t) => {
        if (!kids.has(decodeHeaderUnsafe(t)['kid'] as string)) return requireTenant(world, decodePayloadUnsafe(t) as JWTPayload);
        return strictVerify(world, t);
      });
      expect(skipUnknown.get('unknown-kid')).toBe(ACTOR);
      expect(skipUnknown.has('attacker-signed')).toBe(false);
      expect(skipUnknown.has('attacker-signed-other-tenant')).toBe(false);
    });

    it('structure: headers, signatures and kids are as documented', () => {
      const legitSegs = world.legitToken.split('.');
      const legitPayload = decodePayloadUnsafe(world.legitToken);
      const header = (id: string) => decodeHeaderUnsafe(token(id));
      const sig = (id: string) => token(id).split('.')[2] ?? '';

      expect(built.get('no-credential')).toBeNull();
      expect(built.get('empty-bearer')).toBe('Bearer ');
      expect(built.get('null-token')).toBe('Bearer null');
      expect(built.get('garbage-bearer')).toMatch(/^Bearer [A-Z-]+$/);
      expect(built.get('non-bearer-scheme')).toMatch(/^Basic [A-Za-z0-9+/=]+$/);

      const algs: Record<string, string> = { 'alg-none': 'none', 'alg-none-capitalised': 'None', 'alg-none-upper': 'NONE', 'alg-none-mixed': 'nOnE' };
      for (const [id, alg] of Object.entries(algs)) {
        expect(header(id)['alg']).toBe(alg);
        expect(token(id).split('.')).toHaveLength(3);
        expect(sig(id)).toBe('');
        expect(token(id).endsWith('.')).toBe(true);
      }
      expect(token('stripped-signature')).toBe(`${legitSegs[0]}.${legitSegs[1]}.`);
      expect(token('truncated-signature')).toBe(`${legitSegs[0]}.${legitSegs[1]}.${(legitSegs[2] ?? '').slice(0, -4)}`);

      const tampered = token('tampered-payload').split('.');
      expect(tampered[0]).toBe(legitSegs[0]);
      expect(tampered[2]).toBe(legitSegs[2]);
      const tp = decodePayloadUnsafe(token('tampered-payload'));
      expect(layout.read(tp)).toBe(OTHER);
      // nothing but the tenant claim changed
      expect(JSON.stringify(tp).replace(`"${OTHER}"`, `"${ACTOR}"`)).toBe(JSON.stringify(legitPayload));

      for (const id of ['attacker-signed', 'attacker-signed-other-tenant']) {
        expect(header(id)).toMatchObject({ alg: 'RS256', kid: TRUSTED_KID, typ: 'JWT' });
      }
      expect(header('unknown-kid')['kid']).toMatch(/^unknown-[0-9a-f]+$/);
      expect(header('jku-injection')).toMatchObject({ alg: 'RS256', kid: world.attacker.kid, jku: ATTACKER_JWKS_URL });
      expect(header('x5u-injection')).toMatchObject({ alg: 'RS256', kid: world.attacker.kid, x5u: ATTACKER_JWKS_URL });
      expect(header('embedded-jwk')['jwk']).toEqual(world.attacker.publicJwk);
      expect(header('embedded-jwk')['jwk']).not.toHaveProperty('d');
      expect(header('kid-traversal')).toMatchObject({ alg: 'HS256', kid: '../../../../../../dev/null' });
      expect(header('kid-sqli')).toMatchObject({ alg: 'HS256', kid: "x' UNION SELECT '1';--" });
      expect(header('blank-hmac')).toMatchObject({ alg: 'HS256', kid: TRUSTED_KID });
      expect(header('rs-hs-confusion')['alg']).toBe('HS256');

      expect(header('psychic-signature')['alg']).toBe('ES256');
      expect([...Buffer.from(sig('psychic-signature'), 'base64url')]).toEqual(new Array(64).fill(0));
      expect([...Buffer.from(sig('psychic-signature-der'), 'base64url')]).toEqual([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]);

      for (const id of ['expired', 'not-yet-valid', 'wrong-issuer', 'wrong-audience', ...REQUIRED_IDS.missing.filter((i) => i.startsWith('claim'))]) {
        expect(header(id)).toMatchObject({ alg: 'RS256', kid: TRUSTED_KID });
      }
      expect(decodePayloadUnsafe(token('wrong-issuer'))['iss']).not.toBe(ISSUER);
      expect(decodePayloadUnsafe(token('wrong-issuer'))['aud']).toBe(AUDIENCE);
      expect(decodePayloadUnsafe(token('wrong-audience'))['aud']).not.toBe(AUDIENCE);
      expect(decodePayloadUnsafe(token('wrong-audience'))['iss']).toBe(ISSUER);
    });

    it('structure: re-signed tokens copy iss/aud/sub/exp/iat (and the extra claims) from the legit token', () => {
      const legit = decodePayloadUnsafe(world.legitToken);
      const copied = ['attacker-signed', 'attacker-signed-other-tenant', 'alg-none', 'blank-hmac', 'rs-hs-confusion', 'unknown-kid', 'jku-injection', 'x5u-injection', 'embedded-jwk', 'kid-traversal', 'psychic-signature', 'claimless', 'claim-empty', 'claim-array', 'claim-object'];
      for (const id of copied) {
        const p = decodePayloadUnsafe(token(id));
        for (const c of ['iss', 'aud', 'sub', 'exp', 'iat']) expect(p[c], `${id}.${c}`).toEqual(legit[c]);
        expect(p['jti'], id).not.toBe(legit['jti']);
        expect(p['scope']).toEqual(legit['scope']);
      }
      expect(decodePayloadUnsafe(token('attacker-signed-other-tenant'))['sub']).toBe(`audit-user@${ACTOR}`);
    });

    it('structure: the missing-family claim forgeries alter only the tenant claim, respecting the dot path', () => {
      const legit = decodePayloadUnsafe(world.legitToken);
      const values: Record<string, unknown> = {
        'claim-empty': '', 'claim-whitespace': '  ', 'claim-null': null, 'claim-number': 0, 'claim-boolean': true,
        'claim-array': [ACTOR, OTHER], 'claim-object': { id: ACTOR },
      };
      const strip = (p: Record<string, unknown>) => {
        const { jti: _jti, ...rest } = p;
        return rest;
      };
      for (const [id, value] of Object.entries(values)) {
        const p = decodePayloadUnsafe(token(id));
        expect(layout.read(p), id).toEqual(value);
        const expected = structuredClone(strip(legit));
        if (layout.tenantClaim === 'org.id') (expected['org'] as Record<string, unknown>)['id'] = value;
        else expected[layout.tenantClaim] = value;
        expect(strip(p), id).toEqual(expected);
      }
      const claimless = decodePayloadUnsafe(token('claimless'));
      expect(layout.read(claimless)).toBeUndefined();
      if (layout.tenantClaim === 'org.id') {
        expect(claimless['org']).toEqual({ name: 'Audit Org', plan: 'enterprise' });
        expect(claimless).not.toHaveProperty('org.id');
        expect(claimless).not.toHaveProperty(['org.id']);
      } else {
        expect(Object.keys(claimless)).not.toContain(layout.tenantClaim);
      }
      // the legit token itself is nested the same way
      expect(layout.read(legit)).toBe(ACTOR);
    });
  });
}

describe('contexts lacking capabilities', () => {
  let ctx: ForgeContext;
  beforeAll(async () => {
    const w = await createWorld(LAYOUTS[0]);
    const provider = createTokenProvider({ kind: 'static', tokens: { [ACTOR]: 'opaque-legit-token-value' } });
    ctx = { ...w.ctx, provider, legitToken: 'opaque-legit-token-value', targetPublicKeys: [], attackerJwksUrl: undefined };
  });

  it('unmetRequirements names what is missing, and building anyway is a TA_IDENTITY error without the token', async () => {
    const unmet = new Map(FORGERIES.map((f) => [f.id, unmetRequirements(f, ctx)]));
    expect(unmet.get('claimless')).toEqual(['mint']);
    expect(unmet.get('expired')).toEqual(['mint']);
    expect(unmet.get('rs-hs-confusion')).toEqual(['publicKey']);
    expect(unmet.get('tampered-payload')).toEqual(['jwt']);
    expect(unmet.get('stripped-signature')).toEqual(['jwt']);
    expect(unmet.get('attacker-signed')).toEqual([]);
    for (const f of FORGERIES) {
      if ((unmet.get(f.id) ?? []).length === 0) continue;
      const err = await f.build(ctx).then(() => undefined, (e: unknown) => e);
      expect(isTenancyAuditError(err) && err.code === 'TA_IDENTITY', f.id).toBe(true);
      expect((err as Error).message).toContain(f.id);
      expect((err as Error).message).not.toContain('opaque-legit-token-value');
    }
  });

  it('applicable forgeries fall back to sensible claims (no iss/aud) and the default jku URL', async () => {
    const build = async (id: string) => (await FORGERIES.find((f) => f.id === id)!.build(ctx)).authorization ?? '';
    const other = decodePayloadUnsafe(bearerToken(await build('attacker-signed-other-tenant'))!);
    expect(other['tenant_id']).toBe(OTHER);
    expect(other).not.toHaveProperty('iss');
    expect(other).not.toHaveProperty('aud');
    expect(other['exp']).toBeGreaterThan(Date.now() / 1000);
    const jkuHeader = decodeHeaderUnsafe(bearerToken(await build('jku-injection'))!);
    expect(jkuHeader['jku']).toBe('http://127.0.0.1:9/jwks.json');
    expect(decodeHeaderUnsafe(bearerToken(await build('attacker-signed'))!)['kid']).toBe(ctx.attacker.kid);
  });
});

describe('rs-hs-confusion key choice', () => {
  it('uses the target key whose kid matches the legit token, else the first', async () => {
    const issuer = await createIssuer();
    const w = await createWorld(LAYOUTS[0], issuer);
    const decoy = await createIssuer();
    const f = FORGERIES.find((x) => x.id === 'rs-hs-confusion')!;
    const verifyWith = (pem: string) => async (t: string) =>
      (await jwtVerify(t, new TextEncoder().encode(`${pem.trimEnd()}\n`), { algorithms: ['HS256'] })).payload;

    const matching = { ...w.ctx, targetPublicKeys: [{ pem: decoy.publicPem, kid: 'decoy' }, { pem: issuer.publicPem, kid: TRUSTED_KID }] };
    const t1 = bearerToken((await f.build(matching)).authorization)!;
    await expect(verifyWith(issuer.publicPem)(t1)).resolves.toBeTruthy();
    await expect(verifyWith(decoy.publicPem)(t1)).rejects.toThrow();

    const noKid = { ...w.ctx, targetPublicKeys: [{ pem: decoy.publicPem }, { pem: issuer.publicPem }] };
    const t2 = bearerToken((await f.build(noKid)).authorization)!;
    await expect(verifyWith(decoy.publicPem)(t2)).resolves.toBeTruthy();
    expect(decodeHeaderUnsafe(t2)['kid']).toBe(TRUSTED_KID); // legit kid kept when the key has none
  });
});
