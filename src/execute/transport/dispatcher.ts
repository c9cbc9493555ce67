import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici';
import { withoutCredentials } from '../../config/resolve-transport.ts';
import type { TransportInfo } from '../../core/types.ts';

/** TLS settings for the target: a CA to trust, a client certificate and key (mutual TLS), or no verification at all. */
export interface TransportTls {
  ca?: string | Buffer | (string | Buffer)[];
  cert?: string | Buffer;
  /** The client key: a secret. */
  key?: string | Buffer;
  /** Skip certificate verification. Only when asked for explicitly; recorded in the run manifest. */
  insecure?: boolean;
}

/** How requests reach the target (the allowlist applies to the target, never to a proxy). */
export interface TransportOptions {
  /** A forward proxy URL (`http:`/`https:`); requests are tunnelled through it with CONNECT. */
  proxy?: string;
  /** Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either case) are read when `proxy` is not given; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  tls?: TransportTls;
  /** Offer HTTP/2 (ALPN) on https connections. */
  http2?: boolean;
}

/** What the manifest says about the transport: never a proxy's credentials. */
export type TransportFacts = TransportInfo;

interface PoolShape {
  connections: number;
  timeoutMs: number;
  /** undici's own silence limits, a backstop behind the client's deadline watch. */
  backstopMs: number;
}

/** The undici dispatcher for a client: an `Agent`, or a proxy agent (explicit, or from the environment) in front of one. */
export function createDispatcher(options: TransportOptions, shape: PoolShape): Dispatcher {
  const tls = tlsOptions(options.tls);
  const agentOptions: Agent.Options = {
    connections: shape.connections,
    pipelining: 1,
    keepAliveTimeout: 4000,
    keepAliveTimeoutThreshold: 2000,
    headersTimeout: shape.backstopMs,
    bodyTimeout: shape.backstopMs,
    connect: { timeout: shape.timeoutMs, ...tls },
    ...(options.http2 ? { allowH2: true } : {}),
  };
  const proxyTls = { ...(tls.ca ? { ca: tls.ca } : {}), rejectUnauthorized: tls.rejectUnauthorized, timeout: shape.timeoutMs };
  const requestTls = { ...tls, timeout: shape.timeoutMs };
  if (options.proxy) return new ProxyAgent({ ...agentOptions, uri: options.proxy, proxyTls, requestTls });
  const env = proxyEnv(options.env ?? process.env);
  if (!env) return new Agent(agentOptions);
  return new EnvHttpProxyAgent({ ...agentOptions, httpProxy: env.http, httpsProxy: env.https, noProxy: env.no, proxyTls, requestTls });
}

export function transportFacts(options: TransportOptions): TransportFacts {
  const proxy = options.proxy ? withoutCredentials(options.proxy) : proxyEnv(options.env ?? process.env) ? 'env' : undefined;
  return { ...(proxy ? { proxy } : {}), ...(options.tls?.insecure ? { insecure: true as const } : {}), ...(options.http2 ? { http2: true as const } : {}) };
}

/** The proxy variables of `env`, or `undefined` when neither HTTP_PROXY nor HTTPS_PROXY is set. Empty strings stop undici reading `process.env` itself. */
function proxyEnv(env: NodeJS.ProcessEnv): { http: string; https: string; no: string } | undefined {
  const read = (name: string) => env[name.toLowerCase()] || env[name] || '';
  const http = read('HTTP_PROXY');
  const https = read('HTTPS_PROXY');
  if (!http && !https) return undefined;
  return { http, https, no: read('NO_PROXY') };
}

function tlsOptions(tls: TransportTls | undefined) {
  return {
    ...(tls?.ca ? { ca: tls.ca } : {}),
    ...(tls?.cert ? { cert: tls.cert } : {}),
    ...(tls?.key ? { key: tls.key } : {}),
    rejectUnauthorized: !tls?.insecure,
  };
}
