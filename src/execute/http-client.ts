import type { Exchange, OutgoingRequest, Outcome, ResponseView } from '../core/exchange.ts';
import { Budget, RateLimiter, Semaphore } from './limits.ts';
import { hostAllowed } from './scope.ts';
import { DeadlineWatch } from './transport/deadline-watch.ts';
import { createDispatcher, transportFacts, type TransportFacts, type TransportOptions } from './transport/dispatcher.ts';
import { failure } from './transport/failure.ts';
import { DEADLINE_SLACK_MS, PendingExchange, type ExchangeContext } from './transport/pending-exchange.ts';

export { transportFacts } from './transport/dispatcher.ts';
export type { TransportFacts, TransportOptions, TransportTls } from './transport/dispatcher.ts';

export interface HttpClientOptions extends TransportOptions {
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
  /** How requests travel (proxy, unverified TLS, HTTP/2), for the manifest; never a secret. */
  readonly transport: TransportFacts;
  close(): Promise<void>;
}

/** How often the deadline watch looks at the exchanges in flight. */
const WATCH_EVERY_MS = 100;

/**
 * The only place requests leave the harness: undici's dispatcher (HTTP/1.1 on pooled keep-alive connections, or
 * HTTP/2 when asked), directly or through a proxy, no redirects followed, bodies capped, every request in scope.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const dispatcher = createDispatcher(options, {
    connections: options.concurrency,
    timeoutMs: options.timeoutMs,
    backstopMs: options.timeoutMs + 2 * DEADLINE_SLACK_MS,
  });
  const gate = new Semaphore(options.concurrency);
  const rate = new RateLimiter(options.ratePerSecond);
  const budget = options.budget ?? new Budget();
  const deadlines = new DeadlineWatch(WATCH_EVERY_MS);
  const context: ExchangeContext = { dispatcher, deadlines, timeoutMs: options.timeoutMs, maxBodyBytes: options.maxBodyBytes };

  async function send(req: OutgoingRequest): Promise<Exchange> {
    const startedAt = isoNow();
    const t0 = performance.now();
    const url = parseUrl(req.url);
    if (!url || !hostAllowed(url, options.allowHosts)) {
      return exchangeOf(req, failure('out-of-scope', `refused: ${hostOf(req.url)} is not on the host allowlist; nothing was sent`), startedAt, t0);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return exchangeOf(req, failure('out-of-scope', `refused: ${url.protocol} is not HTTP; nothing was sent`), startedAt, t0);
    }
    const spent = budget.reserve();
    if (spent) return exchangeOf(req, failure('budget', `not sent: ${spent}`), startedAt, t0);
    const slot = gate.acquire();
    if (slot) await slot;
    try {
      const turn = rate.take();
      if (turn) await turn;
      // Reserved earlier, but waited: the deadline may have passed or the run been interrupted meanwhile.
      const lapsed = budget.lapsed();
      if (lapsed) return exchangeOf(req, failure('budget', `not sent: ${lapsed}`), startedAt, t0);
      const outcome = await new PendingExchange(context, req, url).promise;
      if (outcome.kind === 'response') noteRefusedRedirect(outcome.response, req.url);
      return exchangeOf(req, outcome, startedAt, t0);
    } finally {
      gate.release();
    }
  }

  /** A redirect is never followed; one that points off the allowlist is marked so in the evidence. */
  function noteRefusedRedirect(response: ResponseView, from: string): void {
    const location = response.headers['location'];
    if (response.status < 300 || response.status >= 400 || !location) return;
    const redirect = parseUrl(location, from);
    if (!(redirect && hostAllowed(redirect, options.allowHosts))) {
      response.headers['x-tenancy-audit-note'] = `redirect to ${redirect ? redirect.host : 'an unparsable location'} refused (not on the allowlist)`;
    }
  }

  return {
    send,
    budget,
    transport: transportFacts(options),
    async close() {
      deadlines.stop();
      await dispatcher.destroy();
    },
  };
}

let isoMs = 0;
let iso = '';
/** The time as ISO 8601, formatted once per millisecond (many exchanges start within one). */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    iso = new Date(ms).toISOString();
  }
  return iso;
}

function exchangeOf(request: OutgoingRequest, outcome: Outcome, startedAt: string, t0: number): Exchange {
  return { request, outcome, startedAt, durationMs: Math.round(performance.now() - t0) };
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
