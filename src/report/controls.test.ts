import { describe, expect, it } from 'vitest';
import type { SuiteOutcome, SuiteStatus } from './controls.ts';
import { catalogueRuleIssues, controlStatus } from './controls.ts';

const o = (status: SuiteStatus, controlsLive = true): SuiteOutcome => ({ status, controlsLive });

describe('controlStatus', () => {
  it.each([
    ['no mapped suite', [], {}, 'not-tested'],
    ['mapped suites never ran (absent)', ['a', 'b'], {}, 'not-tested'],
    ['mapped suites listed as not-run', ['a', 'b'], { a: o('not-run', false), b: o('not-run', false) }, 'not-tested'],
    ['all mapped suites pass with live controls', ['a', 'b'], { a: o('pass'), b: o('pass') }, 'effective'],
    ['closed-by-error warnings are still closed', ['a', 'b'], { a: o('warn'), b: o('pass') }, 'effective'],
    ['one failing suite among passes', ['a', 'b'], { a: o('pass'), b: o('fail') }, 'exception'],
    ['a failing suite wins over an inconclusive one', ['a', 'b'], { a: o('inconclusive'), b: o('fail') }, 'exception'],
    ['a failing suite wins even when others did not run', ['a', 'b'], { b: o('fail') }, 'exception'],
    ['one inconclusive suite, none failing', ['a', 'b'], { a: o('pass'), b: o('inconclusive', false) }, 'inconclusive'],
    ['one mapped suite did not run', ['a', 'b'], { a: o('pass') }, 'inconclusive'],
    ['pass without live positive controls is not effective', ['a'], { a: o('pass', false) }, 'inconclusive'],
  ] as const)('%s → %s', (_name, tests, results, expected) => {
    expect(controlStatus({ tests: [...tests] }, results as Record<string, SuiteOutcome>)).toBe(expected);
  });

  it('never says effective when any mapped suite failed (exhaustive over 3 suites)', () => {
    const statuses: SuiteStatus[] = ['pass', 'warn', 'fail', 'inconclusive', 'not-run'];
    for (const a of statuses) for (const b of statuses) for (const c of statuses) {
      const results = new Map([['a', o(a)], ['b', o(b)], ['c', o(c)]]);
      const status = controlStatus({ tests: ['a', 'b', 'c'] }, results);
      const any = [a, b, c];
      if (any.includes('fail')) expect(status).toBe('exception');
      else if (any.every((s) => s === 'not-run')) expect(status).toBe('not-tested');
      else if (any.every((s) => s === 'pass' || s === 'warn')) expect(status).toBe('effective');
      else expect(status).toBe('inconclusive');
    }
  });

  it('accepts a Map and ignores inherited keys of a plain object', () => {
    expect(controlStatus({ tests: ['a'] }, new Map([['a', o('pass')]]))).toBe('effective');
    expect(controlStatus({ tests: ['toString'] }, {})).toBe('not-tested');
  });
});

describe('catalogueRuleIssues', () => {
  const req = (id: string, tests: string[], relationship: string) => ({ id, tests, relationship }) as never;
  it('flags duplicate ids and relationships that contradict the tests', () => {
    const issues = catalogueRuleIssues({
      framework: 'X', name: 'x', version: '1', description: 'd',
      requirements: [req('A.1', ['s.a'], 'intersects-with'), req('A.1', [], 'intersects-with'), req('A.2', ['s.b'], 'no-relationship')],
    });
    expect(issues.map((i) => i.path)).toEqual(['requirements[1].id', 'requirements[1].relationship', 'requirements[2].relationship']);
  });
});
