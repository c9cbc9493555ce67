import { describe, expect, it } from 'vitest';
import type { Judgement } from '../core/verdict.ts';
import { pass, worstOf } from './sequence.ts';

const j = (verdict: Judgement['verdict']): Judgement => ({ verdict, reason: verdict, detail: verdict, seen: [] });

describe('worstOf', () => {
  it('nothing judged is inconclusive, never a pass', () => {
    expect(worstOf([])).toMatchObject({ verdict: 'inconclusive', reason: 'nothing-judged' });
  });

  it('inconclusive outranks pass; any failure outranks inconclusive', () => {
    expect(worstOf([pass('ok'), j('inconclusive'), pass('ok')]).verdict).toBe('inconclusive');
    expect(worstOf([j('inconclusive'), j('leak'), j('soft-fail')]).verdict).toBe('leak');
    expect(worstOf([pass('a'), pass('b')])).toMatchObject({ verdict: 'pass', detail: 'a' });
  });
});
