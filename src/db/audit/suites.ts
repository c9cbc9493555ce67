import { z } from 'zod';
import { TenancyAuditError } from '../../core/errors.ts';
import { SEVERITIES } from '../../core/types.ts';
import { FAIL_LEVELS } from '../../core/verdict.ts';
import type { SuiteDefinitionBase } from '../../suite/define.ts';
import { BUILTIN_SUITES_DIR, loadSuites, selectSuites } from '../../suite/load.ts';
import type { DbSuiteDefinition, DbSuitePhase } from './context.ts';
import type { DbRule } from './rules.ts';

const PHASES: readonly DbSuitePhase[] = ['catalog', 'behaviour'];

/** The members a `db` suite has beyond the metadata the suite loader validates. */
const dbMembersSchema = z.object({
  phase: z.enum(PHASES as [DbSuitePhase, ...DbSuitePhase[]]),
  rules: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/, 'lower-case words joined by "." or "-"'),
        title: z.string().min(3),
        failVerdict: z.enum([...FAIL_LEVELS, 'control']),
        severity: z.enum(SEVERITIES),
        description: z.string().min(10),
      }),
    )
    .min(1),
});

export interface DbSuiteSelection {
  /** Already loaded suites: used instead of loading folders. */
  suites?: readonly DbSuiteDefinition[] | undefined;
  /** User suite folders, loaded together with the built-in one. */
  suiteDirs?: readonly string[] | undefined;
  /** Suite ids or prefixes to keep (`db.rls-catalog`, `db`); default every `db` suite. */
  only?: readonly string[] | undefined;
}

export function isDbSuite(suite: SuiteDefinitionBase): suite is DbSuiteDefinition {
  return suite.target === 'db' && typeof (suite as Partial<DbSuiteDefinition>).run === 'function';
}

/** Throws `TA_SUITE_INVALID` for a `db` suite without a valid `phase`, or with malformed or repeated `rules`. */
export function validateDbSuite(suite: DbSuiteDefinition): void {
  const parsed = dbMembersSchema.safeParse(suite);
  const invalid = (message: string) =>
    new TenancyAuditError('TA_SUITE_INVALID', `db suite "${suite.id}": ${message}`, {
      hint: "A db suite declares `phase: 'catalog' | 'behaviour'` and `rules: [{ id, title, failVerdict, severity, description }, ...]`, every rule it records.",
    });
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw invalid(`${first.path.join('.')}: ${first.message}`);
  }
  const ids = suite.rules.map((r) => r.id);
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length > 0) throw invalid(`rule ${[...new Set(repeated)].map((id) => `"${id}"`).join(', ')} declared twice`);
}

/** Catalog suites first, then behaviour suites; ties by id. */
export function orderDbSuites<S extends Pick<DbSuiteDefinition, 'id' | 'phase'>>(suites: readonly S[]): S[] {
  const rank = (phase: DbSuitePhase) => PHASES.indexOf(phase);
  return [...suites].sort((a, b) => rank(a.phase) - rank(b.phase) || a.id.localeCompare(b.id));
}

/**
 * The `db` suites an audit runs: the given ones, or those of the built-in folder and `suiteDirs` (only `target: 'db'`
 * suites with a `run` function), kept by `only`, validated, in run order.
 */
export async function selectDbSuites(selection: DbSuiteSelection): Promise<DbSuiteDefinition[]> {
  const candidates =
    selection.suites ?? (await loadSuites([BUILTIN_SUITES_DIR, ...(selection.suiteDirs ?? [])])).map((l) => l.suite).filter(isDbSuite);
  for (const suite of candidates) validateDbSuite(suite);
  const kept = selectSuites(candidates.map((suite) => ({ suite })), { only: selection.only }).map((s) => s.suite);
  return orderDbSuites(kept);
}

/** Resolves a rule id in the suite's own `rules`; an id it did not declare is a bug in the suite (TypeError). */
export function ruleResolver(suite: Pick<DbSuiteDefinition, 'id' | 'rules'>): (id: string) => DbRule {
  const byId = new Map(suite.rules.map((r) => [r.id, r]));
  return (id) => {
    const rule = byId.get(id);
    if (!rule) throw new TypeError(`suite "${suite.id}" recorded rule ${JSON.stringify(id)}, which is not among its rules (${[...byId.keys()].join(', ')})`);
    return rule;
  };
}
