import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verdictRank, type Verdict } from '../core/verdict.ts';
import { runCell } from './cell.ts';
import type { CaseResult } from './execute-probe.ts';

/** A case whose verdict is fixed per value: 2 leaks one way, 4 another, the rest pass. */
function result(value: number): CaseResult {
  const [verdict, reason]: [Verdict, string] = value === 2 ? ['leak', 'a'] : value === 4 ? ['leak', 'b'] : ['pass', 'rejected'];
  return {
    meta: { suite: 's', family: 'cross-tenant', path: 'sync', operation: 'op', mutation: { id: String(value), title: String(value) }, actor: 'acme', victim: 'globex' },
    judgement: { verdict, reason, detail: String(value), seen: [] },
    steps: [],
    startedAt: new Date(0).toISOString(),
    durationMs: 0,
  };
}

describe('runCell', () => {
  it('finds every distinct failure, firing each value once though the property is checked again after each finding (no cache key: a scenario)', async () => {
    const executed: number[] = [];
    const recorded: number[] = [];
    const outcome = await runCell(
      { key: 'k', operation: 'op', arbitrary: fc.noShrink(fc.integer({ min: 1, max: 4 })), examples: [1, 2, 3, 4] },
      {
        seed: 1,
        runs: 0,
        findingRank: verdictRank('soft-fail'),
        execute: async (value) => (executed.push(value), result(value)),
        onProbe: async (r) => void recorded.push(Number(r.meta.mutation.id)),
        stopped: () => false,
      },
    );
    expect(outcome.findings.map((f) => `${f.result.judgement.reason}:${f.result.meta.mutation.id}`).sort()).toEqual(['a:2', 'b:4']);
    expect(executed).toEqual([1, 2, 3, 4]);
    expect(recorded).toEqual([1, 2, 3, 4]);
    expect(outcome.probes).toBe(4);
  });
});
