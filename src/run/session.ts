import type { ResolvedConfig } from '../config/resolve.ts';
import { TenancyAuditError } from '../core/errors.ts';
import { startAttackerJwksServer, type AttackerJwksServer } from '../execute/attacker-server.ts';
import { createHttpClient, type HttpClient, type TransportOptions } from '../execute/http-client.ts';
import { Budget } from '../execute/limits.ts';
import { withPoliteness } from '../execute/polite-client.ts';
import { PolitenessController } from '../execute/politeness.ts';
import { parseJsonSafe } from '../core/json-path.ts';
import { createAttackerKeys, publicKeysFromJwks, type TargetPublicKey, type TokenProvider } from '../identity/index.ts';
import { createCredentials, type Credentials } from '../identity/index.ts';

export interface Session {
  client: HttpClient;
  credentials: Credentials;
  attackerServer: AttackerJwksServer;
  targetPublicKeys: TargetPublicKey[];
  close(): Promise<void>;
}

/** Opens the run's I/O: the scoped HTTP client, the attacker's JWKS host, the target's public keys and credentials. */
export async function openSession(
  config: ResolvedConfig,
  options: { budget: Budget; politeness?: PolitenessController; provider?: TokenProvider | undefined },
): Promise<Session> {
  const allowHosts = config.target.allowHosts ?? [new URL(config.target.baseUrl).hostname];
  const raw = createHttpClient({
    allowHosts,
    timeoutMs: config.target.timeoutMs,
    maxBodyBytes: config.target.maxBodyBytes,
    concurrency: config.target.concurrency,
    ratePerSecond: config.target.ratePerSecond,
    budget: options.budget,
    ...transportOf(config),
  });
  const client = withPoliteness(raw, options.politeness ?? politenessFor(config, options.budget));
  const attacker = await createAttackerKeys();
  const attackerServer = await startAttackerJwksServer(attacker.jwks);
  try {
    await assertReachable(client, config.target.baseUrl);
    const targetPublicKeys = await fetchTargetKeys(client, config);
    const credentials = await createCredentials(config, {
      attacker,
      attackerJwksUrl: attackerServer.url,
      targetPublicKeys,
      ...(options.provider ? { provider: options.provider } : {}),
    });
    return {
      client,
      credentials,
      attackerServer,
      targetPublicKeys,
      close: async () => {
        await Promise.allSettled([client.close(), attackerServer.close()]);
      },
    };
  } catch (error) {
    await Promise.allSettled([client.close(), attackerServer.close()]);
    throw error;
  }
}

/** The run's polite rate control (`target.politeness`, under `target.ratePerSecond`); its waits never outlast the budget's deadline. */
export function politenessFor(config: ResolvedConfig, budget: Budget): PolitenessController {
  const p = config.target.politeness;
  return new PolitenessController({
    ceilingPerSecond: config.target.ratePerSecond,
    minPerSecond: Math.min(p.minRatePerSecond, config.target.ratePerSecond),
    maxWaitMs: p.maxWaitSeconds * 1000,
    patienceMs: p.patienceSeconds * 1000,
    refusalStreak: p.refusalStreak,
    retryRefused: p.retryRefused,
    remainingMs: () => budget.remainingMs(),
  });
}

/** How requests reach the target: the configured proxy (else the proxy environment), TLS material, HTTP/2. */
export function transportOf(config: ResolvedConfig): TransportOptions {
  const { proxy, tls, http2 } = config.target;
  return {
    ...(proxy ? { proxy } : {}),
    ...(tls ? { tls: { ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}), ...(tls.insecure ? { insecure: true } : {}) } } : {}),
    ...(http2 ? { http2: true } : {}),
  };
}

async function assertReachable(client: HttpClient, baseUrl: string): Promise<void> {
  const exchange = await client.send({ method: 'GET', url: baseUrl, headers: { 'user-agent': 'tenancy-audit' } });
  if (exchange.outcome.kind === 'failure') {
    throw new TenancyAuditError('TA_TARGET_UNREACHABLE', `target ${baseUrl} is unreachable: ${exchange.outcome.failure.message}`, {
      hint: unreachableHint(exchange.outcome.failure.message),
    });
  }
}

async function fetchTargetKeys(client: HttpClient, config: ResolvedConfig): Promise<TargetPublicKey[]> {
  const jwksUrl = config.identity.jwksUrl;
  if (!jwksUrl) return [];
  const url = new URL(jwksUrl, config.target.baseUrl).toString();
  const exchange = await client.send({ method: 'GET', url, headers: { accept: 'application/json' } });
  if (exchange.outcome.kind === 'failure' && exchange.outcome.failure.kind === 'out-of-scope') {
    throw new TenancyAuditError('TA_CONFIG_INVALID', `identity.jwksUrl: ${exchange.outcome.failure.message}`, {
      hint: 'Add the JWKS host to target.allowHosts, or point identity.jwksUrl at the target itself.',
    });
  }
  const json = exchange.outcome.kind === 'response' && exchange.outcome.response.status === 200 ? parseJsonSafe(exchange.outcome.response.bodyText) : undefined;
  if (!json || typeof json !== 'object' || !Array.isArray((json as { keys?: unknown }).keys)) {
    throw new TenancyAuditError('TA_CONFIG_INVALID', `identity.jwksUrl: ${url} did not answer with a JWKS`, {
      hint: 'Point identity.jwksUrl at the JSON Web Key Set the target trusts, or remove it (RS→HS confusion is then skipped).',
    });
  }
  return publicKeysFromJwks(json as { keys: [] });
}

function unreachableHint(message: string): string {
  if (/certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_/i.test(message)) {
    return 'The target\'s TLS certificate was not verified: pass --ca FILE (target.tls.ca) with the CA that signed it, or --insecure to skip verification (recorded in the manifest); nothing was judged.';
  }
  if (/alert|handshake|certificate required/i.test(message)) {
    return 'The TLS handshake failed: a target that requires a client certificate needs --cert FILE --key FILE (target.tls.cert/key); nothing was judged.';
  }
  return 'Start the target or pass --target URL; behind a proxy, pass --proxy URL or set HTTPS_PROXY/HTTP_PROXY (NO_PROXY bypasses it); nothing was judged.';
}
