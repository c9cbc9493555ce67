import { describe, expect, it } from 'vitest';
import { parseRetryAfter, PolitenessController, type PolitenessOptions } from './politeness.ts';

/** A controller on a hand-driven clock (no timers, no wall clock). */
function controller(overrides: Partial<PolitenessOptions> = {}) {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const options: PolitenessOptions = { ceilingPerSecond: 100, minPerSecond: 1, maxWaitMs: 30_000, patienceMs: 10_000, refusalStreak: 3, retryRefused: true, ...overrides };
  const c = new PolitenessController(options, () => t);
  return {
    c,
    advance: (ms: number) => (t += ms),
    now: () => t,
    /** Sends one request now and answers it `status`. */
    answer: (status: number, headers: Record<string, string> = {}) => c.observe(c.sent(), status, headers),
  };
}

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });
  it('reads an HTTP-date (IMF-fixdate, RFC 850, asctime) as the time until it, in UTC', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Thursday, 01-Jan-26 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Thu Jan  1 00:00:02 2026', now)).toBe(2000);
  });
  it('a date in the past is no wait; anything else is not a Retry-After', () => {
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    for (const bad of [undefined, '', '-1', '1.5', 'soon', 'in 5 seconds', '2026-01-01T00:00:05Z', 'Thu, 01 Jan 2026 00:00:05']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});

describe('PolitenessController', () => {
  it('at the ceiling and without refusals, adds nothing: every request goes at once', () => {
    const { c, answer } = controller();
    for (let i = 0; i < 5; i++) {
      expect(c.admit()).toMatchObject({ waitMs: 0, slot: true });
      answer(200);
    }
    expect(c.stats()).toEqual({ backoffs: 0, refused: 0, retried: 0, waitedMs: 0, minRate: 100 });
  });

  it('Retry-After (delta-seconds) holds every new request until then, and the wait is counted', () => {
    const { c, answer, advance } = controller();
    answer(429, { 'retry-after': '2' });
    expect(c.admit()).toMatchObject({ waitMs: 2000, slot: false });
    advance(500);
    expect(c.admit()).toMatchObject({ waitMs: 1500, slot: false });
    advance(1500);
    const after = c.admit();
    expect(after.slot).toBe(true);
    expect(after.waitMs).toBe(0);
    expect(c.stats()).toMatchObject({ backoffs: 1, refused: 1, waitedMs: 2000 });
  });

  it('Retry-After as an HTTP-date; 503 counts like 429', () => {
    const { c, answer, now } = controller();
    answer(503, { 'retry-after': new Date(now() + 3000).toUTCString() });
    expect(c.admit()).toMatchObject({ waitMs: 3000, slot: false });
  });

  it('caps a wait at maxWaitMs and at the time left in the run', () => {
    const capped = controller({ maxWaitMs: 5000 });
    capped.answer(429, { 'retry-after': '3600' });
    expect(capped.c.admit().waitMs).toBe(5000);
    const late = controller({ remainingMs: () => 700 });
    late.answer(429, { 'retry-after': '10' });
    expect(late.c.admit().waitMs).toBe(700);
  });

  it('overlapping pauses count their union once in waitedMs; the pause not yet over is not counted', () => {
    const { c, answer, advance } = controller();
    answer(429, { 'retry-after': '2' });
    advance(1000);
    answer(429, { 'retry-after': '2' }); // extends the pause to t+3 s
    expect(c.stats().waitedMs).toBe(1000);
    advance(2000);
    expect(c.stats().waitedMs).toBe(3000);
  });

  it('halves the rate on a refusal (AIMD), down to the floor, and spaces requests at the new rate', () => {
    const { c, answer } = controller({ ceilingPerSecond: 16, minPerSecond: 3 });
    answer(429);
    expect(c.currentRate).toBe(8);
    expect(c.admit()).toMatchObject({ waitMs: 0, slot: true });
    expect(c.admit()).toMatchObject({ waitMs: 125, slot: true }); // 1000 / 8
    answer(429);
    answer(429);
    expect(c.currentRate).toBe(3); // 8 → 4 → 3 (floor), never 2
    expect(c.stats()).toMatchObject({ backoffs: 3, minRate: 3 });
  });

  it('backs off once for requests that were in flight together, not once per refused answer', () => {
    const { c } = controller({ ceilingPerSecond: 64 });
    const inFlight = [c.sent(), c.sent(), c.sent(), c.sent()];
    for (const ticket of inFlight) c.observe(ticket, 429, {});
    expect(c.currentRate).toBe(32);
    expect(c.stats()).toMatchObject({ backoffs: 1, refused: 4 });
    // A request sent after the back-off that is refused too cuts the rate again.
    c.observe(c.sent(), 429, {});
    expect(c.currentRate).toBe(16);
  });

  it('recovers slowly: each accepted answer adds increasePerSecond, up to the ceiling', () => {
    const { c, answer } = controller({ ceilingPerSecond: 20, increasePerSecond: 1 });
    answer(429);
    expect(c.currentRate).toBe(10);
    for (let i = 0; i < 4; i++) answer(200);
    expect(c.currentRate).toBe(14);
    for (let i = 0; i < 20; i++) answer(404);
    expect(c.currentRate).toBe(20);
    expect(c.stats().minRate).toBe(10);
  });

  it('a pause or a back-off moves the epoch: a request that waited across it asks again', () => {
    const { c, answer } = controller({ ceilingPerSecond: 10 });
    answer(429); // below the ceiling now: requests get slots
    const slotted = c.admit();
    answer(429, { 'retry-after': '1' });
    expect(c.epoch).not.toBe(slotted.epoch);
  });

  it('gives up after refusals only, for longer than the patience and at least refusalStreak in a row', () => {
    const { c, answer, advance } = controller({ patienceMs: 10_000, refusalStreak: 3 });
    answer(429);
    advance(11_000);
    answer(429);
    expect(c.gaveUp).toBeUndefined(); // long enough, but only 2 in a row
    answer(200); // an accepted answer starts the count again
    answer(429);
    answer(429);
    answer(429);
    expect(c.gaveUp).toBeUndefined(); // 3 in a row, but not for long
    advance(9_999);
    answer(503);
    expect(c.gaveUp).toBeUndefined();
    advance(1);
    answer(429);
    expect(c.gaveUp).toMatch(/^target kept refusing: the last 5 answers were all 429\/503 over 10 s \(patience 10 s\)/);
  });

  it('retries only refused answers to idempotent methods, and only when allowed', () => {
    const { c } = controller();
    expect(c.retries('GET', 429)).toBe(true);
    expect(c.retries('delete', 503)).toBe(true);
    expect(c.retries('POST', 429)).toBe(false);
    expect(c.retries('PATCH', 429)).toBe(false);
    expect(c.retries('GET', 500)).toBe(false);
    expect(controller({ retryRefused: false }).c.retries('GET', 429)).toBe(false);
  });
});
