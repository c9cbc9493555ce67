import type { SuiteMeta } from '../../core/types.ts';
import type { FailLevel } from '../../core/verdict.ts';
import { suiteStatus } from '../../judge/suite-status.ts';
import type { LoadedCatalogue, SuiteOutcome } from '../controls.ts';
import type { SuiteReport } from '../model-types.ts';
import type { SuiteRecordTally } from '../record-tally.ts';
import { sum, verdictCounts } from '../verdict-counts.ts';

/** An HTML anchor for an id: `prefix-id`, every run of other characters than letters, digits, `_` and `-` made `-`. */
export function anchorOf(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

/**
 * One report per tallied suite (in the tally's order), with its status and the outcome the control matrix reads.
 * A suite seen in records but not declared in the manifest is reported in `problems`.
 */
export function suiteReports(
  tallies: ReadonlyMap<string, SuiteRecordTally>,
  metas: ReadonlyMap<string, SuiteMeta>,
  failOn: FailLevel,
  problems: string[],
  notApplicable: ReadonlyMap<string, string> = new Map(),
): { suites: SuiteReport[]; outcomes: Map<string, SuiteOutcome> } {
  const suites: SuiteReport[] = [];
  const outcomes = new Map<string, SuiteOutcome>();
  for (const [id, t] of tallies) {
    const meta = metas.get(id);
    if (!meta) problems.push(`records name suite ${id}, which the manifest does not declare`);
    // A declaration never hides evidence: a suite declared not applicable that still recorded something is judged on it.
    const recorded = Object.values(t.verdicts).some((n) => (n ?? 0) > 0) || t.controlsPassed + t.controlsFailed > 0;
    const declaredReason = recorded ? undefined : notApplicable.get(id);
    if (recorded && notApplicable.has(id)) problems.push(`suite ${id} is declared not applicable but recorded evidence: it is judged on that evidence`);
    const { status, reason } =
      declaredReason !== undefined ? { status: 'not-applicable' as const, reason: `not applicable (declared: ${declaredReason})` } : suiteStatus({ ...t, findings: t.findingVerdicts, dataLayer: meta?.families.includes('data-layer') ?? false }, failOn);
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
  return { suites, outcomes };
}

/** Problems for each control a suite's metadata cites that its framework's catalogue does not list. */
export function citationProblems(suites: readonly SuiteReport[], catalogues: readonly LoadedCatalogue[]): string[] {
  const problems: string[] = [];
  for (const s of suites) {
    for (const [key, ids] of [['SOC2', s.controls.soc2], ['ISO27001', s.controls.iso27001]] as const) {
      const cat = catalogues.find((c) => c.catalogue.framework === key);
      for (const cid of ids) if (cat && !cat.catalogue.requirements.some((r) => r.id === cid)) problems.push(`suite ${s.id} cites ${key} ${cid}, which ${cat.file} does not list`);
    }
  }
  return problems;
}
