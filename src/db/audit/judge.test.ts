import { describe, expect, it } from 'vitest';
import { collectFingerprints, gateOnControl, judgeControl, judgeIsolation, judgeNoContext, judgeWrite } from './judge.ts';
import type { ReadObservation, ReadTarget, WriteObservation } from './observations.ts';

const table: ReadTarget = { kind: 'table', name: 'public.documents', from: '"public"."documents"', tenantColumn: 'tenant_id', tenantTables: ['public.documents'], granted: true, rlsApplies: true };
const view: ReadTarget = { ...table, kind: 'view', name: 'public.v', tenantColumn: null, rlsApplies: false };

function read(target: ReadTarget, rows: Record<string, unknown>[], extra: Partial<ReadObservation> = {}): ReadObservation {
  return { target, context: { kind: 'tenant', value: 'A' }, rows: rows.map((data) => ({ data, ctid: null })), truncated: false, settingSeen: null, steps: [], startedAt: '', durationMs: 0, ...extra };
}
const err = (code: string) => ({ error: { code, message: 'boom' } });

describe('judgeNoContext', () => {
  const unset = { context: { kind: 'unset' as const } };
  it('passes an error when reads with context work', () => {
    expect(judgeNoContext(read(table, [], { ...unset, ...err('42704') }), { readsWithContext: true, rowsKnown: true })).toMatchObject({ verdict: 'pass', reason: 'error-without-context' });
  });
  it('is inconclusive when reads with context error too, or the error is environmental', () => {
    expect(judgeNoContext(read(table, [], { ...unset, ...err('42704') }), { readsWithContext: false, rowsKnown: true }).verdict).toBe('inconclusive');
    expect(judgeNoContext(read(table, [], { ...unset, ...err('57014') }), { readsWithContext: true, rowsKnown: true }).verdict).toBe('inconclusive');
  });
  it('fails open on rows, naming a preset default tenant', () => {
    const j = judgeNoContext(read(table, [{ tenant_id: 'A' }], { ...unset, settingSeen: 'A' }), { readsWithContext: true, rowsKnown: true });
    expect(j).toMatchObject({ verdict: 'fail-open', reason: 'rows-without-context' });
    expect(j.detail).toContain("= 'A'");
  });
  it('soft-fails 0 rows when rows exist, and is inconclusive when none are known', () => {
    expect(judgeNoContext(read(table, [], unset), { readsWithContext: true, rowsKnown: true }).verdict).toBe('soft-fail');
    expect(judgeNoContext(read(table, [], unset), { readsWithContext: true, rowsKnown: false })).toMatchObject({ verdict: 'inconclusive', reason: 'empty-unknown' });
  });
  it('passes permission denied on a table the role may not read', () => {
    expect(judgeNoContext(read({ ...table, granted: false }, [], { ...unset, ...err('42501') }), { readsWithContext: false, rowsKnown: false })).toMatchObject({ verdict: 'pass', reason: 'not-granted' });
  });
});

describe('judgeControl', () => {
  it('passes own rows and is inconclusive without them', () => {
    expect(judgeControl(read(table, [{ tenant_id: 'A' }]), 'A').verdict).toBe('pass');
    expect(judgeControl(read(table, [{ tenant_id: 'B' }]), 'A')).toMatchObject({ verdict: 'inconclusive', reason: 'control-no-own-rows' });
    expect(judgeControl(read(table, [], err('42501')), 'A').verdict).toBe('inconclusive');
  });
});

describe('judgeIsolation', () => {
  const facts = { actor: 'A', stranger: false, fingerprints: new Map([['ta-canary-b', 'B']]), victimsHaveRows: true, readsWork: true };
  it('passes own rows only', () => {
    expect(judgeIsolation(read(table, [{ tenant_id: 'A' }]), facts)).toMatchObject({ verdict: 'pass', reason: 'no-foreign-rows' });
  });
  it('finds a leak by tenant column and by canary', () => {
    expect(judgeIsolation(read(table, [{ tenant_id: 'A' }, { tenant_id: 'B' }]), facts)).toMatchObject({ verdict: 'leak', detail: expect.stringContaining('B') });
    expect(judgeIsolation(read(view, [{ title: 'ta-canary-b' }]), facts).verdict).toBe('leak');
    expect(judgeIsolation(read(view, [{ nested: { deep: ['ta-canary-b'] } }]), facts).verdict).toBe('leak');
  });
  it("trusts a visible tenant column over copied content: B's canary inside A's own row is not an RLS leak", () => {
    expect(judgeIsolation(read(table, [{ tenant_id: 'A', output: 'summary of ta-canary-b' }]), facts)).toMatchObject({ verdict: 'pass', reason: 'no-foreign-rows' });
    expect(judgeIsolation(read(table, [{ tenant_id: 'B', output: 'anything' }]), facts).verdict).toBe('leak');
  });
  it('fails open on tenantless rows', () => {
    expect(judgeIsolation(read(table, [{ tenant_id: null }]), facts).verdict).toBe('fail-open');
  });
  it('is inconclusive when there was nothing to leak or rows cannot be attributed without RLS', () => {
    expect(judgeIsolation(read(table, []), { ...facts, victimsHaveRows: false })).toMatchObject({ verdict: 'inconclusive', reason: 'nothing-to-leak' });
    expect(judgeIsolation(read(view, [{ n: 3 }]), facts)).toMatchObject({ verdict: 'inconclusive', reason: 'unattributable' });
    expect(judgeIsolation(read({ ...view, rlsApplies: true }, [{ n: 3 }]), facts).verdict).toBe('pass');
  });
  it('passes permission denied on a table the role may not read at all', () => {
    expect(judgeIsolation(read({ ...table, granted: false }, [], err('42501')), { ...facts, readsWork: false })).toMatchObject({ verdict: 'pass', reason: 'not-granted' });
    expect(judgeIsolation(read(table, [], err('42501')), { ...facts, readsWork: false }).verdict).toBe('inconclusive');
  });
  it('judges a stranger: any tenant row is foreign', () => {
    expect(judgeIsolation(read(table, [{ tenant_id: 'A' }]), { ...facts, actor: 'Z', stranger: true }).verdict).toBe('leak');
  });
});

