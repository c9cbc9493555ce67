import type { AcceptedDeviationInfo, EvidenceRecord, NotApplicableSuite, RunManifest, WaiverInfo } from '../../core/types.ts';
import type { Verdict } from '../../core/verdict.ts';
import type { Redactor } from '../../evidence/redact.ts';

/** One record of an accepted deviation or a waived finding, as the report lists it. */
export interface ContractRecordView {
  seq: number;
  kind: string;
  suite: string;
  operation: string;
  mutation: string;
  channel: string;
  verdict: Verdict;
  reason: string;
  detail: string;
  /** Why it is accepted or waived (the config's reason). */
  because: string;
  /** Waivers: owner, expiry and whether the waiver was active or expired when the record was written. */
  owner: string;
  expires: string;
  status: string;
}

/** The declared contract as the report shows it: not-applicable suites, accepted deviations, exceptions (waivers). */
export interface ContractView {
  notApplicable: NotApplicableSuite[];
  accepted: { rules: AcceptedDeviationInfo[]; records: ContractRecordView[]; total: number; omitted: number };
  exceptions: {
    waivers: (WaiverInfo & { statusLabel: string })[];
    records: ContractRecordView[];
    total: number;
    omitted: number;
    active: number;
    expired: number;
    stale: number;
  };
  /** True when the config declared anything (the sections are rendered only then). */
  declared: boolean;
}

const WAIVER_LABEL = { active: 'active (out of the exit code)', expired: 'EXPIRED: counts again', stale: 'stale: matched nothing' } as const;

/** Built from the manifest's `contract` and the marked records only (never from in-memory run state). */
export function contractView(manifest: Partial<RunManifest> | null, accepted: readonly EvidenceRecord[], waived: readonly EvidenceRecord[], redact: Redactor, limit: number): ContractView {
  const facts = manifest?.contract ?? { notApplicable: [], accepted: [], waivers: [] };
  const view = (r: EvidenceRecord): ContractRecordView => ({
    seq: r.seq,
    kind: r.kind,
    suite: r.suite,
    operation: r.operation ?? '',
    mutation: r.mutation.id,
    channel: r.mutation.channel ?? '',
    verdict: r.verdict,
    reason: r.reason,
    detail: redact.text(r.detail),
    because: r.accepted?.reason ?? r.waiver?.reason ?? '',
    owner: r.waiver?.owner ?? '',
    expires: r.waiver?.expires ?? '',
    status: r.waiver ? WAIVER_LABEL[r.waiver.status] : 'accepted',
  });
  const waivers = facts.waivers.map((w) => ({ ...w, statusLabel: WAIVER_LABEL[w.status] }));
  return {
    notApplicable: facts.notApplicable,
    accepted: { rules: facts.accepted, records: accepted.slice(0, limit).map(view), total: accepted.length, omitted: Math.max(0, accepted.length - limit) },
    exceptions: {
      waivers,
      records: waived.slice(0, limit).map(view),
      total: waived.length,
      omitted: Math.max(0, waived.length - limit),
      active: waivers.filter((w) => w.status === 'active').length,
      expired: waivers.filter((w) => w.status === 'expired').length,
      stale: waivers.filter((w) => w.status === 'stale').length,
    },
    declared: facts.notApplicable.length + facts.accepted.length + facts.waivers.length > 0,
  };
}
