/**
 * The architecture of ARCHITECTURE.md, checked over the import graph of `src/` and `suites/`.
 *
 * Each rule is a function of the graph (so the synthetic graphs below can prove it fails) and returns violations
 * as readable lines. The real-tree tests assert those lists are empty and print them when they are not.
 */
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, it, expect } from 'vitest';

// ---- The rules, as data -------------------------------------------------------------------------------------------

/** Pipeline order: a stage may import its own folder and stages to its left, never to its right. */
const STAGES = ['core', 'config', 'identity', 'discover', 'generate', 'execute', 'judge', 'evidence', 'report', 'suite', 'db', 'run'] as const;
/** The programmatic API: may import any stage. */
const API_ENTRY = 'src/index.ts';
/** `src/cli/**` may import only these (and packages). */
const CLI_MAY_IMPORT = ['src/index.ts', 'src/core/', 'src/cli/'];
/** The package's public entries, as a suite (or any file) names them, and the sources they stand for. */
const PUBLIC_ENTRIES: Readonly<Record<string, string>> = {
  'tenancy-audit': 'src/index.ts',
  'tenancy-audit/suite': 'src/suite/index.ts',
  'tenancy-audit/db': 'src/db/index.ts',
};
/** Pure folders: no Node builtins (`node:*`, `fs`, `net`, `http`, …) and none of these I/O packages. */
const PURE_FOLDERS = ['src/judge/'];
const IO_PACKAGES = ['fs', 'net', 'http', 'undici', 'pg'];
const MAX_LINES = 300;
/** Suite files (their twin `*.test.ts` excluded) may import packages and the public entries only. */
const SUITES_FOLDER = 'suites/';

// ---- The graph -----------------------------------------------------------------------------------------------------

