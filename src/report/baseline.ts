import type { FindingGroupView, ReportModel } from './model-types.ts';
import { rootCauseKey } from './views/finding-groups.ts';

/** Findings by root cause relative to a baseline run: how many are new, still open and fixed, and the gate on new ones. */
export interface TrendView {
  baselineRunId: string;
  new: number;
  open: number;
  fixed: number;
  /** The exit code when only new findings fail the run (`--fail-on-new`): 1 with a new one, else 3 when inconclusive, else 0. */
  exitCodeOnNew: number;
}

const keyOf = (g: Pick<FindingGroupView, 'suite' | 'mutation'>) => rootCauseKey({ suite: g.suite, mutation: { id: g.mutation.id, ...(g.mutation.channel ? { channel: g.mutation.channel } : {}) } });

/**
 * Marks each root cause of `model` `new` or `open` against the baseline's, lists the baseline's root causes that are
 * gone as fixed, and sets the trend (pure; the baseline is the model of the earlier run).
 */
export function applyBaseline(model: ReportModel, baseline: Pick<ReportModel, 'run' | 'findings'>): void {
  const before = new Map(baseline.findings.groups.map((g) => [keyOf(g), g]));
  const now = new Set<string>();
  for (const group of model.findings.groups) {
    const key = keyOf(group);
    now.add(key);
    group.trend = before.has(key) ? 'open' : 'new';
  }
  model.fixedGroups = baseline.findings.groups.filter((g) => !now.has(keyOf(g))).map((g) => ({ title: g.title, suite: g.suite, verdict: g.verdict }));
  const fresh = model.findings.groups.filter((g) => g.trend === 'new').length;
  const inconclusive = !model.run.complete || model.suites.some((s) => s.status === 'inconclusive') || model.overall.result === 'inconclusive';
  model.trend = {
    baselineRunId: baseline.run.runId,
    new: fresh,
    open: model.findings.groups.length - fresh,
    fixed: model.fixedGroups.length,
    exitCodeOnNew: fresh > 0 ? 1 : inconclusive ? 3 : 0,
  };
}
