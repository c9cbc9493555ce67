import { describe, expect, it } from 'vitest';
import { judgeTenantless } from './judge-tenantless.ts';
import type { TenantlessObservation } from './observations.ts';

const obs = (extra: Partial<TenantlessObservation>): TenantlessObservation => ({
  table: 'public.docs', mode: 'insert', value: null, actor: 'A', witness: 'B', granted: true, write: { ok: true, rowCount: 1 }, seen: false, witnessOwnRows: 2, steps: [], startedAt: '', durationMs: 0, ...extra,
});

describe('judgeTenantless', () => {
  it('is a leak when the other tenant sees the tenantless row', () => {
    expect(judgeTenantless(obs({ seen: true }))).toMatchObject({ verdict: 'leak', reason: 'tenantless-row-visible', detail: expect.stringContaining('with NULL as its tenant') });
  });
  it('passes a refused write and a hidden row; never passes when the witness reads nothing of its own', () => {
    expect(judgeTenantless(obs({ write: { ok: false, error: { code: '23502', message: 'null value' } } }))).toMatchObject({ verdict: 'pass', reason: 'refused' });
    expect(judgeTenantless(obs({ mode: 'update', value: '*' }))).toMatchObject({ verdict: 'pass', reason: 'tenantless-row-hidden', detail: expect.stringContaining("to '*'") });
    expect(judgeTenantless(obs({ witnessOwnRows: 0 }))).toMatchObject({ verdict: 'inconclusive', reason: 'witness-control-failed' });
    expect(judgeTenantless(obs({ write: { ok: false, error: { code: '57014', message: 'timeout' } } }))).toMatchObject({ verdict: 'inconclusive' });
    expect(judgeTenantless(obs({ setupError: 'no row' }))).toMatchObject({ verdict: 'inconclusive' });
    expect(judgeTenantless(obs({ write: { ok: false, error: { code: '42501', message: 'new row violates row-level security policy' } } }))).toMatchObject({ verdict: 'pass', reason: 'refused' });
    // A unique violation comes after the policy admitted the tenantless row; an unexplained error proves nothing.
    expect(judgeTenantless(obs({ write: { ok: false, error: { code: '23505', message: 'duplicate key' } } }))).toMatchObject({ verdict: 'fail-open', reason: 'tenantless-row-admitted' });
    expect(judgeTenantless(obs({ write: { ok: false, error: { code: '0A000', message: 'not supported' } } }))).toMatchObject({ verdict: 'inconclusive', reason: 'write-failed' });
    // An update that changed nothing passes only when the row was shown to be where the update aimed.
    expect(judgeTenantless(obs({ mode: 'update', write: { ok: true, rowCount: 0 }, addressed: 1 }))).toMatchObject({ verdict: 'pass', reason: 'no-row-changed' });
    expect(judgeTenantless(obs({ mode: 'update', write: { ok: true, rowCount: 0 }, addressed: 0 }))).toMatchObject({ verdict: 'inconclusive', reason: 'nothing-written' });
    expect(judgeTenantless(obs({ mode: 'update', write: { ok: true, rowCount: 0 } }))).toMatchObject({ verdict: 'inconclusive' });
  });
});
