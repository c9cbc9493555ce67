import type { ResolvedConfig } from '../config/resolve.ts';
import type { ContractFacts, NotApplicableSuite, UnsignedEvidenceRecord } from '../core/types.ts';
import type { FailLevel } from '../core/verdict.ts';
import { acceptedBy, waivedBy, waiverActive, waiverStatus } from '../judge/contract.ts';

/**
 * The run's bookkeeping of the declared contract: marks each case record that an `accept` rule or a waiver matches
 * (the mark is written into the record, so reports need nothing else), counts the matches per rule, and states at
 * the end which waivers held, expired or matched nothing.
 */
export class ContractLedger {
  readonly #accepted: number[];
  readonly #waived: number[];

  constructor(
    private readonly config: Pick<ResolvedConfig, 'accept' | 'waivers'>,
    private readonly failOn: FailLevel,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#accepted = config.accept.map(() => 0);
    this.#waived = config.waivers.map(() => 0);
  }

  /** The record with its `accepted`/`waiver` mark, and how the tally counts it (`apart` from the verdicts, or not). */
  mark<R extends UnsignedEvidenceRecord>(record: R): { record: R; apart?: 'accepted' | 'waived' } {
    if (record.kind === 'control') return { record };
    const facts = { suite: record.suite, operation: record.operation, mutation: record.mutation, verdict: record.verdict, reason: record.reason };
    const a = acceptedBy(this.config.accept, facts);
    if (a >= 0) {
      this.#accepted[a]!++;
      return { record: { ...record, accepted: { rule: a, reason: this.config.accept[a]!.reason } }, apart: 'accepted' };
    }
    const w = waivedBy(this.config.waivers, facts, this.failOn);
    if (w < 0) return { record };
    this.#waived[w]!++;
    const rule = this.config.waivers[w]!;
    const status = waiverActive(rule.expires, this.now()) ? 'active' : 'expired';
    const waiver = { rule: w, status, reason: rule.reason, owner: rule.owner, expires: rule.expires } as const;
    return { record: { ...record, waiver }, ...(status === 'active' ? { apart: 'waived' as const } : {}) };
  }

  /** True when this case is an accepted deviation (its cell does not shrink it into a finding). */
  accepts(facts: Parameters<typeof acceptedBy>[1]): boolean {
    return acceptedBy(this.config.accept, facts) >= 0;
  }

  facts(notApplicable: NotApplicableSuite[]): ContractFacts {
    const now = this.now();
    return {
      notApplicable,
      accepted: this.config.accept.map((r, rule) => ({ rule, ...r, matched: this.#accepted[rule]! })),
      waivers: this.config.waivers.map((w, rule) => ({ rule, ...w, matched: this.#waived[rule]!, status: waiverStatus(w.expires, this.#waived[rule]!, now) })),
    };
  }
}
