import type { Verdict } from '../../core/verdict.ts';
import { CANARY_PREFIX } from './rows.ts';
import { isEnvironmentError } from './session.ts';
import type { ObservedRow, ReadObservation, WriteObservation } from './observations.ts';

/** Pure judgement of behaviour observations. */
export interface Judgement {
  verdict: Verdict;
  reason: string;
  detail: string;
}

/** Distinctive values known to belong to exactly one tenant (canaries, unique ids), value → tenant. */
export type Fingerprints = ReadonlyMap<string, string>;

function describeError(obs: { error?: { code: string; message: string } }): string {
  return obs.error ? `ERROR ${obs.error.code}: ${obs.error.message}` : '';
}

function tenantOf(row: ObservedRow, column: string | null): { present: boolean; value: string | null } {
  if (column === null || !Object.hasOwn(row.data, column)) return { present: false, value: null };
  const v = row.data[column];
  return { present: true, value: v === null || v === undefined ? null : String(v) };
}

/** Every string (and number) inside a JSON value. */
function scalars(value: unknown, out: string[] = []): string[] {
  if (value === null || value === undefined) return out;
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'bigint') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) scalars(v, out);
  else if (typeof value === 'object') for (const v of Object.values(value)) scalars(v, out);
  return out;
}

function fingerprintOwners(row: ObservedRow, fingerprints: Fingerprints): Set<string> {
  const owners = new Set<string>();
  for (const s of scalars(row.data)) {
    const owner = fingerprints.get(s);
    if (owner !== undefined) owners.add(owner);
  }
  return owners;
}

/**
 * Fingerprints from rows each tenant read as itself: canaries in any column and values of unique columns
 * (8+ characters), kept only when seen under a single tenant and not equal to a tenant value.
 */
export function collectFingerprints(
  samples: readonly { tenant: string; rows: readonly ObservedRow[]; uniqueColumns: readonly string[]; tenantColumn: string | null }[],
  tenantValues: ReadonlySet<string>,
): Map<string, string> {
  const seen = new Map<string, Set<string>>();
  for (const sample of samples) {
    for (const row of sample.rows) {
      if (tenantOf(row, sample.tenantColumn).value !== sample.tenant) continue;
      const candidates = [
        ...scalars(row.data).filter((s) => s.startsWith(CANARY_PREFIX)),
        ...sample.uniqueColumns.flatMap((c) => scalars(row.data[c])).filter((s) => s.length >= 8),
      ];
      for (const value of candidates) {
        if (tenantValues.has(value)) continue;
        const owners = seen.get(value) ?? new Set<string>();
        owners.add(sample.tenant);
        seen.set(value, owners);
      }
    }
  }
  const out = new Map<string, string>();
  for (const [value, owners] of seen) if (owners.size === 1) out.set(value, [...owners][0]!);
  return out;
}

/** Positive control: as `tenant`, the role reads at least one of the tenant's own rows. */
export function judgeControl(obs: ReadObservation, tenant: string): Judgement {
  const name = obs.target.name;
  if (obs.error) {
    return { verdict: 'inconclusive', reason: 'control-error', detail: `reading ${name} as tenant ${tenant} failed (${describeError(obs)}): the oracle is not live for this table` };
  }
  const own = obs.rows.filter((r) => tenantOf(r, obs.target.tenantColumn).value === tenant).length;
  if (own === 0) {
    return { verdict: 'inconclusive', reason: 'control-no-own-rows', detail: `as tenant ${tenant} the role reads no row of its own in ${name} (${obs.rows.length} rows returned)` };
  }
  return { verdict: 'pass', reason: 'own-rows-visible', detail: `as tenant ${tenant} the role reads ${own}${obs.truncated ? '+' : ''} of its own rows in ${name}` };
}

export interface NoContextFacts {
  /** Some read of this target with a tenant set succeeded without error. */
  readsWithContext: boolean;
  /** Rows are known to exist in what the target reads (seen under some tenant). */
  rowsKnown: boolean;
  /** On this platform a request without tenant context is meant to see nothing (PostgREST/Supabase claims read with missing_ok). */
  emptyIsClosed?: boolean;
}

