import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { TenancyAuditError } from '../core/errors.ts';
import { writeDelivered } from '../evidence/delivered.ts';
import { RENDERED_FILES, resolveRunFolder } from '../evidence/files.ts';
import type { KeySpec, SigningKey, VerificationKey } from '../evidence/keys.ts';
import type { LoadRunOptions } from './load.ts';
import { loadRun } from './load.ts';
import type { MergedRun } from './merge.ts';
import { mergeRuns } from './merge.ts';
import type { ReportModel } from './model-types.ts';
import { renderPdf } from './pdf.ts';
import { applyBaseline } from './baseline.ts';
import { renderHtml } from './renderers/html.ts';
import { renderJunit } from './renderers/junit.ts';
import { renderSummaryJson } from './renderers/json.ts';
import { renderMarkdown } from './renderers/markdown.ts';
import { renderOscal } from './renderers/oscal.ts';
import { renderSarif } from './renderers/sarif.ts';
import { createTemplateEnv } from './templates.ts';

/** The report formats `renderReport` writes: `report.html`, `report.md`, `junit.xml`, `summary.json`, `report.sarif` and `assessment-results.oscal.json`. */
export const REPORT_FORMATS = ['html', 'md', 'junit', 'json', 'sarif', 'oscal'] as const;
/** What `renderReport` writes when no formats are given (SARIF and OSCAL on request). */
export const DEFAULT_REPORT_FORMATS = ['html', 'md', 'junit', 'json'] as const;
/** One report format (see {@link REPORT_FORMATS}); `parseReportFormats` checks `--format` input. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** `--format`: a comma-separated list (or a list) of known report formats; checked before any work starts. */
export function parseReportFormats(list: string | readonly string[] | undefined): ReportFormat[] {
  if (list === undefined) return [...DEFAULT_REPORT_FORMATS];
  const text = typeof list === 'string' ? list : list.join(',');
  const formats = text.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0 || formats.length === 0) {
    throw new TenancyAuditError('TA_USAGE', `--format ${text}: unknown format ${unknown.join(', ') || '(none)'}`, { hint: `Use any of ${REPORT_FORMATS.join(',')}.` });
  }
  return formats as ReportFormat[];
}

const FILE_OF: Record<ReportFormat, string> = RENDERED_FILES;

/** Options of {@link renderReport}: which formats, where to write them, keys for merged or signed runs, and extras (custom template, PDF). */
export interface RenderReportOptions {
  /** Default: html, md, junit and json (`sarif` and `oscal` on request). */
  formats?: readonly ReportFormat[];
  /** Output folder; default the run folder. Required when several shard folders are merged. */
  out?: string;
  /** A Handlebars file rendered with the same model to `<out>/report.custom.<ext>` (ext from its name, `.hbs` dropped). */
  template?: string;
  /** Signs the merged manifest (merging only). */
  signKey?: KeySpec | SigningKey;
  /** Checks manifest signatures (of the run, or of each shard before merging). */
  publicKey?: KeySpec | VerificationKey;
  /** Also print report.html to report.pdf through headless Chromium when available. */
  pdf?: boolean;
  catalogues?: LoadRunOptions['catalogues'];
  /** A run folder to compare with: root causes marked new / still open, fixed ones listed, `model.trend` set. */
  baseline?: string;
  /** The cover's sign-off block (prepared by, reviewed by, date); each over the config's `report:` section. */
  signOff?: LoadRunOptions['signOff'];
  now?: Date;
  limits?: LoadRunOptions['limits'];
}

/** What {@link renderReport} wrote (paths in `files`) and the report model it rendered; `merged` is set when shards were merged. */
export interface RenderedReport {
  /** Folder the reports were written to (the merged run folder when merging). */
  dir: string;
  files: string[];
  model: ReportModel;
  merged?: MergedRun;
  pdf?: { path: string } | { skipped: string };
}

/**
 * Renders reports from run folders — evidence files only, never in-memory state. One folder: reports go to
 * `out` (default: the folder). Several folders: they are shards of one run, merged into `out` as one re-chained
 * run folder (see `mergeRuns`), and the reports are rendered from that merged folder.
 *
 * @example
 * const { files, model } = await renderReport('reports/run-1', { formats: ['html', 'md'] });
 * process.exitCode = model.overall.exitCode;
 */
