import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveEnvSpec } from '../core/env-spec.ts';
import { ConfigError, DatabaseUnavailableError, TenancyAuditError } from '../core/errors.ts';
import type { AuditEventHandler } from '../core/events.ts';
import { DEFAULT_FAIL_ON, type FailLevel } from '../core/verdict.ts';
import { loadDbConfig } from '../db/audit/config.ts';
import { validateDbAuditOptions, type DbAuditOptions, type DbContextPreset, type MembershipOptions } from '../db/audit/index.ts';
import { redactUrl } from '../db/provision.ts';
import { canonicalJson, sha256Hex } from '../evidence/index.ts';
import { auditDatabaseInto } from './database-phase.ts';
import { closeRunFolder, openRunFolder, type ManifestFacts, type RunResult } from './run-folder.ts';

/** Options of a data-layer audit; each overrides the db config file's value of the same name. */
export interface DatabaseAuditOptions {
  /** A db config file (JSON or YAML). */
  config?: string;
  /** URL of the database, connecting as the application's role (or `env:NAME`). Exclusive with `migrations`. */
  databaseUrl?: string;
  /** Build a disposable database from these `*.sql` files and audit it (needs `appRole`). */
  migrations?: string;
  appRole?: string;
  /** The setting the application sets per transaction, e.g. `app.tenant_id` (short for `context: { [name]: '{tenant}' }`). */
  tenantSetting?: string;
  /** Settings set per transaction, name → template with `{tenant}` / `{principal}` (e.g. `request.jwt.claims`). */
  context?: Record<string, string>;
  /** The role the platform switches to (`SET LOCAL ROLE`), e.g. `authenticated`: the audited role. */
  role?: string;
  /** `supabase` or `postgrest`: fills in `context` and `role`. */
  preset?: DbContextPreset;
  /** Setting that holds the principal (user id), when tenants are reached through memberships. */
  principalSetting?: string;
  /** The membership table mapping principals to tenants (default: read from the policies). */
  memberships?: MembershipOptions;
  tenantColumn?: string;
  tables?: string[];
  tenants?: string[];
  seed?: number;
  runs?: number;
  reportDir?: string;
  failOn?: FailLevel;
  /** Private key (file, PEM/JWK) to sign the manifest. */
  signKey?: string;
  system?: string;
  environment?: string;
  onEvent?: AuditEventHandler;
  /** The command line, redacted, for the manifest. */
  command?: string;
  /** Suite ids or prefixes (`db.rls`) to run. */
  suites?: string[];
  /** Folders of the user's own `db` suites, run beside the built-in ones. */
  suiteDirs?: string[];
  /** How `migrations` gets its disposable database (tests). */
  provision?: DbAuditOptions['provision'];
}

type Resolved = { audit: Omit<DbAuditOptions, 'onRecord'>; failOn: FailLevel; reportDir: string; system: string; environment: string };

/**
 * Audits PostgreSQL row-level security as the application's role into a run folder of kind `db`: the same evidence
 * chain, manifest, tallies and exit codes as {@link run}. Nothing is ever committed to the audited database.
 *
 * @example
 * const result = await runDatabaseAudit({ databaseUrl: 'env:APP_DATABASE_URL', tenantSetting: 'app.tenant_id' });
 * process.exitCode = result.exitCode;
 */
