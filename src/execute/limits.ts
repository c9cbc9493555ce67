/** At most `limit` tasks at once. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    const wait = this.acquire();
    if (wait) await wait;
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Takes a slot: nothing to wait for when one is free, else a promise resolved when one is handed over. */
  acquire(): Promise<void> | undefined {
    if (this.active < this.limit) {
      this.active++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /**
   * Gives a slot back. A waiter is handed the slot directly (the count stays): were it freed and re-taken, a
   * caller arriving between the release and the waiter's wake-up would take it too, and one more would run.
   */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/** Spaces request starts so that no more than `perSecond` begin in any second (on average). */
export class RateLimiter {
  private next = 0;
  private readonly interval: number;
  constructor(perSecond: number, private readonly now: () => number = () => performance.now()) {
    this.interval = 1000 / perSecond;
  }

  /** Takes the next start slot: nothing to wait for when it is now, else a promise resolved when it comes. */
  take(): Promise<void> | undefined {
    const now = this.now();
    const slot = Math.max(now, this.next);
    this.next = slot + this.interval;
    const wait = slot - now;
    return wait >= 1 ? new Promise<void>((resolve) => setTimeout(resolve, wait)) : undefined;
  }
}

/** Request-count and wall-clock budget for a run (`--max-requests`, `--max-duration`). */
export class Budget {
  private sent = 0;
  private readonly deadline: number | undefined;
  private stopReason: string | undefined;
  private explicitStop: string | undefined;
  private readonly stopListeners: ((reason: string) => void)[] = [];

  constructor(private readonly maxRequests?: number, maxDurationMs?: number, private readonly now: () => number = Date.now) {
    this.deadline = maxDurationMs === undefined ? undefined : now() + maxDurationMs;
  }

  /** Reserves one request; returns a reason when the budget is spent (the request must not be sent). */
  reserve(): string | undefined {
    if (this.stopReason) return this.stopReason;
    if (this.maxRequests !== undefined && this.sent >= this.maxRequests) this.stopReason = `--max-requests ${this.maxRequests} reached`;
    else if (this.deadline !== undefined && this.now() >= this.deadline) this.stopReason = '--max-duration reached';
    if (this.stopReason) return this.stopReason;
    this.sent++;
    return undefined;
  }

  /**
   * Whether a request reserved earlier may still leave now (it may have waited for the rate limiter or a
   * connection): not once the deadline has passed or the run was stopped (interrupt). A count limit is settled
   * at reservation, so requests reserved within `--max-requests` all go out.
   */
  lapsed(): string | undefined {
    if (this.explicitStop) return this.explicitStop;
    if (this.deadline !== undefined && this.now() >= this.deadline) return (this.stopReason ??= '--max-duration reached');
    return undefined;
  }

  stop(reason: string): void {
    const first = this.explicitStop === undefined;
    this.explicitStop ??= reason;
    this.stopReason ??= reason;
    if (first) for (const listener of this.stopListeners.splice(0)) listener(this.explicitStop);
  }

  /** Calls `listener` once when the run is stopped (at once if it already was); returns a function that unsubscribes. */
  onStop(listener: (reason: string) => void): () => void {
    if (this.explicitStop !== undefined) {
      listener(this.explicitStop);
      return () => {};
    }
    this.stopListeners.push(listener);
    return () => {
      const at = this.stopListeners.indexOf(listener);
      if (at >= 0) this.stopListeners.splice(at, 1);
    };
  }

  /** Milliseconds left before `--max-duration` (undefined without one; 0 once it has passed). */
  remainingMs(): number | undefined {
    return this.deadline === undefined ? undefined : Math.max(0, this.deadline - this.now());
  }

  get exhausted(): string | undefined {
    return this.stopReason;
  }

  get requests(): number {
    return this.sent;
  }
}
