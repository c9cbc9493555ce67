import path from 'node:path';
import type { UserConfig } from '../config/schema.ts';
import { resolveConfig } from '../config/load.ts';
import { TenancyAuditError } from '../core/errors.ts';
import { createTokenProvider, tokenProviderOptionsOf, tokenSourceOf } from '../identity/index.ts';
import { shellQuote } from '../identity/command.ts';
import { findTenantClaim, type ClaimChoice } from './claim-diff.ts';

type TokensBlock = UserConfig['identity']['tokens'];

/** One `--tenant id=credential` flag. `credential`: `env:NAME`, `file:PATH`, `cmd:COMMAND`, or none with `identity`. */
export interface TenantFlag {
  id: string;
  credential?: string;
}

export interface TenantSetup {
  tenants: string[];
  tokens: TokensBlock;
  claim: ClaimChoice;
  /** The first tenant's token (GraphQL introspection), never written anywhere. */
  firstToken: string;
  /** Each tenant's token, in `tenants` order (read-only discovery), never written anywhere. */
  tokenValues: string[];
}

/** `acme=env:ACME_TOKEN` → `{ id: 'acme', credential: 'env:ACME_TOKEN' }`; a bare id has no credential. */
export function parseTenantFlag(value: string): TenantFlag {
  const eq = value.indexOf('=');
  const id = (eq < 0 ? value : value.slice(0, eq)).trim();
  if (!/^[A-Za-z0-9][\w.@:-]*$/.test(id)) {
    throw new TenancyAuditError('TA_USAGE', `--tenant ${JSON.stringify(value.split('=')[0])}: a tenant id is letters, digits, ".", "_", "-", "@", ":"`, {
      hint: 'Write --tenant <id>=<credential>, e.g. --tenant acme=env:ACME_TOKEN.',
    });
  }
  return eq < 0 ? { id } : { id, credential: value.slice(eq + 1).trim() };
}

/**
 * The identity block a generated config carries, from the tenants' credentials (or a given `identity.tokens`
 * block), each tenant's token obtained once to find the tenant claim by diffing the two tokens' claims.
 */
