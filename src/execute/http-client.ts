import type tls from 'node:tls';
import type { Exchange, OutgoingRequest, Outcome, ResponseView, TransportFailureKind } from '../core/exchange.ts';
import { ConnectionPool, type Connection, type ExchangeSink } from './http1/connection-pool.ts';
import { requestBytes } from './http1/request-head.ts';
import type { ResponseHead } from './http1/response-parser.ts';
import { TransportError } from './http1/transport-error.ts';
import { Budget, RateLimiter, Semaphore } from './limits.ts';
import { hostAllowed } from './scope.ts';

export interface HttpClientOptions {
  allowHosts: readonly string[];
  timeoutMs: number;
  maxBodyBytes: number;
  concurrency: number;
  ratePerSecond: number;
  budget?: Budget;
  /** Extra TLS settings (tests trust their own CA this way); certificates are always verified. */
  tls?: Pick<tls.ConnectionOptions, 'ca'>;
}

export interface HttpClient {
  /** Sends one request within scope, rate, concurrency and budget. Never throws for transport problems. */
  send(req: OutgoingRequest): Promise<Exchange>;
  readonly budget: Budget;
  close(): Promise<void>;
}

/** How long past `timeoutMs` a whole exchange may take (connecting, headers and each body gap are bounded by `timeoutMs`). */
const DEADLINE_SLACK_MS = 1000;
/** Methods that may be sent again when a reused connection turns out closed before answering. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** How often the deadline watch looks at the exchanges in flight. */
const WATCH_EVERY_MS = 100;

/** The only place requests leave the harness: HTTP/1.1 on pooled keep-alive connections, no redirects followed, bodies capped. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const pool = new ConnectionPool({ tls: options.tls });
  const gate = new Semaphore(options.concurrency);
  const rate = new RateLimiter(options.ratePerSecond);
  const budget = options.budget ?? new Budget();
  const deadlines = new DeadlineWatch(WATCH_EVERY_MS);

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
      const outcome = await new PendingExchange(pool, req, url, options, deadlines).promise;
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
    async close() {
      pool.close();
      deadlines.stop();
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

/**
 * One HTTP exchange on a pooled connection. The body is kept up to `maxBodyBytes`; past that the connection is
 * dropped, so the rest is never downloaded. The deadline watch ends an exchange that is silent for `timeoutMs`
 * (connecting, waiting for the head, or between body chunks) or that runs past `timeoutMs` + slack in all (a
 * body dripped slowly enough to dodge the silence check).
 */
class PendingExchange implements ExchangeSink, Watched {
  /** Settles with the response or the transport failure; never rejects. */
  readonly promise: Promise<Outcome>;
  private resolve!: (outcome: Outcome) => void;
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private status = 0;
  private headers: Record<string, string> = {};
  private settled = false;
  private connection: Connection | undefined;
  private request: string | Buffer = '';
  private resent = false;
  private readonly deadline: number;
  private lastHeard: number;
  watchSlot = -1;

  constructor(
    private readonly pool: ConnectionPool,
    private readonly req: OutgoingRequest,
    private readonly url: URL,
    private readonly options: HttpClientOptions,
    private readonly deadlines: DeadlineWatch,
  ) {
    this.promise = new Promise<Outcome>((resolve) => (this.resolve = resolve));
    this.lastHeard = performance.now();
    this.deadline = this.lastHeard + options.timeoutMs + DEADLINE_SLACK_MS;
    try {
      this.request = requestBytes(req.method, url, req.headers, req.body);
      deadlines.watch(this);
      this.connection = pool.send(url, this.request, req.method, this);
    } catch (error) {
      this.onError(error as Error, false);
    }
  }

  /** Called by the deadline watch. */
  check(now: number): void {
    if (now - this.lastHeard < this.options.timeoutMs && now < this.deadline) return;
    this.connection?.destroy();
    this.onError(new TransportError('timeout', `no complete answer within ${this.options.timeoutMs} ms`), false);
  }

  onHead(head: ResponseHead): void {
    this.lastHeard = performance.now();
    this.status = head.status;
    this.headers = head.headers;
  }

  onBody(chunk: Buffer): void {
    this.lastHeard = performance.now();
    const room = this.options.maxBodyBytes - this.received;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.received += room;
      this.connection?.destroy();
      this.finish(true);
      return;
    }
    this.chunks.push(chunk);
    this.received += chunk.length;
  }

  onComplete(): void {
    this.finish(false);
  }

  onError(error: Error, unanswered: boolean): void {
    if (this.settled) return;
    // A kept-alive connection the server closed as the request left: it never read the request, so a request
    // that may be repeated (RFC 9110 §9.2.2) goes once more, on a new connection, within the same deadline.
    if (unanswered && !this.resent && IDEMPOTENT.has(this.req.method)) {
      this.resent = true;
      this.connection = this.pool.send(this.url, this.request, this.req.method, this, true);
      return;
    }
    this.settled = true;
    this.deadlines.forget(this);
    this.resolve(error instanceof TransportError ? failure(error.kind, error.message) : failure('error', error.message ?? String(error)));
  }

  private finish(truncated: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.deadlines.forget(this);
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.resolve({ kind: 'response', response: { status: this.status, headers: this.headers, bodyText: body.toString('utf8'), bodyBytes: this.received, truncated } });
  }
}

interface Watched {
  /** Ends the entry if it is overdue at `now`. */
  check(now: number): void;
  /** Set by the watch: where the entry sits. */
  watchSlot: number;
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

  watch(entry: Watched): void {
    const slot = this.free.pop() ?? this.slots.length;
    this.slots[slot] = entry;
    entry.watchSlot = slot;
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
    for (const entry of this.slots) if (entry) entry.check(now);
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

function failure(kind: TransportFailureKind, message: string): Outcome {
  return { kind: 'failure', failure: { kind, message } };
}
