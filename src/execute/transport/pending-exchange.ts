import type { Dispatcher } from 'undici';
import type { OutgoingRequest, Outcome } from '../../core/exchange.ts';
import type { DeadlineWatch, Watched } from './deadline-watch.ts';
import { failure, failureOf } from './failure.ts';
import { ambiguousFraming } from './framing.ts';
import { refusalOf } from './request-check.ts';
import { dispatchWatched, type ReuseWatcher } from './reuse.ts';

/** How long past `timeoutMs` a whole exchange may take (connecting, headers and each body gap are bounded by `timeoutMs`). */
export const DEADLINE_SLACK_MS = 1000;
/** Methods that may be sent again when a reused connection turns out closed before answering (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Errors that mean the connection went away under the request. */
const CLOSED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

export interface ExchangeContext {
  dispatcher: Dispatcher;
  deadlines: DeadlineWatch;
  timeoutMs: number;
  maxBodyBytes: number;
}

/**
 * One HTTP exchange through undici's dispatcher API. The body is kept up to `maxBodyBytes`; past that the request
 * is aborted, which destroys the connection, so the rest is never downloaded. No redirect is followed (the
 * dispatcher has no redirect interceptor): a 3xx is the response. The deadline watch ends an exchange that is
 * silent for `timeoutMs` or runs past `timeoutMs` + slack in all (a body dripped slowly enough to dodge the
 * silence check). undici never sends a request again by itself once its head was written; this exchange does,
 * once, and only for an idempotent method whose reused keep-alive connection closed before one byte of the answer
 * arrived (the server's idle close racing the request). POST and PATCH are never sent twice.
 */
export class PendingExchange implements Dispatcher.DispatchHandler, Watched, ReuseWatcher {
  /** Settles with the response or the transport failure; never rejects. */
  readonly promise: Promise<Outcome>;
  private resolve!: (outcome: Outcome) => void;
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private status = 0;
  private headers: Record<string, string> = {};
  private settled = false;
  private answered = false;
  private resent = false;
  /** The whole answer is in; it is handed over a turn later. */
  private complete = false;
  private abort: ((error?: Error) => void) | undefined;
  private readonly deadline: number;
  private lastHeard: number;
  reused = false;
  watchSlot = -1;

  constructor(
    private readonly ctx: ExchangeContext,
    private readonly req: OutgoingRequest,
    private readonly url: URL,
  ) {
    this.promise = new Promise<Outcome>((resolve) => (this.resolve = resolve));
    this.lastHeard = performance.now();
    this.deadline = this.lastHeard + ctx.timeoutMs + DEADLINE_SLACK_MS;
    const refusal = refusalOf(req.method, req.headers);
    if (refusal) {
      this.settle(failure('error', refusal));
      return;
    }
    ctx.deadlines.watch(this);
    this.dispatch();
  }

  private dispatch(): void {
    const { req, url } = this;
    const options: Dispatcher.DispatchOptions = {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body ?? null,
      // undici closes a connection after HEAD by default; the answer to HEAD is framed without a body, so keep it.
      ...(req.method === 'HEAD' ? { reset: false } : {}),
    };
    dispatchWatched(this, () => this.ctx.dispatcher.dispatch(options, this));
  }

  /** Called by the deadline watch. */
  check(now: number): void {
    if (this.complete || (now - this.lastHeard < this.ctx.timeoutMs && now < this.deadline)) return;
    this.settle(failure('timeout', `no complete answer within ${this.ctx.timeoutMs} ms`));
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.settled) return abort();
    this.abort = abort;
    this.lastHeard = performance.now();
  }

  onResponseStarted(): void {
    this.answered = true;
    this.lastHeard = performance.now();
  }

  onHeaders(status: number, raw: Buffer[] | string[] | null, _resume: () => void, _statusText: string): boolean {
    this.lastHeard = performance.now();
    if (status < 200) return true;
    this.answered = true;
    const ambiguous = ambiguousFraming(raw ?? []);
    if (ambiguous) {
      this.settle(failure('error', `invalid HTTP response: ${ambiguous}`));
      return false;
    }
    this.status = status;
    this.headers = headerRecord(raw ?? []);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.lastHeard = performance.now();
    const room = this.ctx.maxBodyBytes - this.received;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.received += room;
      this.finish(true);
      return false;
    }
    this.chunks.push(chunk);
    this.received += chunk.length;
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.complete = true;
    // undici frees an HTTP/1.1 connection for the next request with a setImmediate queued right after this call
    // returns. Queuing the hand-over behind it (from a microtask, which runs once undici's code has returned) lets
    // the caller's next request reuse this connection instead of opening another.
    queueMicrotask(() => setImmediate(() => this.finish(false)));
  }

  onError(error: Error): void {
    if (this.settled) return;
    const code = (error as { code?: string }).code ?? '';
    if (this.reused && !this.answered && !this.resent && CLOSED.has(code) && IDEMPOTENT.has(this.req.method)) {
      this.resent = true;
      this.abort = undefined;
      this.dispatch();
      return;
    }
    this.settle(failureOf(error, this.answered));
  }

  private finish(truncated: boolean): void {
    if (this.settled) return;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.settle({ kind: 'response', response: { status: this.status, headers: this.headers, bodyText: body.toString('utf8'), bodyBytes: this.received, truncated } });
  }

  /** Settles once; an exchange that ends early (cap, deadline) aborts its request, which drops the connection. */
  private settle(outcome: Outcome): void {
    if (this.settled) return;
    this.settled = true;
    this.ctx.deadlines.forget(this);
    this.resolve(outcome);
    const abort = this.abort;
    this.abort = undefined;
    if (abort && (outcome.kind === 'failure' || outcome.response.truncated)) abort();
  }
}

/** Raw header pairs as a record: names lower-cased, repeated fields joined with `, `. */
function headerRecord(raw: Buffer[] | string[]): Record<string, string> {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    const before = fields.get(name);
    fields.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return Object.fromEntries(fields);
}