/** Two tenants at least, each once: checked before anything else is read or fetched. */
export function assertTenants(flags: readonly TenantFlag[]): void {
  if (flags.length < 2) {
    throw new TenancyAuditError('TA_USAGE', `${flags.length === 0 ? 'no tenant given' : `one tenant only (${flags[0]!.id})`}: isolation needs two tenants' credentials`, {
      hint: 'Give two tenants: --tenant acme=env:ACME_TOKEN --tenant globex=env:GLOBEX_TOKEN.',
    });
  }
  const ids = flags.map((f) => f.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new TenancyAuditError('TA_USAGE', `--tenant ${duplicate} is given twice`, { hint: 'Give each tenant once.' });
}

export async function setUpTenants(
  flags: readonly TenantFlag[],
  options: { tokens?: TokensBlock; tenantClaim?: string; baseUrl: string; configDir: string; writtenTo?: string; env?: NodeJS.ProcessEnv },
): Promise<TenantSetup> {
  assertTenants(flags);
  const ids = flags.map((f) => f.id);
  const tokens = options.tokens ?? tokensBlock(flags, options.writtenTo, options.tenantClaim);
  const obtained = await obtainTokens(ids, tokens, options);
  const claim = findTenantClaim(ids, obtained, options.tenantClaim ?? (options.tokens ? options.tokens.tenantClaim : undefined));
  // Forgeries and channels assert a tenant by its id: an id that is not its claim value would assert a tenant the
  // service does not know, and a service that honours the assertion would still refuse it (a false pass).
  const renamed = ids.map((id, i) => ({ id, value: claim.values[i]! })).filter((t) => t.id !== t.value);
  if (renamed.length > 0) {
    throw new TenancyAuditError('TA_USAGE', `the tenant ids differ from their tokens' ${claim.path}: ${renamed.map((t) => `${t.id} is ${t.value}`).join(', ')}`, {
      hint: `Name each tenant by its ${claim.path} value (${renamed.map((t) => `--tenant ${t.value}=…`).join(' ')}), or name the tenant claim with --tenant-claim PATH.`,
    });
  }
  return { tenants: ids, tokens: { ...tokens, tenantClaim: claim.path } as TokensBlock, claim, firstToken: obtained[0]!, tokenValues: obtained };
}

/** `writtenTo`: the folder of the file the config is written to (paths relative to it); none: absolute paths, so a copy of the config (a spec-driven run's, in its run folder) still finds them. */
function tokensBlock(flags: readonly TenantFlag[], writtenTo: string | undefined, tenantClaim: string | undefined): TokensBlock {
  const forms = new Set(flags.map((f) => formOf(f)));
  if (forms.size > 1) {
    throw new TenancyAuditError('TA_USAGE', `the tenants' credentials mix forms (${[...forms].join(', ')})`, {
      hint: 'Give every tenant the same form: all env:NAME (or file:PATH), or all cmd:COMMAND.',
    });
  }
  const claim = tenantClaim ?? 'tenant_id';
  if (forms.has('cmd')) return { kind: 'command', command: commandFor(flags.map((f) => ({ id: f.id, command: f.credential!.slice(4).trim() }))), tenantClaim: claim };
  const tokens = Object.fromEntries(flags.map((f) => [f.id, f.credential!.startsWith('file:') ? `file:${filePath(f.credential!.slice(5), writtenTo)}` : f.credential!]));
  return { kind: 'static', tokens, tenantClaim: claim };
}

function filePath(file: string, writtenTo: string | undefined): string {
  const absolute = path.resolve(file);
  return writtenTo === undefined ? absolute : path.relative(writtenTo, absolute) || '.';
}

function formOf(flag: TenantFlag): 'env' | 'cmd' {
  const c = flag.credential;
  if (c === undefined || c === '') {
    throw new TenancyAuditError('TA_USAGE', `--tenant ${flag.id}: no credential`, {
      hint: 'Write --tenant <id>=env:NAME (a bearer token in a variable), <id>=cmd:\'…\' (a command printing one), or give --identity FILE with a token source.',
    });
  }
  if (c.startsWith('env:') || c.startsWith('file:')) return 'env';
  if (c.startsWith('cmd:')) return 'cmd';
  throw new TenancyAuditError('TA_USAGE', `--tenant ${flag.id}: the credential is neither env:NAME, file:PATH nor cmd:COMMAND`, {
    hint: 'A token given literally would be written into the config: put it in a variable and write env:NAME.',
  });
}

/** One command for all tenants: the same text with the tenant id as `{{tenant}}`, else a `case` on the tenant. */
function commandFor(commands: { id: string; command: string }[]): string {
  const templates = new Set(commands.map((c) => c.command.split(c.id).join('{{tenant}}')));
  if (templates.size === 1 && commands.every((c) => c.command.includes(c.id))) return [...templates][0]!;
  const arms = commands.map((c) => `${shellQuote(c.id)}) ${c.command} ;;`).join(' ');
  return `case "$TENANCY_AUDIT_TENANT" in ${arms} *) exit 64 ;; esac`;
}

async function obtainTokens(ids: string[], tokens: TokensBlock, options: { baseUrl: string; configDir: string; env?: NodeJS.ProcessEnv }): Promise<string[]> {
  const skeleton: UserConfig = {
    target: { baseUrl: options.baseUrl },
    identity: { tokens },
    tenants: ids.map((id) => ({ id })),
    operations: [{ id: 'probe', kind: 'read', method: 'GET', path: '/' }],
  };
  const resolved = await resolveConfig(skeleton, { dir: options.configDir, env: options.env });
  const provider = createTokenProvider(tokenSourceOf(resolved), tokenProviderOptionsOf(resolved));
  const out: string[] = [];
  for (const id of ids) out.push(await provider.tokenFor(id));
  return out;
}
