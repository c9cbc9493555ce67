import type { ResolvedConfig } from '../config/resolve.ts';
import { FORGERIES, unmetRequirements } from './forgeries.ts';
import { createTokenProvider } from './provider.ts';
import type { AttackerKeys, CredentialSpec, ForgeContext, ForgeryInfo, Forgery, TargetPublicKey, TokenProvider, TokenSource } from './types.ts';

export interface Credentials {
  provider: TokenProvider;
  /** Forgeries whose requirements this configuration meets, and the ones it does not (with why). */
  applicable: readonly ForgeryInfo[];
  notApplicable: readonly { id: string; missing: string[] }[];
  /** The Authorization header value for a probe's credential (null: omit the header). */
  authorization(spec: CredentialSpec): Promise<string | null>;
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
  }
}

export async function createCredentials(
  config: ResolvedConfig,
  options: { attacker: AttackerKeys; attackerJwksUrl: string; targetPublicKeys: readonly TargetPublicKey[]; provider?: TokenProvider },
): Promise<Credentials> {
  const provider = options.provider ?? createTokenProvider(tokenSourceOf(config));
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
      const key = `${spec.forgeryId}\u0000${spec.actor}\u0000${spec.other}`;
      let value = forged.get(key);
      if (!value) {
        const forgery = byId.get(spec.forgeryId);
        if (!forgery) throw new Error(`unknown or inapplicable forgery ${spec.forgeryId}`);
        value = contextFor(spec.actor, spec.other).then((ctx) => forgery.build(ctx)).then((c) => c.authorization);
        forged.set(key, value);
      }
      return value;
    },
  };
}
