import { TEMPLATES_DIR, compileTemplate, createTemplateEnv } from '../templates.ts';
import type { ReportModel } from '../model-types.ts';

/** Renders the self-contained `report.html` (inline CSS and SVG, a CSP that forbids every fetch). */
export async function renderHtml(model: ReportModel, template = `${TEMPLATES_DIR}report.html.hbs`): Promise<string> {
  const fn = await compileTemplate(createTemplateEnv(), template);
  return fn(model);
}