export async function renderReport(dir: string | readonly string[], options: RenderReportOptions = {}): Promise<RenderedReport> {
  const dirs = typeof dir === 'string' ? [dir] : [...dir];
  const formats = options.formats ?? DEFAULT_REPORT_FORMATS;
  for (const f of formats) {
    if (!REPORT_FORMATS.includes(f)) throw new TenancyAuditError('TA_USAGE', `Unknown report format "${String(f)}"`, { hint: `Use any of ${REPORT_FORMATS.join(', ')}.` });
  }
  const load: LoadRunOptions = {
    ...(options.catalogues ? { catalogues: options.catalogues } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.signOff ? { signOff: options.signOff } : {}),
  };
  let merged: MergedRun | undefined;
  let runDir: string;
  let outDir: string;
  if (dirs.length > 1) {
    if (!options.out) {
      throw new TenancyAuditError('TA_USAGE', 'Several run folders are merged into one: pass --out <folder> for the merged run', {
        hint: 'e.g. tenancy-audit report reports/shard-* --out reports/merged',
      });
    }
    merged = await mergeRuns(dirs, options.out, {
      ...(options.signKey !== undefined ? { signKey: options.signKey } : {}),
      ...(options.publicKey !== undefined ? { publicKey: options.publicKey } : {}),
    });
    runDir = options.out;
    outDir = options.out;
  } else {
    if (options.signKey !== undefined) throw new TenancyAuditError('TA_USAGE', 'A signing key applies only when merging shard folders; a run is signed when it is written');
    runDir = await resolveRunFolder(dirs[0] ?? '');
    outDir = options.out ?? runDir;
    if (options.publicKey !== undefined) load.publicKey = options.publicKey;
  }
  const { model } = await loadRun([runDir], load);
  if (options.baseline !== undefined) {
    const baseline = await loadRun([await resolveRunFolder(options.baseline)], { ...(options.catalogues ? { catalogues: options.catalogues } : {}) });
    // A baseline decides which findings gate CI: it must be intact evidence of the same system.
    if (!baseline.model.integrity.ok) {
      throw new TenancyAuditError('TA_USAGE', `--baseline ${options.baseline}: its evidence does not verify (${baseline.model.integrity.problems.slice(0, 2).join('; ')})`, { hint: 'Compare with an intact run folder: `tenancy-audit verify` it first.' });
    }
    if (baseline.model.run.system !== model.run.system) {
      throw new TenancyAuditError('TA_USAGE', `--baseline ${options.baseline} audited ${baseline.model.run.system}, this run ${model.run.system}`, { hint: 'Compare runs of the same system.' });
    }
    applyBaseline(model, baseline.model);
  }
  await mkdir(outDir, { recursive: true });

  const files: string[] = [];
  const write = async (name: string, content: string) => {
    const path = join(outDir, name);
    await writeFile(path, content, 'utf8');
    files.push(path);
  };
  for (const format of formats) {
    if (format === 'html') await write(FILE_OF.html, await renderHtml(model));
    else if (format === 'md') await write(FILE_OF.md, await renderMarkdown(model));
    else if (format === 'junit') await write(FILE_OF.junit, renderJunit(model));
    else if (format === 'sarif') await write(FILE_OF.sarif, renderSarif(model));
    else if (format === 'oscal') await write(FILE_OF.oscal, renderOscal(model));
    else await write(FILE_OF.json, renderSummaryJson(model));
  }
  if (options.template !== undefined) {
    let source: string;
    try {
      source = await readFile(options.template, 'utf8');
    } catch (cause) {
      throw new TenancyAuditError('TA_USAGE', `Template ${options.template} cannot be read`, { cause });
    }
    const fn = createTemplateEnv().compile(source, { preventIndent: true });
    await write(`report.custom.${customExtension(options.template)}`, fn(model));
  }
  const result: RenderedReport = { dir: outDir, files, model };
  if (merged) result.merged = merged;
  if (options.pdf) {
    const html = join(outDir, FILE_OF.html);
    if (!files.includes(html)) await write(FILE_OF.html, await renderHtml(model));
    result.pdf = await renderPdf(html, join(outDir, RENDERED_FILES.pdf));
    if ('path' in result.pdf) files.push(result.pdf.path);
  }
  // The sha256 of everything delivered, so `verify` names a report edited after it was rendered.
  if (model.integrity.manifestHeadHash) {
    await writeDelivered(outDir, { runId: model.run.runId, headHash: model.integrity.manifestHeadHash, evidenceSha256: model.integrity.evidenceSha256 }, files.map((f) => basename(f)));
  }
  return result;
}

function customExtension(file: string): string {
  let name = basename(file);
  if (/\.(hbs|handlebars)$/i.test(name)) name = name.replace(/\.(hbs|handlebars)$/i, '');
  const ext = extname(name).slice(1).replace(/[^A-Za-z0-9]/g, '');
  return ext || 'txt';
}
