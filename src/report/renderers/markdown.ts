import { TEMPLATES_DIR, compileTemplate, createTemplateEnv } from '../templates.ts';
import type { ReportModel } from '../model-types.ts';

/** GitHub caps a PR comment at 65,536 characters; stay well below. */
export const MARKDOWN_MAX_BYTES = 60_000;

const LEVELS = [
  { findings: 20, full: true },
  { findings: 10, full: false },
  { findings: 3, full: false },
  { findings: 0, full: false },
] as const;

/**
 * Renders `report.md` for a PR comment or `$GITHUB_STEP_SUMMARY`: result line, suite table, findings with steps
 * and curl in fenced blocks, control summary and the verify command. Summarises (fewer findings, no transcripts,
 * no per-control rows) until it fits in {@link MARKDOWN_MAX_BYTES}.
 */
export async function renderMarkdown(model: ReportModel, maxBytes = MARKDOWN_MAX_BYTES): Promise<string> {
  const fn = await compileTemplate(createTemplateEnv(), `${TEMPLATES_DIR}report.md.hbs`);
  let out = '';
  for (const [i, level] of LEVELS.entries()) {
    const shown = model.findings.items.slice(0, level.findings);
    out = fn({
      ...model,
      findingsShown: shown,
      findingsOmitted: model.findings.total - shown.length,
      mdFull: level.full,
      mdTruncated: i > 0,
    }).replace(/\n{3,}/g, '\n\n');
    if (Buffer.byteLength(out) <= maxBytes) return out;
  }
  const note = '\n\n_Truncated to fit; see report.html._\n';
  const cut = Buffer.from(out).subarray(0, maxBytes - Buffer.byteLength(note)).toString('utf8').replace(/\uFFFD*$/, '');
  return cut.slice(0, cut.lastIndexOf('\n') + 1) + note;
}
