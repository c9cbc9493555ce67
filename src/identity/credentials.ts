import type { ResolvedConfig } from '../config/resolve.ts';
import { FORGERIES, unmetRequirements } from './forgeries.ts';
import { createTokenProvider } from './provider.ts';
import type { AttackerKeys, CredentialSpec, ForgeContext, ForgeryInfo, Forgery, TargetPublicKey, TokenProvider, TokenProviderOptions, TokenSource } from './types.ts';

export interface Credentials {
  provider: TokenProvider;
  /** Forgeries whose requirements this configuration meets, and the ones it does not (with why). */
  applicable: readonly ForgeryInfo[];
  notApplicable: readonly { id: string; missing: string[] }[];
  /** The Authorization header value for a probe's credential (null: omit the header). */
  authorization(spec: CredentialSpec): Promise<string | null>;
  /**
   * After a 401 on a legit request sent with `staleAuthorization`: re-obtains the tenant's token once (shared by
   * concurrent callers) and returns the new Authorization value; `undefined` when the source cannot refresh.
   */
  refreshLegit(tenant: string, staleAuthorization: string | null): Promise<string | undefined>;
}

export function tokenSourceOf(config: ResolvedConfig): TokenSource {
  const tokens = config.identity.tokens;
  switch (tokens.kind) {
    case 'mint':
      return {
        kind: 'mint',
        key: { alg: tokens.key.alg, ...(typeof tokens.key.jwk === 'object' ? { jwk: tokens.key.jwk } : {}), ...(tokens.key.pem ? { pem: tokens.key.pem } : {}), ...(tokens.key.kid ? { kid: tokens.key.kid } : {}) },
        issuer: tokens.issuer,
        audience: tokens.audience,
        tenantClaim: tokens.tenantClaim,
        expiresInSeconds: tokens.expiresInSeconds,
        ...(tokens.subject ? { subject: tokens.subject } : {}),
        ...(tokens.claims ? { claims: tokens.claims } : {}),
      };
    case 'static':
      return { kind: 'static', tokens: tokens.tokens };
    case 'command':
      return { kind: 'command', command: tokens.command, timeoutMs: tokens.timeoutMs, cacheSeconds: tokens.cacheSeconds };
    case 'oauth2': {
      const shared = { scope: tokens.scope, audience: tokens.audience, resource: tokens.resource };
      const clients = Object.fromEntries(
        Object.entries(tokens.clients).map(([tenant, c]) => {
          const merged = { scope: c.scope ?? shared.scope, audience: c.audience ?? shared.audience, resource: c.resource ?? shared.resource };
          const params = tokens.params || c.params ? { ...tokens.params, ...c.params } : undefined;
          const client = {
            tokenUrl: c.tokenUrl ?? tokens.tokenUrl ?? '',
            clientId: c.clientId,
            clientSecret: c.clientSecret,
            ...Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)),
            ...(params ? { params } : {}),
          };
          return [tenant, client];
        }),
      );
      return { kind: 'oauth2', clients, clientAuth: tokens.clientAuth, timeoutMs: tokens.timeoutMs };
    }
    case 'login':
      return {
        kind: 'login',
        method: tokens.method,
        url: tokens.url,
        ...(tokens.headers ? { headers: tokens.headers } : {}),
        ...(tokens.body !== undefined ? { body: tokens.body } : {}),
        ...(tokens.form ? { form: tokens.form } : {}),
        values: tokens.values,
        token: tokens.token,
        ...(tokens.expiresInPath ? { expiresInPath: tokens.expiresInPath } : {}),
        cacheSeconds: tokens.cacheSeconds,
        timeoutMs: tokens.timeoutMs,
      };
  }
}

/** Provider options from the config: `identity.refresh` and the source's `refreshBeforeSeconds`. */
export function tokenProviderOptionsOf(config: ResolvedConfig): TokenProviderOptions {
  const tokens = config.identity.tokens;
  const before = 'refreshBeforeSeconds' in tokens ? tokens.refreshBeforeSeconds : undefined;
  return { refresh: config.identity.refresh, ...(before !== undefined ? { refreshBeforeSeconds: before } : {}) };
}

export async function createCredentials(
  config: ResolvedConfig,
  options: { attacker: AttackerKeys; attackerJwksUrl: string; targetPublicKeys: readonly TargetPublicKey[]; provider?: TokenProvider },
): Promise<Credentials> {
  const provider = options.provider ?? createTokenProvider(tokenSourceOf(config), tokenProviderOptionsOf(config));
  const tenantClaim = config.identity.tokens.tenantClaim;
  const [first, second] = config.tenants.map((t) => t.id) as [string, string];
  const contextFor = async (actor: string, other: string): Promise<ForgeContext> => ({
    actor,
    other,
    legitToken: await provider.tokenFor(actor),
    provider,
    tenantClaim,
    targetPublicKeys: options.targetPublicKeys,
    attacker: options.attacker,
    attackerJwksUrl: options.attackerJwksUrl,
  });

  const probeContext = await contextFor(first, second);
  const applicable: Forgery[] = [];
  const notApplicable: { id: string; missing: string[] }[] = [];
  for (const forgery of FORGERIES) {
    const missing = unmetRequirements(forgery, probeContext);
    if (missing.length === 0) applicable.push(forgery);
    else notApplicable.push({ id: forgery.id, missing });
  }
  const byId = new Map(applicable.map((f) => [f.id, f]));
  const forged = new Map<string, Promise<string | null>>();

  return {
    provider,
    applicable: applicable.map(({ id, title, family, claims }) => ({ id, title, family, claims })),
    notApplicable,
    async authorization(spec) {
      if (spec.kind === 'legit') return `Bearer ${await provider.tokenFor(spec.tenant)}`;
      // Keyed by the legit token too: a forgery copies its claims (exp included), so a refreshed token means a
      // fresh forgery; one built from an expired token would be rejected for its age, not for what it forges.
      const ctx = await contextFor(spec.actor, spec.other);
      const key = `${spec.forgeryId}\u0000${spec.actor}\u0000${spec.other}\u0000${ctx.legitToken}`;
      let value = forged.get(key);
      if (!value) {
        const forgery = byId.get(spec.forgeryId);
        if (!forgery) throw new Error(`unknown or inapplicable forgery ${spec.forgeryId}`);
        value = forgery.build(ctx).then((c) => c.authorization);
        forged.set(key, value);
      }
      return value;
    },
    async refreshLegit(tenant, staleAuthorization) {
      if (!provider.refresh) return undefined;
      const stale = staleAuthorization?.replace(/^Bearer\s+/i, '');
      return `Bearer ${await provider.refresh(tenant, stale)}`;
    },
  };
}
