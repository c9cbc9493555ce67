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
    const url = parseUrl(req.url);
    if (!url || !hostAllowed(url, options.allowHosts)) {
      return exchangeOf(req, failure('out-of-scope', `refused: ${hostOf(req.url)} is not on the host allowlist; nothing was sent`), startedAt, t0);
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
      return exchangeOf(req, await transmit(req, url), startedAt, t0);
    } finally {
      gate.release();
    }
  }

  async function transmit(req: OutgoingRequest, url: URL): Promise<Outcome> {
    let response: ResponseView;
    try {
      response = await new ExchangeHandler(agent, req, url, options, deadlines).promise;
    } catch (error) {
      return failure(classify(error), describe(error, options.timeoutMs));
    }
    const location = response.headers['location'];
    if (response.status >= 300 && response.status < 400 && location) {
      const redirect = parseUrl(location, req.url);
      if (!(redirect && hostAllowed(redirect, options.allowHosts))) {
        response.headers['x-tenancy-audit-note'] = `redirect to ${redirect ? redirect.host : 'an unparsable location'} refused (not on the allowlist)`;
      }
    }
    return { kind: 'response', response };
  }

  return {
    send,
    budget,
    async close() {
      await agent.close();
      deadlines.stop();
    },
  };
}

function exchangeOf(request: OutgoingRequest, outcome: Outcome, startedAt: string, t0: number): Exchange {
  return { request, outcome, startedAt, durationMs: Math.round(performance.now() - t0) };
}

/**
 * One HTTP exchange through undici's dispatcher API (a response stream per request, as `request()` makes, cost
 * two thirds of the throughput at these sizes; so do per-request closures when run through tsx). The body is
 * kept up to `maxBodyBytes`; past that the connection is dropped, so the rest is never downloaded. The exchange
 * ends by a deadline: undici bounds connecting, the headers and each gap between body chunks by `timeoutMs`; the
 * deadline watch bounds a body dripped slowly enough to dodge the gap timeout.
 */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  readonly promise: Promise<ResponseView>;
  private resolve!: (response: ResponseView) => void;
  private reject!: (error: Error) => void;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private status = 0;
  private headers: Record<string, string> = {};
  private settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  watchSlot = -1;
  watchDeadline = 0;

  constructor(agent: Agent, req: OutgoingRequest, url: URL, private readonly options: HttpClientOptions, private readonly deadlines: DeadlineWatch) {
    this.promise = new Promise<ResponseView>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    deadlines.watch(this, performance.now() + options.timeoutMs + DEADLINE_SLACK_MS);
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
        this,
      );
    } catch (error) {
      this.fail(error as Error);
    }
  }

  /** Called by the deadline watch. */
  expire(): void {
    this.fail(Object.assign(new Error(`no complete answer within ${this.options.timeoutMs} ms`), { name: 'TimeoutError', code: 'TA_DEADLINE_TIMEOUT' }));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) controller.abort(new Error('the exchange ended before it started'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // 1xx: the final answer follows
    this.status = statusCode;
    this.headers = flattenHeaders(headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    const room = this.options.maxBodyBytes - this.bytes;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.bytes += room;
      this.finish(true);
      controller.abort(new Error('response body cut at maxBodyBytes'));
      return;
    }
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  onResponseEnd(): void {
    this.finish(false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  private finish(truncated: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.deadlines.forget(this);
    this.resolve({ status: this.status, headers: this.headers, bodyText: Buffer.concat(this.chunks).toString('utf8'), bodyBytes: this.bytes, truncated });
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.deadlines.forget(this);
    this.controller?.abort(error);
    this.reject(error);
  }
}

interface Watched {
  expire(): void;
  /** Set by the watch: where the entry sits and when it expires. */
  watchSlot: number;
  watchDeadline: number;
}

/**
 * One coarse timer for every exchange in flight, instead of a timer (and abort listeners) per request. Entries
 * sit in an array of slots (at most `concurrency` are in flight), not in a Map or Set: hashing a fresh object
 * per request cost a tenth of the throughput.
 */
class DeadlineWatch {
  private readonly slots: (Watched | undefined)[] = [];
  private readonly free: number[] = [];
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly everyMs: number) {}

  watch(entry: Watched, deadline: number): void {
    const slot = this.free.pop() ?? this.slots.length;
    this.slots[slot] = entry;
    entry.watchSlot = slot;
    entry.watchDeadline = deadline;
    this.count++;
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.everyMs);
      this.timer.unref();
    }
  }

  forget(entry: Watched): void {
    const slot = entry.watchSlot;
    if (slot < 0 || this.slots[slot] !== entry) return;
    this.slots[slot] = undefined;
    entry.watchSlot = -1;
    this.free.push(slot);
    this.count--;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    const now = performance.now();
    for (const entry of this.slots) {
      if (entry && now >= entry.watchDeadline) {
        this.forget(entry);
        entry.expire();
      }
    }
    if (this.count === 0) this.stop();
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
  for (const name in headers) {
    const value = headers[name];
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
