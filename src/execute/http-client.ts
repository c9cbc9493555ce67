import { Agent, type Dispatcher } from 'undici';
import type { Exchange, OutgoingRequest, Outcome, ResponseView, TransportFailureKind } from '../core/exchange.ts';
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

/** How long past `timeoutMs` a whole exchange may take (connecting, headers and each body gap are bounded by `timeoutMs`). */
const DEADLINE_SLACK_MS = 1000;
/** How often the deadline watch looks at the exchanges in flight. */
const WATCH_EVERY_MS = 100;

/** The only place requests leave the harness: undici, pooled, no redirects followed, bodies capped. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const agent = new Agent({ connections: options.concurrency, pipelining: 1, connectTimeout: options.timeoutMs });
  const gate = new Semaphore(options.concurrency);
  const rate = new RateLimiter(options.ratePerSecond);
  const budget = options.budget ?? new Budget();
  const deadlines = new DeadlineWatch(WATCH_EVERY_MS);

  async function send(req: OutgoingRequest): Promise<Exchange> {
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const done = (outcome: Outcome): Exchange => ({ request: req, outcome, startedAt, durationMs: Math.round(performance.now() - t0) });
    const url = parseUrl(req.url);
    if (!url || !hostAllowed(url, options.allowHosts)) {
      return done(failure('out-of-scope', `refused: ${hostOf(req.url)} is not on the host allowlist; nothing was sent`));
    }
    const spent = budget.reserve();
    if (spent) return done(failure('budget', `not sent: ${spent}`));
    return gate.run(async () => {
      await rate.take();
      const lapsed = budget.lapsed();
      if (lapsed) return done(failure('budget', `not sent: ${lapsed}`));
      return done(await transmit(req, url));
    });
  }

  function transmit(req: OutgoingRequest, url: URL): Promise<Outcome> {
    return exchange(agent, req, url, options, deadlines).then(
      (response): Outcome => {
        const location = response.headers['location'];
        const redirect = location ? parseUrl(location, req.url) : undefined;
        if (response.status >= 300 && response.status < 400 && location && !(redirect && hostAllowed(redirect, options.allowHosts))) {
          response.headers['x-tenancy-audit-note'] = `redirect to ${redirect ? redirect.host : 'an unparsable location'} refused (not on the allowlist)`;
        }
        return { kind: 'response', response };
      },
      (error: unknown) => failure(classify(error), describe(error, options.timeoutMs)),
    );
  }

  return {
    send,
    budget,
    close: async () => {
      await agent.close();
      deadlines.stop();
    },
  };
}

/**
 * One HTTP exchange through undici's dispatcher API (no response stream: two thirds of the cost of `request()`
 * at these sizes). The body is kept up to `maxBodyBytes`; past that the connection is dropped, so the rest is
 * never downloaded. The whole exchange ends by a deadline: undici bounds connecting, the headers and each gap
 * between body chunks by `timeoutMs`; the deadline watch bounds a body dripped slowly enough to dodge the gap
 * timeout (a per-request AbortSignal did the same at a third of the throughput).
 */
function exchange(agent: Agent, req: OutgoingRequest, url: URL, options: HttpClientOptions, deadlines: DeadlineWatch): Promise<ResponseView> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let status = 0;
    let headers: Record<string, string> = {};
    let settled = false;
    let controller: Dispatcher.DispatchController | undefined;
    const watched = {
      expire: () => fail(Object.assign(new Error(`no complete answer within ${options.timeoutMs} ms`), { name: 'TimeoutError', code: 'TA_DEADLINE_TIMEOUT' })),
    };
    const settle = () => {
      settled = true;
      deadlines.forget(watched);
    };
    const finish = (truncated: boolean) => {
      if (settled) return;
      settle();
      resolve({ status, headers, bodyText: Buffer.concat(chunks).toString('utf8'), bodyBytes: bytes, truncated });
    };
    const fail = (error: Error) => {
      if (settled) return;
      settle();
      controller?.abort(error);
      reject(error);
    };
    deadlines.watch(watched, performance.now() + options.timeoutMs + DEADLINE_SLACK_MS);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (settled) c.abort(new Error('the exchange ended before it started'));
      },
      onResponseStart(_c, statusCode, responseHeaders) {
        if (statusCode < 200) return; // 1xx: the final answer follows
        status = statusCode;
        headers = flattenHeaders(responseHeaders);
      },
      onResponseData(c, chunk) {
        if (settled) return;
        const room = options.maxBodyBytes - bytes;
        if (chunk.length > room) {
          if (room > 0) chunks.push(chunk.subarray(0, room));
          bytes += room;
          finish(true);
          c.abort(new Error('response body cut at maxBodyBytes'));
          return;
        }
        chunks.push(chunk);
        bytes += chunk.length;
      },
      onResponseEnd() {
        finish(false);
      },
      onResponseError(_c, error) {
        fail(error);
      },
    };
    try {
      agent.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: req.method as Dispatcher.HttpMethod,
          headers: req.headers,
          body: req.body ?? null,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        },
        handler,
      );
    } catch (error) {
      fail(error as Error);
    }
  });
}

/** One coarse timer for every exchange in flight, instead of a timer (and abort listeners) per request. */
class DeadlineWatch {
  private readonly watched = new Map<{ expire(): void }, number>();
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly everyMs: number) {}

  watch(entry: { expire(): void }, deadline: number): void {
    this.watched.set(entry, deadline);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.everyMs);
      this.timer.unref();
    }
  }

  forget(entry: { expire(): void }): void {
    this.watched.delete(entry);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    const now = performance.now();
    for (const [entry, deadline] of this.watched) {
      if (now < deadline) continue;
      this.watched.delete(entry);
      entry.expire();
    }
    if (this.watched.size === 0) this.stop();
  }
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
