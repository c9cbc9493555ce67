import { describe, expect, it } from 'vitest';
import { policy, snapshot } from '../../../../test/db/snapshot.ts';
import { policyCheckPinned } from './policy-check-pinned.ts';

describe('policyCheckPinned', () => {
  it('passes an ALL policy whose WITH CHECK pins the tenant', () => {
    expect(policyCheckPinned.run(snapshot())).toEqual([expect.objectContaining({ verdict: 'pass', reason: 'check-pinned' })]);
  });

  it('uses USING as WITH CHECK when WITH CHECK is absent (UPDATE/ALL)', () => {
    const s = snapshot({ policies: [policy('documents', 'upd', { command: 'UPDATE', withCheck: null })] });
    expect(policyCheckPinned.run(s)[0]).toMatchObject({ verdict: 'pass', detail: expect.stringContaining('its USING serves as WITH CHECK') });
  });

  it('fails open on an INSERT policy WITH CHECK (true), naming the policy', () => {
    const s = snapshot({ policies: [policy('documents', 'sel', { command: 'SELECT', withCheck: null }), policy('documents', 'ins', { command: 'INSERT', using: null, withCheck: 'true' })] });
    expect(policyCheckPinned.run(s)).toEqual([expect.objectContaining({ verdict: 'fail-open', reason: 'check-always-true', detail: expect.stringContaining('"ins"') })]);
  });

  it('fails open on an UPDATE policy whose WITH CHECK ignores the tenant', () => {
    const s = snapshot({ policies: [policy('documents', 'upd', { command: 'UPDATE', withCheck: '(title IS NOT NULL)' })] });
    expect(policyCheckPinned.run(s)[0]).toMatchObject({ verdict: 'fail-open', reason: 'check-not-pinned' });
  });

  it('passes when a keyed restrictive policy pins the check', () => {
    const s = snapshot({
      policies: [policy('documents', 'ins', { command: 'INSERT', using: null, withCheck: 'true' }), policy('documents', 'pin', { permissive: false, command: 'INSERT', using: null })],
    });
    expect(policyCheckPinned.run(s).find((f) => f.detail.includes('"ins"'))).toMatchObject({ verdict: 'pass', reason: 'pinned-by-restrictive' });
  });
});
