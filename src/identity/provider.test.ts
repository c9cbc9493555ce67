import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeHeaderUnsafe, decodePayloadUnsafe } from '../../test/support/identity.ts';
import { isTenancyAuditError, TenancyAuditError } from '../core/errors.ts';
import { createTokenProvider } from './provider.ts';
import type { TokenSource } from './types.ts';

/** Gone, or a zombie awaiting its reaper (dead all the same). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function rejection(p: Promise<unknown>): Promise<TenancyAuditError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTenancyAuditError(err)) throw new Error(`expected a TenancyAuditError, got ${String(err)}`);
  return err;
}

describe('mint provider', () => {
  const T0 = Date.UTC(2030, 0, 1);

  async function rsSource(expiresInSeconds = 600): Promise<{ source: Extract<TokenSource, { kind: 'mint' }>; verifyKey: ReturnType<typeof createLocalJWKSet> }> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const source = {
      kind: 'mint' as const,
      key: { alg: 'RS256', pem: await exportPKCS8(privateKey), kid: 'k1' },
      issuer: 'https://idp.test/',
      audience: ['api-a', 'api-b'],
      tenantClaim: 'org.id',
      subject: 'svc-{{tenant}}@audit',
      expiresInSeconds,
      claims: { org: { name: 'x' }, roles: ['admin'], iss: 'overridden?' },
    };
    return { source, verifyKey: createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] }) };
  }

  it('mints verifiable tokens with the configured claims, nested tenant and subject template', async () => {
    const now = T0;
    const { source, verifyKey } = await rsSource();
    const p = createTokenProvider(source, { now: () => now });
    const token = await p.tokenFor('acme');
    const { payload, protectedHeader } = await jwtVerify(token, verifyKey, {
      algorithms: ['RS256'],
      issuer: 'https://idp.test/',
      audience: 'api-b',
      currentDate: new Date(now),
    });
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: 'k1', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'svc-acme@audit', aud: ['api-a', 'api-b'], org: { name: 'x', id: 'acme' }, roles: ['admin'] });
    expect(payload.iss).toBe('https://idp.test/');
    expect(payload.iat).toBe(T0 / 1000);
    expect(payload.exp).toBe(T0 / 1000 + 600);
    expect(typeof payload.jti).toBe('string');
    expect(p.tenantClaim).toBe('org.id');
  });

  it('caches per tenant and re-mints shortly before expiry (injected clock)', async () => {
    let now = T0;
    const { source } = await rsSource(600); // refresh 60 s before exp by default
    const p = createTokenProvider(source, { now: () => now });
    const a1 = await p.tokenFor('acme');
    const b1 = await p.tokenFor('globex');
    expect(a1).not.toBe(b1);
    now = T0 + 500_000;
    expect(await p.tokenFor('acme')).toBe(a1);
    now = T0 + 539_000;
    expect(await p.tokenFor('acme')).toBe(a1);
    now = T0 + 541_000;
    const a2 = await p.tokenFor('acme');
    expect(a2).not.toBe(a1);
    expect(decodePayloadUnsafe(a2)['iat']).toBe((T0 + 541_000) / 1000);
    expect(await p.tokenFor('acme')).toBe(a2);
    expect(p.issued()).toEqual([a1, b1, a2]);
  });

  it('honours refreshBeforeSeconds and shares one in-flight mint between concurrent callers', async () => {
    let now = T0;
    const { source } = await rsSource(600);
    const p = createTokenProvider(source, { now: () => now, refreshBeforeSeconds: 0 });
    const [x, y] = await Promise.all([p.tokenFor('acme'), p.tokenFor('acme')]);
    expect(x).toBe(y);
    now = T0 + 599_000;
    expect(await p.tokenFor('acme')).toBe(x);
    now = T0 + 600_000;
    expect(await p.tokenFor('acme')).not.toBe(x);
    expect(p.issued()).toHaveLength(2);
  });

  it('mint() signs arbitrary claims as given with the trusted key; alg fixed, kid droppable; issued() records them', async () => {
    const { source, verifyKey } = await rsSource();
    const p = createTokenProvider(source);
    const t = await p.mint!({ hello: 'world' }, { alg: 'none', typ: 'at+jwt' });
    expect(decodeHeaderUnsafe(t)).toEqual({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' });
    expect(decodePayloadUnsafe(t)).toEqual({ hello: 'world' });
    await expect(jwtVerify(t, verifyKey, { algorithms: ['RS256'] })).resolves.toBeTruthy();
    const noKid = await p.mint!({}, { kid: undefined });
    expect(decodeHeaderUnsafe(noKid)).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(p.issued()).toEqual([t, noKid]);
  });

  it('supports HS256 (pem = secret), ES256 and EdDSA (jwk)', async () => {
    const hs = createTokenProvider({ kind: 'mint', key: { alg: 'HS256', pem: 'a-long-enough-test-secret-0123456789' }, issuer: 'i', audience: 'a', tenantClaim: 'tid', expiresInSeconds: 60 });
    const ht = await hs.tokenFor('acme');
    const { payload } = await jwtVerify(ht, new TextEncoder().encode('a-long-enough-test-secret-0123456789'), { algorithms: ['HS256'] });
    expect(payload['tid']).toBe('acme');
    expect(payload.sub).toBe('audit-user@acme');
    expect(decodeHeaderUnsafe(ht)).not.toHaveProperty('kid');

    for (const alg of ['ES256', 'EdDSA'] as const) {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = { ...(await exportJWK(privateKey)), kid: `${alg}-kid` };
      const p = createTokenProvider({ kind: 'mint', key: { alg, jwk }, issuer: 'i', audience: 'a', tenantClaim: 'https://example.com/tenant', expiresInSeconds: 60 });
      const t = await p.tokenFor('acme');
      expect(decodeHeaderUnsafe(t)['kid']).toBe(`${alg}-kid`);
      const res = await jwtVerify(t, publicKey, { algorithms: [alg] });
      expect(res.payload['https://example.com/tenant']).toBe('acme');
    }
  });

  it('a bad key is a TA_IDENTITY error that does not echo key material', async () => {
    // A malformed stand-in (no real key): the armour is assembled so no key-shaped literal is committed.
    const armour = (edge: string) => `-----${edge} ${'PRIVATE'} KEY-----`;
    const pem = `${armour('BEGIN')}\nTUlJQ2RRSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NBbDh3Z2dKYkFnRUFBb0dCQUxTM3NlY3JldA==\n${armour('END')}`;
    const p = createTokenProvider({ kind: 'mint', key: { alg: 'RS256', pem }, issuer: 'i', audience: 'a', tenantClaim: 'tid', expiresInSeconds: 60 });
    const err = await rejection(p.tokenFor('acme'));
    expect(err.code).toBe('TA_IDENTITY');
    expect(err.message).toMatch(/could not import the mint signing key \(alg RS256\)/);
    expect(err.message).not.toContain('TUlJQ2RRSUJB');
    const none = createTokenProvider({ kind: 'mint', key: { alg: 'RS256' }, issuer: 'i', audience: 'a', tenantClaim: 'tid', expiresInSeconds: 60 });
    expect((await rejection(none.tokenFor('acme'))).message).toMatch(/neither "jwk" nor "pem"/);
    expect(() => createTokenProvider({ kind: 'mint', key: { alg: 'HS256', pem: 's' }, issuer: 'i', audience: 'a', tenantClaim: 'a..b', expiresInSeconds: 60 })).toThrow(/empty segment/);
    expect(() => createTokenProvider({ kind: 'mint', key: { alg: 'HS256', pem: 's' }, issuer: 'i', audience: 'a', tenantClaim: 't', expiresInSeconds: 0 })).toThrow(TenancyAuditError);
  });
});

describe('static provider', () => {
  it('returns per-tenant tokens, errors clearly for an unknown or empty tenant, lists all tokens', async () => {
    const p = createTokenProvider({ kind: 'static', tokens: { acme: 'tok-acme-SECRET', globex: 'tok-globex-SECRET', empty: '' } });
    expect(await p.tokenFor('acme')).toBe('tok-acme-SECRET');
    expect(await p.tokenFor('globex')).toBe('tok-globex-SECRET');
    const err = await rejection(p.tokenFor('initech'));
    expect(err.code).toBe('TA_IDENTITY');
    expect(err.message).toContain('"initech"');
    expect(err.message).toContain('"acme"');
    expect(err.message).not.toContain('SECRET');
    expect(err.hint).toBeTruthy();
    expect((await rejection(p.tokenFor('empty'))).message).toMatch(/empty/);
    expect(p.issued()).toEqual(['tok-acme-SECRET', 'tok-globex-SECRET']);
    expect(p.mint).toBeUndefined();
    expect(p.tenantClaim).toBeUndefined();
  });
});

describe('command provider', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ta-identity-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a real shell command with {{tenant}} replaced', async () => {
    const p = createTokenProvider({ kind: 'command', command: 'printf tok-{{tenant}}', timeoutMs: 5000 });
    expect(await p.tokenFor('acme')).toBe('tok-acme');
    expect(await p.tokenFor('globex')).toBe('tok-globex');
    expect(p.issued()).toEqual(['tok-acme', 'tok-globex']);
  });

  it('shell-quotes the tenant and sets TENANCY_AUDIT_TENANT', async () => {
    const nasty = `a'b$(echo_INJECTED)\`x\`;`;
    const p = createTokenProvider({ kind: 'command', command: 'printf %s {{tenant}}', timeoutMs: 5000 });
    expect(await p.tokenFor(nasty)).toBe(nasty);
    const q = createTokenProvider({ kind: 'command', command: 'printf "env-%s" "$TENANCY_AUDIT_TENANT"', timeoutMs: 5000 });
    expect(await q.tokenFor('acme')).toBe('env-acme');
  });

  it('caches for cacheSeconds (default 300) and re-runs afterwards', async () => {
    const counter = join(dir, 'runs');
    let now = 1_000_000;
    const p = createTokenProvider(
      { kind: 'command', command: 'echo run >> "$COUNTER"; printf "tok-%s-%s" {{tenant}} "$(wc -l < "$COUNTER" | tr -d " ")"', timeoutMs: 5000 },
      { now: () => now, env: { ...process.env, COUNTER: counter } },
    );
    const runs = () => readFileSync(counter, 'utf8').trim().split('\n').length;
    const [t1, t1b] = await Promise.all([p.tokenFor('acme'), p.tokenFor('acme')]);
    expect(t1).toBe('tok-acme-1');
    expect(t1b).toBe(t1);
    now += 299_000;
    expect(await p.tokenFor('acme')).toBe(t1);
    expect(runs()).toBe(1);
    now += 2_000;
    expect(await p.tokenFor('acme')).toBe('tok-acme-2');
    expect(runs()).toBe(2);

    const short = createTokenProvider({ kind: 'command', command: 'echo run >> "$COUNTER"; printf x', timeoutMs: 5000, cacheSeconds: 10 }, { now: () => now, env: { ...process.env, COUNTER: counter } });
    await short.tokenFor('a');
    now += 9_000;
    await short.tokenFor('a');
    expect(runs()).toBe(3);
    now += 2_000;
    await short.tokenFor('a');
    expect(runs()).toBe(4);
  });

  it('re-runs before a printed JWT expires even within cacheSeconds', async () => {
    let now = Date.UTC(2030, 0, 1);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const iat = now / 1000;
    const jwt = `${b64({ alg: 'RS256' })}.${b64({ iat, exp: iat + 120 })}.c2ln`;
    const counter = join(dir, 'jwt-runs');
    const p = createTokenProvider(
      { kind: 'command', command: `echo run >> "$COUNTER"; printf 'Bearer ${jwt}'`, timeoutMs: 5000 },
      { now: () => now, env: { ...process.env, COUNTER: counter } },
    );
    expect(await p.tokenFor('acme')).toBe(jwt); // leading "Bearer " dropped
    now += 80_000; // refresh 30 s (lifetime/4) before exp
    await p.tokenFor('acme');
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(1);
    now += 11_000;
    await p.tokenFor('acme');
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('times out (killing the whole process group) with a TA_IDENTITY error', async () => {
    const finished = join(dir, 'finished');
    const p = createTokenProvider({ kind: 'command', command: `sleep 5; touch '${finished}'; printf late`, timeoutMs: 200 });
    const err = await rejection(p.tokenFor('acme'));
    expect(existsSync(finished)).toBe(false); // it did not wait for the command (no clock read: the command never finished)
    expect(err.code).toBe('TA_IDENTITY');
    expect(err.message).toBe('token command for tenant "acme" failed: timed out after 200 ms');
    expect(p.issued()).toEqual([]);

    // the whole process group dies, including background children of the shell
    const pidFile = join(dir, 'bg.pid');
    const bg = createTokenProvider({ kind: 'command', command: `sleep 5 & echo $! > '${pidFile}'; wait`, timeoutMs: 300 });
    await rejection(bg.tokenFor('acme'));
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(pid).toBeGreaterThan(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(false);
  });

  it('non-zero exit → TA_IDENTITY with the exit code and stderr first line, never stdout', async () => {
    const p = createTokenProvider({ kind: 'command', command: 'printf SUPER-SECRET-STDOUT; echo login refused for {{tenant}} >&2; echo second line >&2; exit 3', timeoutMs: 5000 });
    const err = await rejection(p.tokenFor('acme'));
    expect(err.code).toBe('TA_IDENTITY');
    expect(err.message).toBe('token command for tenant "acme" failed: exit 3 (login refused for acme)');
    expect(err.message).not.toContain('SUPER-SECRET-STDOUT');
    expect(err.hint).toMatch(/TENANCY_AUDIT_TENANT/);
    expect(p.issued()).toEqual([]);

    const echoing = createTokenProvider({ kind: 'command', command: 'printf S3CRET-VALUE; echo "bad token S3CRET-VALUE and eyJhbGciOi.eyJzdWIi.sig" >&2; exit 1', timeoutMs: 5000 });
    const e2 = await rejection(echoing.tokenFor('acme'));
    expect(e2.message).toMatch(/^token command for tenant "acme" failed: exit 1 \(bad token \[redacted\]/);
    expect(e2.message).not.toContain('S3CRET-VALUE');
    expect(e2.message).not.toContain('eyJhbGciOi');

    const silent = createTokenProvider({ kind: 'command', command: 'exit 7', timeoutMs: 5000 });
    expect((await rejection(silent.tokenFor('acme'))).message).toBe('token command for tenant "acme" failed: exit 7');
  });

  it('empty or multi-line output is an error; failures are not cached', async () => {
    const empty = createTokenProvider({ kind: 'command', command: 'printf "  \\n"', timeoutMs: 5000 });
    expect((await rejection(empty.tokenFor('acme'))).message).toBe('token command for tenant "acme" failed: exit 0 but printed no token on stdout');
    const multi = createTokenProvider({ kind: 'command', command: 'printf "SECRET-A\\nSECRET-B\\n"', timeoutMs: 5000 });
    const err = await rejection(multi.tokenFor('acme'));
    expect(err.message).toMatch(/more than one/);
    expect(err.message).not.toContain('SECRET');

    const flag = join(dir, 'flag');
    const flaky = createTokenProvider({ kind: 'command', command: `if [ -f '${flag}' ]; then printf ok; else touch '${flag}'; exit 1; fi`, timeoutMs: 5000 });
    await rejection(flaky.tokenFor('acme'));
    expect(await flaky.tokenFor('acme')).toBe('ok');
  });
});
