import { TenancyAuditError } from '../core/errors.ts';
import type { TokenProvider, TokenSource } from './types.ts';

/** A provider over tokens already resolved (e.g. from env). `issued()` lists every configured token. */
export function createStaticProvider(source: Extract<TokenSource, { kind: 'static' }>): TokenProvider {
  const tokens = new Map(Object.entries(source.tokens));
  return {
    issued: () => [...tokens.values()].filter((t) => t.length > 0),
    // Not refreshable: no `refresh`; a 401 on a control stays a failed control.
    stats: () => ({ source: 'static', refreshable: false, fetched: 0, refreshes: 0, forcedRefreshes: 0 }),
    async tokenFor(tenant: string): Promise<string> {
      const token = tokens.get(tenant);
      if (token === undefined) {
        const known = [...tokens.keys()].map((t) => `"${t}"`).join(', ') || 'none';
        throw new TenancyAuditError('TA_IDENTITY', `no static token configured for tenant "${tenant}" (configured: ${known})`, {
          hint: 'Add a token for this tenant under identity.static.tokens (usually resolved from an environment variable).',
        });
      }
      if (token.trim().length === 0) {
        throw new TenancyAuditError('TA_IDENTITY', `the static token for tenant "${tenant}" is empty`, {
          hint: 'Is the environment variable it is read from set in this shell / CI job?',
        });
      }
      return token;
    },
  };
}
