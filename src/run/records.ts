import type { Family, PathKind, SuiteMeta, UnsignedEvidenceRecord } from '../core/types.ts';
import type { CellFinding, CellOutcome } from './cell.ts';
import type { ControlResult } from './controls.ts';
import type { CaseResult } from './execute-probe.ts';
import type { PlannedCell } from './plan.ts';

/** Evidence records of a run: positive controls, fired cases, minimal counterexamples, blocked cells. */
export function controlRecord(suite: SuiteMeta, control: ControlResult, seed: number): UnsignedEvidenceRecord {
  const first = control.steps[0]!;
  return {
    v: 1,
    kind: 'control',
    suite: suite.id,
    family: suite.families[0] as Family,
    path: suite.paths[0] as PathKind,
    operation: control.operation,
    mutation: { id: 'positive-control', title: 'legit request with own objects' },
    actor: control.tenant,
    victim: null,
    seed,
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

export function probeRecord(result: CaseResult, seed: number): UnsignedEvidenceRecord {
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

export function findingRecord(planned: PlannedCell, outcome: CellOutcome, finding: CellFinding): UnsignedEvidenceRecord {
  const { result, replayPath, shrinks } = finding;
  return {
    ...probeRecord(result, outcome.seed),
    kind: 'finding',
    replayPath,
    steps: result.steps,
    detail: `${result.judgement.detail}; minimal counterexample after ${shrinks} shrink step(s) over ${outcome.probes} probe(s) of ${planned.cell.key}`,
  };
}

export function blockedRecord(planned: PlannedCell, seed: number): UnsignedEvidenceRecord {
  const { suite, cell } = planned;
  return {
    v: 1,
    kind: 'probe',
    suite: suite.id,
    family: suite.families[0] as Family,
    path: suite.paths[0] as PathKind,
    operation: cell.operation,
    mutation: { id: 'not-run', title: 'probes not run: the positive control failed' },
    seed,
    verdict: 'inconclusive',
    reason: 'control-failed',
    detail: `the positive control of ${cell.operation} failed, so its probes (${cell.key}) could not be judged`,
    startedAt: new Date().toISOString(),
    durationMs: 0,
  };
}
