import type { EvidenceRecord, Family, PathKind, RunManifest, SuiteMeta } from '../core/types.ts';
import type { FailLevel, Verdict } from '../core/verdict.ts';
import { DEFAULT_FAIL_ON, VERDICTS, failsAt, verdictRank } from '../core/verdict.ts';
import { createRedactor } from '../evidence/redact.ts';
import type { VerifyResult } from '../evidence/verify.ts';
import { combineShards } from './combine.ts';
import type { LoadedCatalogue, SuiteOutcome } from './controls.ts';
import type {
  CoverageRow,
  FindingView,
  IntegrityView,
  OverallResult,
  PositiveControlView,
  ReportModel,
  SuiteReport,
  VerdictCount,
} from './model-types.ts';
import { displayRank, isFailing, suiteStatus } from './suite-status.ts';
import { chartOf } from './views/chart.ts';
import { frameworkView } from './views/controls.ts';
import { appendixOf, stepsOf } from './views/evidence.ts';
import { configView, integrityView, runInfo, toSource, uuidV5 } from './views/run.ts';

/** Caps that keep reports bounded whatever the number of records. */
export interface ModelLimits {
  /** Up to this many records the appendix lists every record; above, it summarises per suite. */
  appendixRecords: number;
  summaryRowsPerSuite: number;
  findings: number;
  positiveControls: number;
  coverageRows: number;
  excerptChars: number;
  configChars: number;
}

export const DEFAULT_LIMITS: ModelLimits = {
  appendixRecords: 2000,
  summaryRowsPerSuite: 300,
  findings: 100,
  positiveControls: 200,
  coverageRows: 3000,
  excerptChars: 2000,
  configChars: 20_000,
};

export interface BuildReportOptions {
  /** Result of `verifyRun` on the folder the records came from (the integrity section). */
  integrity?: VerifyResult;
  /** Shown in the verify command (several: unmerged shards, one command each). */
  runDir?: string | readonly string[];
  now?: Date;
  limits?: Partial<ModelLimits>;
}

export const VERDICT_STYLE: Record<Verdict, { label: string; color: string; meaning: string }> = {
  pass: { label: 'Pass', color: '#2e7d32', meaning: 'Rejected as required (status or body matcher); nothing foreign seen.' },
  'closed-by-error': { label: 'Closed by error', color: '#b08900', meaning: 'Rejected through a 5xx: closed, but the gateway or handler missed it. A warning.' },
  'soft-fail': { label: 'Soft fail', color: '#e65100', meaning: 'Accepted (2xx) without exposing data where rejection was required: silent recovery, empty or global scope, or a mismatched assertion ignored.' },
  'fail-open': { label: 'Fail open', color: '#c62828', meaning: 'Accepted and served or changed data for a tenant the caller had no right to choose (e.g. a default-tenant fallback).' },
  leak: { label: 'Leak', color: '#6a1b1a', meaning: "Another tenant's data (its canary) exposed, or another tenant's data changed." },
  inconclusive: { label: 'Inconclusive', color: '#616161', meaning: 'Timeout, reset, 429 or failed positive control: nothing was proven either way. Never a pass.' },
};

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, unknown: 1, medium: 2, low: 3 };

const ORACLES = [
  'Canaries: at setup every test tenant gets fixtures holding unique random canary strings. Any response, side effect or callback seen by tenant X that contains a canary of tenant Y ≠ X is a leak, whatever the status code.',
  'Positive controls first: each suite proves its oracle is live (the legitimate request for tenant A succeeds and shows A\'s canary) before it judges mutations. If the control fails, the suite is inconclusive, never pass.',
  'Rejection is recognised by status (configurable, default 400/401/403/404/422) and by configurable body matchers (e.g. a GraphQL 200 with an errors array).',
  'Generation is property-based (fast-check): seeded and reproducible; failures are shrunk to a minimal counterexample, recorded with its seed and replay path.',
];

/**
 * Aggregates manifests, evidence records and control catalogues into the report model (pure: no I/O).
 * Several manifests are shards of one run and are combined (see `combineShards`). Records are iterated once;
 * only bounded views are kept, so 100,000 records yield a model of a few hundred kilobytes.
 */
