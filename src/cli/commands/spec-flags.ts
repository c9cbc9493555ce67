import type { Command } from 'commander';
import { TenancyAuditError } from '../../core/errors.ts';

/** The description and tenant flags `init` and `run` share. */
export interface SpecFlags {
  openapi?: string;
  graphql?: string;
  har?: string;
  tenant?: string[];
  identity?: string;
  tenantClaim?: string;
  readOnly?: boolean;
  tenantWords?: string;
  callbackSecret?: string[];
  webhookSecret?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function withSpecFlags(command: Command): Command {
  return command
    .option('--openapi <file|url>', 'OpenAPI 3.0/3.1 or Swagger 2.0 description (JSON or YAML)')
    .option('--graphql <url|file>', 'GraphQL endpoint (introspected with the first tenant\'s token) or an SDL schema file')
    .option('--har <file>', 'HAR capture of one tenant\'s session (browser dev tools, Burp)')
    .option('--tenant <id=credential>', 'a tenant and its token: id=env:NAME, id=file:PATH or id=cmd:\'command\' (give two or more)', collect)
    .option('--identity <file>', 'YAML/JSON file with an identity.tokens block (mint, oauth2, login, …) instead of credentials in --tenant')
    .option('--tenant-claim <path>', 'the claim naming the tenant (default: found by diffing the tenants\' tokens)')
    .option('--read-only', 'never write: discover existing data for canaries and probe reads only')
    .option('--tenant-words <list>', 'comma-separated words that make a parameter a tenant channel (default tenant,org,account,workspace,team,company,customer)')
    .option('--callback-secret <tenant=secret>', 'a tenant\'s callback signing secret (env:NAME), repeatable', collect)
    .option('--webhook-secret <id=secret>', 'an inbound webhook\'s signing secret (env:NAME; id * for the only one), repeatable', collect);
}

export function hasSpec(flags: SpecFlags): boolean {
  return flags.openapi !== undefined || flags.graphql !== undefined || flags.har !== undefined;
}

/** The flags as `initConfig` options (without the output file). */
export function specOptions(flags: SpecFlags) {
  return {
    ...(flags.openapi !== undefined ? { openapi: flags.openapi } : {}),
    ...(flags.graphql !== undefined ? { graphql: flags.graphql } : {}),
    ...(flags.har !== undefined ? { har: flags.har } : {}),
    tenants: flags.tenant ?? [],
    ...(flags.identity !== undefined ? { identity: flags.identity } : {}),
    ...(flags.tenantClaim !== undefined ? { tenantClaim: flags.tenantClaim } : {}),
    ...(flags.readOnly ? { readOnly: true } : {}),
    ...(flags.tenantWords ? { tenantWords: flags.tenantWords.split(',').map((w) => w.trim()).filter(Boolean) } : {}),
    ...(flags.callbackSecret ? { callbackSecrets: pairs('--callback-secret', flags.callbackSecret) } : {}),
    ...(flags.webhookSecret ? { webhookSecrets: pairs('--webhook-secret', flags.webhookSecret) } : {}),
  };
}

function pairs(flag: string, values: string[]): Record<string, string> {
  return Object.fromEntries(
    values.map((v) => {
      const eq = v.indexOf('=');
      if (eq <= 0) throw new TenancyAuditError('TA_USAGE', `${flag} ${v.split('=')[0]}: expected name=secret`, { hint: `e.g. ${flag} acme=env:ACME_SECRET` });
      return [v.slice(0, eq), v.slice(eq + 1)];
    }),
  );
}
