import crypto from 'node:crypto';
import type { EvidenceKind, MutationInfo, OperationInfo, RunCounts, SuiteMeta, UnsignedEvidenceRecord } from '../../core/types.ts';
import { TenancyAuditError } from '../../core/errors.ts';
import { worseVerdict, type Verdict } from '../../core/verdict.ts';
import { suiteMeta } from '../../suite/define.ts';
import type { DatabaseSource, ProvisionOptions } from '../provision.ts';
import type { DbRecordInput, DbSuiteContext, DbSuiteDefinition } from './context.ts';
import { openBehaviourIO, type OpenBehaviourIO } from './probes.ts';
import { seededRandom } from './rows.ts';
import { ruleMutation, type DbRule } from './rules.ts';
import { ruleResolver, selectDbSuites } from './suites.ts';
import { openMigrationsTarget, openUrlTarget } from './target.ts';
import { resolveContext, type DbContextOptions } from './tenant-context.ts';

export type { DbSuiteContext, DbSuiteDefinition, DbSuitePhase, DbBehaviourIO, DbRecordInput, KnownTenant } from './context.ts';
export type { CatalogSnapshot } from './types.ts';
export type { DbRule } from './rules.ts';
export { introspectCatalog } from './introspect.ts';
export type { MembershipOptions } from './membership.ts';
export { CONTEXT_PRESETS, parseContextEntry, resolveContext, type ContextSetting, type DbContextOptions, type DbContextPreset, type ResolvedContext } from './tenant-context.ts';

/**
 * Options of {@link auditDatabase}: what to audit (exactly one of `databaseUrl` or `migrationsDir`, the latter with
 * `appRole`), the tenant context ({@link DbContextOptions}: `tenantSetting`, or `context` templates, `role`,
 * `preset`), and where each evidence record goes (`onRecord`).
 */
export interface DbAuditOptions extends DbContextOptions {
  /** URL of the database to audit, connecting as the application's own role. Exclusive with `migrationsDir`. */
  databaseUrl?: string;
  /** Build a disposable database from these `*.sql` files (name order) and audit it. Needs `appRole`. */
  migrationsDir?: string;
  /** Role to audit. With `migrationsDir` (required) the admin connection does `SET LOCAL ROLE` to it; with a URL, only when it differs from the connecting role. */
  appRole?: string;
  /** Column that marks tenant tables. Default `tenant_id`. */
  tenantColumn?: string;
  /** Tenant tables listed explicitly (instead of every table with the tenant column). */
  tables?: string[];
  /** Tenant values with rows to protect (a user database); default: discovered through the tenant columns' foreign keys. */
  tenants?: string[];
  /** Seed of the fast-check generation (tenant values, probe order). Default: random, recorded. */
  seed?: number;
  /** Generated probe plans. Default 3. */
  runs?: number;
  /** Called with each evidence record, in order; awaited. */
  onRecord: (record: UnsignedEvidenceRecord) => Promise<void>;
  /** Progress lines (no secrets). */
  log?: (line: string) => void;
  /** Folders of user suites, loaded with the built-in folder; their `target: 'db'` suites run with the built-in ones. */
  suiteDirs?: readonly string[];
  /** Suite ids or prefixes to run; default every `db` suite loaded. */
  only?: readonly string[];
  /** Already loaded suites to run instead of loading folders (`only` still applies). */
  suites?: readonly DbSuiteDefinition[];
  /** How `migrationsDir` gets its disposable database (default: DATABASE_URL → Testcontainers → embedded). */
  provision?: Pick<ProvisionOptions, 'databaseUrl' | 'source'>;
}

/** What {@link auditDatabase} returns once every suite ran: what was audited, the suites and rules, and the record counts for the manifest. */
export interface DbAuditOutcome {
  suites: SuiteMeta[];
  /** What was audited: the redacted URL, or `migrations:<dir>` with the disposable database's redacted URL. */
  database: string;
  source: 'url' | DatabaseSource;
  role: string;
  serverVersion: string;
  seed: number;
  runs: number;
  tenants: string[];
  mutations: MutationInfo[];
  /** The objects in scope (tenant tables, views and functions probed), for the manifest's population. */
  operations: OperationInfo[];
  /** Worst verdict over all records (`inconclusive` when nothing was recorded). */
  worst: Verdict;
  counts: RunCounts;
}

function usage(message: string, hint?: string): TenancyAuditError {
  return new TenancyAuditError('TA_USAGE', message, hint === undefined ? {} : { hint });
}

/** Throws `TA_USAGE` for options `auditDatabase` would refuse, before anything is opened. */
export function validateDbAuditOptions(options: Omit<DbAuditOptions, 'onRecord'>): void {
  if (!options.databaseUrl === !options.migrationsDir) {
    throw usage('give exactly one of --database-url or --migrations', 'Audit a running database with --database-url, or build one from SQL files with --migrations DIR --app-role ROLE.');
  }
  if (options.migrationsDir && !options.appRole && !options.role && !options.preset) throw usage('--migrations needs --app-role: the role the application connects as');
  if (options.appRole && options.role && options.appRole !== options.role) throw usage(`--app-role ${options.appRole} and --role ${options.role} differ`, 'Both name the audited role: give one of them.');
  resolveContext(options);
  if (options.tenantColumn !== undefined && options.tenantColumn.trim() === '') throw usage('--tenant-column must not be empty');
  if (options.runs !== undefined && (!Number.isInteger(options.runs) || options.runs < 1)) throw usage(`--runs must be a positive integer (got ${options.runs})`);
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw usage(`--seed must be an integer (got ${options.seed})`);
}

