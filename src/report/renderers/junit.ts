import type { Verdict } from '../../core/verdict.ts';
import { displayRank, isFailing } from '../../judge/suite-status.ts';
import type { CoverageRow, FindingView, ReportModel, StepView, SuiteReport } from '../model-types.ts';

/**
 * Renders `junit.xml` for CI: one `<testsuite>` per suite, one `<testcase>` per suite × operation × family
 * (`classname` = suite id).
 * - `<failure>`: a leak, fail-open or soft-fail in the cell (or any verdict at `--fail-on`), with the counterexample steps and curl;
 * - `<error>`: nothing failed but nothing was proven — an inconclusive probe in the cell, or the suite's positive control
 *   failed / was never recorded, or the suite did not run. Errors keep CI from showing green for a vacuous run;
 * - closed-by-error (5xx) passes with a warning in `<system-out>`.
 */
export function renderJunit(model: ReportModel): string {
  const failOn = model.overall.failOn;
  const bySuite = new Map<string, CoverageRow[]>();
  for (const row of model.coverage.rows) {
    const key = `${row.suite}\u0000${row.operation}\u0000${row.family}`;
    const list = bySuite.get(row.suite) ?? [];
    const same = list.find((r) => `${r.suite}\u0000${r.operation}\u0000${r.family}` === key);
    if (same) mergeInto(same, row);
    else list.push(cloneRow(row));
    bySuite.set(row.suite, list);
  }
  const findings = new Map(model.findings.items.map((f) => [f.id, f]));
  let tests = 0;
  let failures = 0;
  let errors = 0;
  const suites = model.suites.map((suite) => {
    const cases = (bySuite.get(suite.id) ?? []).map((row) => testcase(suite, row, findings, failOn));
    if (cases.length === 0) cases.push(emptySuiteCase(suite));
    const f = cases.filter((c) => c.kind === 'failure').length;
    const e = cases.filter((c) => c.kind === 'error').length;
    const skipped = cases.filter((c) => c.kind === 'skipped').length;
    tests += cases.length;
    failures += f;
    errors += e;
    return `  <testsuite name="${x(suite.id)}" tests="${cases.length}" failures="${f}" errors="${e}" skipped="${skipped}">\n    <properties>\n      <property name="status" value="${x(suite.status)}"/>\n      <property name="severity" value="${x(suite.severity)}"/>\n      <property name="positive-controls" value="${suite.positiveControls.passed} live, ${suite.positiveControls.failed} failed"/>\n    </properties>\n${cases.map((c) => c.xml).join('\n')}\n  </testsuite>`;
  });
  const props = [
    ['run', model.run.runId],
    ['result', model.overall.result],
    ['exit-code', String(model.overall.exitCode)],
    ['head-hash', model.integrity.headHash],
    ['evidence-sha256', model.integrity.evidenceSha256],
    ['omitted-cells', String(model.coverage.omittedRows)],
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tenancy-audit" tests="${tests}" failures="${failures}" errors="${errors}">`,
    `  <properties>\n${props.map(([k, v]) => `    <property name="${x(k ?? '')}" value="${x(v ?? '')}"/>`).join('\n')}\n  </properties>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

interface Case {
  kind: 'pass' | 'failure' | 'error' | 'skipped';
  xml: string;
}

function testcase(suite: SuiteReport, row: CoverageRow, findings: ReadonlyMap<string, FindingView>, failOn: ReportModel['overall']['failOn']): Case {
  const name = `${row.operation} × ${row.family}`;
  const open = `    <testcase classname="${x(suite.id)}" name="${x(name)}">`;
  const failing = (Object.entries(row.counts) as [Verdict, number][]).filter(([v, c]) => c > 0 && isFailing(v, failOn));
  for (const v of row.findingVerdicts) if (isFailing(v, failOn) && !failing.some(([w]) => w === v)) failing.push([v, 0]);
  const counts = (Object.entries(row.counts) as [Verdict, number][]).filter(([, c]) => c > 0).map(([v, c]) => `${c} ${v}`).join(', ');
  if (failing.length > 0) {
    const f = row.findingIds.map((id) => findings.get(id)).find((v) => v !== undefined);
    const body = f
      ? [`${f.id} ${f.verdict}: ${f.reason}${f.detail ? ` — ${f.detail}` : ''}`, `mutation ${f.mutation.id} · seed ${f.seed}${f.replayPath ? ` · replay path ${f.replayPath}` : ''} · seq ${f.seq}`, stepsText(f.steps), f.remediation ? `Remediation: ${f.remediation}` : '']
      : row.example
        ? [`${row.example.verdict}: ${row.example.reason}${row.example.detail ? ` — ${row.example.detail}` : ''} (seq ${row.example.seq})`, stepsText(row.example.steps)]
        : [counts];
    const worst = failing.map(([v]) => v).sort((a, b) => displayRank(b) - displayRank(a))[0] ?? 'leak';
    const message = `${counts || 'no failing probe recorded'}${row.findingIds.length > 0 ? `; findings ${row.findingIds.join(', ')}` : ''} (${row.path})`;
    return { kind: 'failure', xml: `${open}\n      <failure type="${x(worst)}" message="${x(message)}">${x(body.filter(Boolean).join('\n\n'))}</failure>\n    </testcase>` };
  }
  const inconclusive = row.counts.inconclusive > 0;
  if (inconclusive || suite.status === 'inconclusive' || suite.status === 'not-run') {
    const why = inconclusive ? `${row.counts.inconclusive} probes inconclusive${row.example ? `: ${row.example.reason}` : ''}` : `suite inconclusive: ${suite.statusReason}`;
    return { kind: 'error', xml: `${open}\n      <error type="inconclusive" message="${x(why)}">${x(`${why}\nNothing was proven for this cell; inconclusive is never a pass.\n${counts}`)}</error>\n    </testcase>` };
  }
  const warn = row.counts['closed-by-error'] > 0 ? `\n      <system-out>${x(`warning: ${row.counts['closed-by-error']} probes rejected with 5xx (closed by error) — closed, but the gateway or handler missed it. ${counts}`)}</system-out>` : '';
  return { kind: 'pass', xml: `${open}${warn}\n    </testcase>` };
}

function emptySuiteCase(suite: SuiteReport): Case {
  if (suite.status === 'not-applicable') {
    return { kind: 'skipped', xml: `    <testcase classname="${x(suite.id)}" name="(suite)">\n      <skipped message="${x(suite.statusReason)}"/>\n    </testcase>` };
  }
  const why = suite.status === 'not-run' ? 'the suite did not run' : suite.statusReason;
  return {
    kind: 'error',
    xml: `    <testcase classname="${x(suite.id)}" name="(suite)">\n      <error type="${x(suite.status)}" message="${x(why)}">${x(`${why}; no probe was judged`)}</error>\n    </testcase>`,
  };
}

function stepsText(steps: readonly StepView[]): string {
  return steps
    .map((s) =>
      [
        `${s.n}. ${s.title}${s.note ? ` — ${s.note}` : ''}`,
        s.request ? `   ${s.request.method} ${s.request.url}` : '',
        s.response ? `   → HTTP ${s.response.status} ${s.response.excerpt.slice(0, 300)}` : '',
        s.curl ? `   ${s.curl}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    )
    .join('\n');
}

function cloneRow(row: CoverageRow): CoverageRow {
  return { ...row, counts: { ...row.counts }, findingIds: [...row.findingIds], findingVerdicts: [...row.findingVerdicts] };
}

function mergeInto(into: CoverageRow, row: CoverageRow): void {
  for (const [v, c] of Object.entries(row.counts) as [Verdict, number][]) into.counts[v] += c;
  into.total += row.total;
  into.findingIds.push(...row.findingIds);
  into.findingVerdicts.push(...row.findingVerdicts);
  into.path = `${into.path}, ${row.path}` as CoverageRow['path'];
  if (!into.example || (row.example && displayRank(row.example.verdict) > displayRank(into.example.verdict))) {
    if (row.example) into.example = row.example;
  }
}

/** XML text/attribute escape, dropping characters XML 1.0 cannot carry. */
function x(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
