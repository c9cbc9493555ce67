import type { EvidenceRecord, EvidenceStep } from '../../core/types.ts';
import type { Verdict } from '../../core/verdict.ts';
import { verdictRank } from '../../core/verdict.ts';
import type { Redactor } from '../../evidence/redact.ts';
import { curlFor } from '../curl.ts';
import type { AppendixTable, ReportModel, StepView, SuiteReport } from '../model-types.ts';
import type { ModelLimits } from '../model.ts';

/** @internal */
export function clip(s: string | undefined, max: number): { text: string; clipped: boolean } {
  const text = s ?? '';
  return text.length > max ? { text: `${text.slice(0, max)}…`, clipped: true } : { text, clipped: false };
}

/** @internal */
export function stepsOf(r: EvidenceRecord, redact: Redactor, max: number): StepView[] {
  const source: EvidenceStep[] =
    r.steps && r.steps.length > 0
      ? r.steps
      : r.request || r.response
        ? [{ n: 1, title: r.mutation?.title ?? 'Request', ...(r.request ? { request: r.request } : {}), ...(r.response ? { response: r.response } : {}) }]
        : [];
  return source.slice(0, 20).map((step, i) => {
    const view: StepView = { n: step.n ?? i + 1, title: redact.text(step.title ?? ''), note: redact.text(step.note ?? ''), curl: '' };
    if (step.request) {
      const req = redact.value(step.request);
      const body = clip(req.body, max);
      view.request = { method: req.method, url: req.url, headers: headerList(req.headers), body: body.text, bodyTruncated: body.clipped };
      view.curl = step.curl ? redact.text(step.curl) : curlFor(req, r.actor);
    } else if (step.curl) view.curl = redact.text(step.curl);
    if (step.response) {
      const res = redact.value(step.response);
      const excerpt = clip(res.excerpt, max);
      view.response = {
        status: res.status,
        headers: headerList(res.headers),
        excerpt: excerpt.text,
        bodySha256: res.bodySha256,
        bodyBytes: res.bodyBytes,
        truncated: res.truncated || excerpt.clipped,
      };
    }
    return view;
  });
}

/** @internal */
export function headerList(h: Record<string, string> | undefined): { name: string; value: string }[] {
  return Object.entries(h ?? {}).map(([name, value]) => ({ name, value: String(value) }));
}

/** @internal */
export function appendixOf(records: readonly EvidenceRecord[], suites: readonly SuiteReport[], limits: ModelLimits): ReportModel['appendix'] {
  const mode = records.length <= limits.appendixRecords ? 'records' : 'summary';
  const bySuite = new Map<string, EvidenceRecord[]>(suites.map((s) => [s.id, []]));
  if (mode === 'records') {
    for (const r of records) bySuite.get(r.suite)?.push(r);
    const tables: AppendixTable[] = [...bySuite].map(([suite, rs]) => ({
      suite,
      mode,
      columns: ['seq', 'kind', 'operation', 'family', 'path', 'mutation', 'channel', 'status', 'verdict', 'reason'],
      rows: rs.map((r) => [String(r.seq), r.kind, r.operation ?? '', r.family, r.path, r.mutation?.id ?? '', r.mutation?.channel ?? '', r.response ? String(r.response.status) : '', r.verdict, r.reason]),
      omitted: 0,
    }));
    return { mode, tables, threshold: limits.appendixRecords, evidenceFile: 'evidence.jsonl' };
  }
  const groups = new Map<string, Map<string, { op: string; mutation: string; verdict: Verdict; count: number; first: number; last: number }>>();
  for (const r of records) {
    let g = groups.get(r.suite);
    if (!g) groups.set(r.suite, (g = new Map()));
    const key = `${r.kind === 'control' ? '(positive control)' : (r.operation ?? '')}\u0000${r.mutation?.id ?? ''}\u0000${r.verdict}`;
    const e = g.get(key);
    if (e) {
      e.count += 1;
      e.first = Math.min(e.first, r.seq);
      e.last = Math.max(e.last, r.seq);
    } else g.set(key, { op: r.kind === 'control' ? '(positive control)' : (r.operation ?? ''), mutation: r.mutation?.id ?? '', verdict: r.verdict, count: 1, first: r.seq, last: r.seq });
  }
  const tables: AppendixTable[] = [...groups].map(([suite, g]) => {
    const rows = [...g.values()].sort((a, b) => verdictRank(b.verdict) - verdictRank(a.verdict) || b.count - a.count);
    return {
      suite,
      mode,
      columns: ['operation', 'mutation', 'verdict', 'records', 'first seq', 'last seq'],
      rows: rows.slice(0, limits.summaryRowsPerSuite).map((e) => [e.op, e.mutation, e.verdict, String(e.count), String(e.first), String(e.last)]),
      omitted: Math.max(0, rows.length - limits.summaryRowsPerSuite),
    };
  });
  return { mode, tables, threshold: limits.appendixRecords, evidenceFile: 'evidence.jsonl' };
}
