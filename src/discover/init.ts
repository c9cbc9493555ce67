import fs from 'node:fs/promises';
import path from 'node:path';
import { validateConfig } from '../config/load.ts';
import type { UserConfig } from '../config/schema.ts';
import { TenancyAuditError } from '../core/errors.ts';
import type { Draft } from './draft.ts';
import { kebab, TENANT_LIKE_DEFAULT, tenantLike } from './draft.ts';
import { discoverExisting } from './existing-data.ts';
import { loadHar } from './har.ts';
import { loadOpenApi } from './openapi-load.ts';
import { routesOf } from './routes.ts';
import { draftFromOpenApi } from './openapi-init.ts';
import { isUrl, parseDocumentText, readSource } from './source.ts';
import { assertTenants, parseTenantFlag, setUpTenants, type TenantFlag } from './tenants.ts';
import { renderDraft } from './yaml-out.ts';

/** Options of {@link initConfig}: one description (OpenAPI, GraphQL or HAR) and two tenants' credentials. */
export interface InitOptions {
  /** OpenAPI 3.0/3.1 or Swagger 2.0 description: a file or an http(s) URL. */
  openapi?: string;
  /** GraphQL endpoint URL (introspected with the first tenant's token) or an SDL file. */
  graphql?: string;
  /** A HAR capture of one tenant's session. */
  har?: string;
  /** The deployment to audit; default: the description's first absolute server URL. */
  baseUrl?: string;
  /** `id=env:NAME`, `id=file:PATH`, `id=cmd:COMMAND`, or bare ids with `identity`. */
  tenants: readonly (string | TenantFlag)[];
  /**
   * A token source (mint, oauth2, login, …) used instead of credentials in `tenants`: the `identity.tokens` block, or
   * a YAML/JSON file holding it (alone, as `tokens:`, or as `identity: { tokens: … }`). Its `file:` paths are kept as given.
   */
  identity?: UserConfig['identity']['tokens'] | string;
  /** The claim naming the tenant; default: found by diffing the tenants' tokens. */
  tenantClaim?: string;
  /** Never write: existing data is discovered instead of fixtures created, and only reads are probed. */
  readOnly?: boolean;
  /** Words that make a parameter or field a tenant channel (default tenant, org, account, workspace, …). */
  tenantWords?: readonly string[];
  /** Callback signing secrets by tenant (`env:NAME`), else a commented placeholder. */
  callbackSecrets?: Record<string, string>;
  /** Inbound webhook signing secrets by webhook id (`*` for the only one), else a commented placeholder. */
  webhookSecrets?: Record<string, string>;
  /** Seed of the generated bodies (default 1): the same inputs and seed give the same file. */
  seed?: number;
  /** Write the file here (relative `file:` credentials are rewritten relative to it). */
  out?: string;
  /** Overwrite `out` when it exists. */
  force?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** What {@link initConfig} produced: the commented YAML, the config it says, and where it was written. */
export interface InitResult {
  /** The commented YAML. */
  yaml: string;
  /** The generated config, as the YAML says it (validated). */
  config: UserConfig;
  /** The file written, when `out` was given. */
  file?: string;
  /** Counts for a summary line. */
  summary: { operations: number; fixtures: number; skipped: number; tenantClaim: string };
}

/**
 * Writes an editable, commented config from a description the user already has, plus two tenants' credentials:
 * operations and their kinds, fixtures with canaries, tenant channels, idempotency, async and webhook sections.
 * The result validates with the same schema as a hand-written config. Nothing is sent to the target except
 * what reading the description needs (and, for `readOnly`, the listing of each tenant's existing data).
 */
export async function initConfig(options: InitOptions): Promise<InitResult> {
  const sources = (['openapi', 'graphql', 'har'] as const).filter((k) => options[k] !== undefined);
  if (sources.length !== 1) {
    throw new TenancyAuditError('TA_USAGE', sources.length === 0 ? 'init needs a description: --openapi, --graphql or --har' : `give one description, not ${sources.map((s) => `--${s}`).join(' and ')}`, {
      hint: 'tenancy-audit init --openapi openapi.json --base-url https://staging.example.com --tenant acme=env:ACME_TOKEN --tenant globex=env:GLOBEX_TOKEN',
    });
  }
  const flags = options.tenants.map((t) => (typeof t === 'string' ? parseTenantFlag(t) : t));
  assertTenants(flags);
  if (options.baseUrl !== undefined && !(isUrl(options.baseUrl) && URL.canParse(options.baseUrl))) {
    throw new TenancyAuditError('TA_USAGE', `--base-url ${options.baseUrl}: expected an absolute http(s) URL`, { hint: 'e.g. --base-url https://staging.example.com' });
  }
  const out = options.out ? path.resolve(options.out) : undefined;
  if (out && !options.force && (await fs.stat(out).then(() => true, () => false))) {
    throw new TenancyAuditError('TA_USAGE', `${options.out} exists`, { hint: 'Pass --force to overwrite it, or --out another file.' });
  }
  const configDir = out ? path.dirname(out) : process.cwd();
  const isTenant = tenantLike(options.tenantWords ?? TENANT_LIKE_DEFAULT);
  const seed = options.seed ?? 1;
  const identity = typeof options.identity === 'string' ? await identityFile(options.identity) : options.identity;
  const tenantOptions = { configDir, ...(out ? { writtenTo: path.dirname(out) } : {}), ...(identity ? { tokens: identity } : {}), ...(options.tenantClaim ? { tenantClaim: options.tenantClaim } : {}), ...(options.env ? { env: options.env } : {}) };

  let draft: Draft;
  if (options.openapi !== undefined || options.har !== undefined) {
    const spec = options.openapi !== undefined ? await loadOpenApi(options.openapi) : await harAsSpec(options.har!, flags[0]!.id, options.baseUrl);
    const baseUrl = options.baseUrl ?? spec.baseUrl ?? serverUrl(spec.doc.servers, options.openapi!);
    const setup = await setUpTenants(flags, { ...tenantOptions, baseUrl });
    const readOnly = options.readOnly === true;
    // Existing data is read only when asked (--read-only) or for a capture's resources it never saw created.
    const routes = routesOf(spec.doc, isTenant);
    const created = new Set(routes.filter((r) => r.method === 'post' && !r.item).map((r) => r.resource));
    const existing = readOnly || options.har !== undefined
      ? await discoverExisting(routes.filter((r) => readOnly || !created.has(r.resource)), baseUrl, setup.tenants, setup.tokenValues)
      : undefined;
    draft = draftFromOpenApi(spec.doc, { name: kebab(spec.doc.info?.title || 'target'), baseUrl, setup, source: `${spec.version}${options.har !== undefined ? '' : ' description'} ${spec.origin}` }, {
      seed,
      readOnly,
      isTenant,
      ...(existing ? { existing } : {}),
      ...(options.callbackSecrets ? { callbackSecrets: options.callbackSecrets } : {}),
      ...(options.webhookSecrets ? { webhookSecrets: options.webhookSecrets } : {}),
    });
  } else if (options.graphql !== undefined) {
    draft = await graphqlDraft(options.graphql, flags, { ...tenantOptions, baseUrl: options.baseUrl }, { seed, readOnly: options.readOnly === true, isTenant });
  } else {
    throw new TenancyAuditError('TA_USAGE', 'init needs a description');
  }
  const yaml = renderDraft(draft);
  validateConfig(draft.config, out);
  if (out) await fs.writeFile(out, yaml, 'utf8');
  const operations = (draft.config['operations'] as unknown[]).length;
  return {
    yaml,
    config: draft.config as unknown as UserConfig,
    ...(out ? { file: out } : {}),
    summary: { operations, fixtures: Object.keys((draft.config['fixtures'] as object | undefined) ?? {}).length, skipped: draft.skipped, tenantClaim: String((draft.config['identity'] as { tokens: { tenantClaim?: string } }).tokens.tenantClaim) },
  };
}

async function harAsSpec(where: string, tenant: string, baseUrl: string | undefined) {
  const har = await loadHar(where, tenant, baseUrl);
  return { doc: har.doc, origin: `${where} (${har.requests} requests)`, version: 'HAR capture', baseUrl: har.baseUrl };
}

async function graphqlDraft(
  where: string,
  flags: TenantFlag[],
  tenantOptions: Omit<Parameters<typeof setUpTenants>[1], 'baseUrl'> & { baseUrl: string | undefined },
  inference: { seed: number; readOnly: boolean; isTenant: (name: string) => boolean },
): Promise<Draft> {
  const endpointGiven = isUrl(where) && !/\.(graphqls?|gql|sdl)$/i.test(new URL(where).pathname);
  const base = tenantOptions.baseUrl ?? (endpointGiven ? new URL(where).origin : undefined);
  if (!base) throw new TenancyAuditError('TA_USAGE', 'an SDL schema needs --base-url (the GraphQL endpoint, e.g. https://staging.example.com/graphql)');
  const setup = await setUpTenants(flags, { ...tenantOptions, baseUrl: base });
  // Loaded on use: a run from a config file never pays for graphql-js.
  const [{ harmlessRead, loadGraphql }, { discoverGraphqlChannels }, { draftFromGraphql }] = await Promise.all([import('./graphql-load.ts'), import('./graphql-channels.ts'), import('./graphql-init.ts')]);
  const loaded = await loadGraphql(where, setup.firstToken);
  const endpoint = loaded.endpoint ?? new URL(/\/graphql\/?$/.test(new URL(base).pathname) ? base : `${base.replace(/\/$/, '')}/graphql`);
  const discovered = loaded.endpoint
    ? await discoverGraphqlChannels(loaded.endpoint, setup.firstToken, [setup.tenants[0]!, setup.tenants[1]!], harmlessRead(loaded.schema))
    : { headers: [], query: [], cookies: [], why: 'channels were not discovered (an SDL file, no endpoint was asked): add headers or cookies the service reads' };
  return draftFromGraphql(loaded.schema, { name: 'graphql-service', baseUrl: endpoint.origin, setup, source: `the GraphQL schema (${loaded.how}) of ${loaded.origin}` }, { ...inference, path: endpoint.pathname, discovered });
}

async function identityFile(file: string): Promise<UserConfig['identity']['tokens']> {
  const source = await readSource('--identity', file);
  const value = parseDocumentText(source, 'identity file') as Record<string, any> | null;
  const tokens = value?.['identity']?.['tokens'] ?? value?.['tokens'] ?? value;
  if (!tokens || typeof tokens !== 'object' || typeof tokens['kind'] !== 'string') {
    throw new TenancyAuditError('TA_USAGE', `--identity ${file}: no token source (an object with \`kind\`: mint, static, command, oauth2 or login)`, {
      hint: 'Write the identity.tokens block of a config into the file (see `tenancy-audit schema`).',
    });
  }
  return tokens as UserConfig['identity']['tokens'];
}

function serverUrl(servers: readonly { url: string }[] | undefined, where: string): string {
  const absolute = servers?.map((s) => s.url).find((u) => isUrl(u) && !u.includes('{'));
  if (absolute) return absolute.replace(/\/$/, '');
  if (isUrl(where)) {
    const relative = servers?.[0]?.url;
    return new URL(relative && relative.startsWith('/') ? relative : '/', where).href.replace(/\/$/, '');
  }
  throw new TenancyAuditError('TA_USAGE', 'no --base-url, and the description names no absolute server URL', { hint: 'Pass --base-url https://staging.example.com (the deployment to audit).' });
}
