import type { RunManifest } from '../../core/types.ts';
import type { FailLevel, Verdict } from '../../core/verdict.ts';
import { failsAt } from '../../core/verdict.ts';
import type { IntegrityView, OverallResult, ReportModel, SuiteReport } from '../model-types.ts';

/**
 * The report's overall result, exit code and headline: `fail` when a suite failed; `inconclusive` when a suite was
 * unsure or did not run, no suite ran, the run is missing or incomplete, or the integrity check did not pass;
 * then `warn`, then `pass`.
 */
export function overallOf(
  allSuites: readonly SuiteReport[],
  verdictTotals: readonly Record<Verdict, number>[],
  failOn: FailLevel,
  m: Partial<RunManifest> | null,
  integrity: IntegrityView,
): ReportModel['overall'] {
  // Suites declared not applicable are listed, but neither pass nor hold up the result.
  const suites = allSuites.filter((s) => s.status !== 'not-applicable');
  const failed = suites.filter((s) => s.status === 'fail');
  const unsure = suites.filter((s) => s.status === 'inconclusive' || s.status === 'not-run');
  const warned = suites.filter((s) => s.status === 'warn');
  const reasons: string[] = [];
  for (const s of failed) reasons.push(`${s.id}: ${s.statusReason}`);
  for (const s of unsure) reasons.push(`${s.id}: ${s.status === 'not-run' ? 'did not run' : s.statusReason}`);
  if (suites.length === 0) reasons.push('no suite ran');
  if (!m) reasons.push('manifest missing: the run did not finish');
  else if (!m.complete) reasons.push(`run incomplete${m.incompleteReason ? `: ${m.incompleteReason}` : ''}`);
  if (!integrity.ok) reasons.push(integrity.checked ? `evidence integrity check failed${integrity.firstBadRecord ? ` at ${integrity.firstBadRecord}` : ''}` : 'evidence integrity not checked');
  for (const s of warned) reasons.push(`${s.id}: ${s.statusReason}`);

  let result: OverallResult;
  if (failed.length > 0) result = 'fail';
  else if (unsure.length > 0 || suites.length === 0 || !m || !m.complete || !integrity.ok) result = 'inconclusive';
  else if (warned.length > 0) result = 'warn';
  else result = 'pass';
  const failsExit = verdictTotals.some((totals) => (Object.entries(totals) as [Verdict, number][]).some(([v, c]) => c > 0 && failsAt(v, failOn)));
  const exitCode = failsExit ? 1 : result === 'inconclusive' || result === 'fail' ? 3 : 0;
  const label = { pass: 'PASS', warn: 'PASS WITH WARNINGS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE' }[result];
  const headline =
    result === 'fail'
      ? `${failed.length} of ${suites.length} suites found tenancy failures: ${failed.map((s) => `${s.id} (${s.statusReason})`).join('; ')}`
      : result === 'inconclusive'
        ? `Nothing failed, but the run does not prove fail-closed behaviour: ${reasons.slice(0, 3).join('; ')}`
        : result === 'warn'
          ? `All ${suites.length} suites failed closed with live positive controls; ${warned.length} rejected some probes with 5xx`
          : `All ${suites.length} suites failed closed with live positive controls`;
  return { result, label, exitCode, headline, reasons, failOn };
}
