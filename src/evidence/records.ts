import type { EvidenceStep, Family, PathKind, SuiteMeta, UnsignedEvidenceRecord } from '../core/types.ts';
import type { Judgement } from '../core/verdict.ts';
import type { CaseMeta } from '../generate/space.ts';

/** One fired case, judged: what the engine records and the shrinker compares. */
export interface JudgedCase {
  meta: CaseMeta;
  judgement: Judgement;
  /** The mutated request first, then any read-back that looked for side effects. */
  steps: EvidenceStep[];
  startedAt: string;
  durationMs: number;
  /** The case applied no mutation (e.g. a sequence of legit steps only): it tested nothing and is not recorded. */
  untested?: boolean;
}

/** A positive control: a legit request by `tenant` with its own objects, judged. */
export interface JudgedControl {
  operation: string;
  tenant: string;
  judgement: Judgement;
  steps: EvidenceStep[];
  startedAt: string;
  durationMs: number;
}

/** A cell of a suite, as its records name it. */
export interface CellRef {
  suite: SuiteMeta;
  operation: string;
  /** The cell's stable key (`identity.missing/list-projects/…`). */
  key: string;
}

/** The members of a record a suite-level event shares (a control, a blocked cell): its suite's first family and path. */
function suiteRecordHead(kind: 'control' | 'probe', suite: SuiteMeta, operation: string, seed: number) {
  return { v: 1 as const, kind, suite: suite.id, family: suite.families[0] as Family, path: suite.paths[0] as PathKind, operation, seed };
}

/** Evidence records of a run: positive controls, fired cases, minimal counterexamples, blocked cells. */
export function controlRecord(suite: SuiteMeta, control: JudgedControl, seed: number): UnsignedEvidenceRecord {
  const first = control.steps[0]!;
  return {
    ...suiteRecordHead('control', suite, control.operation, seed),
    mutation: { id: 'positive-control', title: 'legit request with own objects' },
    actor: control.tenant,
    victim: null,
    ...(first.request ? { request: first.request } : {}),
    ...(first.response ? { response: first.response } : {}),
    steps: control.steps,
    verdict: control.judgement.verdict,
    reason: control.judgement.reason,
    detail: control.judgement.detail,
    startedAt: control.startedAt,
    durationMs: control.durationMs,
  };
}

export function probeRecord(result: JudgedCase, seed: number): UnsignedEvidenceRecord {
  const { meta: probe, judgement, steps } = result;
  const first = steps[0] ?? { n: 0, title: '' };
  return {
    v: 1,
    kind: 'probe',
    suite: probe.suite,
    family: probe.family,
    path: probe.path,
    operation: probe.operation,
    mutation: probe.mutation,
    actor: probe.actor,
    victim: probe.victim,
    seed,
    ...(first.request ? { request: first.request } : {}),
    ...(first.response ? { response: first.response } : {}),
    ...(steps.length > 1 ? { steps } : {}),
    verdict: judgement.verdict,
    reason: judgement.reason,
    detail: judgement.detail,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
  };
}

/** A minimal counterexample: the shrunk case, where it sits in the property's run (replay path), and how it was found. */
export function findingRecord(
  cell: CellRef,
  outcome: { seed: number; probes: number },
  finding: { result: JudgedCase; replayPath: string; shrinks: number },
): UnsignedEvidenceRecord {
  const { result, replayPath, shrinks } = finding;
  return {
    ...probeRecord(result, outcome.seed),
    kind: 'finding',
    replayPath,
    steps: result.steps,
    detail: `${result.judgement.detail}; minimal counterexample after ${shrinks} shrink step(s) over ${outcome.probes} probe(s) of ${cell.key}`,
  };
}

/** Probes that cannot be judged because the cell's positive control did not pass: one inconclusive record. */
export function blockedRecord(cell: CellRef, seed: number): UnsignedEvidenceRecord {
  return {
    ...suiteRecordHead('probe', cell.suite, cell.operation, seed),
    mutation: { id: 'not-run', title: 'probes not run: the positive control failed' },
    verdict: 'inconclusive',
    reason: 'control-failed',
    detail: `the positive control of ${cell.operation} failed, so its probes (${cell.key}) could not be judged`,
    startedAt: new Date().toISOString(),
    durationMs: 0,
  };
}