describe('judgeWrite', () => {
  const base: WriteObservation = { table: 'public.documents', actor: 'A', victim: 'B', granted: true, control: { ok: true, rowCount: 1 }, attempt: { ok: false, error: { code: '42501', message: 'new row violates row-level security policy' } }, steps: [], startedAt: '', durationMs: 0 };
  it('fails open an insert of the other tenant\'s row that only a unique key stopped (row-level security checks first)', () => {
    const dup = { ...base, attempt: { ok: false as const, error: { code: '23505', message: 'duplicate key value violates unique constraint' } } };
    expect(judgeWrite('insert-foreign', dup)).toMatchObject({ verdict: 'fail-open', reason: 'foreign-row-reachable' });
    // Foreign keys are checked at the end of the statement, after the policy: a composite key (tenant_id, project_id)
    // that stops the row means the policy let it through.
    expect(judgeWrite('insert-foreign', { ...base, attempt: { ok: false, error: { code: '23503', message: 'violates foreign key constraint' } } })).toMatchObject({ verdict: 'fail-open', reason: 'foreign-row-reachable' });
    expect(judgeWrite('insert-foreign', base)).toMatchObject({ verdict: 'pass', reason: 'refused' });
  });

  it('passes a write denied by default (no policy for the command) only when both control and attempt are refused', () => {
    const denied = { ...base, deniedByDefault: true, control: { ok: true as const, rowCount: 0 }, attempt: { ok: true as const, rowCount: 0 } };
    expect(judgeWrite('update-foreign', denied)).toMatchObject({ verdict: 'pass', reason: 'denied-by-default' });
    expect(judgeWrite('update-foreign', { ...denied, attempt: { ok: true, rowCount: 1 } }).verdict).toBe('inconclusive');
    expect(judgeWrite('update-foreign', { ...denied, deniedByDefault: false }).verdict).toBe('inconclusive');
    expect(judgeWrite('delete-foreign', { ...denied, attempt: { ok: false, error: { code: '57014', message: 'canceling statement due to statement timeout' } } }).verdict).toBe('inconclusive');
  });

  it('passes a refused write after a successful control', () => {
    expect(judgeWrite('insert-foreign', base)).toMatchObject({ verdict: 'pass', reason: 'refused' });
  });
  it('leaks an accepted foreign insert and a changed foreign row', () => {
    expect(judgeWrite('insert-foreign', { ...base, attempt: { ok: true, rowCount: 1 } }).verdict).toBe('leak');
    expect(judgeWrite('update-foreign', { ...base, attempt: { ok: true, rowCount: 1 } }).verdict).toBe('leak');
    expect(judgeWrite('delete-foreign', { ...base, attempt: { ok: true, rowCount: 0 } })).toMatchObject({ verdict: 'pass', reason: 'no-row-changed' });
  });
  it('is inconclusive when the control failed, and passes when the role lacks the privilege', () => {
    expect(judgeWrite('insert-foreign', { ...base, control: { ok: false, error: { code: '23502', message: 'null' } } }).verdict).toBe('inconclusive');
    expect(judgeWrite('update-foreign', { ...base, control: { ok: true, rowCount: 0 } }).verdict).toBe('inconclusive');
    expect(judgeWrite('update-move', { ...base, granted: false }).verdict).toBe('pass');
  });
  it('treats a constraint error on the victim row as reached: control matched, attempt fail-open', () => {
    const fk = { ok: false as const, error: { code: '23503', message: 'violates foreign key' } };
    expect(judgeWrite('delete-foreign', { ...base, control: fk, attempt: { ok: true, rowCount: 0 } }).verdict).toBe('pass');
    expect(judgeWrite('delete-foreign', { ...base, control: fk, attempt: fk })).toMatchObject({ verdict: 'fail-open', reason: 'foreign-row-reachable' });
  });
});

describe('gateOnControl and fingerprints', () => {
  it('turns a pass into inconclusive without a live control, never a failure', () => {
    expect(gateOnControl({ verdict: 'pass', reason: 'x', detail: 'd' }, false).verdict).toBe('inconclusive');
    expect(gateOnControl({ verdict: 'leak', reason: 'x', detail: 'd' }, false).verdict).toBe('leak');
  });

  it('keeps canaries and unique values seen under a single tenant only', () => {
    const rows = (tenant: string, values: Record<string, unknown>[]) => values.map((v) => ({ data: { tenant_id: tenant, ...v }, ctid: null }));
    const fp = collectFingerprints(
      [
        { tenant: 'A', rows: rows('A', [{ id: 'aaaaaaaa-1', note: 'ta-canary-aa', status: 'shared-status' }]), uniqueColumns: ['id'], tenantColumn: 'tenant_id' },
        { tenant: 'B', rows: rows('B', [{ id: 'bbbbbbbb-2', note: 'ta-canary-bb', status: 'shared-status' }, { id: 'short' }]), uniqueColumns: ['id'], tenantColumn: 'tenant_id' },
      ],
      new Set(['A', 'B']),
    );
    expect(Object.fromEntries(fp)).toEqual({ 'aaaaaaaa-1': 'A', 'ta-canary-aa': 'A', 'bbbbbbbb-2': 'B', 'ta-canary-bb': 'B' });
  });
});
