import type { Family, MutationInfo, OperationInfo, PathKind, RunSource, Severity, SuiteMeta } from '../core/types.ts';
import type { FailLevel, Verdict } from '../core/verdict.ts';
import type { SignatureStatus } from '../evidence/verify.ts';
import type { ControlRelationship, ControlStatus, SuiteStatus } from './controls.ts';
import type { HeatMap, SeverityChart } from './views/pictures.ts';
import type { TrendView } from './baseline.ts';
import type { ContractView } from './views/contract.ts';

export type { ContractRecordView, ContractView } from './views/contract.ts';

export type OverallResult = 'pass' | 'warn' | 'fail' | 'inconclusive';

export interface VerdictCount {
  verdict: Verdict;
  label: string;
  count: number;
  color: string;
}

export interface RunInfo {
  runId: string;
  kind: 'http' | 'db' | 'unknown';
  toolVersion: string;
  system: string;
  environment: string;
  target: string;
  /** The database audited in the same run (redacted), when there was one beside an HTTP target. */
  database: string;
  /** How requests reached the target (proxy, unverified TLS, HTTP/2); empty for a direct, verified run. */
  transport: string;
  /** Certificate verification was skipped. */
  insecure: boolean;
  configHash: string;
  seed: number | null;
  runs: number | null;
  command: string;
  operator: string;
  ci: string;
  startedAt: string;
  endedAt: string;
  durationText: string;
  complete: boolean;
  incompleteReason: string;
  shards: RunSource[];
  tenants: string[];
  manifestPresent: boolean;
}

export interface SuiteReport {
  id: string;
  anchor: string;
  title: string;
  description: string;
  severity: Severity | 'unknown';
  families: readonly Family[];
  paths: readonly PathKind[];
  status: SuiteStatus;
  statusReason: string;
  controlsLive: boolean;
  positiveControls: { passed: number; failed: number };
  /** Probe and db-check records: the population (positive controls and finding records apart). */
  judged: number;
  /** Finding records: shrunk counterexamples of failing probes. */
  findings: number;
  verdicts: VerdictCount[];
  remediation: string;
  controls: { soc2: readonly string[]; iso27001: readonly string[] };
  declared: boolean;
}

export interface CoverageRow {
  suite: string;
  operation: string;
  operationLabel: string;
  family: Family;
  path: PathKind;
  total: number;
  counts: Record<Verdict, number>;
  worst: Verdict;
  /** Finding ids in this cell (finding records are not counted in `counts`/`total`). */
  findingIds: string[];
  findingVerdicts: Verdict[];
  /** A failing (else inconclusive) record of the cell without a finding record, for JUnit. */
  example?: { seq: number; verdict: Verdict; reason: string; detail: string; steps: StepView[] };
}

export interface HeaderView {
  name: string;
  value: string;
}

export interface StepView {
  n: number;
  title: string;
  note: string;
  request?: { method: string; url: string; headers: HeaderView[]; body: string; bodyTruncated: boolean };
  response?: { status: number; headers: HeaderView[]; excerpt: string; bodySha256: string; bodyBytes: number; truncated: boolean };
  curl: string;
}

export interface FindingView {
  id: string;
  anchor: string;
  suite: string;
  suiteTitle: string;
  severity: Severity | 'unknown';
  verdict: Verdict;
  verdictLabel: string;
  reason: string;
  detail: string;
  operation: string;
  family: Family;
  path: PathKind;
  mutation: { id: string; title: string; channel: string };
  actor: string;
  victim: string;
  /** The run's seed (what `--seed` takes to replay it); the cell seed derives from it. */
  seed: number;
  replayPath: string;
  replay: string;
  seq: number;
  hash: string;
  startedAt: string;
  steps: StepView[];
  remediation: string;
  controls: { soc2: readonly string[]; iso27001: readonly string[] };
  /** True when no finding record existed and this is the first failing probe of its suite. */
  fromProbe: boolean;
}

/** One operation (or db object) a root cause failed on, linking to its finding's evidence. */
export interface FindingGroupMember {
  findingId: string;
  anchor: string;
  operation: string;
  verdict: Verdict;
  verdictLabel: string;
  reason: string;
  actor: string;
  victim: string;
  seq: number;
  replayPath: string;
  /** The member's finding is shown in `findings.items` (within the findings limit). */
  shown: boolean;
}

