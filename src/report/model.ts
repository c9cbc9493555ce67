import { createHash } from 'node:crypto';
import type { EvidenceRecord, EvidenceStep, Family, PathKind, RunManifest, RunSource, SuiteMeta } from '../core/types.ts';
import type { FailLevel, Verdict } from '../core/verdict.ts';
import { DEFAULT_FAIL_ON, VERDICTS, failsAt, verdictRank } from '../core/verdict.ts';
import { createRedactor } from '../evidence/redact.ts';
import type { VerifyResult } from '../evidence/verify.ts';
import { combineShards } from './combine.ts';
import type { LoadedCatalogue, SuiteOutcome } from './controls.ts';
import { controlStatus } from './controls.ts';
import { curlFor } from './curl.ts';
import type {
  AppendixTable,
  ChartRow,
  CoverageRow,
  FindingView,
  FrameworkView,
  IntegrityView,
  OverallResult,
  PositiveControlView,
  ReportModel,
  RunInfo,
  StepView,
  SuiteReport,
  VerdictChart,
  VerdictCount,
} from './model-types.ts';
import { suiteStatus } from './suite-status.ts';

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
  /** Shown in the verify command. */
  runDir?: string;
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

  for (const r of records) {
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
      if (!live) controlRecords.push(r);
      else if (controlRecords.length < limits.positiveControls * 4) controlRecords.push(r);
      continue;
    }
    if (r.kind === 'finding') {
      t.findingVerdicts[r.verdict] = (t.findingVerdicts[r.verdict] ?? 0) + 1;
      findingTotals[r.verdict] += 1;
      findingRecords.push(r);
    } else {
      t.verdicts[r.verdict] = (t.verdicts[r.verdict] ?? 0) + 1;
      totalsByVerdict[r.verdict] += 1;
      if (isFailingVerdict(r.verdict, failOn) && !firstFailingProbe.has(r.suite)) firstFailingProbe.set(r.suite, r);
    }
    const op = r.operation ?? '(none)';
    probedOps.add(op);
    const key = `${r.suite}\u0000${op}\u0000${r.family}\u0000${r.path}`;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { suite: r.suite, operation: op, family: r.family, path: r.path, counts: emptyCounts(), findingSeqs: [], findingVerdicts: [] }));
    if (r.kind === 'finding') {
      cell.findingSeqs.push(r.seq);
      cell.findingVerdicts.push(r.verdict);
      continue;
    }
    cell.counts[r.verdict] += 1;
    if (!cell.example || rankForExample(r.verdict, failOn) > rankForExample(cell.example.verdict, failOn)) {
      if (isFailingVerdict(r.verdict, failOn) || r.verdict === 'inconclusive') cell.example = r;
    }
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
  const findingIdBySeq = new Map<string, string>();
  ordered.forEach(({ r }, i) => findingIdBySeq.set(`${r.suite}:${r.seq}`, `F-${String(i + 1).padStart(3, '0')}`));
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
      findingIds: c.findingSeqs.map((seq) => findingIdBySeq.get(`${c.suite}:${seq}`) ?? `seq ${seq}`),
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
  const run = runInfo(manifest, all);
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
  findingSeqs: number[];
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

function isFailingVerdict(v: Verdict, failOn: FailLevel): boolean {
  return verdictRank(v) >= verdictRank('soft-fail') || failsAt(v, failOn);
}

function rankForExample(v: Verdict, failOn: FailLevel): number {
  return isFailingVerdict(v, failOn) ? 10 + verdictRank(v) : v === 'inconclusive' ? 1 : 0;
}

function worstOf(counts: Record<Verdict, number>): Verdict {
  let worst: Verdict = 'pass';
  for (const v of VERDICTS) if (counts[v] > 0 && (verdictRank(v) > verdictRank(worst) || (worst === 'pass' && v === 'inconclusive'))) worst = v;
  return worst;
}

function suiteOrder(suites: readonly SuiteReport[], id: string): number {
  const i = suites.findIndex((s) => s.id === id);
  return i < 0 ? suites.length : i;
}

