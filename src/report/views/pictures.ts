import type { Verdict } from '../../core/verdict.ts';
import { verdictRank } from '../../core/verdict.ts';
import type { CoverageRow, FindingGroupView, SuiteReport } from '../model-types.ts';
import { VERDICT_STYLE } from '../verdict-counts.ts';

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const SEVERITY_COLOR: Record<(typeof SEVERITIES)[number], string> = { critical: '#4a0d0d', high: '#b71c1c', medium: '#e65100', low: '#546e7a' };

/** Bars of root-cause findings per severity, on an absolute scale (a single finding is a visible bar). */
export interface SeverityChart {
  width: number;
  height: number;
  total: number;
  bars: { label: string; count: number; color: string; y: number; width: number; textX: number }[];
}

export function severityChart(groups: readonly FindingGroupView[]): SeverityChart {
  const labelWidth = 90;
  const barMax = 360;
  const max = Math.max(1, ...SEVERITIES.map((s) => groups.filter((g) => g.severity === s || (s === 'high' && g.severity === 'unknown')).length));
  const bars = SEVERITIES.map((s, i) => {
    const count = groups.filter((g) => g.severity === s || (s === 'high' && g.severity === 'unknown')).length;
    const width = count === 0 ? 0 : Math.max(6, Math.round((count / max) * barMax));
    return { label: s, count, color: SEVERITY_COLOR[s], y: 6 + i * 26, width, textX: labelWidth + width + 6 };
  });
  return { width: labelWidth + barMax + 60, height: 6 + SEVERITIES.length * 26 + 4, total: groups.length, bars };
}

/** Suite × mutation family: each cell coloured by its worst verdict, with failing / judged probe counts. */
export interface HeatMap {
  width: number;
  height: number;
  labelWidth: number;
  cellWidth: number;
  columns: { label: string; x: number }[];
  rows: { label: string; y: number; cells: { x: number; color: string; text: string; title: string; textColor: string }[] }[];
  legend: { x: number; color: string; label: string }[];
  legendY: number;
}

export function heatMap(suites: readonly SuiteReport[], rows: readonly CoverageRow[]): HeatMap {
  const families = [...new Set(rows.map((r) => r.family))].sort();
  const labelWidth = 170;
  const cellWidth = Math.max(70, Math.min(110, Math.floor(560 / Math.max(1, families.length))));
  const cellHeight = 24;
  const ran = suites.filter((s) => rows.some((r) => r.suite === s.id));
  const out: HeatMap['rows'] = ran.map((suite, i) => ({
    label: suite.id,
    y: 24 + i * cellHeight,
    cells: families.map((family, j) => {
      const cell = rows.filter((r) => r.suite === suite.id && r.family === family);
      const x = labelWidth + j * cellWidth;
      if (cell.length === 0) return { x, color: '#f0f2f4', text: '', title: `${suite.id} × ${family}: not probed`, textColor: '#57606a' };
      const total = cell.reduce((n, r) => n + r.total, 0);
      const worst = cell.reduce<Verdict>((w, r) => worse(w, worse(r.worst, r.findingVerdicts.reduce<Verdict>(worse, 'pass'))), 'pass');
      // Failing probes; a cell whose only failure is a finding record still counts it (finding records are not in `counts`).
      const failing = cell.reduce((n, r) => n + Math.max(r.counts.leak + r.counts['fail-open'] + r.counts['soft-fail'], r.findingIds.length), 0);
      const color = VERDICT_STYLE[worst].color;
      return { x, color, text: failing > 0 ? `${failing}/${total}` : `${total}`, title: `${suite.id} × ${family}: ${failing} failing of ${total} (worst ${worst})`, textColor: worst === 'pass' || worst === 'closed-by-error' ? '#1b1f24' : '#ffffff' };
    }),
  }));
  const legendY = 24 + ran.length * cellHeight + 12;
  const legend = (['pass', 'closed-by-error', 'soft-fail', 'fail-open', 'leak', 'inconclusive'] as const).map((v, i) => ({ x: 4 + i * 112, color: VERDICT_STYLE[v].color, label: VERDICT_STYLE[v].label }));
  return { width: Math.max(labelWidth + families.length * cellWidth + 4, 680), height: legendY + 20, labelWidth, cellWidth, columns: families.map((label, j) => ({ label, x: labelWidth + j * cellWidth + cellWidth / 2 })), rows: out, legend, legendY };
}

function worse(a: Verdict, b: Verdict): Verdict {
  return verdictRank(b) > verdictRank(a) ? b : a;
}
