import type { ChartRow, SuiteReport, VerdictChart, VerdictCount } from '../model-types.ts';

/** Geometry of the inline SVG bar chart: one stacked bar of verdict shares per suite, plus all suites. */
export function chartOf(suites: readonly SuiteReport[], totals: readonly VerdictCount[]): VerdictChart {
  const width = 760;
  const labelWidth = 200;
  const barWidth = 460;
  const rowHeight = 24;
  const rows: ChartRow[] = [];
  const addRow = (label: string, counts: readonly VerdictCount[]) => {
    const total = counts.reduce((n, c) => n + c.count, 0);
    let x = labelWidth;
    const segments = counts
      .filter((c) => c.count > 0)
      .map((c) => {
        const w = total === 0 ? 0 : Math.max(1, (c.count / total) * barWidth);
        const seg = { x: round(x), width: round(w), color: c.color, verdict: c.verdict, count: c.count };
        x += w;
        return seg;
      });
    rows.push({ label, y: 8 + rows.length * rowHeight, total, segments });
  };
  addRow('All suites', totals);
  for (const s of suites) addRow(s.id, s.verdicts);
  const legendY = 8 + rows.length * rowHeight + 12;
  const legend = totals.map((t, i) => ({ x: 10 + i * 124, color: t.color, label: t.label }));
  return { width, height: legendY + 20, labelWidth, barWidth, rows, legend, legendY };
}

/** @internal */
export function round(n: number): number {
  return Math.round(n * 10) / 10;
}
