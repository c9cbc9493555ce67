import { describe, expect, it } from 'vitest';
import { createTerminalReporter } from '../renderers/terminal.ts';
import { groupByRootCause, rootCauseTitle } from './finding-groups.ts';

const f = (suite: string, operation: string, verdict: 'leak' | 'fail-open' | 'soft-fail', id: string, channel?: string) => ({ suite, operation, verdict, mutation: { id, title: id, ...(channel ? { channel } : {}) } });

describe('findings by root cause', () => {
  it('groups suite × mutation × channel, worst group first, members in order', () => {
    const groups = groupByRootCause([
      f('identity.missing', 'list', 'soft-fail', 'no-credential'),
      f('identity.mismatched', 'list', 'leak', 'header-other-tenant', 'header:X-Tenant-ID'),
      f('identity.mismatched', 'read', 'leak', 'header-other-tenant', 'header:X-Tenant-ID'),
      f('identity.mismatched', 'read', 'fail-open', 'header-other-tenant', 'query:tenantId'),
      f('identity.missing', 'read', 'soft-fail', 'no-credential'),
    ]);
    expect(groups.map((g) => g.map((x) => `${x.suite}/${x.mutation.channel ?? ''}/${x.operation}`))).toEqual([
      ['identity.mismatched/header:X-Tenant-ID/list', 'identity.mismatched/header:X-Tenant-ID/read'],
      ['identity.mismatched/query:tenantId/read'],
      ['identity.missing//list', 'identity.missing//read'],
    ]);
  });

  it('titles a group by what went wrong', () => {
    expect(rootCauseTitle({ verdict: 'leak', mutation: { id: 'header-other-tenant', channel: 'header:X-Tenant-ID' } }, 4)).toBe("The X-Tenant-ID header overrides the token's tenant on 4 operations");
    expect(rootCauseTitle({ verdict: 'fail-open', mutation: { id: 'alg-none', title: 'alg "none"' } }, 1)).toBe('Alg "none": accepted instead of refused on 1 operation');
  });

  it('prints one console block per root cause, with remediation and a complete replay line', () => {
    let out = '';
    const report = createTerminalReporter({ live: false, write: (t) => void (out += t) });
    report({ type: 'run-start', runId: 'r', dir: '/tmp/r', target: 'http://127.0.0.1:1', seed: 7, suites: [] });
    for (const op of ['list-projects', 'read-project', 'read-document']) {
      report({ type: 'finding', suite: 'identity.mismatched', path: 'sync', operation: op, verdict: 'leak', reason: 'canary-foreign', mutation: 'header-other-tenant', channel: 'header:X-Tenant-ID', detail: 'served globex', steps: [], shrinks: 0, replay: 'tenancy-audit run --config c.yaml --target http://127.0.0.1:1 --suite identity.mismatched --seed 7', remediation: 'Take the tenant only from the token.' });
    }
    report({ type: 'finding', suite: 'identity.missing', path: 'sync', operation: 'list-projects', verdict: 'soft-fail', reason: 'empty', mutation: 'no-credential', detail: 'empty list', steps: [], shrinks: 0, replay: 'tenancy-audit run --suite identity.missing --seed 7' });
    report({ type: 'run-end', exitCode: 1, complete: true });
    const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain.match(/^\S+ G-\d\d /gm)).toHaveLength(2);
    expect(plain).toContain("leak G-01 The X-Tenant-ID header overrides the token's tenant on 3 operations");
    expect(plain).toContain('affected: list-projects, read-project, read-document');
    expect(plain).toContain('remediation: Take the tenant only from the token.');
    expect(plain).toContain('replay: tenancy-audit run --config c.yaml --target http://127.0.0.1:1 --suite identity.mismatched --seed 7');
  });
});