export function buildReportModel(
  manifests: RunManifest | null | readonly RunManifest[],
  records: Iterable<EvidenceRecord>,
  catalogues: readonly LoadedCatalogue[],
  options: BuildReportOptions = {},
): ReportModel {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const list = Array.isArray(manifests) ? (manifests as readonly RunManifest[]) : manifests ? [manifests as RunManifest] : [];
  const manifest: Partial<RunManifest> | null =
    list.length > 1 ? { ...combineShards(list.map((m, i) => ({ dir: `#${i + 1}`, manifest: m }))).combined, sources: list.map(toSource) } : (list[0] ?? null);
  const failOn: FailLevel = manifest?.failOn ?? DEFAULT_FAIL_ON;
  const redact = createRedactor([]);
  const problems: string[] = [];

  const metas = new Map<string, SuiteMeta>((manifest?.suites ?? []).map((s) => [s.id, s]));
  const tallies = new Map<string, Tally>();
  const tally = (suite: string): Tally => {
    let t = tallies.get(suite);
    if (!t) tallies.set(suite, (t = newTally()));
    return t;
  };
  for (const id of metas.keys()) tally(id);

  const cells = new Map<string, CellAcc>();
  const findingRecords: EvidenceRecord[] = [];
  const firstFailingProbe = new Map<string, EvidenceRecord>();
  const controlRecords: EvidenceRecord[] = [];
  let controlsTotal = 0;
  let controlsFailed = 0;
  const all: EvidenceRecord[] = [];
  const totalsByVerdict = emptyCounts();
  const findingTotals = emptyCounts();
  const probedOps = new Set<string>();

  for (const raw of records) {
    // Defensive: a verdict outside the vocabulary never counts as judged-and-passed (readers already refuse it).
    const r = (VERDICTS as readonly string[]).includes(raw.verdict) ? raw : { ...raw, verdict: 'inconclusive' as const };
    if (r !== raw) problems.push(`record seq ${raw.seq} has unknown verdict ${JSON.stringify(raw.verdict)}: counted as inconclusive`);
    all.push(r);
    const t = tally(r.suite);
    if (r.kind === 'control') {
      controlsTotal += 1;
      const live = r.verdict === 'pass';
      if (live) t.controlsPassed += 1;
      else {
        t.controlsFailed += 1;
        controlsFailed += 1;
      }
      if (!live || t.controlsPassed <= limits.positiveControls) controlRecords.push(r);
      continue;
    }
    if (r.kind === 'finding') {
      t.findingVerdicts[r.verdict] = (t.findingVerdicts[r.verdict] ?? 0) + 1;
      findingTotals[r.verdict] += 1;
      findingRecords.push(r);
    } else {
      t.verdicts[r.verdict] = (t.verdicts[r.verdict] ?? 0) + 1;
      totalsByVerdict[r.verdict] += 1;
      if (isFailing(r.verdict, failOn) && !firstFailingProbe.has(r.suite)) firstFailingProbe.set(r.suite, r);
    }
    const op = r.operation ?? '(none)';
    probedOps.add(op);
    const key = `${r.suite}\u0000${op}\u0000${r.family}\u0000${r.path}`;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { suite: r.suite, operation: op, family: r.family, path: r.path, counts: emptyCounts(), findingHashes: [], findingVerdicts: [] }));
    if (r.kind === 'finding') {
      cell.findingHashes.push(r.hash);
      cell.findingVerdicts.push(r.verdict);
      continue;
    }
    cell.counts[r.verdict] += 1;
    if ((isFailing(r.verdict, failOn) || r.verdict === 'inconclusive') && (!cell.example || displayRank(r.verdict) > displayRank(cell.example.verdict))) cell.example = r;
  }

  // Suites: declared in the manifest first (their order), then any only seen in records.
  const suites: SuiteReport[] = [];
  const outcomes = new Map<string, SuiteOutcome>();
  for (const [id, t] of tallies) {
    const meta = metas.get(id);
    if (!meta) problems.push(`records name suite ${id}, which the manifest does not declare`);
    const { status, reason } = suiteStatus({ ...t, findings: t.findingVerdicts }, failOn);
    const controlsLive = t.controlsPassed > 0 && t.controlsFailed === 0;
    outcomes.set(id, { status, controlsLive });
    suites.push({
      id,
      anchor: anchorOf('suite', id),
      title: meta?.title ?? id,
      description: meta?.description ?? '',
      severity: meta?.severity ?? 'unknown',
      families: meta?.families ?? [],
      paths: meta?.paths ?? [],
      status,
      statusReason: reason,
      controlsLive,
      positiveControls: { passed: t.controlsPassed, failed: t.controlsFailed },
      judged: sum(t.verdicts),
      findings: sum(t.findingVerdicts),
      verdicts: verdictCounts(t.verdicts),
      remediation: meta?.remediation ?? '',
      controls: meta?.controls ?? { soc2: [], iso27001: [] },
      declared: meta !== undefined,
    });
  }

  // Findings: finding records, plus the first failing probe of a suite that has no finding record.
  const fromProbes = [...firstFailingProbe.entries()].filter(([suite]) => !findingRecords.some((f) => f.suite === suite)).map(([, r]) => r);
  const ordered = [...findingRecords.map((r) => ({ r, fromProbe: false })), ...fromProbes.map((r) => ({ r, fromProbe: true }))].sort(
    (a, b) =>
      verdictRank(b.r.verdict) - verdictRank(a.r.verdict) ||
      (SEVERITY_RANK[metas.get(a.r.suite)?.severity ?? 'unknown'] ?? 1) - (SEVERITY_RANK[metas.get(b.r.suite)?.severity ?? 'unknown'] ?? 1) ||
      a.r.seq - b.r.seq,
  );
  const findingIdByHash = new Map<string, string>();
  ordered.forEach(({ r }, i) => findingIdByHash.set(r.hash, `F-${String(i + 1).padStart(3, '0')}`));
  const findings: FindingView[] = ordered.slice(0, limits.findings).map(({ r, fromProbe }, i) => {
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

  // Coverage (population) rows.
  const opInfo = new Map((manifest?.operations ?? []).map((o) => [o.id, o]));
  const cellList = [...cells.values()].sort(
    (a, b) => suiteOrder(suites, a.suite) - suiteOrder(suites, b.suite) || a.operation.localeCompare(b.operation) || a.family.localeCompare(b.family) || a.path.localeCompare(b.path),
  );
  const coverageRows: CoverageRow[] = cellList.slice(0, limits.coverageRows).map((c) => {
    const info = opInfo.get(c.operation);
    const row: CoverageRow = {
      suite: c.suite,
      operation: c.operation,
      operationLabel: info ? `${info.method} ${info.path}` : '',
      family: c.family,
      path: c.path,
      total: sum(c.counts),
      counts: c.counts,
      worst: worstOf(c.counts),
      findingIds: c.findingHashes.map((h) => findingIdByHash.get(h) ?? h.slice(0, 12)),
      findingVerdicts: c.findingVerdicts,
    };
    if (c.example) {
      row.example = { seq: c.example.seq, verdict: c.example.verdict, reason: redact.text(c.example.reason), detail: redact.text(c.example.detail), steps: stepsOf(c.example, redact, 600) };
    }
    return row;
  });

  // Positive controls: failed ones first.
  const pcs: PositiveControlView[] = controlRecords
    .sort((a, b) => Number(a.verdict === 'pass') - Number(b.verdict === 'pass') || a.seq - b.seq)
    .slice(0, limits.positiveControls)
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

  // Control matrix: a control maps the catalogue's suites plus any suite whose metadata cites it.
  const frameworks = catalogues.map((loaded) => frameworkView(loaded, suites, outcomes));
  for (const s of suites) {
    for (const [key, ids] of [['SOC2', s.controls.soc2], ['ISO27001', s.controls.iso27001]] as const) {
      const cat = catalogues.find((c) => c.catalogue.framework === key);
      for (const cid of ids) if (cat && !cat.catalogue.requirements.some((r) => r.id === cid)) problems.push(`suite ${s.id} cites ${key} ${cid}, which ${cat.file} does not list`);
    }
  }

  const integrity = integrityView(manifest, options.integrity, options.runDir);
  if (!manifest) problems.push('manifest.json is missing: the run did not finish; this report covers the complete records only');
  else if (!manifest.complete) problems.push(`the run is incomplete${manifest.incompleteReason ? `: ${manifest.incompleteReason}` : ''}`);
  if (integrity.checked && !integrity.ok) problems.push(...integrity.problems.map((p) => `integrity: ${p}`));

  const overall = overallOf(suites, [totalsByVerdict, findingTotals], failOn, manifest, integrity);
  const run = runInfo(manifest, all, redact);
  const appendix = appendixOf(all, suites, limits);
  const byVerdict = verdictCounts(totalsByVerdict);

  return {
    reportId: uuidV5(`${run.runId}\n${integrity.headHash}\n${integrity.evidenceSha256}`),
    generatedAt: (options.now ?? new Date()).toISOString(),
    tool: { name: 'tenancy-audit', version: manifest?.tool?.version ?? 'unknown' },
    run,
    overall,
    totals: { records: all.length, judged: sum(totalsByVerdict), controls: controlsTotal, findings: ordered.length, verdicts: byVerdict },
    chart: chartOf(suites, byVerdict),
    suites,
    coverage: {
      rows: coverageRows,
      omittedRows: Math.max(0, cellList.length - coverageRows.length),
      operations: (manifest?.operations ?? []).map((o) => ({ ...o, probed: probedOps.has(o.id) })),
      unprobed: (manifest?.operations ?? []).filter((o) => o.tenantScoped && !probedOps.has(o.id)).map((o) => `${o.id} (${o.method} ${o.path})`),
    },
    findings: { items: findings, total: ordered.length, omitted: Math.max(0, ordered.length - findings.length) },
    positiveControls: { items: pcs, total: controlsTotal, failed: controlsFailed, omitted: Math.max(0, controlsTotal - pcs.length) },
    frameworks,
    methodology: {
      seed: manifest?.seed ?? null,
      runs: manifest?.runs ?? null,
      mutations: manifest?.mutations ?? [],
      verdicts: VERDICTS.map((v) => ({ verdict: v, ...VERDICT_STYLE[v] })),
      oracles: ORACLES,
      ...configView(manifest?.config, redact, limits.configChars),
      suites: manifest?.suites ?? [],
    },
    integrity,
    appendix,
    problems,
  };
}

interface Tally {
  verdicts: Partial<Record<Verdict, number>>;
  findingVerdicts: Partial<Record<Verdict, number>>;
  controlsPassed: number;
  controlsFailed: number;
}

interface CellAcc {
  suite: string;
  operation: string;
  family: Family;
  path: PathKind;
  counts: Record<Verdict, number>;
  findingHashes: string[];
  findingVerdicts: Verdict[];
  example?: EvidenceRecord;
}

function newTally(): Tally {
  return { verdicts: {}, findingVerdicts: {}, controlsPassed: 0, controlsFailed: 0 };
}

function emptyCounts(): Record<Verdict, number> {
  return Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
}

function sum(counts: Partial<Record<Verdict, number>>): number {
  return Object.values(counts).reduce((n: number, c) => n + (c ?? 0), 0);
}

function verdictCounts(counts: Partial<Record<Verdict, number>>): VerdictCount[] {
  return VERDICTS.map((v) => ({ verdict: v, label: VERDICT_STYLE[v].label, color: VERDICT_STYLE[v].color, count: counts[v] ?? 0 }));
}

function worstOf(counts: Record<Verdict, number>): Verdict {
  return VERDICTS.filter((v) => counts[v] > 0).reduce<Verdict>((w, v) => (displayRank(v) > displayRank(w) ? v : w), 'pass');
}

function suiteOrder(suites: readonly SuiteReport[], id: string): number {
  const i = suites.findIndex((s) => s.id === id);
  return i < 0 ? suites.length : i;
}

function anchorOf(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

function overallOf(
  suites: readonly SuiteReport[],
  verdictTotals: readonly Record<Verdict, number>[],
  failOn: FailLevel,
  m: Partial<RunManifest> | null,
  integrity: IntegrityView,
): ReportModel['overall'] {
  const failed = suites.filter((s) => s.status === 'fail');
  const unsure = suites.filter((s) => s.status === 'inconclusive' || s.status === 'not-run');
  const warned = suites.filter((s) => s.status === 'warn');
  const reasons: string[] = [];
  for (const s of failed) reasons.push(`${s.id}: ${s.statusReason}`);
  for (const s of unsure) reasons.push(`${s.id}: ${s.status === 'not-run' ? 'did not run' : s.statusReason}`);
  if (suites.length === 0) reasons.push('no suite ran');
  if (!m) reasons.push('manifest missing: the run did not finish');
  else if (!m.complete) reasons.push(`run incomplete${m.incompleteReason ? `: ${m.incompleteReason}` : ''}`);
  if (!integrity.ok) reasons.push(integrity.checked ? `evidence integrity check failed${integrity.firstBadRecord ? ` at ${integrity.firstBadRecord}` : ''}` : 'evidence integrity not checked');
  for (const s of warned) reasons.push(`${s.id}: ${s.statusReason}`);

  let result: OverallResult;
  if (failed.length > 0) result = 'fail';
  else if (unsure.length > 0 || suites.length === 0 || !m || !m.complete || !integrity.ok) result = 'inconclusive';
  else if (warned.length > 0) result = 'warn';
  else result = 'pass';
  const failsExit = verdictTotals.some((totals) => (Object.entries(totals) as [Verdict, number][]).some(([v, c]) => c > 0 && failsAt(v, failOn)));
  const exitCode = failsExit ? 1 : result === 'inconclusive' || result === 'fail' ? 3 : 0;
  const label = { pass: 'PASS', warn: 'PASS WITH WARNINGS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE' }[result];
  const headline =
    result === 'fail'
      ? `${failed.length} of ${suites.length} suites found tenancy failures: ${failed.map((s) => `${s.id} (${s.statusReason})`).join('; ')}`
      : result === 'inconclusive'
        ? `Nothing failed, but the run does not prove fail-closed behaviour: ${reasons.slice(0, 3).join('; ')}`
        : result === 'warn'
          ? `All ${suites.length} suites failed closed with live positive controls; ${warned.length} rejected some probes with 5xx`
          : `All ${suites.length} suites failed closed with live positive controls`;
  return { result, label, exitCode, headline, reasons, failOn };
}

