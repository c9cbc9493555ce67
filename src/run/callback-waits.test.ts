import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../core/events.ts';
import { startCallbackReceiver } from '../execute/callback-receiver.ts';
import { CallbackWaits, type LateCheck } from './callback-waits.ts';
import { lateCheck } from './record-case.ts';
import { RunTally } from './tally.ts';
import { ContractLedger } from './contract-ledger.ts';
import type { HttpRunState } from './http-audit.ts';
import type { CaseResult } from './execute-probe.ts';
import type { Verdict } from '../core/verdict.ts';

describe('CallbackWaits', () => {
  it('waits the configured timeout in controls and until a control saw a callback; then 3× the slowest + 500 ms, never above the configured timeout', () => {
    const waits = new CallbackWaits(10_000);
    expect(waits.waitMs('control')).toBe(10_000);
    expect(waits.waitMs('scenario')).toBe(10_000);
    waits.observeControl(120);
    waits.observeControl(40);
    expect(waits.waitMs('scenario')).toBe(860);
    expect(waits.waitMs('control')).toBe(10_000);
    waits.observeControl(4_000);
    expect(waits.waitMs('scenario')).toBe(10_000);
  });

  it('says what the run waits for', () => {
    const waits = new CallbackWaits(1000);
    expect(waits.describe()).toBeUndefined();
    const a = waits.begin('callbacks');
    const b = waits.begin('callbacks');
    expect(waits.describe()).toBe('callbacks of 2 scenarios');
    a();
    expect(waits.describe()).toBe('callbacks of 1 scenario');
    b();
    expect(waits.describe()).toBeUndefined();
  });

  it('judges late scenarios again once their whole wait is over, or as soon as all of them already found something worse', { timeout: 4_000 }, async () => {
    const receiver = await startCallbackReceiver();
    try {
      const waits = new CallbackWaits(5_000);
      const ran: string[] = [];
      const check = (name: string, observeUntil: number, settled: () => boolean): LateCheck => ({ observeUntil, settled, run: async () => void ran.push(name) });
      let worse = false;
      waits.addLate(check('a', performance.now() + 10, () => worse));
      waits.addLate(check('b', performance.now() + 5_000, () => worse));
      const endpoint = receiver.endpoint();
      const settled = waits.settleLate(receiver);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(ran).toEqual([]);
      expect(waits.describe()).toBe('late callbacks of 2 scenarios');
      worse = true; // both already found something worse: the next delivery ends the wait long before "b"'s 5 s
      await fetch(endpoint.url, { method: 'POST', body: '{}' });
      await settled;
      expect(waits.describe()).toBeUndefined();
      expect(ran).toEqual(['a', 'b']);
    } finally {
      await receiver.close();
    }
  });
});

describe('callback receiver waitUntil', () => {
  it('resolves true as soon as the condition holds after a delivery, false at the deadline, and rejects when the condition throws', async () => {
    const receiver = await startCallbackReceiver();
    try {
      const endpoint = receiver.endpoint();
      const t0 = performance.now();
      const arrived = receiver.waitUntil(() => endpoint.deliveries().length > 0, 5_000);
      await fetch(endpoint.url, { method: 'POST', body: '{"jobId":"1"}' });
      expect(await arrived).toBe(true);
      expect(performance.now() - t0).toBeLessThan(4_000);
      expect(await receiver.waitUntil(() => false, 20)).toBe(false);
      await expect(receiver.waitUntil(() => { throw new Error('broken scenario'); }, 20)).rejects.toThrow('broken scenario');
    } finally {
      await receiver.close();
    }
  });
});

function result(verdict: Verdict, reason: string): CaseResult {
  return {
    meta: { suite: 'callback.integrity', family: 'cross-tenant', path: 'callback', operation: 'async.callback', mutation: { id: 'm', title: 'm' }, actor: 'acme', victim: null },
    judgement: { verdict, reason, detail: reason, seen: [] },
    steps: [{ n: 1, title: 'acme submits a job' }],
    startedAt: new Date(0).toISOString(),
    durationMs: 0,
  };
}

describe('lateCheck', () => {
  const suite = { id: 'callback.integrity' } as HttpRunState['metas'][number];
  const setup = () => {
    const records: { kind: string; verdict: string }[] = [];
    const events: AuditEvent[] = [];
    const tally = new RunTally();
    const state = {
      seed: 7,
      budget: { requests: 3 },
      emit: (e: AuditEvent) => void events.push(e),
      contract: new ContractLedger({ accept: [], waivers: [] }, 'soft-fail'),
      folder: { writer: { append: async (r: { kind: string; verdict: string }) => void records.push(r) }, tally, redactor: { text: (t: string) => t, value: <T>(v: T) => v } },
    } as unknown as HttpRunState;
    return { state, records, events, tally, ref: { suite, operation: 'async.callback', key: 'callback.integrity/jobs' } };
  };

  it('records a pass that turned into a leak (a foreign callback after the scenario stopped waiting) as a probe and a finding', async () => {
    const { state, records, events, tally, ref } = setup();
    const findings = new Set<string>();
    const late = { result: result('pass', 'ok'), observeUntil: 0, rejudge: () => result('leak', 'callback-misrouted') };
    const check = lateCheck(state, ref, { seed: 7, findingRank: 2, findings }, late);
    expect(check.settled()).toBe(true);
    await check.run();
    expect(records.map((r) => `${r.kind} ${r.verdict}`)).toEqual(['probe leak', 'finding leak']);
    expect(tally.worst).toBe('leak');
    expect(events.map((e) => e.type)).toEqual(['probe', 'finding']);
    // A second scenario failing the same way adds its probe, not a second finding.
    await lateCheck(state, ref, { seed: 7, findingRank: 2, findings }, late).run();
    expect(records.map((r) => r.kind)).toEqual(['probe', 'finding', 'probe']);
  });

  it('never upgrades: an inconclusive or leak scenario stays as first recorded', async () => {
    const { state, records, ref } = setup();
    const findings = new Set<string>();
    await lateCheck(state, ref, { seed: 7, findingRank: 2, findings }, { result: result('inconclusive', 'callback-timeout'), observeUntil: 0, rejudge: () => result('pass', 'ok') }).run();
    const leak = lateCheck(state, ref, { seed: 7, findingRank: 2, findings }, { result: result('leak', 'x'), observeUntil: 0, rejudge: () => result('pass', 'ok') });
    expect(leak.settled()).toBe(true);
    await leak.run();
    expect(records).toEqual([]);
  });
});
