import type { CallbackReceiver } from '../execute/callback-receiver.ts';

/** A scenario's wait is `FACTOR` × the slowest callback a positive control waited for, plus `PLUS_MS`. */
export const CALLBACK_WAIT_FACTOR = 3;
export const CALLBACK_WAIT_PLUS_MS = 500;

/** A scenario judged before its callback wait was over, to judge again once it is (see `ScenarioOutcome.rejudge`). */
export interface LateCheck {
  /** `performance.now()` time until which the scenario's callbacks must be observed. */
  observeUntil: number;
  /** True when judging again now can no longer find anything worse (it already found it). */
  settled(): boolean;
  /** Judges again and records what got worse. */
  run(): Promise<void>;
}

/**
 * The run's callback waits: how long scenarios wait (adapted to the callbacks the positive controls saw), which
 * waits are in progress (for the heartbeat), and the scenarios to judge again at the end of the cells.
 */
export class CallbackWaits {
  #slowestControlMs: number | undefined;
  #active = new Map<number, string>();
  #next = 0;
  readonly #late: LateCheck[] = [];

  /** `configuredMs`: `async.callbacks.timeoutMs`, the most any wait lasts. */
  constructor(readonly configuredMs: number) {}

  /** The wait of a positive control (the configured timeout) or of a scenario (adapted, under the configured timeout). */
  waitMs(phase: 'control' | 'scenario'): number {
    if (phase === 'control' || this.#slowestControlMs === undefined) return this.configuredMs;
    return Math.min(this.configuredMs, Math.ceil(this.#slowestControlMs * CALLBACK_WAIT_FACTOR + CALLBACK_WAIT_PLUS_MS));
  }

  /** A positive control's wait ended with its callbacks after `ms`. */
  observeControl(ms: number): void {
    this.#slowestControlMs = Math.max(this.#slowestControlMs ?? 0, ms);
  }

  get slowestControlMs(): number | undefined {
    return this.#slowestControlMs;
  }

  /** Marks a wait as in progress (`what`, e.g. "callbacks"); call the returned function when it ends. */
  begin(what: string): () => void {
    const id = this.#next++;
    this.#active.set(id, what);
    return () => void this.#active.delete(id);
  }

  /** What the run is waiting for right now, e.g. "callbacks of 3 scenarios"; undefined when it waits for nothing. */
  describe(): string | undefined {
    const counts = new Map<string, number>();
    for (const what of this.#active.values()) counts.set(what, (counts.get(what) ?? 0) + 1);
    if (counts.size === 0) return undefined;
    return [...counts].map(([what, n]) => `${what} of ${n} scenario${n === 1 ? '' : 's'}`).join(', ');
  }

  addLate(check: LateCheck): void {
    this.#late.push(check);
  }

  /**
   * Waits until every scenario judged early has been observed for its whole callback wait (or judging them again
   * can find nothing worse), then judges each again. Callbacks that arrive even later are outside every wait.
   */
  async settleLate(receiver: CallbackReceiver | undefined, now: () => number = () => performance.now()): Promise<void> {
    const checks = this.#late.splice(0);
    if (checks.length === 0) return;
    const until = Math.max(...checks.map((c) => c.observeUntil));
    const remaining = until - now();
    if (receiver && remaining > 0) {
      const ends = checks.map(() => this.begin('late callbacks'));
      try {
        await receiver.waitUntil(() => checks.every((c) => c.settled()), remaining);
      } finally {
        ends.forEach((end) => end());
      }
    }
    for (const check of checks) await check.run();
  }
}
