import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenCache, expiryOf, type Obtained } from './token-cache.ts';

/** An unsigned JWT-shaped token with the given `exp` (seconds): the cache only decodes it. */
function jwtWith(exp: number, n: number): string {
  const enc = (o: object) => base64url.encode(JSON.stringify(o));
  return `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ exp, n })}.c2ln`;
}

function clock(startMs = 1_000_000_000_000) {
  let t = startMs;
  return { now: () => t, advance: (s: number) => void (t += s * 1000) };
}

describe('createTokenCache (injected clock)', () => {
  it('re-obtains min(60, lifetime/4) before expires_in, not before', async () => {
    const c = clock();
    let n = 0;
    const cache = createTokenCache('oauth2', async () => ({ token: `opaque-${++n}`, expiresAt: c.now() + 20_000 }), { now: c.now });
    expect(await cache.tokenFor('acme')).toBe('opaque-1');
    c.advance(14.9);
    expect(await cache.tokenFor('acme')).toBe('opaque-1');
    c.advance(0.1); // 15 s: 20 s lifetime, refreshed 5 s before
    expect(await cache.tokenFor('acme')).toBe('opaque-2');
    expect(cache.stats()).toMatchObject({ fetched: 2, refreshes: 1, forcedRefreshes: 0, refreshable: true });
  });

  it('the JWT exp wins when it is earlier than expires_in; refreshBeforeSeconds is honoured', async () => {
    const c = clock();
    let n = 0;
    const cache = createTokenCache('login', async () => ({ token: jwtWith(c.now() / 1000 + 100, ++n), expiresAt: c.now() + 3600_000 }), { now: c.now, refreshBeforeSeconds: 10 });
    const first = await cache.tokenFor('acme');
    c.advance(89);
    expect(await cache.tokenFor('acme')).toBe(first);
    c.advance(1);
    expect(await cache.tokenFor('acme')).not.toBe(first);
    expect(expiryOf(first, undefined)).toBe(1_000_000_000_000 + 100_000);
  });

  it('cacheUntil bounds a token without a known lifetime; none at all: kept until refreshed', async () => {
    const c = clock();
    let n = 0;
    const bounded = createTokenCache('command', async () => ({ token: `t${++n}`, cacheUntil: c.now() + 300_000 }), { now: c.now });
    await bounded.tokenFor('a');
    c.advance(299);
    expect(await bounded.tokenFor('a')).toBe('t1');
    c.advance(1);
    expect(await bounded.tokenFor('a')).toBe('t2');
    const unbounded = createTokenCache('oauth2', async () => ({ token: `u${++n}` }), { now: c.now });
    const u = await unbounded.tokenFor('a');
    c.advance(1e6);
    expect(await unbounded.tokenFor('a')).toBe(u);
  });

  it('concurrent callers share one in-flight fetch; failures are not cached', async () => {
    const c = clock();
    let calls = 0;
    let fail = true;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const cache = createTokenCache('oauth2', async (): Promise<Obtained> => {
      calls++;
      await gate;
      if (fail) throw new Error('endpoint down');
      return { token: `ok-${calls}`, expiresAt: c.now() + 60_000 };
    }, { now: c.now });
    const waits = [cache.tokenFor('acme'), cache.tokenFor('acme'), cache.refresh('acme')];
    release();
    const settled = await Promise.allSettled(waits);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
    fail = false;
    expect(await cache.tokenFor('acme')).toBe('ok-2');
    expect(cache.issued()).toEqual(['ok-2']);
  });

  it('refresh(tenant, stale) fetches once for many holders of the same stale token', async () => {
    const c = clock();
    let n = 0;
    const cache = createTokenCache('oauth2', async () => ({ token: `t${++n}`, expiresAt: c.now() + 60_000 }), { now: c.now });
    const stale = await cache.tokenFor('acme');
    const fresh = await Promise.all([cache.refresh('acme', stale), cache.refresh('acme', stale)]);
    expect(fresh).toEqual(['t2', 't2']);
    expect(await cache.refresh('acme', stale)).toBe('t2'); // already replaced: shared, no third fetch
    expect(cache.stats()).toMatchObject({ fetched: 2, refreshes: 1, forcedRefreshes: 1 });
    expect(cache.issued()).toEqual(['t1', 't2']);
  });

  it('refresh disabled: the first token is kept past its expiry and refresh() returns it', async () => {
    const c = clock();
    let n = 0;
    const cache = createTokenCache('oauth2', async () => ({ token: `t${++n}`, expiresAt: c.now() + 20_000 }), { now: c.now, refresh: false });
    const first = await cache.tokenFor('acme');
    c.advance(120);
    expect(await cache.tokenFor('acme')).toBe(first);
    expect(await cache.refresh('acme', first)).toBe(first);
    expect(cache.stats()).toMatchObject({ refreshable: false, fetched: 1, refreshes: 0, earliestExpiry: 1_000_000_000_000 + 20_000 });
  });
});