/** One source file: repository-relative POSIX path, every module specifier it names, and its line count. */
interface ModuleNode {
  file: string;
  specifiers: readonly string[];
  lines: number;
}
type ImportGraph = readonly ModuleNode[];
type Rule = (graph: ImportGraph) => string[];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Static imports and re-exports (type-only included), `import('…')` calls and `import('…')` types, `require`. */
function specifiersOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const literal = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) literal(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) literal(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** Every `*.ts` file under `folder` (tests excluded), with its specifiers. */
function readGraph(folder: string): ModuleNode[] {
  const files = (fs.readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' }) as string[])
    .map((name) => `${folder}/${name.split(path.sep).join('/')}`)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
    .sort();
  return files.map((file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    return { file, specifiers: specifiersOf(file, text), lines: lineCount(text) };
  });
}

/** The repository file a specifier names, or undefined for a package. `.js` stands for `.ts`. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (specifier in PUBLIC_ENTRIES) return PUBLIC_ENTRIES[specifier];
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return undefined;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return resolved.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts').replace(/\.cjs$/, '.cts');
}

/** `core`, `config`, …, `index` for `src/index.ts`, `cli`, or undefined outside the known folders. */
function stageOf(file: string): string | undefined {
  if (file === API_ENTRY) return 'index';
  const match = /^src\/([^/]+)\//.exec(file);
  if (!match) return undefined;
  const folder = match[1]!;
  return folder === 'cli' || (STAGES as readonly string[]).includes(folder) ? folder : undefined;
}

function rankOf(stage: string): number {
  return (STAGES as readonly string[]).indexOf(stage);
}

function inSrc(file: string): boolean {
  return file.startsWith('src/');
}

/** Each resolved edge of the graph that lands in the repository. */
function* edges(graph: ImportGraph): Generator<{ from: string; to: string; specifier: string }> {
  for (const node of graph) {
    for (const specifier of node.specifiers) {
      const to = resolveSpecifier(node.file, specifier);
      if (to !== undefined) yield { from: node.file, to, specifier };
    }
  }
}

// ---- The rules -----------------------------------------------------------------------------------------------------

/** Stage order; `src/index.ts` may import any stage; `src/cli/**` only `src/index.ts`, `src/core/**`, `src/cli/**`. */
const stageOrder: Rule = (graph) => {
  const violations: string[] = [];
  for (const node of graph.filter((n) => inSrc(n.file))) {
    if (stageOf(node.file) === undefined) violations.push(`${node.file} is in no stage folder (${['cli', ...STAGES].join(', ')}) and is not ${API_ENTRY}`);
  }
  for (const { from, to } of edges(graph)) {
    if (!inSrc(from)) continue;
    const source = stageOf(from);
    if (source === undefined) continue;
    const target = inSrc(to) ? stageOf(to) : undefined;
    if (source === 'cli') {
      if (!CLI_MAY_IMPORT.some((allowed) => (allowed.endsWith('/') ? to.startsWith(allowed) : to === allowed))) {
        violations.push(`${from} imports ${to} (cli may import only ${CLI_MAY_IMPORT.map((a) => (a.endsWith('/') ? `${a}**` : a)).join(', ')})`);
      }
      continue;
    }
    if (!inSrc(to)) {
      violations.push(`${from} imports ${to} (src may not import files outside src)`);
      continue;
    }
    if (target === undefined) continue; // reported above as a file in no stage folder
    if (source === 'index') {
      if (target === 'cli') violations.push(`${from} imports ${to} (the API may not import cli)`);
      continue;
    }
    if (target === source) continue;
    if (target === 'index' || target === 'cli') violations.push(`${from} imports ${to} (${source} may not import ${target === 'index' ? API_ENTRY : 'cli'})`);
    else if (rankOf(target) > rankOf(source)) violations.push(`${from} imports ${to} (${source} may not import ${target})`);
  }
  return violations;
};

/** Pure folders import no Node builtins and no I/O package. */
const pureStages: Rule = (graph) => {
  const violations: string[] = [];
  for (const node of graph.filter((n) => PURE_FOLDERS.some((folder) => n.file.startsWith(folder)))) {
    for (const specifier of node.specifiers) {
      const root = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      if (specifier.startsWith('node:') || isBuiltin(specifier) || IO_PACKAGES.includes(root)) {
        const folder = PURE_FOLDERS.find((f) => node.file.startsWith(f))!;
        violations.push(`${node.file} imports ${specifier} (${folder} is pure: no node builtins, ${IO_PACKAGES.join(', ')})`);
      }
    }
  }
  return violations;
};

/** No source file over MAX_LINES lines. */
const fileSize: Rule = (graph) =>
  graph.filter((n) => inSrc(n.file) && n.lines > MAX_LINES).map((n) => `${n.file} has ${n.lines} lines (limit ${MAX_LINES})`);

/** Suite files import packages and the public entries only: no relative or absolute paths, no deep package paths. */
const suitesUsePublicApi: Rule = (graph) => {
  const violations: string[] = [];
  const allowed = Object.keys(PUBLIC_ENTRIES).join(', ');
  for (const node of graph.filter((n) => n.file.startsWith(SUITES_FOLDER) && !n.file.endsWith('.test.ts'))) {
    for (const specifier of node.specifiers) {
      const isPath = specifier.startsWith('.') || specifier.startsWith('/');
      const isDeepSelf = specifier.startsWith('tenancy-audit/') && !(specifier in PUBLIC_ENTRIES);
      if (isPath || isDeepSelf) {
        const shown = isPath ? resolveSpecifier(node.file, specifier)! : specifier;
        violations.push(`${node.file} imports ${shown} (suites may import only packages and ${allowed})`);
      }
    }
  }
  return violations;
};

// ---- Synthetic graphs: each rule can fail --------------------------------------------------------------------------

const mod = (file: string, ...specifiers: string[]): ModuleNode => ({ file, specifiers, lines: 10 });

describe('architecture rules on synthetic graphs', () => {
  it('stage order: generate may not import judge (a .js specifier names the .ts file)', () => {
    const graph = [mod('src/generate/jobs.ts', '../judge/json-path.js', '../core/types.ts', './probe.ts', 'fast-check')];
    expect(stageOrder(graph)).toEqual(['src/generate/jobs.ts imports src/judge/json-path.ts (generate may not import judge)']);
  });

  it('stage order: left-to-right imports, own-stage imports and the API importing anything pass', () => {
    const graph = [
      mod('src/run/run.ts', '../core/types.ts', '../db/audit/index.ts', '../report/index.ts', './plan.ts'),
      mod('src/db/audit/index.ts', '../../suite/load.ts', '../provision.ts', '../../evidence/index.ts'),
      mod('src/index.ts', './run/run.ts', './db/index.ts', './core/errors.ts'),
    ];
    expect(stageOrder(graph)).toEqual([]);
  });

  it('stage order: cli may not import a stage other than core', () => {
    const graph = [mod('src/cli/commands/run.ts', '../../run/run.ts', '../../index.ts', '../../core/errors.ts', '../shared.ts', 'commander')];
    expect(stageOrder(graph)).toEqual(['src/cli/commands/run.ts imports src/run/run.ts (cli may import only src/index.ts, src/core/**, src/cli/**)']);
  });

  it('stage order: a stage may not import the API, and a package self-import counts as the API', () => {
    const graph = [mod('src/suite/define.ts', 'tenancy-audit'), mod('src/core/types.ts', '../index.js')];
    expect(stageOrder(graph)).toEqual([
      'src/suite/define.ts imports src/index.ts (suite may not import src/index.ts)',
      'src/core/types.ts imports src/index.ts (core may not import src/index.ts)',
    ]);
  });

  it('stage order: dynamic and type-only imports are edges too', () => {
    const text = "import type { A } from '../run/events.ts';\nexport type * from '../db/index.ts';\nconst x = await import('../report/index.js');\ntype R = typeof import('../suite/load.ts');\n// import '../run/run.ts'\n";
    const graph = [{ file: 'src/evidence/writer.ts', specifiers: specifiersOf('writer.ts', text), lines: 5 }];
    expect(stageOrder(graph)).toEqual([
      'src/evidence/writer.ts imports src/run/events.ts (evidence may not import run)',
      'src/evidence/writer.ts imports src/db/index.ts (evidence may not import db)',
      'src/evidence/writer.ts imports src/report/index.ts (evidence may not import report)',
      'src/evidence/writer.ts imports src/suite/load.ts (evidence may not import suite)',
    ]);
  });

  it('purity: judge may not import node builtins or I/O packages', () => {
    const graph = [
      mod('src/judge/canary.ts', 'node:fs', './types.ts'),
      mod('src/judge/rejection.ts', 'fs/promises', 'undici', 'pg'),
      mod('src/evidence/writer.ts', 'node:fs'),
    ];
    expect(pureStages(graph)).toEqual([
      'src/judge/canary.ts imports node:fs (src/judge/ is pure: no node builtins, fs, net, http, undici, pg)',
      'src/judge/rejection.ts imports fs/promises (src/judge/ is pure: no node builtins, fs, net, http, undici, pg)',
      'src/judge/rejection.ts imports undici (src/judge/ is pure: no node builtins, fs, net, http, undici, pg)',
      'src/judge/rejection.ts imports pg (src/judge/ is pure: no node builtins, fs, net, http, undici, pg)',
    ]);
  });

  it('size: a source file over the limit is reported, tests and suites are not counted', () => {
    const graph = [{ ...mod('src/report/model.ts'), lines: 301 }, { ...mod('src/report/ok.ts'), lines: 300 }, { ...mod('suites/big.ts'), lines: 900 }];
    expect(fileSize(graph)).toEqual(['src/report/model.ts has 301 lines (limit 300)']);
  });

  it('suites: relative paths into src, sibling suites and deep package paths are refused', () => {
    const graph = [
      mod('suites/x.ts', '../src/x.ts', 'tenancy-audit/suite', 'tenancy-audit/db', 'tenancy-audit', 'fast-check', 'node:path'),
      mod('suites/y.ts', './x.js', 'tenancy-audit/src/db/index.ts'),
      mod('suites/x.test.ts', './x.ts', '../test/support/expect-detection.ts'),
    ];
    expect(suitesUsePublicApi(graph)).toEqual([
      'suites/x.ts imports src/x.ts (suites may import only packages and tenancy-audit, tenancy-audit/suite, tenancy-audit/db)',
      'suites/y.ts imports suites/x.ts (suites may import only packages and tenancy-audit, tenancy-audit/suite, tenancy-audit/db)',
      'suites/y.ts imports tenancy-audit/src/db/index.ts (suites may import only packages and tenancy-audit, tenancy-audit/suite, tenancy-audit/db)',
    ]);
  });
});

// ---- This repository -----------------------------------------------------------------------------------------------

describe('architecture of this repository', () => {
  const src = readGraph('src');
  const suites = readGraph('suites');
  const report = (violations: string[]) => `\n${violations.join('\n')}\n`;

  it('reads the graph (a sanity check on the reader)', () => {
    expect(src.some((n) => n.file === API_ENTRY)).toBe(true);
    expect(src.every((n) => !n.file.endsWith('.test.ts'))).toBe(true);
    expect(suites.length).toBeGreaterThan(0);
  });

  it('src follows the stage order; cli imports only src/index.ts and core', () => {
    const violations = stageOrder(src);
    expect(violations, report(violations)).toEqual([]);
  });

  it('judge is pure', () => {
    const violations = pureStages(src);
    expect(violations, report(violations)).toEqual([]);
  });

  it(`no source file is over ${MAX_LINES} lines`, () => {
    const violations = fileSize(src);
    expect(violations, report(violations)).toEqual([]);
  });

  it('suites import only packages and the public entries', () => {
    const violations = suitesUsePublicApi(suites);
    expect(violations, report(violations)).toEqual([]);
  });
});
