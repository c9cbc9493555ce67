import { readFile } from 'node:fs/promises';
import { packagePath } from '../core/package-root.ts';
import Handlebars from 'handlebars';
import type { StepView } from './model-types.ts';

/** Folder of the built-in templates. */
export const TEMPLATES_DIR = packagePath('reports', 'templates', '/');

export type TemplateFn = (context: unknown) => string;

/**
 * @internal An isolated Handlebars environment with the report helpers. Every helper that returns a
 * `SafeString` escapes for its target (HTML, Markdown inline, Markdown fence) itself; templates use `{{ }}`
 * only, never `{{{ }}}`, on evidence data.
 */
export function createTemplateEnv(): typeof Handlebars {
  const hb = Handlebars.create();
  const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('add', (...args: unknown[]) => args.slice(0, -1).reduce((n: number, v) => n + (Number(v) || 0), 0));
  hb.registerHelper('fmt', (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : str(n)));
  hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.map(str).join(typeof sep === 'string' ? sep : ', ') : ''));
  hb.registerHelper('resultIcon', (r: unknown) => ({ pass: '✅', warn: '⚠️', fail: '❌', inconclusive: '❔' })[str(r) as 'pass'] ?? '❔');
  hb.registerHelper('md', (v: unknown) => new hb.SafeString(markdownInline(str(v))));
  hb.registerHelper('code', (v: unknown) => new hb.SafeString(codeSpan(str(v))));
  hb.registerHelper('fence', (v: unknown, lang: unknown, indent: unknown) =>
    new hb.SafeString(fence(str(v), typeof lang === 'string' ? lang : '', typeof indent === 'number' ? indent : 0)),
  );
  hb.registerHelper('httpRequest', (r: StepView['request']) =>
    r ? [`${r.method} ${r.url}`, ...r.headers.map((h) => `${h.name}: ${h.value}`), ...(r.body ? ['', clip(r.body, 600)] : [])].join('\n') : '',
  );
  hb.registerHelper('httpResponse', (r: StepView['response']) =>
    r ? [`HTTP ${r.status}`, ...r.headers.map((h) => `${h.name}: ${h.value}`), '', clip(r.excerpt, 600)].join('\n') : '',
  );
  return hb;
}

/** @internal Loads and compiles a template file (with the `styles` partial registered). */
export async function compileTemplate(hb: typeof Handlebars, file: string): Promise<TemplateFn> {
  if (!hb.partials.styles) hb.registerPartial('styles', await readFile(`${TEMPLATES_DIR}partials/styles.css.hbs`, 'utf8'));
  // The declared contract's sections (not applicable, accepted deviations, exceptions), one partial per format.
  if (!hb.partials.contractHtml) hb.registerPartial('contractHtml', await readFile(`${TEMPLATES_DIR}partials/contract.html.hbs`, 'utf8'));
  if (!hb.partials.contractMd) hb.registerPartial('contractMd', await readFile(`${TEMPLATES_DIR}partials/contract.md.hbs`, 'utf8'));
  const source = await readFile(file, 'utf8');
  return hb.compile(source, { preventIndent: true });
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Markdown inline text (table cells included): one line, HTML-escaped, Markdown punctuation backslash-escaped. */
export function markdownInline(s: string): string {
  return s
    .replace(/\r?\n|\r/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_{}[\]()#+!|~<>]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`));
}

/** Content of a single-backtick code span: no backticks, one line, pipes escaped for tables. */
export function codeSpan(s: string): string {
  const text = s.replace(/\r?\n|\r/g, ' ').replace(/`/g, "'").replace(/\|/g, '\\|');
  return text === '' ? ' ' : text;
}

/** A fenced code block whose fence is longer than any backtick run inside, indented under a list item. */
export function fence(s: string, lang: string, indent: number): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const bar = '`'.repeat(Math.max(3, longest + 1));
  const pad = ' '.repeat(Math.max(0, Math.min(8, indent)));
  const body = s.replace(/\r\n?/g, '\n').split('\n').map((line) => pad + line).join('\n');
  return `${pad}${bar}${lang.replace(/[^a-z0-9]/gi, '')}\n${body}\n${pad}${bar}`;
}
