import type { EvidenceRecord, RunManifest, SuiteMeta } from '../core/types.ts';
import type { FailLevel } from '../core/verdict.ts';
import { DEFAULT_FAIL_ON } from '../core/verdict.ts';
import { createRedactor } from '../evidence/redact.ts';
import type { VerifyResult } from '../evidence/verify.ts';
import { combineShards } from './combine.ts';
import type { LoadedCatalogue } from './controls.ts';
import type { ReportModel } from './model-types.ts';
import { tallyRecords } from './record-tally.ts';
import { sum, verdictCounts } from './verdict-counts.ts';
import { chartOf } from './views/chart.ts';
import { frameworkView } from './views/controls.ts';
import { contractView } from './views/contract.ts';
import { coverageView } from './views/coverage.ts';
import { appendixOf } from './views/evidence.ts';
import { findingsView, positiveControlsView } from './views/findings.ts';
import { methodologyView } from './views/methodology.ts';
import { overallOf } from './views/overall.ts';
import { heatMap, severityChart } from './views/pictures.ts';
import { integrityView, runInfo, toSource, uuidV5 } from './views/run.ts';
import { citationProblems, suiteReports } from './views/suites.ts';

export { VERDICT_STYLE } from './verdict-counts.ts';

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
  /** The cover's sign-off block; each field over the config's `report:` section. */
  signOff?: Partial<ReportModel['signOff']>;
}

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
  const tally = tallyRecords(records, metas.keys(), failOn, limits.positiveControls, problems);
  // Suites: declared in the manifest first (their order), then any only seen in records.
  const notApplicable = new Map((manifest?.contract?.notApplicable ?? []).map((n) => [n.suite, n.reason]));
  const { suites, outcomes } = suiteReports(tally.suites, metas, failOn, problems, notApplicable);
  const contract = contractView(manifest, tally.acceptedRecords, tally.waivedRecords, redact, limits.findings);
  const expired = contract.exceptions.waivers.filter((w) => w.status === 'expired');
  if (expired.length > 0) problems.push(`${expired.length} waiver(s) expired and count again: ${expired.map((w) => `waivers[${w.rule}] (${w.owner}, expired ${w.expires})`).join('; ')}`);
  const stale = contract.exceptions.waivers.filter((w) => w.status === 'stale');
  if (stale.length > 0) problems.push(`${stale.length} stale waiver(s) matched nothing: ${stale.map((w) => `waivers[${w.rule}] (${w.reason})`).join('; ')}`);
  const findings = findingsView(tally.findingRecords, tally.firstFailingProbe, metas, redact, limits, { base: replayBaseOf(manifest), seed: manifest?.seed ?? null });
  const coverage = coverageView(tally.cells, suites, manifest, tally.probedOps, findings.idByHash, redact, limits.coverageRows);
  const positiveControls = positiveControlsView(tally.controlRecords, tally.controlsTotal, tally.controlsFailed, redact, limits.positiveControls);

  // Control matrix: a control maps the catalogue's suites plus any suite whose metadata cites it.
  const frameworks = catalogues.map((loaded) => frameworkView(loaded, suites, outcomes));
  problems.push(...citationProblems(suites, catalogues));

  const integrity = integrityView(manifest, options.integrity, options.runDir);
  if (!manifest) problems.push('manifest.json is missing: the run did not finish; this report covers the complete records only');
  else if (!manifest.complete) problems.push(`the run is incomplete${manifest.incompleteReason ? `: ${manifest.incompleteReason}` : ''}`);
  if (integrity.checked && !integrity.ok) problems.push(...integrity.problems.map((p) => `integrity: ${p}`));

  const overall = overallOf(suites, [tally.totalsByVerdict, tally.findingTotals], failOn, manifest, integrity);
  const run = runInfo(manifest, tally.all, redact);
  const appendix = appendixOf(tally.all, suites, limits);
  const byVerdict = verdictCounts(tally.totalsByVerdict);

  return {
    reportId: uuidV5(`${run.runId}\n${integrity.headHash}\n${integrity.evidenceSha256}`),
    generatedAt: (options.now ?? new Date()).toISOString(),
    tool: { name: 'tenancy-audit', version: manifest?.tool?.version ?? 'unknown' },
    run,
    overall,
    totals: { records: tally.all.length, judged: sum(tally.totalsByVerdict), controls: tally.controlsTotal, findings: findings.view.total, verdicts: byVerdict },
    chart: chartOf(suites, byVerdict),
    pictures: { severity: severityChart(findings.view.groups), heatMap: heatMap(suites, coverage.rows) },
    signOff: signOffOf(manifest, options.signOff),
    suites,
    coverage,
    findings: findings.view,
    positiveControls,
    frameworks,
    methodology: methodologyView(manifest, redact, limits.configChars),
    integrity,
    appendix,
    problems,
    contract,
  };
}

/** `tenancy-audit run --config <file> --target <url>` (or `db`), to which each finding adds its suite and seed. */
function replayBaseOf(manifest: Partial<RunManifest> | null): string {
  const config = manifest?.configFile ? ` --config ${manifest.configFile}` : '';
  if (manifest?.kind === 'db') return `tenancy-audit db${config}`;
  return `tenancy-audit run${config}${manifest?.target?.baseUrl ? ` --target ${manifest.target.baseUrl}` : ''}`;
}

function signOffOf(manifest: Partial<RunManifest> | null, override: Partial<ReportModel['signOff']> | undefined): ReportModel['signOff'] {
  const report = (manifest?.config as { report?: { preparedBy?: string; reviewedBy?: string } } | undefined)?.report;
  return { preparedBy: override?.preparedBy ?? report?.preparedBy ?? '', reviewedBy: override?.reviewedBy ?? report?.reviewedBy ?? '', date: override?.date ?? '' };
}