/** Findings of one root cause (suite × mutation × channel): one bug, however many operations show it. */
export interface FindingGroupView {
  id: string;
  anchor: string;
  /** What went wrong, e.g. "The X-Tenant-ID header overrides the token's tenant on 4 operations". */
  title: string;
  suite: string;
  suiteTitle: string;
  severity: Severity | 'unknown';
  /** The worst verdict among its members. */
  verdict: Verdict;
  verdictLabel: string;
  mutation: { id: string; title: string; channel: string };
  family: Family;
  path: PathKind;
  operations: string[];
  tenants: string[];
  members: FindingGroupMember[];
  seed: number;
  remediation: string;
  controls: { soc2: readonly string[]; iso27001: readonly string[] };
  /** The command line that reproduces it: `tenancy-audit run --config … --target … --suite … --seed …`. */
  replay: string;
  /** The curl reproduction of its first affected operation (empty for a data-layer finding). */
  curl: string;
  /** Relative to a baseline run: `new`, `open` (still open) or empty when no baseline was given. */
  trend: '' | 'new' | 'open';
}

export interface PositiveControlView {
  suite: string;
  operation: string;
  mutation: string;
  live: boolean;
  verdict: Verdict;
  reason: string;
  detail: string;
  seq: number;
}

export interface RequirementView {
  id: string;
  name: string;
  section: string;
  relationship: ControlRelationship;
  confidence: string;
  rationale: string;
  notEvidenced: string;
  status: ControlStatus;
  statusLabel: string;
  reason: string;
  suites: { id: string; status: SuiteStatus; judged: number }[];
  probes: number;
}

export interface FrameworkView {
  framework: string;
  name: string;
  version: string;
  file: string;
  sha256: string;
  counts: Record<ControlStatus, number>;
  requirements: RequirementView[];
  /** Controls of the catalogue no suite maps: outside this assessment's scope (other evidence needed), not matrix rows. */
  outOfScope: { id: string; name: string }[];
}

export interface IntegrityView {
  checked: boolean;
  ok: boolean;
  headHash: string;
  evidenceSha256: string;
  manifestHeadHash: string;
  records: number;
  signature: SignatureStatus;
  signatureAlg: string;
  signatureKid: string;
  thumbprint: string;
  problems: string[];
  warnings: string[];
  firstBadRecord: string;
  verifyCommand: string;
  sources: RunSource[];
}

export interface AppendixTable {
  suite: string;
  mode: 'records' | 'summary';
  columns: string[];
  rows: string[][];
  omitted: number;
}

export interface ChartRow {
  label: string;
  y: number;
  total: number;
  segments: { x: number; width: number; color: string; verdict: Verdict; count: number }[];
}

export interface VerdictChart {
  width: number;
  height: number;
  labelWidth: number;
  barWidth: number;
  rows: ChartRow[];
  legend: { x: number; color: string; label: string }[];
  legendY: number;
}

/** Everything a renderer needs; built only from evidence files (see `buildReportModel`). */
export interface ReportModel {
  reportId: string;
  generatedAt: string;
  tool: { name: string; version: string };
  run: RunInfo;
  overall: { result: OverallResult; label: string; exitCode: number; headline: string; reasons: string[]; failOn: FailLevel };
  totals: { records: number; judged: number; controls: number; findings: number; verdicts: VerdictCount[] };
  chart: VerdictChart;
  /** Inline SVG pictures of the executive summary: root causes per severity, and suite × family. */
  pictures: { severity: SeverityChart; heatMap: HeatMap };
  /** The cover's sign-off block (config `report:` or `renderReport({ signOff })`); empty strings leave a line to sign. */
  signOff: { preparedBy: string; reviewedBy: string; date: string };
  suites: SuiteReport[];
  coverage: { rows: CoverageRow[]; omittedRows: number; operations: (OperationInfo & { probed: boolean })[]; unprobed: string[] };
  /** `groups`: the findings by root cause, worst first (the report's headline list); `items`: each finding's evidence. */
  findings: { items: FindingView[]; total: number; omitted: number; groups: FindingGroupView[] };
  positiveControls: { items: PositiveControlView[]; total: number; failed: number; omitted: number };
  frameworks: FrameworkView[];
  methodology: {
    seed: number | null;
    runs: number | null;
    mutations: MutationInfo[];
    verdicts: { verdict: Verdict; label: string; color: string; meaning: string }[];
    oracles: string[];
    configJson: string;
    configTruncated: boolean;
    suites: SuiteMeta[];
    /** How the run treated a target answering 429/503 (one sentence; empty when the manifest does not say). */
    rateControl: string;
  };
  integrity: IntegrityView;
  /** Against a baseline run (`--baseline`): counts of new, still open and fixed root causes; absent without one. */
  trend?: TrendView;
  /** Root causes of the baseline run that this run no longer shows. */
  fixedGroups?: { title: string; suite: string; verdict: Verdict }[];
  appendix: { mode: 'records' | 'summary'; tables: AppendixTable[]; threshold: number; evidenceFile: string };
  problems: string[];
  /** The target's declared contract: suites not applicable, accepted deviations, exceptions (waivers). */
  contract: ContractView;
}
