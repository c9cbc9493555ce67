import type { EvidenceRecord, SuiteMeta } from '../../core/types.ts';
import { verdictRank } from '../../core/verdict.ts';
import type { Redactor } from '../../evidence/redact.ts';
import type { FindingGroupView, FindingView, PositiveControlView, ReportModel } from '../model-types.ts';
import { groupByRootCause, rootCauseTitle } from './finding-groups.ts';
import { VERDICT_STYLE } from '../verdict-counts.ts';
import { stepsOf } from './evidence.ts';
import { tokenCommandOf, withTokenCommand } from '../curl.ts';
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
  replay: { base: string; seed: number | null } = { base: 'tenancy-audit run', seed: null },
): { view: ReportModel['findings']; idByHash: Map<string, string> } {
  const replayOf = (suite: string, seed: number) => `${replay.base} --suite ${suite} --seed ${replay.seed ?? seed}`;
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
      seed: replay.seed ?? r.seed,
      replayPath: r.replayPath ?? '',
      replay: replayOf(r.suite, r.seed),
      seq: r.seq,
      hash: r.hash,
      startedAt: r.startedAt,
      steps: stepsOf(r, redact, limits.excerptChars).map((step) => ({ ...step, curl: withTokenCommand(step.curl, tokenCommandOf(replay.base)) })),
      remediation: meta?.remediation ?? '',
      controls: meta?.controls ?? { soc2: [], iso27001: [] },
      fromProbe,
    };
  });
  const groups = groupsOf(ordered.map(({ r }) => r), idByHash, new Set(items.map((f) => f.id)), metas, redact, replayOf);
  const byId = new Map(items.map((f) => [f.id, f]));
  for (const g of groups) {
    const first = g.members.map((m) => byId.get(m.findingId)).find((f) => f !== undefined);
    g.curl = first?.steps.find((s) => s.curl)?.curl ?? '';
  }
  return { view: { items, total: ordered.length, omitted: Math.max(0, ordered.length - items.length), groups }, idByHash };
}

/** The findings by root cause (suite × mutation × channel), worst first; each member links to its finding's evidence. */
function groupsOf(records: readonly EvidenceRecord[], idByHash: ReadonlyMap<string, string>, shown: ReadonlySet<string>, metas: ReadonlyMap<string, SuiteMeta>, redact: Redactor, replayOf: (suite: string, seed: number) => string): FindingGroupView[] {
  const groupable = records.map((r) => ({ r, suite: r.suite, verdict: r.verdict, operation: r.operation ?? '', mutation: r.mutation ?? { id: '' } }));
  return groupByRootCause(groupable).map((list, i) => {
    const first = (list[0] as (typeof groupable)[number]).r;
    const meta = metas.get(first.suite);
    const operations = [...new Set(list.map((m) => m.operation).filter(Boolean))];
    const id = `G-${String(i + 1).padStart(2, '0')}`;
    const worst = list.reduce((w, m) => (verdictRank(m.verdict) > verdictRank(w) ? m.verdict : w), first.verdict);
    const mutation = { id: first.mutation?.id ?? '', title: redact.text(first.mutation?.title ?? ''), channel: first.mutation?.channel ?? '' };
    return {
      id,
      anchor: anchorOf('group', id),
      title: rootCauseTitle({ verdict: worst, mutation }, Math.max(1, operations.length), first.path === 'db' ? 'object' : 'operation'),
      suite: first.suite,
      suiteTitle: meta?.title ?? first.suite,
      severity: meta?.severity ?? 'unknown',
      verdict: worst,
      verdictLabel: VERDICT_STYLE[worst].label,
      mutation,
      family: first.family,
      path: first.path,
      operations,
      tenants: [...new Set(list.flatMap(({ r }) => [r.actor, r.victim]).filter((t): t is string => typeof t === 'string' && t !== ''))],
      members: list.map(({ r }) => {
        const findingId = idByHash.get(r.hash) ?? r.hash.slice(0, 12);
        return {
          findingId,
          anchor: anchorOf('finding', findingId),
          operation: r.operation ?? '',
          verdict: r.verdict,
          verdictLabel: VERDICT_STYLE[r.verdict].label,
          reason: redact.text(r.reason),
          actor: r.actor ?? '(none)',
          victim: r.victim ?? '(none)',
          seq: r.seq,
          replayPath: r.replayPath ?? '',
          shown: shown.has(findingId),
        };
      }),
      seed: first.seed,
      replay: replayOf(first.suite, first.seed),
      curl: '',
      remediation: meta?.remediation ?? '',
      controls: meta?.controls ?? { soc2: [], iso27001: [] },
      trend: '',
    };
  });
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
