import { parseJwt } from './jwt.ts';
import type { TokenProvider, TokenProviderOptions, TokenSourceStats } from './types.ts';

/** A token as a source obtained it, with its lifetime when known. */
export interface Obtained {
  token: string;
  /** Epoch ms at which the source says the token expires (JWT `exp`, `expires_in`); undefined when unknown. */
  expiresAt?: number;
  /** Epoch ms after which it is re-obtained even before expiry (e.g. `command`'s `cacheSeconds`). */
  cacheUntil?: number;
}

interface Entry {
  token: string;
  /** Epoch ms from which `tokenFor` re-obtains. */
  refreshAt: number;
  expiresAt: number | undefined;
}

/** Epoch ms a token expires: the earlier of its JWT `exp` and the source's own lifetime (`expires_in`). */
export function expiryOf(token: string, sourceExpiresAt: number | undefined): number | undefined {
  const exp = parseJwt(token)?.payload['exp'];
  const jwtExpiresAt = typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  if (jwtExpiresAt === undefined) return sourceExpiresAt;
  return sourceExpiresAt === undefined ? jwtExpiresAt : Math.min(jwtExpiresAt, sourceExpiresAt);
}

/**
 * The per-tenant cache every refreshable source shares. A token is re-obtained `refreshBeforeSeconds` before it
 * expires (default `min(60, lifetime / 4)`), or after `cacheUntil`; concurrent callers share one in-flight fetch;
 * `refresh(tenant, stale)` re-obtains at once (once: callers holding the same stale token share the new one).
 * With `opts.refresh === false` a tenant's first token is kept for the whole run (no refresh of any kind).
 * Failures are never cached. Every token obtained is in `issued()`.
 */
export function createTokenCache(
  source: string,
  obtain: (tenant: string) => Promise<Obtained>,
  opts: TokenProviderOptions = {},
): Required<Pick<TokenProvider, 'tokenFor' | 'refresh' | 'issued' | 'stats'>> {
  const now = opts.now ?? Date.now;
  const enabled = opts.refresh !== false;
  const issued = new Set<string>();
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<string>>();
  const stats: TokenSourceStats = { source, refreshable: enabled, fetched: 0, refreshes: 0, forcedRefreshes: 0 };

  const fetchFor = (tenant: string, forced: boolean): Promise<string> => {
    const pending = inflight.get(tenant);
    if (pending !== undefined) return pending;
    const p = (async () => {
      const obtainedAt = now();
      const got = await obtain(tenant);
      issued.add(got.token);
      const expiresAt = expiryOf(got.token, got.expiresAt);
      let refreshAt = got.cacheUntil ?? Number.POSITIVE_INFINITY;
      if (expiresAt !== undefined) {
        const lifetimeS = Math.max(0, (expiresAt - obtainedAt) / 1000);
        const before = opts.refreshBeforeSeconds ?? Math.min(60, lifetimeS / 4);
        refreshAt = Math.min(refreshAt, expiresAt - before * 1000);
      }
      if (cache.has(tenant)) stats.refreshes++;
      if (forced) stats.forcedRefreshes++;
      stats.fetched++;
      if (expiresAt !== undefined) stats.earliestExpiry = Math.min(stats.earliestExpiry ?? expiresAt, expiresAt);
      cache.set(tenant, { token: got.token, refreshAt, expiresAt });
      return got.token;
    })().finally(() => inflight.delete(tenant));
    inflight.set(tenant, p);
    return p;
  };

  return {
    issued: () => [...issued],
    stats: () => ({ ...stats }),
    tokenFor(tenant) {
      const hit = cache.get(tenant);
      if (hit !== undefined && (!enabled || now() < hit.refreshAt)) return Promise.resolve(hit.token);
      return fetchFor(tenant, false);
    },
    refresh(tenant, stale) {
      const hit = cache.get(tenant);
      if (!enabled && hit !== undefined) return Promise.resolve(hit.token);
      const pending = inflight.get(tenant);
      if (pending !== undefined) return pending;
      // Another caller already replaced the stale token: share its fresh one rather than fetch again.
      if (hit !== undefined && stale !== undefined && hit.token !== stale) return Promise.resolve(hit.token);
      return fetchFor(tenant, true);
    },
  };
}