/**
 * Audits PostgreSQL row-level security as the application's role with the `db` suites (built-in and `suiteDirs`):
 * `catalog` suites judge the catalog snapshot, then `behaviour` suites prove the behaviour through rolled-back
 * probes; each result is handed to `onRecord` as an evidence record.
 * Nothing is ever committed to a user database (reads are READ ONLY, writes are rolled back); with
 * `migrationsDir` the disposable database gets synthetic tenants and is dropped at the end.
 *
 * @example
 * const outcome = await auditDatabase({
 *   databaseUrl: process.env.APP_DATABASE_URL, tenantSetting: 'app.tenant_id',
 *   onRecord: async (r) => writer.append(r),
 * });
 */
export async function auditDatabase(options: DbAuditOptions): Promise<DbAuditOutcome> {
  validateDbAuditOptions(options);
  const log = options.log ?? (() => {});
  const seed = options.seed ?? crypto.randomInt(0, 2 ** 31 - 1);
  const runs = options.runs ?? 3;
  const random = seededRandom(seed);
  const suites = await selectDbSuites(options);

  const context = resolveContext(options);
  const appRole = options.appRole ?? context.role;
  const targetOptions = { context, tenantColumn: options.tenantColumn, tables: options.tables, tenants: options.tenants, appRole, log };
  const target = options.migrationsDir
    ? await openMigrationsTarget(options.migrationsDir, { ...targetOptions, appRole: appRole!, seed, random, provision: options.provision, memberships: options.memberships })
    : await openUrlTarget(options.databaseUrl!, { ...targetOptions, seed, random, memberships: options.memberships });
  const { snapshot, tenants, database } = target;
  let io: OpenBehaviourIO | null = null;
  try {
    log(`database: auditing role ${snapshot.role.name} on ${database}; tenants ${tenants.map((t) => t.value).join(', ') || '(none known)'}; seed ${seed}`);
    const behaviour = await openBehaviourIO({ ...target, settings: context.settings, random });
    io = behaviour;

    const byKind: Partial<Record<EvidenceKind, number>> = {};
    const byVerdict: Partial<Record<Verdict, number>> = {};
    let records = 0;
    let worst: Verdict | null = null;
    for (const suite of suites) {
      const ruleOf = ruleResolver(suite);
      const ctx: DbSuiteContext = {
        snapshot,
        seed,
        runs,
        get behaviour() {
          if (suite.phase === 'catalog') throw new TypeError(`suite "${suite.id}" is a catalog suite: it reads ctx.snapshot only (ctx.behaviour is for phase 'behaviour')`);
          return behaviour;
        },
        async record(input: DbRecordInput) {
          const record = toRecord(suite.id, ruleOf(input.rule), seed, input);
          records++;
          byKind[record.kind] = (byKind[record.kind] ?? 0) + 1;
          byVerdict[record.verdict] = (byVerdict[record.verdict] ?? 0) + 1;
          worst = worst === null ? record.verdict : worseVerdict(worst, record.verdict);
          await options.onRecord(record);
        },
      };
      log(`suite ${suite.id}`);
      await suite.run(ctx);
    }
    return {
      suites: suites.map(suiteMeta),
      database,
      source: target.source,
      role: snapshot.role.name,
      serverVersion: snapshot.serverVersion,
      seed,
      runs,
      tenants: tenants.map((t) => t.value),
      mutations: suites.flatMap((s) => s.rules.map(ruleMutation)),
      operations: behaviour.targets.map((t) => ({ id: t.name, method: t.kind.toUpperCase(), path: t.name, tenantScoped: true })),
      worst: worst ?? 'inconclusive',
      counts: { records, byKind, byVerdict },
    };
  } finally {
    await io?.close();
    await target.dispose();
  }
}

function toRecord(suite: string, rule: DbRule, seed: number, input: DbRecordInput): UnsignedEvidenceRecord {
  const record: UnsignedEvidenceRecord = {
    v: 1,
    kind: input.kind ?? 'db-check',
    suite,
    family: 'data-layer',
    path: 'db',
    operation: input.operation,
    mutation: { id: rule.id, title: rule.title },
    seed,
    steps: (input.steps ?? []).map((s, i) => ({ ...s, n: i + 1 })),
    verdict: input.verdict,
    reason: input.reason,
    detail: input.detail,
    startedAt: input.startedAt ?? new Date().toISOString(),
    durationMs: input.durationMs ?? 0,
  };
  if (input.actor !== undefined) record.actor = input.actor;
  if (input.victim !== undefined) record.victim = input.victim;
  if (input.replayPath !== undefined) record.replayPath = input.replayPath;
  return record;
}
