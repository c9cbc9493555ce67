import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { packagePath } from '../core/package-root.ts';
import { ConfigError } from '../core/errors.ts';
import type { SuiteStatus } from '../core/suite-status.ts';
import { sha256Hex } from '../evidence/hash.ts';
import { validateJsonSchema } from './json-schema.ts';

/** OSCAL mapping relationship of the mapped suites to a control. Never `equivalent-to`: probes are partial evidence. */
export type ControlRelationship = 'subset-of' | 'intersects-with' | 'superset-of' | 'no-relationship';

/** One control of a catalogue file (`reports/controls/*.json`). */
export interface ControlRequirement {
  id: string;
  section?: string;
  name: string;
  description: string;
  rationale: string;
  auditProcedure: string[];
  evidenceProduced: string[];
  failureExamples?: string[];
  notEvidenced?: string;
  relationship: ControlRelationship;
  confidence?: 'high' | 'medium' | 'low';
  /** Suite ids; empty means the control is listed but not tested. */
  tests: string[];
}

export interface ControlCatalogue {
  framework: string;
  name: string;
  version: string;
  description: string;
  source?: string;
  requirements: ControlRequirement[];
}

/** A catalogue as loaded, with the sha256 of its file bytes (printed in the report). */
export interface LoadedCatalogue {
  file: string;
  sha256: string;
  catalogue: ControlCatalogue;
}

/** Folder of the built-in catalogues and their schema. */
export const CONTROLS_DIR = packagePath('reports', 'controls', '/');
/** Built-in catalogues, in the order the report shows them (SOC 2 left, ISO right). */
export const DEFAULT_CATALOGUES = ['soc2-tsc-2017.json', 'iso27001-2022.json'] as const;
export const CATALOGUE_SCHEMA = 'control-catalogue.schema.json';

let schemaCache: Record<string, unknown> | undefined;

/** The JSON Schema of catalogue files. */
export async function catalogueSchema(): Promise<Record<string, unknown>> {
  schemaCache ??= JSON.parse(await readFile(`${CONTROLS_DIR}${CATALOGUE_SCHEMA}`, 'utf8')) as Record<string, unknown>;
  return schemaCache;
}

/**
 * Loads and validates catalogue files (default: the built-in SOC 2 and ISO 27001 ones). A file that does not
 * match the schema, repeats a control id, or maps a control with tests as `no-relationship` is a `ConfigError`.
 */
export async function loadControlCatalogues(files?: readonly string[]): Promise<LoadedCatalogue[]> {
  const paths = files ?? DEFAULT_CATALOGUES.map((f) => `${CONTROLS_DIR}${f}`);
  const schema = await catalogueSchema();
  const out: LoadedCatalogue[] = [];
  for (const file of paths) {
    const bytes = await readFile(file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (cause) {
      throw new ConfigError([{ path: '(root)', message: `not valid JSON: ${(cause as Error).message}` }], file);
    }
    const issues = [...validateJsonSchema(parsed, schema), ...catalogueRuleIssues(parsed as ControlCatalogue)];
    if (issues.length > 0) throw new ConfigError(issues, file);
    out.push({ file: basename(file), sha256: sha256Hex(bytes), catalogue: parsed as ControlCatalogue });
  }
  return out;
}

/** Rules the schema cannot express: unique ids; `no-relationship` exactly when nothing is mapped. */
export function catalogueRuleIssues(c: ControlCatalogue): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  (Array.isArray(c?.requirements) ? c.requirements : []).forEach((r, i) => {
    if (seen.has(r.id)) issues.push({ path: `requirements[${i}].id`, message: `duplicate control id ${r.id}` });
    seen.add(r.id);
    const empty = Array.isArray(r.tests) && r.tests.length === 0;
    if (empty !== (r.relationship === 'no-relationship')) {
      issues.push({ path: `requirements[${i}].relationship`, message: empty ? 'a control with no tests must say no-relationship' : 'a control with tests cannot say no-relationship' });
    }
  });
  return issues;
}

export type { SuiteStatus };

/** Outcome of one suite as a control sees it. */
export interface SuiteOutcome {
  status: SuiteStatus;
  /** At least one positive control ran and none failed. */
  controlsLive: boolean;
}

export type ControlStatus = 'effective' | 'exception' | 'inconclusive' | 'not-tested';

/**
 * Status of a control from the outcomes of its mapped suites (pure):
 * - `not-tested`: it maps no suite, or none of them ran (suites declared not applicable are left out throughout);
 * - `exception`: any mapped suite failed;
 * - `effective`: every mapped suite ran and passed (closed-by-error warnings allowed) with live positive controls;
 * - `inconclusive`: otherwise (a mapped suite inconclusive or not run, none failing).
 */
export function controlStatus(
  requirement: Pick<ControlRequirement, 'tests'>,
  suiteResults: ReadonlyMap<string, SuiteOutcome> | Readonly<Record<string, SuiteOutcome>>,
): ControlStatus {
  const get = (id: string): SuiteOutcome | undefined =>
    suiteResults instanceof Map ? suiteResults.get(id) : Object.hasOwn(suiteResults, id) ? (suiteResults as Record<string, SuiteOutcome>)[id] : undefined;
  // Suites declared not applicable (`scope`) do not count: the control is judged on the suites that apply.
  const outcomes = [...new Set(requirement.tests)].map(get).filter((o) => o?.status !== 'not-applicable');
  if (outcomes.length === 0) return 'not-tested';
  if (outcomes.some((o) => o?.status === 'fail')) return 'exception';
  if (!outcomes.some((o) => o !== undefined && o.status !== 'not-run')) return 'not-tested';
  const effective = outcomes.every((o) => o !== undefined && (o.status === 'pass' || o.status === 'warn') && o.controlsLive);
  return effective ? 'effective' : 'inconclusive';
}