/** Without tenant context (unset on a fresh session, or reset to ''), a read must error. */
export function judgeNoContext(obs: ReadObservation, facts: NoContextFacts): Judgement {
  const name = obs.target.name;
  const how = obs.context.kind === 'empty' ? `with ${'the setting'} reset to ''` : 'without the tenant setting';
  const preset = obs.context.kind === 'unset' && obs.settingSeen !== null && obs.settingSeen !== '' ? ` (the session already had the setting = '${obs.settingSeen}' from a role/database/connection default)` : '';
  if (obs.error) {
    if (isEnvironmentError(obs.error.code)) return { verdict: 'inconclusive', reason: 'environment-error', detail: `reading ${name} ${how} failed for an environmental reason (${describeError(obs)})` };
    // Without SELECT the role cannot read the target at all (the error may come from planning before the privilege check).
    if (!obs.target.granted) return { verdict: 'pass', reason: 'not-granted', detail: `reading ${name} ${how} is refused: the role has no SELECT on it (${describeError(obs)})` };
    if (!facts.readsWithContext) {
      return { verdict: 'inconclusive', reason: 'control-failed', detail: `reading ${name} ${how} errors (${describeError(obs)}), but no read with a tenant set succeeded either, so the error cannot be attributed to the missing context` };
    }
    return { verdict: 'pass', reason: 'error-without-context', detail: `reading ${name} ${how} errors as required (${describeError(obs)})` };
  }
  if (obs.rows.length > 0) {
    const tenants = [...new Set(obs.rows.map((r) => tenantOf(r, obs.target.tenantColumn).value ?? 'NULL'))];
    return {
      verdict: 'fail-open',
      reason: 'rows-without-context',
      detail: `reading ${name} ${how} returned ${obs.rows.length}${obs.truncated ? '+' : ''} rows${obs.target.tenantColumn ? ` of tenants ${tenants.slice(0, 10).join(', ')}` : ''} instead of an error${preset}`,
    };
  }
  if (!facts.rowsKnown) {
    return { verdict: 'inconclusive', reason: 'empty-unknown', detail: `reading ${name} ${how} returned 0 rows without error, but no rows are known to exist there, so an empty table cannot be told from a silent empty scope` };
  }
  if (facts.emptyIsClosed) {
    return { verdict: 'pass', reason: 'empty-without-context-platform', detail: `reading ${name} ${how} returned 0 rows (rows exist): on this platform a request without claims sees nothing${preset}` };
  }
  return { verdict: 'soft-fail', reason: 'empty-without-context', detail: `reading ${name} ${how} returned 0 rows without error (rows exist): missing context becomes a silent empty result instead of an error${preset}` };
}

export interface IsolationFacts {
  actor: string;
  /** The actor is a random tenant with no rows of its own. */
  stranger: boolean;
  fingerprints: Fingerprints;
  /** Other tenants are known to have rows in what the target reads (so a leak had something to show). */
  victimsHaveRows: boolean;
  /** Reads with a tenant set work on this target in general (some control or read succeeded). */
  readsWork: boolean;
}

