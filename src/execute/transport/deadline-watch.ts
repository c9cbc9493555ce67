export interface Watched {
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
export class DeadlineWatch {
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
