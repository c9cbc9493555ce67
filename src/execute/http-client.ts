import { Agent, request } from 'undici';
import type { Exchange, OutgoingRequest, Outcome, TransportFailureKind } from '../core/exchange.ts';
import { Budget, RateLimiter, Semaphore } from './limits.ts';
import { hostAllowed } from './scope.ts';

export interface HttpClientOptions {
  allowHosts: readonly string[];
  timeoutMs: number;
  maxBodyBytes: number;
  concurrency: number;
  ratePerSecond: number;
  budget?: Budget;
}

export interface HttpClient {
  /** Sends one request within scope, rate, concurrency and budget. Never throws for transport problems. */
  send(req: OutgoingRequest): Promise<Exchange>;
  readonly budget: Budget;
  close(): Promise<void>;
}

/** The only place requests leave the harness: undici, pooled, no redirects followed, bodies capped. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const agent = new Agent({ connections: options.concurrency, pipelining: 1, connectTimeout: options.timeoutMs });
  const gate = new Semaphore(options.concurrency);
  const rate = new RateLimiter(options.ratePerSecond);
  const budget = options.budget ?? new Budget();

  async function send(req: OutgoingRequest): Promise<Exchange> {
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const done = (outcome: Outcome): Exchange => ({ request: req, outcome, startedAt, durationMs: Math.round(performance.now() - t0) });
    if (!hostAllowed(req.url, options.allowHosts)) {
      return done(failure('out-of-scope', `refused: ${hostOf(req.url)} is not on the host allowlist; nothing was sent`));
    }
    const spent = budget.reserve();
    if (spent) return done(failure('budget', `not sent: ${spent}`));
    return gate.run(async () => {
      await rate.take();
      const lapsed = budget.lapsed();
      if (lapsed) return done(failure('budget', `not sent: ${lapsed}`));
      return done(await transmit(req));
    });
  }

  async function transmit(req: OutgoingRequest): Promise<Outcome> {
    try {
      const res = await request(req.url, {
        method: req.method as 'GET',
        headers: req.headers,
        body: req.body,
        dispatcher: agent,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        signal: AbortSignal.timeout(options.timeoutMs + 1000),
      });
      const { text, bytes, truncated } = await readCapped(res.body, options.maxBodyBytes);
      const headers = flattenHeaders(res.headers);
      const location = headers['location'];
      const redirect = location ? parseUrl(location, req.url) : undefined;
      if (res.statusCode >= 300 && res.statusCode < 400 && location && !(redirect && hostAllowed(redirect.href, options.allowHosts))) {
        headers['x-tenancy-audit-note'] = `redirect to ${redirect ? redirect.host : 'an unparsable location'} refused (not on the allowlist)`;
      }
      return { kind: 'response', response: { status: res.statusCode, headers, bodyText: text, bodyBytes: bytes, truncated } };
    } catch (error) {
      return failure(classify(error), describe(error, options.timeoutMs));
    }
  }

  return { send, budget, close: () => agent.close() };
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, cap: number) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  for await (const chunk of body) {
    const room = cap - bytes;
    if (chunk.length > room) {
      if (room > 0) chunks.push(chunk.subarray(0, room));
      bytes += room;
      truncated = true;
      body.destroy();
      break;
    }
    chunks.push(chunk);
    bytes += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes, truncated };
}

/** The host of a URL for messages; never throws (an unparsable URL is refused like any foreign host). */
function hostOf(url: string): string {
  return parseUrl(url)?.host ?? `unparsable URL ${JSON.stringify(url.slice(0, 100))}`;
}

function parseUrl(url: string, base?: string): URL | undefined {
  try {
    return new URL(url, base);
  } catch {
    return undefined;
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function failure(kind: TransportFailureKind, message: string): Outcome {
  return { kind: 'failure', failure: { kind, message } };
}

function classify(error: unknown): TransportFailureKind {
  const code = (error as { code?: string }).code ?? '';
  const name = (error as { name?: string }).name ?? '';
  if (/TIMEOUT/.test(code) || name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'reset';
  return 'error';
}

function describe(error: unknown, timeoutMs: number): string {
  const kind = classify(error);
  if (kind === 'timeout') return `no complete answer within ${timeoutMs} ms`;
  const code = (error as { code?: string }).code;
  return `${code ? `${code}: ` : ''}${(error as Error).message ?? String(error)}`;
}
