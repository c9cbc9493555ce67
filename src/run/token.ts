import { loadConfig } from '../config/load.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { TenancyAuditError } from '../core/errors.ts';
import { createTokenProvider, tokenProviderOptionsOf, tokenSourceOf } from '../identity/index.ts';

/** Options of {@link legitToken}. */
export interface LegitTokenOptions {
  /** A config file path, or an already resolved config. */
  config: string | ResolvedConfig;
  /** A tenant of the config's `tenants`. */
  tenant: string;
}

/**
 * A legit token of one configured tenant, from the config's token source (what positive controls send), so a
 * report's curl lines run as `TOKEN=$(tenancy-audit token --config … --tenant acme)` then `curl …`.
 *
 * @example
 * const token = await legitToken({ config: 'tenancy-audit.config.yaml', tenant: 'acme' });
 */
export async function legitToken(options: LegitTokenOptions): Promise<string> {
  const config = typeof options.config === 'string' ? await loadConfig(options.config) : options.config;
  if (!config.tenants.some((t) => t.id === options.tenant)) {
    throw new TenancyAuditError('TA_USAGE', `--tenant ${options.tenant}: not a tenant of the config (tenants: ${config.tenants.map((t) => t.id).join(', ')})`, {
      hint: 'Pass one of the tenant ids listed under `tenants` in the config.',
    });
  }
  return createTokenProvider(tokenSourceOf(config), tokenProviderOptionsOf(config)).tokenFor(options.tenant);
}
