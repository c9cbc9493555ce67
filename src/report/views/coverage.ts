import type { RunManifest } from '../../core/types.ts';
import type { Redactor } from '../../evidence/redact.ts';
import type { CoverageRow, ReportModel, SuiteReport } from '../model-types.ts';
import type { CoverageCell } from '../record-tally.ts';
import { sum, worstOf } from '../verdict-counts.ts';
import { stepsOf } from './evidence.ts';

/**
 * The coverage (population) table: one row per cell in suite, operation, family and path order, up to `limit` rows;
 * and the manifest's operations, each marked probed or not.
 */
export function coverageView(
  cells: ReadonlyMap<string, CoverageCell>,
  suites: readonly SuiteReport[],
  manifest: Partial<RunManifest> | null,
  probedOps: ReadonlySet<string>,
  findingIdByHash: ReadonlyMap<string, string>,
  redact: Redactor,
  limit: number,
): ReportModel['coverage'] {
  const opInfo = new Map((manifest?.operations ?? []).map((o) => [o.id, o]));
  const cellList = [...cells.values()].sort(
    (a, b) => suiteOrder(suites, a.suite) - suiteOrder(suites, b.suite) || a.operation.localeCompare(b.operation) || a.family.localeCompare(b.family) || a.path.localeCompare(b.path),
  );
  const rows: CoverageRow[] = cellList.slice(0, limit).map((c) => {
    const info = opInfo.get(c.operation);
    const row: CoverageRow = {
      suite: c.suite,
      operation: c.operation,
      operationLabel: info ? `${info.method} ${info.path}` : '',
      family: c.family,
      path: c.path,
      total: sum(c.counts),
      counts: c.counts,
      worst: worstOf(c.counts),
      findingIds: c.findingHashes.map((h) => findingIdByHash.get(h) ?? h.slice(0, 12)),
      findingVerdicts: c.findingVerdicts,
    };
    if (c.example) {
      row.example = { seq: c.example.seq, verdict: c.example.verdict, reason: redact.text(c.example.reason), detail: redact.text(c.example.detail), steps: stepsOf(c.example, redact, 600) };
    }
    return row;
  });
  return {
    rows,
    omittedRows: Math.max(0, cellList.length - rows.length),
    operations: (manifest?.operations ?? []).map((o) => ({ ...o, probed: probedOps.has(o.id) })),
    unprobed: (manifest?.operations ?? []).filter((o) => o.tenantScoped && !probedOps.has(o.id)).map((o) => `${o.id} (${o.method} ${o.path})`),
  };
}

function suiteOrder(suites: readonly SuiteReport[], id: string): number {
  const i = suites.findIndex((s) => s.id === id);
  return i < 0 ? suites.length : i;
}
