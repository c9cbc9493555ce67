import type { FailLevel, Verdict } from './verdict.ts';

/** Every mutation family, in catalogue order (see {@link Family}). */
export const FAMILIES = ['missing', 'spoofed', 'mismatched', 'cross-tenant', 'data-layer'] as const;
/** Mutation family: missing identity, spoofed identity, mismatched assertion, cross-tenant object reference, data layer. */
export type Family = (typeof FAMILIES)[number];

/** Every path a probe can travel, in order (see {@link PathKind}). */
export const PATHS = ['sync', 'retry', 'callback', 'db'] as const;
/** Where a probe travels: a synchronous request, an idempotent retry, an async job/callback, or the database itself. */
export type PathKind = (typeof PATHS)[number];

/** Suite severities, from most to least severe. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
/** How serious a failure is: set in each suite's metadata and, for `db` suites, on each rule. */
export type Severity = (typeof SEVERITIES)[number];

/** The compliance controls a suite cites; the report's control sections list each requirement with the suites citing it. */
export interface ControlRefs {
  /** SOC 2 Trust Services Criteria ids, e.g. `CC6.1`. */
  soc2: readonly string[];
  /** ISO/IEC 27001:2022 Annex A ids, e.g. `8.3`. */
  iso27001: readonly string[];
}

/** Declarative metadata every suite carries beside its property. */
export interface SuiteMeta {
  id: string;
  title: string;
  description: string;
  families: readonly Family[];
  paths: readonly PathKind[];
  severity: Severity;
  controls: ControlRefs;
  /** What to change in the target when this suite finds something. */
  remediation: string;
}

/** An HTTP request as recorded in evidence: headers and body already redacted. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * An HTTP response as recorded in evidence: the excerpt is capped (and redacted), while `bodySha256` and `bodyBytes`
 * describe the body as received; `truncated` is set when the excerpt or the received body was cut short.
 */
export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  /** First bytes of the body (redacted), for humans. */
  excerpt: string;
  bodySha256: string;
  bodyBytes: number;
  truncated: boolean;
}

/** One numbered step of a counterexample or a stateful sequence. */
export interface EvidenceStep {
  n: number;
  title: string;
  request?: RecordedRequest;
  response?: RecordedResponse;
  /** A `curl` line reproducing the request, with credentials replaced by placeholders. */
  curl?: string;
  note?: string;
}

/**
 * What an evidence record is: a positive `control`, a fired `probe`, a shrunk `finding` (minimal counterexample),
 * or a `db-check` of the data-layer audit.
 */
export type EvidenceKind = 'control' | 'probe' | 'finding' | 'db-check';

/**
 * One line of `evidence.jsonl`. Reports are rendered from these records alone.
 * `prevHash`/`hash` chain the records: hash = sha256(canonical JSON of the record without `hash`).
 */
export interface EvidenceRecord {
  v: 1;
  seq: number;
  runId: string;
  kind: EvidenceKind;
  suite: string;
  family: Family;
  path: PathKind;
  /** Operation id from the config (HTTP) or the table/view/function checked (db). */
  operation?: string;
  mutation: { id: string; title: string; channel?: string };
  /** Tenant whose legit identity the request carried (null: none). */
  actor?: string | null;
  /** Tenant targeted by the mutation (asserted, referenced or victim). */
  victim?: string | null;
  seed: number;
  replayPath?: string;
  request?: RecordedRequest;
  response?: RecordedResponse;
  steps?: EvidenceStep[];
  verdict: Verdict;
  /** Stable reason code, e.g. `canary-foreign`, `accepted-empty`, `rejected-status`. */
  reason: string;
  detail: string;
  startedAt: string;
  durationMs: number;
  /** The case matched the accepted deviation `accept[rule]`: recorded with its verdict, never counted as pass or fail. */
  accepted?: { rule: number; reason: string };
  /** The finding matched `waivers[rule]`: `active` keeps it out of the exit code; `expired` counts it again. */
  waiver?: { rule: number; status: 'active' | 'expired'; reason: string; owner: string; expires: string };
  /** Set on records of a merged run: where the record came from (its shard run, shard index, seq and original hash). */
  origin?: RecordOrigin;
  prevHash: string;
  hash: string;
}

/** A suite declared not applicable (`scope`), with the declared reason. */
export interface NotApplicableSuite {
  suite: string;
  reason: string;
}

/** One `accept` rule of the config and how many records it matched. */
export interface AcceptedDeviationInfo {
  rule: number;
  suite?: string;
  operation?: string;
  mutation?: string;
  channel?: string;
  reason: string;
  matched: number;
}

/** One waiver of the config at the end of the run: `stale` when it matched nothing. */
export interface WaiverInfo {
  rule: number;
  suite?: string;
  operation?: string;
  mutation?: string;
  verdict?: string;
  reason: string;
  owner: string;
  expires: string;
  matched: number;
  status: 'active' | 'expired' | 'stale';
}

/** The target's declared contract as the run applied it (`manifest.contract`); the report reads it from there. */
export interface ContractFacts {
  notApplicable: NotApplicableSuite[];
  accepted: AcceptedDeviationInfo[];
  waivers: WaiverInfo[];
}

