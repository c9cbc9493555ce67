import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
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

/** How long past `timeoutMs` a whole exchange may take (connecting, headers and each body gap are bounded by `timeoutMs`). */
const DEADLINE_SLACK_MS = 1000;
/** How often the deadline watch looks at the response bodies being read. */
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
    // The whole exchange ends by this deadline: undici bounds connecting, the headers and each gap between body
    // chunks; the watch bounds a body dripped slowly enough to dodge the gap timeout. (A per-request AbortSignal
    // did the same at a third of the throughput.)
    const deadline = performance.now() + options.timeoutMs + DEADLINE_SLACK_MS;
    try {
      const url = new URL(req.url);
      // `agent.request` with origin and path: the top-level `request(url)` re-parses the URL on every call.
      const res = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body ?? null,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      const { text, bytes, truncated } = await readCapped(res.body, options.maxBodyBytes, deadlines, deadline);
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

  return {
    send,
    budget,
    close: async () => {
      await agent.close();
      deadlines.stop();
    },
  };
}

/** Reads a body up to `cap` bytes (the rest is never downloaded: the connection is dropped), by the deadline. */
function readCapped(body: Readable, cap: number, deadlines: DeadlineWatch, deadline: number): Promise<{ text: string; bytes: number; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const finish = (truncated: boolean) => {
      if (settled) return;
      settled = true;
      deadlines.forget(body);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), bytes, truncated });
    };
    deadlines.watch(body, deadline);
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      const room = cap - bytes;
      if (chunk.length > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        bytes += room;
        finish(true);
        body.destroy();
        return;
      }
      chunks.push(chunk);
      bytes += chunk.length;
    });
    body.on('end', () => finish(false));
    // `on`, not `once`: a destroyed body may report more than one error, and none may go unhandled.
    body.on('error', (error) => {
      if (settled) return;
      settled = true;
      deadlines.forget(body);
      reject(error);
    });
  });
}

/** One coarse timer for every body being read, instead of a timer (and abort listeners) per request. */
class DeadlineWatch {
  private readonly bodies = new Map<Readable, number>();
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly everyMs: number) {}

  watch(body: Readable, deadline: number): void {
    this.bodies.set(body, deadline);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.everyMs);
      this.timer.unref();
    }
  }

  forget(body: Readable): void {
    this.bodies.delete(body);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.bodies.clear();
  }

  private sweep(): void {
    const now = performance.now();
    for (const [body, deadline] of this.bodies) {
      if (now < deadline) continue;
      this.bodies.delete(body);
      body.destroy(Object.assign(new Error('the response did not complete by the deadline'), { name: 'TimeoutError', code: 'TA_DEADLINE_TIMEOUT' }));
    }
    if (this.bodies.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
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
