import { describe, expect, it } from 'vitest';
import { snapshot } from '../../../../test/db/snapshot.ts';
import { roleAttributes } from './role-attributes.ts';

const role = { name: 'app', superuser: false, bypassRls: false, canLogin: true, privilegedMemberships: [] as string[] };

describe('roleAttributes', () => {
  it('passes a plain role on all three rules', () => {
    const findings = roleAttributes.run(snapshot());
    expect(findings.map((f) => [f.rule, f.verdict])).toEqual([
      ['role-superuser', 'pass'],
      ['role-bypassrls', 'pass'],
      ['role-privileged-membership', 'pass'],
    ]);
  });

  it.each([
    [{ superuser: true }, 'role-superuser'],
    [{ bypassRls: true }, 'role-bypassrls'],
    [{ privilegedMemberships: ['postgres'] }, 'role-privileged-membership'],
  ])('fails open on %o, naming the role', (attrs, rule) => {
    const findings = roleAttributes.run(snapshot({ role: { ...role, ...attrs } }));
    const failing = findings.filter((f) => f.verdict !== 'pass');
    expect(failing).toEqual([expect.objectContaining({ rule, verdict: 'fail-open', operation: 'role app' })]);
  });
});