function anchorOf(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

function clip(s: string | undefined, max: number): { text: string; clipped: boolean } {
  const text = s ?? '';
  return text.length > max ? { text: `${text.slice(0, max)}…`, clipped: true } : { text, clipped: false };
}

function stepsOf(r: EvidenceRecord, redact: ReturnType<typeof createRedactor>, max: number): StepView[] {
  const source: EvidenceStep[] =
    r.steps && r.steps.length > 0
      ? r.steps
      : r.request || r.response
        ? [{ n: 1, title: r.mutation?.title ?? 'Request', ...(r.request ? { request: r.request } : {}), ...(r.response ? { response: r.response } : {}) }]
        : [];
  return source.slice(0, 20).map((step, i) => {
    const view: StepView = { n: step.n ?? i + 1, title: redact.text(step.title ?? ''), note: redact.text(step.note ?? ''), curl: '' };
    if (step.request) {
      const req = redact.value(step.request);
      const body = clip(req.body, max);
      view.request = { method: req.method, url: req.url, headers: headerList(req.headers), body: body.text, bodyTruncated: body.clipped };
      view.curl = step.curl ? redact.text(step.curl) : curlFor(req, r.actor);
    } else if (step.curl) view.curl = redact.text(step.curl);
    if (step.response) {
      const res = redact.value(step.response);
      const excerpt = clip(res.excerpt, max);
      view.response = {
        status: res.status,
        headers: headerList(res.headers),
        excerpt: excerpt.text,
        bodySha256: res.bodySha256,
        bodyBytes: res.bodyBytes,
        truncated: res.truncated || excerpt.clipped,
      };
    }
    return view;
  });
}

function headerList(h: Record<string, string> | undefined): { name: string; value: string }[] {
  return Object.entries(h ?? {}).map(([name, value]) => ({ name, value: String(value) }));
}

function frameworkView(loaded: LoadedCatalogue, suites: readonly SuiteReport[], outcomes: ReadonlyMap<string, SuiteOutcome>): FrameworkView {
  const key = loaded.catalogue.framework === 'SOC2' ? 'soc2' : loaded.catalogue.framework === 'ISO27001' ? 'iso27001' : null;
  const counts = { effective: 0, exception: 0, inconclusive: 0, 'not-tested': 0 };
  const requirements = loaded.catalogue.requirements.map((req) => {
    const citing = key ? suites.filter((s) => s.controls[key].includes(req.id)).map((s) => s.id) : [];
    const tests = [...new Set([...req.tests, ...citing])];
    const status = controlStatus({ tests }, outcomes);
    counts[status] += 1;
    const mapped = tests.map((id) => {
      const s = suites.find((x) => x.id === id);
      return { id, status: outcomes.get(id)?.status ?? ('not-run' as const), judged: s?.judged ?? 0 };
    });
    const notRun = mapped.filter((m) => m.status === 'not-run').map((m) => m.id);
    const reason =
      status === 'not-tested'
        ? tests.length === 0
          ? 'no suite evidences this control'
          : 'none of the mapped suites ran'
        : status === 'exception'
          ? `failing: ${mapped.filter((m) => m.status === 'fail').map((m) => m.id).join(', ')}`
          : status === 'inconclusive'
            ? [
                ...mapped.filter((m) => m.status === 'inconclusive').map((m) => `${m.id} inconclusive`),
                ...(notRun.length > 0 ? [`not run: ${notRun.join(', ')}`] : []),
              ].join('; ')
            : `all ${tests.length} mapped suites passed with live positive controls`;
    return {
      id: req.id,
      name: req.name,
      section: req.section ?? '',
      relationship: req.relationship,
      confidence: req.confidence ?? '',
      rationale: req.rationale,
      notEvidenced: req.notEvidenced ?? '',
      status,
      statusLabel: STATUS_LABEL[status],
      reason,
      suites: mapped,
      probes: mapped.reduce((n, m) => n + m.judged, 0),
    };
  });
  return { framework: loaded.catalogue.framework, name: loaded.catalogue.name, version: loaded.catalogue.version, file: loaded.file, sha256: loaded.sha256, counts, requirements };
}

const STATUS_LABEL = { effective: 'Effective', exception: 'Exception', inconclusive: 'Inconclusive', 'not-tested': 'Not tested' } as const;

function toSource(m: RunManifest): RunSource {
  const src: RunSource = { dir: m.runId, runId: m.runId, records: m.counts?.records ?? 0, headHash: m.headHash, evidenceSha256: m.evidenceSha256, complete: m.complete };
  if (m.shard) src.shard = m.shard;
  if (m.signature) src.signature = { thumbprint: m.signature.thumbprint, status: 'not-checked' };
  return src;
}

function integrityView(m: Partial<RunManifest> | null, v: VerifyResult | undefined, runDir: string | undefined): IntegrityView {
  const dir = runDir ?? '<run-folder>';
  const signed = m?.signature !== undefined;
  const bad = v?.firstBadRecord;
  return {
    checked: v !== undefined,
    ok: v?.ok ?? false,
    headHash: v?.headHash ?? m?.headHash ?? '',
    evidenceSha256: v?.evidenceSha256 ?? m?.evidenceSha256 ?? '',
    manifestHeadHash: m?.headHash ?? '',
    records: v?.records ?? m?.counts?.records ?? 0,
    signature: v?.signature ?? (signed ? 'not-checked' : 'unsigned'),
    signatureAlg: m?.signature?.alg ?? '',
    signatureKid: m?.signature?.kid ?? '',
    thumbprint: m?.signature?.thumbprint ?? '',
    problems: v?.problems ?? ['the evidence chain was not verified for this report'],
    warnings: v?.warnings ?? [],
    firstBadRecord: bad ? `seq ${bad.seq} (line ${bad.line}): ${bad.reason}` : '',
    verifyCommand: `npx tenancy-audit verify ${shellArg(dir)}${signed ? ' --key <signer-public-key.jwk>' : ''}`,
    sources: m?.sources ?? [],
  };
}

function shellArg(s: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
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

function runInfo(m: Partial<RunManifest> | null, records: readonly EvidenceRecord[]): RunInfo {
  const first = records[0];
  const last = records[records.length - 1];
  const startedAt = m?.startedAt ?? first?.startedAt ?? '';
  const endedAt = m?.endedAt ?? last?.startedAt ?? '';
  const ms = Date.parse(endedAt) - Date.parse(startedAt);
  const ci = m?.operator?.ci;
  return {
    runId: m?.runId ?? first?.runId ?? 'unknown',
    kind: m?.kind ?? 'unknown',
    toolVersion: m?.tool?.version ?? 'unknown',
    system: m?.system ?? 'unknown',
    environment: m?.environment ?? 'unknown',
    target: createRedactor([]).text(m?.target?.baseUrl ?? m?.target?.database ?? 'unknown'),
    configHash: m?.configHash ?? 'unknown',
    seed: m?.seed ?? first?.seed ?? null,
    runs: m?.runs ?? null,
    command: createRedactor([]).text(m?.command ?? ''),
    operator: [m?.operator?.user, m?.operator?.host].filter(Boolean).join('@') || 'unknown',
    ci: ci ? [ci.provider, ci.ref, ci.commit, ci.runUrl].filter(Boolean).join(' · ') : 'none (local run)',
    startedAt,
    endedAt,
    durationText: Number.isFinite(ms) && ms >= 0 ? formatDuration(ms) : 'unknown',
    complete: m?.complete === true,
    incompleteReason: m ? (m.incompleteReason ?? '') : 'manifest.json missing: the run did not finish',
    shards: m?.sources ?? [],
    tenants: m?.tenants ?? [],
    manifestPresent: m !== null,
  };
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  return min < 60 ? `${min} min ${s % 60} s` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

function configView(config: unknown, redact: ReturnType<typeof createRedactor>, max: number): { configJson: string; configTruncated: boolean } {
  if (config === undefined) return { configJson: '(not recorded)', configTruncated: false };
  let text: string;
  try {
    text = JSON.stringify(redact.value(config), null, 2) ?? 'null';
  } catch {
    text = '(unprintable)';
  }
  const c = clip(text, max);
  return { configJson: c.text, configTruncated: c.clipped };
}

function appendixOf(records: readonly EvidenceRecord[], suites: readonly SuiteReport[], limits: ModelLimits): ReportModel['appendix'] {
  const mode = records.length <= limits.appendixRecords ? 'records' : 'summary';
  const bySuite = new Map<string, EvidenceRecord[]>(suites.map((s) => [s.id, []]));
  if (mode === 'records') {
    for (const r of records) bySuite.get(r.suite)?.push(r);
    const tables: AppendixTable[] = [...bySuite].map(([suite, rs]) => ({
      suite,
      mode,
      columns: ['seq', 'kind', 'operation', 'family', 'path', 'mutation', 'channel', 'status', 'verdict', 'reason'],
      rows: rs.map((r) => [String(r.seq), r.kind, r.operation ?? '', r.family, r.path, r.mutation?.id ?? '', r.mutation?.channel ?? '', r.response ? String(r.response.status) : '', r.verdict, r.reason]),
      omitted: 0,
    }));
    return { mode, tables, threshold: limits.appendixRecords, evidenceFile: 'evidence.jsonl' };
  }
  const groups = new Map<string, Map<string, { op: string; mutation: string; verdict: Verdict; count: number; first: number; last: number }>>();
  for (const r of records) {
    let g = groups.get(r.suite);
    if (!g) groups.set(r.suite, (g = new Map()));
    const key = `${r.kind === 'control' ? '(positive control)' : (r.operation ?? '')}\u0000${r.mutation?.id ?? ''}\u0000${r.verdict}`;
    const e = g.get(key);
    if (e) {
      e.count += 1;
      e.first = Math.min(e.first, r.seq);
      e.last = Math.max(e.last, r.seq);
    } else g.set(key, { op: r.kind === 'control' ? '(positive control)' : (r.operation ?? ''), mutation: r.mutation?.id ?? '', verdict: r.verdict, count: 1, first: r.seq, last: r.seq });
  }
  const tables: AppendixTable[] = [...groups].map(([suite, g]) => {
    const rows = [...g.values()].sort((a, b) => verdictRank(b.verdict) - verdictRank(a.verdict) || b.count - a.count);
    return {
      suite,
      mode,
      columns: ['operation', 'mutation', 'verdict', 'records', 'first seq', 'last seq'],
      rows: rows.slice(0, limits.summaryRowsPerSuite).map((e) => [e.op, e.mutation, e.verdict, String(e.count), String(e.first), String(e.last)]),
      omitted: Math.max(0, rows.length - limits.summaryRowsPerSuite),
    };
  });
  return { mode, tables, threshold: limits.appendixRecords, evidenceFile: 'evidence.jsonl' };
}

function chartOf(suites: readonly SuiteReport[], totals: readonly VerdictCount[]): VerdictChart {
  const width = 760;
  const labelWidth = 200;
  const barWidth = 460;
  const rowHeight = 24;
  const rows: ChartRow[] = [];
  const addRow = (label: string, counts: readonly VerdictCount[]) => {
    const total = counts.reduce((n, c) => n + c.count, 0);
    let x = labelWidth;
    const segments = counts
      .filter((c) => c.count > 0)
      .map((c) => {
        const w = total === 0 ? 0 : Math.max(1, (c.count / total) * barWidth);
        const seg = { x: round(x), width: round(w), color: c.color, verdict: c.verdict, count: c.count };
        x += w;
        return seg;
      });
    rows.push({ label, y: 8 + rows.length * rowHeight, total, segments });
  };
  addRow('All suites', totals);
  for (const s of suites) addRow(s.id, s.verdicts);
  const legendY = 8 + rows.length * rowHeight + 12;
  const legend = totals.map((t, i) => ({ x: 10 + i * 124, color: t.color, label: t.label }));
  return { width, height: legendY + 20, labelWidth, barWidth, rows, legend, legendY };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** RFC 4122 version-5 UUID in a tenancy-audit namespace: the same evidence always gets the same report id. */
function uuidV5(name: string): string {
  const ns = Buffer.from('6f1e3c52a0d84b7e9c1f2d3a4b5c6d7e', 'hex');
  const h = createHash('sha1').update(ns).update(name).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
