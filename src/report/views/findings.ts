import type { EvidenceRecord, SuiteMeta } from '../../core/types.ts';
import { verdictRank } from '../../core/verdict.ts';
import type { Redactor } from '../../evidence/redact.ts';
import type { FindingView, PositiveControlView, ReportModel } from '../model-types.ts';
import { VERDICT_STYLE } from '../verdict-counts.ts';
import { stepsOf } from './evidence.ts';
import { anchorOf } from './suites.ts';

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, unknown: 1, medium: 2, low: 3 };

/**
 * Findings: the finding records, plus the first failing probe of a suite that has no finding record; worst verdict,
 * then highest severity, then earliest first. `idByHash` names every finding (`F-001`, …), shown or not.
 */
export function findingsView(
  findingRecords: readonly EvidenceRecord[],
  firstFailingProbe: ReadonlyMap<string, EvidenceRecord>,
  metas: ReadonlyMap<string, SuiteMeta>,
  redact: Redactor,
  limits: { findings: number; excerptChars: number },
): { view: ReportModel['findings']; idByHash: Map<string, string> } {
  const fromProbes = [...firstFailingProbe.entries()].filter(([suite]) => !findingRecords.some((f) => f.suite === suite)).map(([, r]) => r);
  const ordered = [...findingRecords.map((r) => ({ r, fromProbe: false })), ...fromProbes.map((r) => ({ r, fromProbe: true }))].sort(
    (a, b) =>
      verdictRank(b.r.verdict) - verdictRank(a.r.verdict) ||
      (SEVERITY_RANK[metas.get(a.r.suite)?.severity ?? 'unknown'] ?? 1) - (SEVERITY_RANK[metas.get(b.r.suite)?.severity ?? 'unknown'] ?? 1) ||
      a.r.seq - b.r.seq,
  );
  const idByHash = new Map<string, string>();
  ordered.forEach(({ r }, i) => idByHash.set(r.hash, `F-${String(i + 1).padStart(3, '0')}`));
  const items: FindingView[] = ordered.slice(0, limits.findings).map(({ r, fromProbe }, i) => {
    const meta = metas.get(r.suite);
    const id = `F-${String(i + 1).padStart(3, '0')}`;
    return {
      id,
      anchor: anchorOf('finding', id),
      suite: r.suite,
      suiteTitle: meta?.title ?? r.suite,
      severity: meta?.severity ?? 'unknown',
      verdict: r.verdict,
      verdictLabel: VERDICT_STYLE[r.verdict].label,
      reason: redact.text(r.reason),
      detail: redact.text(r.detail),
      operation: r.operation ?? '',
      family: r.family,
      path: r.path,
      mutation: { id: r.mutation?.id ?? '', title: redact.text(r.mutation?.title ?? ''), channel: r.mutation?.channel ?? '' },
      actor: r.actor ?? '(none)',
      victim: r.victim ?? '(none)',
      seed: r.seed,
      replayPath: r.replayPath ?? '',
      seq: r.seq,
      hash: r.hash,
      startedAt: r.startedAt,
      steps: stepsOf(r, redact, limits.excerptChars),
      remediation: meta?.remediation ?? '',
      controls: meta?.controls ?? { soc2: [], iso27001: [] },
      fromProbe,
    };
  });
  return { view: { items, total: ordered.length, omitted: Math.max(0, ordered.length - items.length) }, idByHash };
}

/** Positive controls, failed ones first, up to `limit` (sorts `controlRecords` in place). */
export function positiveControlsView(
  controlRecords: EvidenceRecord[],
  total: number,
  failed: number,
  redact: Redactor,
  limit: number,
): ReportModel['positiveControls'] {
  const items: PositiveControlView[] = controlRecords
    .sort((a, b) => Number(a.verdict === 'pass') - Number(b.verdict === 'pass') || a.seq - b.seq)
    .slice(0, limit)
    .map((r) => ({
      suite: r.suite,
      operation: r.operation ?? '',
      mutation: r.mutation?.title ?? r.mutation?.id ?? '',
      live: r.verdict === 'pass',
      verdict: r.verdict,
      reason: redact.text(r.reason),
      detail: redact.text(r.detail),
      seq: r.seq,
    }));
  return { items, total, failed, omitted: Math.max(0, total - items.length) };
}