/** With the setting at the actor, no visible row belongs to another tenant. */
export function judgeIsolation(obs: ReadObservation, facts: IsolationFacts): Judgement {
  const name = obs.target.name;
  const who = facts.stranger ? `stranger tenant ${facts.actor}` : `tenant ${facts.actor}`;
  if (obs.error) {
    if (!obs.target.granted) {
      return { verdict: 'pass', reason: 'not-granted', detail: `reading ${name} as ${who} is refused: the role has no SELECT on it (${describeError(obs)})` };
    }
    if (isEnvironmentError(obs.error.code) || !facts.readsWork) {
      return { verdict: 'inconclusive', reason: 'read-error', detail: `reading ${name} as ${who} failed (${describeError(obs)}); nothing observed` };
    }
    return { verdict: 'pass', reason: 'refused-with-error', detail: `reading ${name} as ${who} errors (${describeError(obs)}): nothing of another tenant is visible` };
  }
  const column = obs.target.tenantColumn;
  const foreign: { row: ObservedRow; owners: string[] }[] = [];
  let tenantless = 0;
  let attributable = 0;
  for (const row of obs.rows) {
    const t = tenantOf(row, column);
    // A row that shows its tenant column is that tenant's row: foreign content copied into the actor's own
    // row is contamination by the application (the HTTP suites report it), not a row-level security leak.
    // Fingerprints attribute rows only where the tenant column is not visible (views, functions).
    const owners = new Set<string>();
    if (t.present && t.value !== null) {
      if (t.value !== facts.actor) owners.add(t.value);
    } else {
      for (const owner of fingerprintOwners(row, facts.fingerprints)) if (owner !== facts.actor) owners.add(owner);
    }
    if (owners.size > 0) {
      foreign.push({ row, owners: [...owners] });
      continue;
    }
    if (t.present && t.value === null) tenantless++;
    if (t.present || fingerprintOwners(row, facts.fingerprints).has(facts.actor)) attributable++;
  }
  if (foreign.length > 0) {
    const tenants = [...new Set(foreign.flatMap((f) => f.owners))];
    return {
      verdict: 'leak',
      reason: 'foreign-rows-visible',
      detail: `as ${who}, ${name} shows ${foreign.length} row(s) of tenant(s) ${tenants.slice(0, 10).join(', ')}`,
    };
  }
  if (tenantless > 0) {
    return { verdict: 'fail-open', reason: 'tenantless-rows-visible', detail: `as ${who}, ${name} shows ${tenantless} row(s) with a NULL ${column}: rows outside any tenant are served to every tenant` };
  }
  if (obs.rows.length > attributable) {
    if (obs.target.rlsApplies) {
      return { verdict: 'pass', reason: 'unattributable-rls-applies', detail: `as ${who}, ${name} returns ${obs.rows.length} row(s) that carry no tenant column or known value; every tenant table it reads is read under row-level security, whose proofs are recorded per table` };
    }
    return { verdict: 'inconclusive', reason: 'unattributable', detail: `as ${who}, ${name} returns ${obs.rows.length} row(s) that carry no tenant column or known value, and it reads tenant tables without row-level security: leaks cannot be told from own rows` };
  }
  if (!facts.victimsHaveRows) {
    return { verdict: 'inconclusive', reason: 'nothing-to-leak', detail: `as ${who}, ${name} shows no foreign row, but no other tenant is known to have rows there, so the proof is vacuous` };
  }
  return { verdict: 'pass', reason: 'no-foreign-rows', detail: `as ${who}, ${name} shows ${obs.rows.length} row(s), none of another tenant` };
}

/**
 * The write probe a {@link WriteObservation} comes from, for {@link judgeWrite}: insert a row of the victim's tenant,
 * update or delete the victim's row, or move the actor's own row into the victim's tenant.
 */
export type WriteKind = 'insert-foreign' | 'update-foreign' | 'update-move' | 'delete-foreign';

const WRITE_TEXT: Record<WriteKind, { act: string; control: string; landed: string }> = {
  'insert-foreign': { act: 'inserting a row of tenant {victim}', control: 'the same row inserted for {actor}', landed: 'the row was written into tenant {victim}' },
  'update-foreign': { act: "updating tenant {victim}'s row", control: 'the same UPDATE as tenant {victim}', landed: "tenant {victim}'s row was changed" },
  'update-move': { act: 'moving its own row into tenant {victim}', control: 'a no-op UPDATE of that row', landed: 'the row was moved into tenant {victim}' },
  'delete-foreign': { act: "deleting tenant {victim}'s row", control: 'the same DELETE as tenant {victim}', landed: "tenant {victim}'s row was deleted" },
};

