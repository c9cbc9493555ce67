import { describe, expect, it } from 'vitest';
import type { UnsignedEvidenceRecord } from '../core/types.ts';
import { ContractLedger } from './contract-ledger.ts';
import { RunTally } from './tally.ts';

const record = (over: Partial<UnsignedEvidenceRecord> = {}): UnsignedEvidenceRecord => ({
  v: 1,
  kind: 'probe',
  suite: 'identity.spoofed',
  family: 'spoofed',
  path: 'sync',
  operation: 'list-notes',
  mutation: { id: 'wrong-issuer', title: 'Wrong issuer' },
  seed: 1,
  verdict: 'fail-open',
  reason: 'accepted-invalid-credential',
  detail: '',
  startedAt: '2026-12-06T00:00:00Z',
  durationMs: 1,
  ...over,
});

describe('ContractLedger', () => {
  const now = () => new Date('2026-12-06T12:00:00Z');
  it('marks accepted cases and counts them apart: never a pass, never in the worst verdict', () => {
    const ledger = new ContractLedger({ accept: [{ mutation: 'wrong-issuer', reason: 'iss unchecked' }], waivers: [] }, 'soft-fail', now);
    const tally = new RunTally();
    const { record: marked, apart } = ledger.mark(record());
    tally.count(marked.suite, marked.kind, marked.verdict, apart);
    expect(marked.accepted).toEqual({ rule: 0, reason: 'iss unchecked' });
    expect(tally.worst).toBe('pass');
    expect(tally.of('identity.spoofed')).toMatchObject({ accepted: 1, verdicts: {} });
    expect(tally.verdictOf('identity.spoofed', 'soft-fail').verdict).toBe('inconclusive');
    expect(ledger.facts([]).accepted[0]!.matched).toBe(1);
  });
  it('leaves positive controls unmarked', () => {
    const ledger = new ContractLedger({ accept: [{ mutation: 'wrong-issuer', reason: 'x' }], waivers: [] }, 'soft-fail', now);
    expect(ledger.mark(record({ kind: 'control' })).record.accepted).toBeUndefined();
  });
  it('keeps an active waiver out of the tally, counts an expired one, and reports the unmatched as stale', () => {
    const waiver = (expires: string, mutation: string) => ({ mutation, reason: 'r', owner: 'o', expires });
    const ledger = new ContractLedger({ accept: [], waivers: [waiver('2026-12-06', 'wrong-issuer'), waiver('2026-12-05', 'alg-none'), waiver('2030-01-01', 'kid-sqli')] }, 'soft-fail', now);
    const active = ledger.mark(record());
    expect(active.apart).toBe('waived');
    expect(active.record.waiver).toMatchObject({ rule: 0, status: 'active' });
    const expired = ledger.mark(record({ mutation: { id: 'alg-none', title: '' } }));
    expect(expired.apart).toBeUndefined();
    expect(expired.record.waiver).toMatchObject({ rule: 1, status: 'expired' });
    expect(ledger.facts([]).waivers.map((w) => w.status)).toEqual(['active', 'expired', 'stale']);
  });
});
