import type { FindingGroupView, ReportModel } from '../model-types.ts';
import { uuidV5 } from '../views/run.ts';

const LEVEL: Record<string, 'error' | 'warning' | 'note'> = { leak: 'error', 'fail-open': 'error', 'soft-fail': 'warning', 'closed-by-error': 'note', inconclusive: 'note', pass: 'note' };
const SECURITY_SEVERITY: Record<string, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', unknown: '8.0' };

/**
 * `report.sarif` (SARIF 2.1.0) for code-scanning dashboards: one rule per suite (its title, description, remediation
 * and severity), one result per root cause (suite × mutation × channel), located at the URL of each affected
 * operation (a database object as a logical location).
 */
export function renderSarif(model: ReportModel): string {
  const ruled = model.suites.filter((s) => model.findings.groups.some((g) => g.suite === s.id) || s.declared);
  const ruleIndex = new Map(ruled.map((s, i) => [s.id, i]));
  const urlOf = urlResolver(model);
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tenancy-audit',
            version: model.tool.version,
            semanticVersion: model.tool.version,
            rules: ruled.map((s) => ({
              id: s.id,
              name: s.id.replace(/(^|[.-])(\w)/g, (_, _sep: string, c: string) => c.toUpperCase()),
              shortDescription: { text: s.title },
              fullDescription: { text: s.description || s.title },
              help: { text: s.remediation || s.title },
              defaultConfiguration: { level: 'error' },
              properties: { tags: ['security', 'multi-tenancy', ...s.families], 'security-severity': SECURITY_SEVERITY[s.severity] ?? '8.0', severity: s.severity, soc2: [...s.controls.soc2], iso27001: [...s.controls.iso27001] },
            })),
          },
        },
        automationDetails: { id: `tenancy-audit/${model.run.system}/${model.run.runId}` },
        // A run that could not judge (dead positive controls, broken evidence) did not execute successfully, whatever it found.
        invocations: [{ executionSuccessful: model.run.complete && model.integrity.ok && model.overall.result !== 'inconclusive', commandLine: model.run.command || 'tenancy-audit run', ...(model.run.startedAt ? { startTimeUtc: model.run.startedAt } : {}), ...(model.run.endedAt ? { endTimeUtc: model.run.endedAt } : {}) }],
        results: model.findings.groups.map((g) => ({
          ruleId: g.suite,
          ...(ruleIndex.has(g.suite) ? { ruleIndex: ruleIndex.get(g.suite) } : {}),
          level: LEVEL[g.verdict] ?? 'error',
          message: { text: `${g.title}: ${g.operations.join(', ')} (${g.verdictLabel}; tenants ${g.tenants.join(', ')}). Reproduce: ${g.replay}` },
          ...(g.path === 'db'
            ? { locations: g.operations.map((op) => ({ logicalLocations: [{ fullyQualifiedName: op, kind: 'table' }] })) }
            : { locations: g.members.map((m) => ({ physicalLocation: { artifactLocation: { uri: urlOf(g, m.findingId, m.operation) } }, message: { text: `${m.operation}: ${m.reason}` } })) }),
          ...(g.trend ? { baselineState: g.trend === 'new' ? 'new' : 'unchanged' } : {}),
          partialFingerprints: { rootCause: uuidV5(`${g.suite}\n${g.mutation.id}\n${g.mutation.channel}`) },
          properties: { verdict: g.verdict, severity: g.severity, mutation: g.mutation.id, channel: g.mutation.channel, operations: g.operations, tenants: g.tenants, replay: g.replay, ...(g.trend ? { trend: g.trend } : {}) },
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** The recorded request URL of a member's finding, else the target's base URL with the operation's path. */
function urlResolver(model: ReportModel): (g: FindingGroupView, findingId: string, operation: string) => string {
  const items = new Map(model.findings.items.map((f) => [f.id, f]));
  const ops = new Map(model.coverage.operations.map((o) => [o.id, o]));
  return (_g, findingId, operation) => {
    const recorded = items.get(findingId)?.steps.find((s) => s.request)?.request?.url;
    if (recorded && isUri(recorded)) return recorded;
    const path = ops.get(operation)?.path.replace(/\{\{\s*([^}]+?)\s*\}\}/g, ':$1');
    const base = model.run.target.replace(/\/$/, '');
    return isUri(`${base}${path ?? ''}`) ? `${base}${path ?? ''}` : base;
  };
}

function isUri(s: string): boolean {
  try {
    return Boolean(new URL(s).protocol) && !/[{}\s]/.test(s);
  } catch {
    return false;
  }
}