/** How requests reached the target (manifest and report cover); never a credential. */
export interface TransportInfo {
  /** The proxy URL without user name or password, or `env` when HTTP_PROXY/HTTPS_PROXY were honoured. */
  proxy?: string;
  /** Certificate verification was skipped (`--insecure`). */
  insecure?: true;
  http2?: true;
}

/** Provenance of a record copied into a merged run (see `RunManifest.sources`). */
export interface RecordOrigin {
  runId: string;
  shard?: number;
  seq: number;
  hash: string;
}

/** An evidence record before the writer chains it: the writer assigns `seq`, `runId`, `prevHash` and `hash`. */
export type UnsignedEvidenceRecord = Omit<EvidenceRecord, 'seq' | 'runId' | 'prevHash' | 'hash'>;

/** One mutation of the catalogue, as listed in the manifest's methodology section. */
export interface MutationInfo {
  id: string;
  title: string;
  family: Family;
  description: string;
}

/** One configured operation as listed in the manifest; the report's coverage flags `tenantScoped` operations that no probe reached. */
export interface OperationInfo {
  id: string;
  method: string;
  path: string;
  tenantScoped: boolean;
}

/** One shard folder folded into a merged run, as listed in the merged manifest. */
export interface RunSource {
  /** Folder name as given to `tenancy-audit report` (informational). */
  dir: string;
  runId: string;
  shard?: { index: number; total: number };
  records: number;
  headHash: string;
  evidenceSha256: string;
  complete: boolean;
  /** The shard manifest's signature: thumbprint claimed and whether it was checked against a key during the merge. */
  signature?: { thumbprint: string; status: 'valid' | 'not-checked' };
}

/** Record totals of a run (`manifest.counts`), overall and per kind and verdict. */
export interface RunCounts {
  records: number;
  byKind: Partial<Record<EvidenceKind, number>>;
  byVerdict: Partial<Record<Verdict, number>>;
}

/** How politely an HTTP run treated its target (`manifest.politeness`): what 429/503 answers made it do. */
export interface PolitenessSummary {
  /** Times the request rate was halved (once per episode of refusals). */
  backoffs: number;
  /** Answers that were 429 or 503. */
  refused: number;
  /** Refused idempotent requests sent once more after the wait. */
  retried: number;
  /** Wall time (ms) new requests were held back by Retry-After. */
  waitedMs: number;
  /** The lowest request rate reached, in requests per second. */
  minRate: number;
}

/**
 * `manifest.json`: who, what, when, against what, how complete, and the head of the evidence chain.
 * When signed, `signature.jws` is a compact JWS whose payload is the canonical JSON of this object without `signature`.
 */
export interface RunManifest {
  v: 1;
  tool: { name: 'tenancy-audit'; version: string };
  kind: 'http' | 'db';
  runId: string;
  shard?: { index: number; total: number };
  startedAt: string;
  endedAt: string;
  complete: boolean;
  incompleteReason?: string;
  system: string;
  environment: string;
  target: { baseUrl?: string; database?: string };
  /** How an HTTP run reached its target: a proxy (URL without credentials, or `env` for HTTP(S)_PROXY), unverified TLS, HTTP/2. */
  transport?: TransportInfo;
  configHash: string;
  /** The config file as the run was given it (relative to where it ran), for replay lines. */
  configFile?: string;
  /** The resolved configuration with every secret redacted (method section of the report). */
  config: unknown;
  seed: number;
  runs: number;
  command: string;
  operator: { user?: string; host?: string; ci?: { provider: string; runUrl?: string; commit?: string; ref?: string } };
  suites: SuiteMeta[];
  mutations: MutationInfo[];
  /**
   * HTTP runs: what the legit-token source did. `fetched` tokens obtained, `refreshes` re-obtained for a tenant that
   * had one (before expiry or after a 401 on a positive control: `forcedRefreshes`); `closingControls` when the
   * positive controls ran again after the probes because tokens expired or were replaced during the run.
   */
  identity?: { source: string; refreshable: boolean; fetched: number; refreshes: number; forcedRefreshes: number; closingControls: boolean };
  operations: OperationInfo[];
  tenants: string[];
  /** HTTP runs: back-offs, waits and the lowest rate reached (see {@link PolitenessSummary}). */
  politeness?: PolitenessSummary;
  counts: RunCounts;
  headHash: string;
  evidenceSha256: string;
  exitCode: number;
  /** HTTP runs: suites declared not applicable, accepted deviations and waivers, with what each matched. */
  contract?: ContractFacts;
  /** `--fail-on` level the run judged with (default `soft-fail`); reports use it for the overall result. */
  failOn?: FailLevel;
  /** `prevHash` of the first record when it is not the default genesis (`sha256("tenancy-audit:genesis:<runId>")`). */
  genesisHash?: string;
  /** The run before this one in the same report folder (or `--previous`): its id and head hash, a link of the history `verify --chain` walks. */
  previous?: { runId: string; headHash: string; dir?: string };
  /** Set on a merged run: the shard runs it was built from, in merge order. */
  sources?: RunSource[];
  signature?: { alg: string; kid?: string; thumbprint: string; jws: string };
}
