import type { Verdict } from '../../core/verdict.ts';
import type { ReportModel } from '../model-types.ts';

/** `summary.json`: counts per suite and verdict, control status counts, overall result and exit code. */
export function renderSummaryJson(model: ReportModel): string {
  const counts = (list: readonly { verdict: Verdict; count: number }[]) => Object.fromEntries(list.map((v) => [v.verdict, v.count]));
  const summary = {
    schema: 'tenancy-audit/summary@1',
    reportId: model.reportId,
    generatedAt: model.generatedAt,
    tool: model.tool,
    runId: model.run.runId,
    system: model.run.system,
    environment: model.run.environment,
    complete: model.run.complete,
    overall: model.overall.result,
    exitCode: model.overall.exitCode,
    failOn: model.overall.failOn,
    reasons: model.overall.reasons,
    counts: { records: model.totals.records, judged: model.totals.judged, positiveControls: model.totals.controls, findings: model.totals.findings, byVerdict: counts(model.totals.verdicts) },
    suites: model.suites.map((s) => ({
      id: s.id,
      status: s.status,
      reason: s.statusReason,
      severity: s.severity,
      judged: s.judged,
      findings: s.findings,
      positiveControls: s.positiveControls,
      verdicts: counts(s.verdicts),
    })),
    controls: model.frameworks.map((f) => ({
      framework: f.framework,
      file: f.file,
      sha256: f.sha256,
      counts: f.counts,
      requirements: f.requirements.map((r) => ({ id: r.id, status: r.status, suites: r.suites.map((s) => s.id) })),
      outOfScope: f.outOfScope.map((r) => r.id),
    })),
    ...(model.trend ? { trend: model.trend, fixed: model.fixedGroups ?? [] } : {}),
    findingGroups: model.findings.groups.map((g) => ({ id: g.id, title: g.title, suite: g.suite, verdict: g.verdict, severity: g.severity, mutation: g.mutation.id, channel: g.mutation.channel || undefined, operations: g.operations, findings: g.members.map((m) => m.findingId), replay: g.replay, ...(g.trend ? { trend: g.trend } : {}) })),
    findings: model.findings.items.map((f) => ({ id: f.id, suite: f.suite, verdict: f.verdict, severity: f.severity, reason: f.reason, operation: f.operation, seq: f.seq, hash: f.hash })),
    integrity: {
      verified: model.integrity.checked && model.integrity.ok,
      headHash: model.integrity.headHash,
      evidenceSha256: model.integrity.evidenceSha256,
      signature: model.integrity.signature,
      thumbprint: model.integrity.thumbprint || undefined,
      problems: model.integrity.problems,
      verifyCommand: model.integrity.verifyCommand,
    },
    problems: model.problems,
    contract: {
      notApplicable: model.contract.notApplicable,
      accepted: model.contract.accepted.rules,
      waivers: model.contract.exceptions.waivers.map(({ statusLabel: _label, ...w }) => w),
    },
  };
  return `${JSON.stringify(summary, null, 2)}\n`;
}
