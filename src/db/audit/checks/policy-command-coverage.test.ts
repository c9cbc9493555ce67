import { describe, expect, it } from 'vitest';
import { policy, snapshot, table } from '../../../../test/db/snapshot.ts';
import { policyCommandCoverage } from './policy-command-coverage.ts';

describe('policyCommandCoverage', () => {
  it('passes every granted command covered by an ALL policy', () => {
    const findings = policyCommandCoverage.run(snapshot());
    expect(findings.map((f) => f.verdict)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });

  it('notes a granted command no permissive policy covers as denied by default (hygiene, not a failure), with the REVOKE', () => {
    const s = snapshot({ policies: [policy('documents', 'sel', { command: 'SELECT', withCheck: null })] });
    const findings = policyCommandCoverage.run(s);
    expect(findings.every((f) => f.verdict === 'pass')).toBe(true);
    const denied = findings.filter((f) => f.reason === 'denied-by-default');
    expect(denied.map((f) => f.detail.split(' ')[2])).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    expect(denied[0]).toMatchObject({ operation: 'public.documents', detail: expect.stringMatching(/^hygiene note: .*REVOKE INSERT ON public\.documents FROM "app";$/) });
  });

  it('does not count policies for other roles, restrictive policies, or NULL expressions', () => {
    const s = snapshot({
      tables: [table('documents', { privileges: { SELECT: true, INSERT: false, UPDATE: false, DELETE: false } })],
      policies: [
        policy('documents', 'other_role', { appliesToRole: false, roles: ['admin'] }),
        policy('documents', 'restrictive', { permissive: false }),
        policy('documents', 'no_using', { command: 'SELECT', using: null, withCheck: null }),
      ],
    });
    expect(policyCommandCoverage.run(s)).toEqual([expect.objectContaining({ verdict: 'pass', reason: 'denied-by-default', detail: expect.stringContaining('SELECT') })]);
  });

  it('records a table the role has no privilege on as passing', () => {
    const s = snapshot({ tables: [table('documents', { privileges: { SELECT: false, INSERT: false, UPDATE: false, DELETE: false } })], policies: [] });
    expect(policyCommandCoverage.run(s)).toEqual([expect.objectContaining({ verdict: 'pass', reason: 'nothing-granted' })]);
  });

  it('is inconclusive when pg_policy could not be read', () => {
    const s = snapshot({ gaps: [{ section: 'policies', message: 'permission denied' }] });
    expect(policyCommandCoverage.run(s)).toEqual([expect.objectContaining({ verdict: 'inconclusive', reason: 'catalog-unreadable' })]);
  });
});
