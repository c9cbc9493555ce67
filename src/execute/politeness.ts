/**
 * Polite rate control, as a pure controller (no timers, no sockets; the clock is injected): the Retry-After a
 * target sends with a 429 or 503 holds every new request until then (capped), and the request rate adapts under
 * the configured ceiling: it is halved on a refusal (multiplicative decrease, down to a floor) and regained a
 * little with each accepted answer (additive increase). A target that answers nothing but refusals for longer
 * than the patience makes the controller give up with a reason (the run then ends inconclusive).
 * `withPoliteness` (polite-client.ts) applies it around an `HttpClient`.
 */

import type { PolitenessSummary } from '../core/types.ts';

/** Statuses by which a target asks the harness to slow down. */
export const REFUSAL_STATUSES: ReadonlySet<number> = new Set([429, 503]);
/** Methods a refused request may be sent again with (RFC 9110 §9.2.2). */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export interface PolitenessOptions {
  /** The configured ceiling (`target.ratePerSecond`, `--rate`): the adaptive rate never goes above it. */
  ceilingPerSecond: number;
  /** The floor of the adaptive rate. */
  minPerSecond: number;
  /** The longest Retry-After wait honoured, in ms (a longer or later one is cut to this). */
  maxWaitMs: number;
  /** How long (ms) a target may answer nothing but 429/503 before the controller gives up… */
  patienceMs: number;
  /** …provided at least this many answers in a row were refusals. */
  refusalStreak: number;
  /** Whether an idempotent request answered 429/503 is sent once more after the wait. */
  retryRefused: boolean;
  /** Requests per second regained with each accepted answer; default: a fiftieth of the ceiling, at least 0.5. */
  increasePerSecond?: number;
  /** Milliseconds left in the run (`--max-duration`): no wait goes past it. */
  remainingMs?: () => number | undefined;
}

/**
 * Where a request stands: wait `waitMs`; then, if it holds a start `slot` and the controller's epoch did not move
 * on meanwhile (a new pause or back-off), go; else ask again.
 */
export interface Admission {
  waitMs: number;
  slot: boolean;
  epoch: number;
}

export class PolitenessController {
  private rate: number;
  private nextSlot = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private pausedMs = 0;
  private epochCount = 0;
  private tickets = 0;
  /** Requests sent from this ticket on were sent after the last back-off: only they can trigger the next one. */
  private backoffTicket = 0;
  private streak = 0;
  private refusingSince: number | undefined;
  private reason: string | undefined;
  private readonly increase: number;
  private readonly counts = { backoffs: 0, refused: 0, retried: 0 };
  private lowest: number;

  constructor(
    private readonly options: PolitenessOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.rate = options.ceilingPerSecond;
    this.lowest = this.rate;
    this.increase = options.increasePerSecond ?? Math.max(0.5, options.ceilingPerSecond / 50);
  }

  /** The current adaptive rate (requests per second). */
  get currentRate(): number {
    return this.rate;
  }

  /** Changes whenever a pause starts or the rate is cut: a request that waited across such a change asks again. */
  get epoch(): number {
    return this.epochCount;
  }

  /**
   * Admits the next request: while a Retry-After pause lasts, the time left (no slot is taken; ask again after it);
   * else, below the ceiling, the request's start slot at the adaptive rate. At the ceiling the client's own rate
   * limiter spaces requests, so nothing is added here.
   */
  admit(): Admission {
    const now = this.now();
    if (this.pausedUntil > now) return { waitMs: this.pausedUntil - now, slot: false, epoch: this.epochCount };
    if (this.rate >= this.options.ceilingPerSecond) return { waitMs: 0, slot: true, epoch: this.epochCount };
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.rate;
    return { waitMs: slot - now, slot: true, epoch: this.epochCount };
  }

  /** A request leaves now: its ticket, to pass to {@link observe} with its answer. */
  sent(): number {
    return this.tickets++;
  }

  /** Takes in the answer to the request sent with `ticket` (transport failures are not answers: don't call). */
  observe(ticket: number, status: number, headers: Readonly<Record<string, string>>): void {
    if (!REFUSAL_STATUSES.has(status)) {
      this.streak = 0;
      this.refusingSince = undefined;
      this.rate = Math.min(this.options.ceilingPerSecond, this.rate + this.increase);
      return;
    }
    const now = this.now();
    this.counts.refused++;
    this.streak++;
    this.refusingSince ??= now;
    const asked = parseRetryAfter(headers['retry-after'], now);
    if (asked !== undefined) this.pauseFor(Math.min(asked, this.options.maxWaitMs, this.options.remainingMs?.() ?? Number.POSITIVE_INFINITY), now);
    if (ticket >= this.backoffTicket) {
      this.counts.backoffs++;
      this.rate = Math.max(this.options.minPerSecond, Math.min(this.rate, this.options.ceilingPerSecond) / 2);
      this.lowest = Math.min(this.lowest, this.rate);
      this.backoffTicket = this.tickets;
      this.nextSlot = Math.max(now, this.pausedUntil);
      this.epochCount++;
    }
    const refusingFor = now - this.refusingSince;
    if (this.reason === undefined && this.streak >= this.options.refusalStreak && refusingFor >= this.options.patienceMs) {
      this.reason =
        `target kept refusing: the last ${this.streak} answers were all 429/503 over ${seconds(refusingFor)} s ` +
        `(patience ${seconds(this.options.patienceMs)} s); nothing more was sent`;
    }
  }

  /** Why the run should stop (the target kept refusing), once the patience ran out. */
  get gaveUp(): string | undefined {
    return this.reason;
  }

  /** Whether a request answered `status` is sent once more (after the wait): refused, idempotent, and allowed. */
  retries(method: string, status: number): boolean {
    return this.options.retryRefused && REFUSAL_STATUSES.has(status) && IDEMPOTENT_METHODS.has(method.toUpperCase());
  }

  /** Counts a retry (for the stats). */
  noteRetry(): void {
    this.counts.retried++;
  }

  /** What the controller did so far (`manifest.politeness`). */
  stats(): PolitenessSummary {
    const ahead = Math.max(0, this.pausedUntil - this.now());
    return { ...this.counts, waitedMs: Math.round(this.pausedMs - ahead), minRate: Math.round(this.lowest * 100) / 100 };
  }

  private pauseFor(waitMs: number, now: number): void {
    const until = now + Math.max(0, waitMs);
    if (until <= this.pausedUntil || until <= now) return;
    this.pausedMs += until - Math.max(now, this.pausedUntil);
    this.pausedUntil = until;
    this.nextSlot = Math.max(this.nextSlot, until);
    this.epochCount++;
  }
}

const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * A Retry-After value (RFC 9110 §10.2.3) as milliseconds from `now`: delta-seconds, or an HTTP-date (IMF-fixdate,
 * and the obsolete RFC 850 and asctime forms, all UTC). A date in the past is 0; anything else is undefined.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  let at = Number.NaN;
  if (IMF_FIXDATE.test(text) || RFC850_DATE.test(text)) at = Date.parse(text);
  else if (ASCTIME_DATE.test(text)) at = Date.parse(`${text} GMT`);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function seconds(ms: number): string {
  return (Math.round(ms / 100) / 10).toString();
}
