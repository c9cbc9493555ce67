import type { ReportModel, RequirementView } from '../model-types.ts';
import { uuidV5 } from '../views/run.ts';

const OSCAL_VERSION = '1.0.4';

/** OSCAL date-times without fractional seconds (the 1.0.x schema's pattern does not accept them). */
function oscalTime(iso: string): string {
  return iso.replace(/\.\d+(Z|[+-]\d{2}:\d{2})$/, '$1');
}

/** An OSCAL token from a control id: `CC6.1` → `soc2-cc6.1`, `5.15` → `iso27001-5.15`. */
function controlToken(framework: string, id: string): string {
  return `${framework.toLowerCase().replace(/[^a-z0-9]/g, '')}-${id.toLowerCase().replace(/[^a-z0-9.\-_]/g, '-')}`;
}

/**
 * `assessment-results.oscal.json`: an OSCAL assessment-results document. One result for the run; every in-scope
 * control is a reviewed control; one observation per root cause and per suite; a finding per control that was
 * judged (`satisfied` when Effective, `not-satisfied` with an Exception). Inconclusive and not-tested controls get
 * no finding (never a satisfied one) and are named in the result's remarks.
 */
export function renderOscal(model: ReportModel): string {
  const id = (name: string) => uuidV5(`${model.reportId}\n${name}`);
  const now = oscalTime(model.generatedAt);
  const start = oscalTime(model.run.startedAt || model.generatedAt);
  const groupObservations = model.findings.groups.map((g) => ({
    uuid: id(`group ${g.id}`),
    title: `${g.id} ${g.title}`,
    description: `${g.verdictLabel} (${g.severity}) in ${g.suite}: ${g.title}. Affected: ${g.operations.join(', ')}. Reproduce: ${g.replay}`,
    methods: ['TEST'],
    types: ['finding'],
    collected: start,
    ...(g.remediation ? { remarks: `Remediation: ${g.remediation}` } : {}),
  }));
  const suiteObservations = model.suites.map((s) => ({
    uuid: id(`suite ${s.id}`),
    title: `${s.id}: ${s.status}`,
    description: `${s.title}. ${s.statusReason} (${s.judged} judged, positive controls ${s.positiveControls.passed} live / ${s.positiveControls.failed} failed).`,
    methods: ['TEST'],
    types: ['control-objective'],
    collected: start,
  }));
  const judged: { framework: string; r: RequirementView }[] = [];
  const unjudged: string[] = [];
  // Effective only on complete, verified evidence: otherwise the control is left unjudged, never `satisfied`.
  const trusted = model.run.complete && model.integrity.ok;
  for (const f of model.frameworks) {
    for (const r of f.requirements) {
      if ((r.status === 'effective' && trusted) || r.status === 'exception') judged.push({ framework: f.framework, r });
      else unjudged.push(`${f.framework} ${r.id} ${r.statusLabel}${r.reason ? ` (${r.reason})` : ''}`);
    }
  }
  const findings = judged.map(({ framework, r }) => {
    const suites = new Set(r.suites.map((s) => s.id));
    const related = [
      ...model.findings.groups.filter((g) => suites.has(g.suite)).map((g) => id(`group ${g.id}`)),
      ...model.suites.filter((s) => suites.has(s.id)).map((s) => id(`suite ${s.id}`)),
    ];
    return {
      uuid: id(`finding ${framework} ${r.id}`),
      title: `${framework} ${r.id} ${r.name}: ${r.statusLabel}`,
      description: r.reason,
      target: { type: 'objective-id', 'target-id': controlToken(framework, r.id), status: { state: r.status === 'effective' ? 'satisfied' : 'not-satisfied' } },
      ...(related.length > 0 ? { 'related-observations': related.map((uuid) => ({ 'observation-uuid': uuid })) } : {}),
    };
  });
  const controls = model.frameworks.flatMap((f) => f.requirements.map((r) => ({ 'control-id': controlToken(f.framework, r.id) })));
  const observations = [...groupObservations, ...suiteObservations];
  const doc = {
    'assessment-results': {
      uuid: model.reportId,
      metadata: {
        title: `Tenant isolation assessment — ${model.run.system} (${model.run.environment})`,
        'last-modified': now,
        version: model.tool.version,
        'oscal-version': OSCAL_VERSION,
      },
      'import-ap': { href: '#', remarks: `No separate assessment plan: the plan is the configuration (hash ${model.run.configHash}) and the suites listed in the report.` },
      results: [
        {
          uuid: id('result'),
          title: `${model.overall.label}: ${model.overall.headline}`,
          description: `tenancy-audit run ${model.run.runId} (seed ${model.run.seed ?? 'unknown'}), evidence head ${model.integrity.headHash}.`,
          start,
          ...(model.run.endedAt ? { end: oscalTime(model.run.endedAt) } : {}),
          'reviewed-controls': { 'control-selections': [controls.length > 0 ? { 'include-controls': controls } : { 'include-all': {} }] },
          ...(observations.length > 0 ? { observations } : {}),
          ...(findings.length > 0 ? { findings } : {}),
          ...(unjudged.length > 0 ? { remarks: `Not judged (no finding is recorded for them): ${unjudged.join('; ')}.` } : {}),
        },
      ],
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
