import type fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseMeta } from './space.ts';
import { runSequence } from './sequence.ts';

const meta: CaseMeta = { suite: 's', family: 'cross-tenant', path: 'retry', operation: 'op', mutation: { id: 'sequence', title: 'seq' }, actor: null, victim: null };

class Step implements fc.AsyncCommand<object, string[]> {
  constructor(readonly name: string, readonly mutation = false) {}
  check = () => true;
  async run(_m: object, real: string[]) {
    real.push(this.name);
  }
  toString = () => this.name;
}

describe('runSequence', () => {
  it('is never a pass when no mutating command ran: the sequence tested nothing', async () => {
    const outcome = await runSequence(() => ({ model: {}, real: [] as string[] }), [new Step('create'), new Step('replay-own')], meta);
    expect(outcome.judgement.verdict).toBe('inconclusive');
    expect(outcome.judgement.reason).toBe('no-mutation-ran');
    expect(outcome.untested).toBe(true);
  });
  it('passes when a mutating command ran and every step held', async () => {
    const outcome = await runSequence(() => ({ model: {}, real: [] as string[] }), [new Step('create'), new Step('replay-foreign', true)], meta);
    expect(outcome.judgement.verdict).toBe('pass');
    expect(outcome.untested).toBeUndefined();
  });
  it('counts only commands that ran (a skipped mutation does not count)', async () => {
    const skipped = Object.assign(new Step('replay-foreign', true), { check: () => false });
    const outcome = await runSequence(() => ({ model: {}, real: [] as string[] }), [new Step('create'), skipped], meta);
    expect(outcome.judgement.verdict).toBe('inconclusive');
  });
  it('lets a positive control pass on legit steps alone', async () => {
    const outcome = await runSequence(() => ({ model: {}, real: [] as string[] }), [new Step('create')], meta, { control: true });
    expect(outcome.judgement.verdict).toBe('pass');
  });
});