/** With the setting at the actor, a write that would land in the victim's tenant is refused (error, or 0 rows for UPDATE/DELETE of a hidden row). */
export function judgeWrite(kind: WriteKind, obs: WriteObservation): Judgement {
  const fill = (s: string) => s.replaceAll('{victim}', obs.victim).replaceAll('{actor}', obs.actor);
  const text = { act: fill(WRITE_TEXT[kind].act), control: fill(WRITE_TEXT[kind].control), landed: fill(WRITE_TEXT[kind].landed) };
  const where = `${obs.table} as tenant ${obs.actor}`;
  if (!obs.granted) return { verdict: 'pass', reason: 'not-granted', detail: `${where}: ${text.act} is refused — the role lacks the privilege` };
  if (obs.setupError !== undefined) return { verdict: 'inconclusive', reason: 'no-probe-row', detail: `${where}: ${text.act} could not be probed: ${obs.setupError}` };
  const control = obs.control;
  const needsOneRow = kind !== 'insert-foreign';
  // For UPDATE/DELETE of the victim's row, an integrity error (class 23, e.g. a child row's foreign key) proves the
  // statement matched the row: the constraint fires only after the row was reached.
  const reachesRow = kind === 'update-foreign' || kind === 'delete-foreign';
  const controlMatched = control !== null && (control.ok ? !needsOneRow || control.rowCount === 1 : reachesRow && control.error.code.startsWith('23'));
  if (obs.deniedByDefault && control && !controlMatched && obs.attempt && (obs.attempt.ok ? obs.attempt.rowCount === 0 && kind !== 'insert-foreign' : !isEnvironmentError(obs.attempt.error.code))) {
    return { verdict: 'pass', reason: 'denied-by-default', detail: `${where}: ${text.act} is refused, as is ${text.control}: no permissive policy covers the command, so row-level security denies it by default (hygiene: REVOKE the privilege if the application never uses it)` };
  }
  if (!control || !controlMatched) {
    const why = !control ? 'not run' : control.ok ? `affected ${control.rowCount} rows, expected 1` : `ERROR ${control.error.code}: ${control.error.message}`;
    return { verdict: 'inconclusive', reason: 'control-failed', detail: `${where}: control (${text.control}) failed (${why}), so a refusal could not be attributed to the tenant` };
  }
  const attempt = obs.attempt;
  if (!attempt) return { verdict: 'inconclusive', reason: 'not-run', detail: `${where}: ${text.act} was not attempted` };
  if (!attempt.ok) {
    if (isEnvironmentError(attempt.error.code)) return { verdict: 'inconclusive', reason: 'environment-error', detail: `${where}: ${text.act} failed for an environmental reason (ERROR ${attempt.error.code}: ${attempt.error.message})` };
    // Row-level security checks a new row before constraints, unique indexes and (end-of-statement) foreign keys: any
    // integrity violation on the insert means the policy let the other tenant's row through and only the constraint
    // stopped it (the control insert, the same row for the actor's own tenant, succeeded).
    if ((reachesRow || kind === 'insert-foreign') && attempt.error.code.startsWith('23')) {
      return { verdict: 'fail-open', reason: 'foreign-row-reachable', detail: `${where}: ${text.act} reached the row — only a constraint stopped it (ERROR ${attempt.error.code}: ${attempt.error.message}); a row without that constraint would have been changed` };
    }
    return { verdict: 'pass', reason: 'refused', detail: `${where}: ${text.act} is refused (ERROR ${attempt.error.code}: ${attempt.error.message})` };
  }
  if (kind === 'insert-foreign' || attempt.rowCount > 0) {
    return { verdict: 'leak', reason: 'foreign-write-accepted', detail: `${where}: ${text.act} was accepted — ${text.landed} (rolled back)` };
  }
  return { verdict: 'pass', reason: 'no-row-changed', detail: `${where}: ${text.act} changed 0 rows (the row is not visible to ${obs.actor})` };
}

/** A pass needs the positive control of the tables the proof reads: without it the proof may be vacuous. */
export function gateOnControl(judgement: Judgement, controlPassed: boolean): Judgement {
  if (judgement.verdict !== 'pass' || controlPassed) return judgement;
  return { verdict: 'inconclusive', reason: 'suite-control-failed', detail: `${judgement.detail} — but no positive control passed on the tables it reads (no tenant read its own rows there), so this cannot count as a pass` };
}
