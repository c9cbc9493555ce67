import type {
  CatalogSnapshot,
  FunctionFacts,
  GrantableCommand,
  PolicyFacts,
  RoleFacts,
  TableFacts,
  ViewFacts,
} from './types.ts';
import { callsFunction, functionBody, mentionsIdentifier, mentionsOwnColumn, readsSetting, readsSettingMissingOk, withoutStringLiterals } from './sql-text.ts';

/** Pure derivations over a catalog snapshot shared by several checks and by the behaviour proofs. */

export function tenantTables(snapshot: CatalogSnapshot): TableFacts[] {
  return snapshot.tables.filter((t) => t.tenant);
}

export function tableByName(snapshot: CatalogSnapshot, qualified: string): TableFacts | undefined {
  return snapshot.tables.find((t) => t.qualified === qualified);
}

/** Policies on `table` that apply to the audited role for `command` (its own command or ALL). */
export function applicablePolicies(
  snapshot: CatalogSnapshot,
  table: TableFacts,
  command: GrantableCommand,
): { permissive: PolicyFacts[]; restrictive: PolicyFacts[] } {
  const matching = snapshot.policies.filter(
    (p) => p.table === table.qualified && p.appliesToRole && (p.command === command || p.command === 'ALL'),
  );
  return { permissive: matching.filter((p) => p.permissive), restrictive: matching.filter((p) => !p.permissive) };
}

/** Expression PostgreSQL applies as WITH CHECK for `command`: WITH CHECK, else USING (INSERT policies have no USING). */
export function effectiveCheck(policy: PolicyFacts): string | null {
  if (policy.withCheck !== null) return policy.withCheck;
  return policy.command === 'INSERT' ? null : policy.using;
}

export interface SettingReader {
  fn: FunctionFacts;
  /** The function (or one it calls) reads the setting with missing_ok. */
  missingOk: boolean;
}

/**
 * Functions that read the tenant setting, directly or through other such functions (text match on their bodies),
 * keyed by unqualified name.
 */
export function settingReaders(snapshot: CatalogSnapshot): Map<string, SettingReader> {
  const readers = new Map<string, SettingReader>();
  const bodies = snapshot.functions
    .filter((f) => f.definition !== null)
    .map((f) => ({ fn: f, body: functionBody(f.definition ?? '') }));
  for (const { fn, body } of bodies) {
    if (readsSetting(body, snapshot.tenantSetting)) {
      readers.set(fn.qualified.split('.').pop() ?? fn.qualified, {
        fn,
        missingOk: readsSettingMissingOk(body, snapshot.tenantSetting),
      });
    }
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const { fn, body } of bodies) {
      const name = fn.qualified.split('.').pop() ?? fn.qualified;
      if (readers.has(name)) continue;
      const called = [...readers.entries()].filter(([n]) => callsFunction(body, n));
      if (called.length > 0) {
        readers.set(name, { fn, missingOk: called.some(([, r]) => r.missingOk) });
        grew = true;
      }
    }
  }
  return readers;
}

export interface KeyAnalysis {
  keyed: boolean;
  /** How the setting is reached: directly, or through these functions. */
  via: string[];
  mentionsColumn: boolean;
  readsSetting: boolean;
}

/** An expression is keyed on the tenant when it mentions the tenant column and reads the setting (directly or via a reader function). */
export function analyseKey(
  expr: string | null,
  snapshot: CatalogSnapshot,
  table: TableFacts,
  readers: Map<string, SettingReader>,
): KeyAnalysis {
  if (expr === null) return { keyed: false, via: [], mentionsColumn: false, readsSetting: false };
  const direct = readsSetting(expr, snapshot.tenantSetting);
  const via = [...readers.keys()].filter((name) => callsFunction(expr, name));
  const setting = direct || via.length > 0;
  const column = table.tenantColumn === null ? true : mentionsOwnColumn(withoutStringLiterals(expr), table.name, table.tenantColumn);
  return { keyed: setting && column, via: direct ? ['current_setting', ...via] : via, mentionsColumn: column, readsSetting: setting };
}

/** Attributes of a role by name (the audited role, or an owner). */
export function roleFacts(snapshot: CatalogSnapshot, name: string): RoleFacts | undefined {
  if (name === snapshot.role.name) return snapshot.role;
  return snapshot.owners[name];
}

/** Whether `executor` has the privileges of the owner of `table` (and so bypasses its policies unless forced). */
export function executorOwns(snapshot: CatalogSnapshot, executor: string, table: TableFacts): boolean {
  if (executor === snapshot.role.name) return table.roleOwns;
  return executor === table.owner || snapshot.ownerInherits.some(([a, b]) => a === executor && b === table.owner);
}

export type BypassReason = 'superuser' | 'bypassrls' | 'owner-not-forced' | 'rls-disabled' | 'materialized';

/** Why rows of `table` read with `executor`'s rights escape row-level security, or null when RLS applies. */
export function bypassReason(snapshot: CatalogSnapshot, executor: string, table: TableFacts): BypassReason | null {
  const facts = roleFacts(snapshot, executor);
  if (facts?.superuser) return 'superuser';
  if (facts?.bypassRls) return 'bypassrls';
  if (!table.rlsEnabled) return 'rls-disabled';
  if (!table.rlsForced && executorOwns(snapshot, executor, table)) return 'owner-not-forced';
  return null;
}

export interface ChainAccess {
  table: TableFacts;
  /** Role whose rights read the table when the view is queried by the audited role. */
  executor: string;
  /** Views walked from the queried view to the table. */
  path: string[];
  bypass: BypassReason | null;
}

/**
 * Tenant tables reached by querying `view` as the audited role, each with the role that actually reads it:
 * the owner of the nearest non-`security_invoker` view on the way, else the audited role. Materialized views
 * never apply RLS to their readers.
 */
export function viewAccesses(snapshot: CatalogSnapshot, view: ViewFacts): ChainAccess[] {
  const views = new Map(snapshot.views.map((v) => [v.qualified, v]));
  const out: ChainAccess[] = [];
  const walk = (current: ViewFacts, executor: string, path: string[], seen: Set<string>, materialized: boolean): void => {
    const exec = current.kind === 'view' && current.securityInvoker ? executor : current.owner;
    const stored = materialized || current.kind === 'matview';
    for (const ref of current.references) {
      const table = tableByName(snapshot, ref);
      if (table?.tenant) {
        const bypass = stored ? 'materialized' : bypassReason(snapshot, exec, table);
        out.push({ table, executor: exec, path: [...path, current.qualified], bypass });
        continue;
      }
      const next = views.get(ref);
      if (next && !seen.has(ref)) walk(next, exec, [...path, current.qualified], new Set([...seen, ref]), stored);
    }
  };
  walk(view, snapshot.role.name, [], new Set([view.qualified]), false);
  return out;
}

/** Tenant tables named in a function's body (word match on the table name; may over-report, never under-reports plain references). */
export function functionTenantTables(snapshot: CatalogSnapshot, fn: FunctionFacts): TableFacts[] {
  if (fn.definition === null) return [];
  const body = functionBody(fn.definition);
  return tenantTables(snapshot).filter((t) => mentionsIdentifier(body, t.name));
}

/** Role whose rights a function's statements run with when the audited role calls it. */
export function functionExecutor(snapshot: CatalogSnapshot, fn: FunctionFacts): string {
  return fn.securityDefiner ? fn.owner : snapshot.role.name;
}
