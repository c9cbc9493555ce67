import type fc from 'fast-check';
import type { EvidenceStep } from '../../core/types.ts';
import type { Verdict } from '../../core/verdict.ts';
import type { SuiteDefinitionBase } from '../../suite/define.ts';
import type { ObservedRow, ReadObservation, ReadTarget, TenantlessObservation, WriteObservation } from './observations.ts';
import type { DbRule } from './rules.ts';
import type { SeedReport } from './seed.ts';
import type { CatalogSnapshot, TableFacts } from './types.ts';

/** A tenant value the behaviour proofs may set, and where it came from. */
export interface KnownTenant {
  value: string;
  source: 'option' | 'discovered' | 'synthetic';
}

/**
 * I/O for the behaviour proofs, as the audited role. Every call is its own transaction that ends in ROLLBACK;
 * reads run READ ONLY. Suites decide what to probe and in which order; this only runs and observes.
 */
export interface DbBehaviourIO {
  /** Tenants with rows to protect: `--tenants`, discovered, or seeded (with `--migrations`). */
  readonly tenants: readonly KnownTenant[];
  /** Values shaped like this database's tenant ids, for random stranger tenants. */
  readonly tenantArbitrary: fc.Arbitrary<string>;
  /** Tenant tables, readable views over them, and callable row-returning functions that name them. */
  readonly targets: readonly ReadTarget[];
  /** Tenant tables with a tenant column (write probes aim at these). */
  readonly writeTables: readonly TableFacts[];
  /** How the connection acts as the audited role (stated in evidence). */
  readonly connectionNote: string;
  /** What was seeded into a disposable database (null for a user database: nothing is written there). */
  readonly seedReport: SeedReport | null;
  /** Read on a session that has never set the tenant setting. */
  readUnset(target: ReadTarget): Promise<ReadObservation>;
  /** Read with the setting reset to '' (the state of a pooled session after a `SET LOCAL` transaction). */
  readEmpty(target: ReadTarget): Promise<ReadObservation>;
  readAs(target: ReadTarget, tenant: string): Promise<ReadObservation>;
  insertForeign(table: TableFacts, actor: string, victim: string, template: ObservedRow | undefined): Promise<WriteObservation>;
  updateForeign(table: TableFacts, actor: string, victim: string, victimRow: ObservedRow | undefined): Promise<WriteObservation>;
  updateMove(table: TableFacts, actor: string, victim: string, actorRow: ObservedRow | undefined): Promise<WriteObservation>;
  deleteForeign(table: TableFacts, actor: string, victim: string, victimRow: ObservedRow | undefined): Promise<WriteObservation>;
  /**
   * As `actor`, insert a copy of `row` (`insert`) or update `row` (`update`, the actor's own row) with the tenant column
   * set to `value` (null: SQL NULL; else a wildcard-looking value), then read the table as `witness` in the same
   * rolled-back transaction: does the witness see the row?
   */
  writeTenantless(table: TableFacts, mode: 'insert' | 'update', value: string | null, actor: string, witness: string, row: ObservedRow | undefined): Promise<TenantlessObservation>;
}

/**
 * One result a `db` suite hands to `ctx.record`: the rule it applies to, the object checked (`operation`) and the
 * judgement; the context fills in the suite, family, path, seed and the rule's title.
 */
export interface DbRecordInput {
  /** Default `db-check`; positive controls are `control`. */
  kind?: 'db-check' | 'control';
  /** Id of one of the recording suite's `rules` (its title fills the record's `mutation`). */
  rule: string;
  operation: string;
  verdict: Verdict;
  reason: string;
  detail: string;
  /** Steps; numbered by the context when `n` is missing. */
  steps?: readonly (Omit<EvidenceStep, 'n'> & { n?: number })[];
  actor?: string | null;
  victim?: string | null;
  replayPath?: string;
  startedAt?: string;
  durationMs?: number;
}

/** What a `db` suite's `run` receives: the catalog snapshot, the behaviour I/O, and a recorder. */
export interface DbSuiteContext {
  readonly snapshot: CatalogSnapshot;
  /** Seed of this audit (fast-check generation of tenant values and probe order). */
  readonly seed: number;
  /** Number of generated probe plans. */
  readonly runs: number;
  readonly behaviour: DbBehaviourIO;
  /** Appends one evidence record (suite, family `data-layer`, path `db`, seed and rule title are filled in). */
  record(input: DbRecordInput): Promise<void>;
}

/** When a `db` suite runs: `catalog` suites only read `ctx.snapshot` and run first, then `behaviour` suites (ties by id). */
export type DbSuitePhase = 'catalog' | 'behaviour';

/** A suite run by the data-layer audit. */
export interface DbSuiteDefinition extends SuiteDefinitionBase {
  target: 'db';
  phase: DbSuitePhase;
  /** Every rule the suite may record (unique ids): `ctx.record` resolves `rule` here; the manifest lists them. */
  rules: readonly DbRule[];
  run(ctx: DbSuiteContext): Promise<void>;
}
