import crypto from 'node:crypto';
import type { EvidenceKind, MutationInfo, OperationInfo, RunCounts, SuiteMeta, UnsignedEvidenceRecord } from '../../core/types.ts';
import { TenancyAuditError } from '../../core/errors.ts';
import { worseVerdict, type Verdict } from '../../core/verdict.ts';
import { suiteMeta, type SuiteDefinitionBase } from '../../suite/define.ts';
import { BUILTIN_SUITES_DIR, loadSuites } from '../../suite/load.ts';
import type { DatabaseSource, ProvisionOptions } from '../provision.ts';
import type { DbRecordInput, DbSuiteContext, DbSuiteDefinition } from './context.ts';
import { openBehaviourIO, type OpenBehaviourIO } from './probes.ts';
import { seededRandom } from './rows.ts';
import { BEHAVIOUR_SUITE_ID, CATALOG_SUITE_ID, dbMutations, dbRule } from './rules.ts';
import { openMigrationsTarget, openUrlTarget } from './target.ts';

export type { DbSuiteContext, DbSuiteDefinition, DbBehaviourIO, DbRecordInput, KnownTenant } from './context.ts';
export type { CatalogSnapshot } from './types.ts';
export { DB_RULES, dbMutations, CATALOG_SUITE_ID, BEHAVIOUR_SUITE_ID } from './rules.ts';
export { introspectCatalog } from './introspect.ts';

export interface DbAuditOptions {
  /** URL of the database to audit, connecting as the application's own role. Exclusive with `migrationsDir`. */
  databaseUrl?: string;
  /** Build a disposable database from these `*.sql` files (name order) and audit it. Needs `appRole`. */
  migrationsDir?: string;
  /** Role to audit. With `migrationsDir` (required) the admin connection does `SET LOCAL ROLE` to it; with a URL, only when it differs from the connecting role. */
  appRole?: string;
  /** The setting the application sets per transaction, e.g. `app.tenant_id`. */
  tenantSetting: string;
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
  /** Suites to run; default the built-in `db.rls-catalog` and `db.rls-behaviour`. */
  suites?: readonly DbSuiteDefinition[];
  /** How `migrationsDir` gets its disposable database (default: DATABASE_URL → Testcontainers → embedded). */
  provision?: Pick<ProvisionOptions, 'databaseUrl' | 'source'>;
}

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

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)+$/;

function usage(message: string, hint?: string): TenancyAuditError {
  return new TenancyAuditError('TA_USAGE', message, hint === undefined ? {} : { hint });
}

/** Throws `TA_USAGE` for options `auditDatabase` would refuse, before anything is opened. */
export function validateDbAuditOptions(options: Omit<DbAuditOptions, 'onRecord'>): void {
  if (!options.databaseUrl === !options.migrationsDir) {
    throw usage('give exactly one of --database-url or --migrations', 'Audit a running database with --database-url, or build one from SQL files with --migrations DIR --app-role ROLE.');
  }
  if (options.migrationsDir && !options.appRole) throw usage('--migrations needs --app-role: the role the application connects as');
  if (!options.tenantSetting || !SETTING_NAME.test(options.tenantSetting)) {
    throw usage(`--tenant-setting must be a custom setting name like app.tenant_id (got ${JSON.stringify(options.tenantSetting ?? '')})`);
  }
  if (options.tenantColumn !== undefined && options.tenantColumn.trim() === '') throw usage('--tenant-column must not be empty');
  if (options.runs !== undefined && (!Number.isInteger(options.runs) || options.runs < 1)) throw usage(`--runs must be a positive integer (got ${options.runs})`);
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw usage(`--seed must be an integer (got ${options.seed})`);
}

function isDbSuite(suite: SuiteDefinitionBase): suite is DbSuiteDefinition {
  return suite.target === 'db' && typeof (suite as Partial<DbSuiteDefinition>).run === 'function';
}

/** The built-in `db` suites, through the suite loader (metadata validated, id = file name): catalog first, then behaviour. */
async function builtInSuites(): Promise<DbSuiteDefinition[]> {
  const suites = (await loadSuites([BUILTIN_SUITES_DIR])).map((l) => l.suite).filter(isDbSuite);
  const rank = (id: string) => (id === CATALOG_SUITE_ID ? 0 : id === BEHAVIOUR_SUITE_ID ? 1 : 2);
  return suites.sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
}

/**
 * Audits PostgreSQL row-level security as the application's role: the catalog checks (`db.rls-catalog`) and the
 * behaviour proofs (`db.rls-behaviour`), each result handed to `onRecord` as an evidence record.
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
  const suites = options.suites ?? (await builtInSuites());

  const targetOptions = { tenantSetting: options.tenantSetting, tenantColumn: options.tenantColumn, tables: options.tables, tenants: options.tenants, appRole: options.appRole, log };
  const target = options.migrationsDir
    ? await openMigrationsTarget(options.migrationsDir, { ...targetOptions, appRole: options.appRole!, seed, random, provision: options.provision })
    : await openUrlTarget(options.databaseUrl!, targetOptions);
  const { snapshot, tenants, database } = target;
  let io: OpenBehaviourIO | null = null;
  try {
    log(`database: auditing role ${snapshot.role.name} on ${database}; tenants ${tenants.map((t) => t.value).join(', ') || '(none known)'}; seed ${seed}`);
    io = await openBehaviourIO({ ...target, random });

    const byKind: Partial<Record<EvidenceKind, number>> = {};
    const byVerdict: Partial<Record<Verdict, number>> = {};
    let records = 0;
    let worst: Verdict | null = null;
    for (const suite of suites) {
      const ctx: DbSuiteContext = {
        snapshot,
        seed,
        runs,
        behaviour: io,
        async record(input: DbRecordInput) {
          const record = toRecord(suite.id, seed, input);
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
      mutations: suites.flatMap((s) => dbMutations(s.id)),
      operations: io.targets.map((t) => ({ id: t.name, method: t.kind.toUpperCase(), path: t.name, tenantScoped: true })),
      worst: worst ?? 'inconclusive',
      counts: { records, byKind, byVerdict },
    };
  } finally {
    await io?.close();
    await target.dispose();
  }
}

function toRecord(suite: string, seed: number, input: DbRecordInput): UnsignedEvidenceRecord {
  const rule = dbRule(input.rule);
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
