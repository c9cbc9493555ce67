/**
 * The oauth2 and login sources against a real token endpoint on loopback (test/support/oauth-server.ts): the
 * grant as sent on the wire, client auth basic/post, the lifetime from expires_in / exp, refresh, typed errors
 * that never show the secret.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenancyAuditError } from '../../src/core/errors.ts';
import { createTokenProvider, type TokenSource } from '../../src/identity/index.ts';
import { startTokenServer, type TokenServer } from '../support/oauth-server.ts';

const SECRET_A = 'client-secret-acme-0123456789';
const SECRET_G = 'client-secret-globex-0123456789';
let server: TokenServer;

beforeAll(async () => {
  server = await startTokenServer({ clients: { 'svc-acme': { secret: SECRET_A, tenant: 'acme' }, 'svc-globex': { secret: SECRET_G, tenant: 'globex' } } });
});
afterAll(async () => server?.stop());

function oauth2(over: Partial<Extract<TokenSource, { kind: 'oauth2' }>> = {}, secretA = SECRET_A): TokenSource {
  return {
    kind: 'oauth2',
    clientAuth: 'client_secret_basic',
    timeoutMs: 5000,
    clients: {
      acme: { tokenUrl: server.tokenUrl, clientId: 'svc-acme', clientSecret: secretA, scope: 'projects:read', audience: 'reference-target', params: { tenant_hint: 'acme' } },
      globex: { tokenUrl: server.tokenUrl, clientId: 'svc-globex', clientSecret: SECRET_G },
    },
    ...over,
  };
}

async function rejection(p: Promise<unknown>): Promise<TenancyAuditError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(TenancyAuditError);
  return e as TenancyAuditError;
}

describe('oauth2 client-credentials source', () => {
  it.each(['client_secret_basic', 'client_secret_post'] as const)('%s: one token per tenant with its tenant claim, form as RFC 6749 §4.4', async (clientAuth) => {
    const before = server.requests.length;
    const provider = createTokenProvider(oauth2({ clientAuth }));
    const a = await provider.tokenFor('acme');
    const g = await provider.tokenFor('globex');
    expect(decodeJwt(a)['tenant_id']).toBe('acme');
    expect(decodeJwt(g)['tenant_id']).toBe('globex');
    expect(await provider.tokenFor('acme')).toBe(a); // cached
    const seen = server.requests.slice(before);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ clientId: 'svc-acme', auth: clientAuth === 'client_secret_basic' ? 'basic' : 'post' });
    expect(seen[0]!.form).toMatchObject({ grant_type: 'client_credentials', scope: 'projects:read', audience: 'reference-target', tenant_hint: 'acme' });
    expect(provider.issued()).toEqual([a, g]);
    expect(provider.stats?.()).toMatchObject({ source: 'oauth2', fetched: 2, refreshes: 0 });
  });

  it('refresh() re-obtains a new token once; stale holders share it', async () => {
    const provider = createTokenProvider(oauth2());
    const first = await provider.tokenFor('acme');
    const [x, y] = await Promise.all([provider.refresh!('acme', first), provider.refresh!('acme', first)]);
    expect(x).toBe(y);
    expect(x).not.toBe(first);
    expect(provider.stats?.()).toMatchObject({ fetched: 2, refreshes: 1, forcedRefreshes: 1 });
  });

  it('a wrong secret is a TA_IDENTITY error with the OAuth error code, never the secret or the body', async () => {
    const err = await rejection(createTokenProvider(oauth2({}, 'wrong-secret-value-xyz')).tokenFor('acme'));
    expect(err.code).toBe('TA_IDENTITY');
    expect(err.message).toContain('HTTP 401, error "invalid_client"');
    expect(`${err.message} ${err.hint}`).not.toMatch(/wrong-secret-value-xyz|bad secret/);
  });

  it('refuses non-http(s) token URLs; an endpoint that stops answering fails typed (and is retried next time)', async () => {
    const bad = oauth2();
    (bad as { clients: Record<string, { tokenUrl: string }> }).clients['acme']!.tokenUrl = 'file:///etc/passwd';
    expect(() => createTokenProvider(bad)).toThrow(/not an absolute http\(s\) URL/);
    const provider = createTokenProvider(oauth2());
    server.answering = false;
    try {
      expect((await rejection(provider.tokenFor('acme'))).message).toContain('HTTP 503');
    } finally {
      server.answering = true;
    }
    expect(decodeJwt(await provider.tokenFor('acme'))['tenant_id']).toBe('acme');
  });

  it('times out an endpoint that never answers', async () => {
    const net = await import('node:net');
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const source = oauth2({ timeoutMs: 300 });
      (source as { clients: Record<string, { tokenUrl: string }> }).clients['acme']!.tokenUrl = `http://127.0.0.1:${port}/token`;
      expect((await rejection(createTokenProvider(source).tokenFor('acme'))).message).toContain('no answer within 300 ms');
    } finally {
      silent.close();
    }
  });
});

describe('login source', () => {
  const login = (token: { jsonPath: string } | { cookie: string }): TokenSource => ({
    kind: 'login',
    method: 'POST',
    url: server.loginUrl,
    body: { username: '{{user}}', password: '{{password}}', tenant: '{{tenant}}' },
    values: { acme: { user: 'svc-acme', password: SECRET_A }, globex: { user: 'svc-globex', password: SECRET_G } },
    token,
    expiresInPath: 'session.ttl',
    cacheSeconds: 300,
    timeoutMs: 5000,
  });

  it('reads the token by JSON path, per tenant values filled in', async () => {
    const provider = createTokenProvider(login({ jsonPath: 'session.jwt' }));
    expect(decodeJwt(await provider.tokenFor('globex'))['tenant_id']).toBe('globex');
    expect(provider.stats?.()).toMatchObject({ source: 'login', fetched: 1 });
  });

  it('reads the token from a named Set-Cookie cookie', async () => {
    const provider = createTokenProvider(login({ cookie: 'sid' }));
    expect(decodeJwt(await provider.tokenFor('acme'))['tenant_id']).toBe('acme');
  });

  it('a rejected login or a missing token is TA_IDENTITY without the password', async () => {
    const source = login({ jsonPath: 'session.jwt' });
    (source as { values: Record<string, Record<string, string>> }).values['acme']!['password'] = 'not-the-password-123';
    const err = await rejection(createTokenProvider(source).tokenFor('acme'));
    expect(err.message).toContain('HTTP 401');
    expect(err.message).not.toContain('not-the-password-123');
    const missing = await rejection(createTokenProvider(login({ jsonPath: 'session.nothing' })).tokenFor('acme'));
    expect(missing.message).toContain('no token (a single word) at JSON path "session.nothing"');
  });
});