export async function runDatabaseAudit(options: DatabaseAuditOptions): Promise<RunResult> {
  const { audit, failOn, reportDir, system, environment } = await resolve(options);
  const emit = options.onEvent ?? (() => {});
  const seed = audit.seed ?? crypto.randomInt(0, 2 ** 31 - 1);
  const password = audit.databaseUrl ? passwordOf(audit.databaseUrl) : undefined;
  const folder = await openRunFolder(reportDir, password ? [password] : []);
  const target = audit.databaseUrl ? redactUrl(audit.databaseUrl) : `migrations:${audit.migrationsDir}`;
  emit({ type: 'run-start', kind: 'db', runId: folder.runId, dir: folder.dir, target, seed, suites: [] });

  const { outcome, failure, inconclusiveSuites } = await auditDatabaseInto(folder, { ...audit, seed }, failOn, emit, 'tenancy-audit db' + (options.config ? ` --config ${options.config}` : ''));
  if (failure !== undefined && folder.writer.count === 0 && (failure instanceof ConfigError || (failure instanceof TenancyAuditError && failure.code === 'TA_USAGE'))) {
    await folder.writer.close();
    await fs.rm(folder.dir, { recursive: true, force: true });
    throw failure;
  }
  const suites = outcome?.suites ?? [];
  const config = { ...audit, ...(audit.databaseUrl ? { databaseUrl: target } : {}), seed, failOn, reportDir };
  const facts: ManifestFacts = {
    kind: 'db',
    system,
    environment,
    target: { database: outcome?.database ?? target },
    configHash: sha256Hex(canonicalJson(config)),
    config,
    seed,
    runs: outcome?.runs ?? audit.runs ?? 3,
    command: options.command ?? 'tenancy-audit db',
    suites,
    mutations: outcome?.mutations ?? [],
    operations: outcome?.operations ?? [],
    tenants: outcome?.tenants ?? audit.tenants ?? [],
  };
  const unreachable = failure instanceof DatabaseUnavailableError ? failure : undefined;
  const incompleteReason = failure === undefined ? undefined : unreachable ? `database unreachable: ${unreachable.message}` : failure instanceof Error ? failure.message : String(failure);
  const result = await closeRunFolder(folder, facts, {
    failOn,
    ...(incompleteReason !== undefined ? { incompleteReason } : {}),
    failed: failure !== undefined,
    interrupted: false,
    inconclusiveSuites,
    ...(options.signKey ? { signKey: options.signKey } : {}),
  });
  emit({ type: 'run-end', exitCode: result.exitCode, complete: result.complete, ...(incompleteReason ? { incompleteReason } : {}), ...(unreachable?.hint ? { hint: unreachable.hint } : {}) });
  // Evidence so far is kept and the manifest says why the audit is incomplete; the error itself goes to the caller.
  if (failure !== undefined && unreachable === undefined) throw failure;
  return result;
}

async function resolve(options: DatabaseAuditOptions): Promise<Resolved> {
  const file = options.config ? await loadDbConfig(options.config) : {};
  const urlSpec = options.databaseUrl ?? file.databaseUrl;
  const databaseUrl = urlSpec === undefined ? undefined : resolveEnvSpec('--database-url', urlSpec);
  const migrationsDir = options.migrations ?? file.migrations;
  const pick = <K extends keyof typeof file & keyof DatabaseAuditOptions>(key: K) => (options[key] ?? file[key]) as (typeof file)[K];
  const audit: Omit<DbAuditOptions, 'onRecord'> = {
    ...defined({ tenantSetting: pick('tenantSetting'), context: pick('context'), role: pick('role'), preset: pick('preset'), principalSetting: pick('principalSetting'), memberships: pick('memberships') }),
    ...defined({ databaseUrl, migrationsDir, appRole: pick('appRole'), tenantColumn: pick('tenantColumn'), tables: pick('tables'), tenants: pick('tenants'), seed: pick('seed'), runs: pick('runs') }),
    ...(options.provision ? { provision: options.provision } : {}),
    ...(options.suites ? { only: options.suites } : {}),
    ...(options.suiteDirs ? { suiteDirs: options.suiteDirs.map((d) => path.resolve(d)) } : {}),
  };
  validateDbAuditOptions(audit);
  const system = options.system ?? file.system ?? (databaseUrl ? new URL(databaseUrl).pathname.slice(1) || 'database' : path.basename(path.resolve(migrationsDir ?? '.')));
  return { audit, failOn: options.failOn ?? file.failOn ?? DEFAULT_FAIL_ON, reportDir: options.reportDir ?? file.reportDir ?? 'reports', system, environment: options.environment ?? file.environment ?? 'staging' };
}

function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
