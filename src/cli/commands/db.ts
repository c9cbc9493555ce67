import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, DatabaseUnavailableError, TenancyAuditError } from '../../core/errors.ts';
import type { EvidenceRecord, RunManifest } from '../../core/types.ts';
import { DEFAULT_FAIL_ON, FAIL_LEVELS, worseVerdict, type FailLevel, type Verdict } from '../../core/verdict.ts';
import { loadDbConfig, type DbConfig } from '../../db/audit/config.ts';
import { auditDatabase, validateDbAuditOptions, type DbAuditOptions, type DbAuditOutcome } from '../../db/audit/index.ts';
import { DB_RULES } from '../../db/audit/rules.ts';
import { redactUrl } from '../../db/provision.ts';
import { canonicalJson, createRedactor, openEvidenceWriter, sha256Hex, writeManifest, type EvidenceWriter } from '../../evidence/index.ts';
import { isFailing, suiteStatus, type SuiteTally } from '../../report/suite-status.ts';
import { describeRunContext, TOOL_VERSION } from '../../run/context-info.ts';
import { exitCodeOf } from '../../run/exit-code.ts';
import { int, parseFormats, redactedArgv, renderRunReports, resolveKeySpec } from '../shared.ts';
import { paint } from '../terminal.ts';

/** A flag that may be absent or name an environment variable (`env:NAME`). */
const optionalSpec = (flag: string, spec: string | undefined) => (spec === undefined ? undefined : resolveKeySpec(flag, spec));

export interface DbFlags {
  config?: string;
  databaseUrl?: string;
  migrations?: string;
  appRole?: string;
  tenantSetting?: string;
  tenantColumn?: string;
  tables?: string;
  tenants?: string;
  seed?: number;
  runs?: number;
  reportDir?: string;
  failOn?: FailLevel;
  signKey?: string;
  format?: string;
  system?: string;
  environment?: string;
}

/**
 * `tenancy-audit db`: audits PostgreSQL row-level security as the application's role and writes the same run
 * folder as `run` (evidence.jsonl, manifest.json of kind `db`, reports). Exit codes as DESIGN.md: 0 pass,
 * 1 a verdict at/above --fail-on, 2 usage/config error, 3 database unreachable or the audit inconclusive.
 */
export function dbCommand(): Command {
  return new Command('db')
    .description('audit PostgreSQL row-level security (catalog checks and behaviour proofs as the app role) and write evidence and reports')
    .option('-c, --config <file>', 'db config file (JSON or YAML): databaseUrl, migrations, appRole, tenantSetting, tenantColumn, tables, tenants, …')
    .option('--database-url <url>', 'database to audit, connecting as the application role (or env:NAME)')
    .option('--migrations <dir>', 'build a disposable database from these *.sql files (name order) and audit it')
    .option('--app-role <role>', 'role to audit (required with --migrations; SET ROLE when it differs from the URL role)')
    .option('--tenant-setting <name>', 'setting the application sets per transaction, e.g. app.tenant_id')
    .option('--tenant-column <name>', 'column that marks tenant tables (default tenant_id)')
    .option('--tables <list>', 'tenant tables listed explicitly, comma-separated (schema.table)')
    .option('--tenants <list>', 'tenant values with rows to protect, comma-separated (default: discovered)')
    .option('--seed <n>', 'seed for reproducible generation of tenant values and probe order', int('--seed'))
    .option('--runs <n>', 'generated probe plans', int('--runs', 1))
    .option('--report-dir <dir>', 'folder for run folders (default: reports)')
    .addOption(new Option('--fail-on <level>', 'lowest verdict that fails the run (default soft-fail)').choices([...FAIL_LEVELS, 'never']))
    .option('--sign-key <key>', 'private key (file, PEM/JWK, or env:NAME) to sign the manifest')
    .option('--format <list>', 'report formats to render', 'html,md,junit,json')
    .option('--system <name>', 'system name on the report cover')
    .option('--environment <name>', 'environment name on the report cover (default staging)')
    .action(async (flags: DbFlags) => {
      process.exitCode = await dbFromFlags(flags);
    });
}

function list(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((s) => s.trim()).filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}


/** Flags over the config file; the result is what `auditDatabase` gets (minus `onRecord`). */
export async function resolveDbFlags(flags: DbFlags): Promise<{ options: Omit<DbAuditOptions, 'onRecord'>; file: DbConfig; failOn: FailLevel; reportDir: string }> {
  const file = flags.config ? await loadDbConfig(flags.config) : {};
  const databaseUrl = optionalSpec('--database-url', flags.databaseUrl ?? file.databaseUrl);
  const migrationsDir = flags.migrations ?? file.migrations;
  const appRole = flags.appRole ?? file.appRole;
  const tenantColumn = flags.tenantColumn ?? file.tenantColumn;
  const tables = list(flags.tables) ?? file.tables;
  const tenants = list(flags.tenants) ?? file.tenants;
  const seed = flags.seed ?? file.seed;
  const runs = flags.runs ?? file.runs;
  const options: Omit<DbAuditOptions, 'onRecord'> = {
    tenantSetting: flags.tenantSetting ?? file.tenantSetting ?? '',
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(migrationsDir ? { migrationsDir } : {}),
    ...(appRole ? { appRole } : {}),
    ...(tenantColumn ? { tenantColumn } : {}),
    ...(tables ? { tables } : {}),
    ...(tenants ? { tenants } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(runs !== undefined ? { runs } : {}),
  };
  if (!options.tenantSetting) {
    throw new TenancyAuditError('TA_USAGE', '--tenant-setting is required: the setting your application sets per transaction (e.g. app.tenant_id)');
  }
  validateDbAuditOptions(options);
  return { options, file, failOn: flags.failOn ?? file.failOn ?? DEFAULT_FAIL_ON, reportDir: flags.reportDir ?? file.reportDir ?? 'reports' };
}

interface Tally extends SuiteTally {
  verdicts: Partial<Record<Verdict, number>>;
}

export async function dbFromFlags(flags: DbFlags, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const line = (text = '') => write(`${text}\n`);
  const formats = parseFormats(flags.format);
  const { options, file, failOn, reportDir } = await resolveDbFlags(flags);
  const signKey = optionalSpec('--sign-key', flags.signKey);
  const seed = options.seed ?? crypto.randomInt(0, 2 ** 31 - 1);
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${crypto.randomBytes(3).toString('hex')}`;
  const dir = path.resolve(reportDir, runId);
  const startedAt = new Date().toISOString();

  const secrets: string[] = [];
  if (options.databaseUrl) {
    const password = safePassword(options.databaseUrl);
    if (password) secrets.push(password);
  }
  const redactor = createRedactor(secrets);
  const config = {
    ...options,
    ...(options.databaseUrl ? { databaseUrl: redactUrl(options.databaseUrl) } : {}),
    seed,
    failOn,
    reportDir,
  };
  const target = options.databaseUrl ? redactUrl(options.databaseUrl) : `migrations:${options.migrationsDir}`;
  const base = {
    v: 1 as const,
    tool: { name: 'tenancy-audit' as const, version: TOOL_VERSION },
    kind: 'db' as const,
    runId,
    startedAt,
    system: flags.system ?? file.system ?? (options.databaseUrl ? new URL(options.databaseUrl).pathname.slice(1) || 'database' : path.basename(path.resolve(options.migrationsDir ?? '.'))),
    environment: flags.environment ?? file.environment ?? 'staging',
    configHash: sha256Hex(canonicalJson(config)),
    config,
    seed,
    command: redactedArgv(),
    operator: describeRunContext(),
    failOn,
  };
  const manifestOf = (writer: EvidenceWriter, end: { complete: boolean; incompleteReason?: string; exitCode: number; outcome?: DbAuditOutcome }): Omit<RunManifest, 'signature'> => ({
    ...base,
    endedAt: new Date().toISOString(),
    complete: end.complete,
    ...(end.incompleteReason ? { incompleteReason: end.incompleteReason } : {}),
    target: { database: end.outcome?.database ?? target },
    runs: end.outcome?.runs ?? options.runs ?? 3,
    suites: end.outcome?.suites ?? [],
    mutations: end.outcome?.mutations ?? [],
    operations: end.outcome?.operations ?? [],
    tenants: end.outcome?.tenants ?? options.tenants ?? [],
    counts: writer.counts(),
    headHash: writer.headHash,
    evidenceSha256: writer.evidenceSha256(),
    exitCode: end.exitCode,
  });

  // No manifest until the audit ends (as `run`): a killed audit leaves a chain prefix and no manifest,
  // which `verify` and `report` read as incomplete rather than as tampered.
  const writer = await openEvidenceWriter(dir, { runId, redactor });
  const tallies = new Map<string, Tally>();
  const failing: EvidenceRecord[] = [];
  let worst: Verdict = 'pass';
  let outcome: DbAuditOutcome | undefined;
  let failure: unknown;
  line(`tenancy-audit db · ${target} · seed ${seed}`);
  try {
    outcome = await auditDatabase({
      ...options,
      seed,
      log: (l) => line(`  ${l}`),
      onRecord: async (record) => {
        const written = await writer.append(record);
        const tally = tallies.get(record.suite) ?? { verdicts: {}, controlsPassed: 0, controlsFailed: 0 };
        if (record.kind === 'control') {
          if (record.verdict === 'pass') tally.controlsPassed++;
          else tally.controlsFailed++;
        } else {
          tally.verdicts[record.verdict] = (tally.verdicts[record.verdict] ?? 0) + 1;
        }
        tallies.set(record.suite, tally);
        if (record.verdict !== 'inconclusive') worst = worseVerdict(worst, record.verdict);
        if (isFailing(record.verdict, failOn)) failing.push(written);
      },
    });
  } catch (error) {
    failure = error;
  }

  const statuses = (outcome?.suites ?? []).map((s) => ({ id: s.id, ...suiteStatus(tallies.get(s.id) ?? { verdicts: {}, controlsPassed: 0, controlsFailed: 0 }, failOn) }));
  const inconclusiveSuites = statuses.filter((s) => s.status === 'inconclusive' || s.status === 'not-run').length;
  const incompleteReason = failure === undefined ? undefined : failure instanceof Error ? failure.message : String(failure);
  const exitCode = exitCodeOf({ worst, failOn, failed: failure !== undefined, interrupted: false, incomplete: failure !== undefined, inconclusiveSuites });
  await writer.close();

  if (failure !== undefined && writer.count === 0 && (failure instanceof ConfigError || (failure instanceof TenancyAuditError && failure.code === 'TA_USAGE'))) {
    await fs.rm(dir, { recursive: true, force: true });
    throw failure;
  }
  const written = await writeManifest(dir, manifestOf(writer, { complete: failure === undefined, ...(incompleteReason ? { incompleteReason } : {}), exitCode, ...(outcome ? { outcome } : {}) }), signKey ? { signKey } : {});

  line();
  for (const s of statuses) {
    const counts = Object.entries(tallies.get(s.id)?.verdicts ?? {}).map(([v, n]) => `${paint(v as Verdict)} ${n}`).join('  ');
    line(`  ${s.id.padEnd(18)} ${s.status.toUpperCase().padEnd(12)} ${counts}   ${s.reason}`);
  }
  if (failing.length > 0) {
    line();
    line(`  findings (${failing.length}):`);
    for (const r of failing.slice(0, 40)) {
      const severity = DB_RULES.find((rule) => rule.id === r.mutation.id)?.severity ?? '';
      line(`  ${paint(r.verdict).padEnd(20)} ${severity.padEnd(8)} ${r.mutation.id.padEnd(24)} ${r.operation ?? ''}`);
      line(`      ${r.detail}`);
    }
    if (failing.length > 40) line(`  … ${failing.length - 40} more in ${path.join(dir, 'evidence.jsonl')}`);
  }
  if (written.thumbprint) line(`manifest signed; public key thumbprint ${written.thumbprint}`);
  if (failure !== undefined && !(failure instanceof DatabaseUnavailableError)) {
    // Evidence so far is kept and the manifest says why the audit is incomplete; the error itself is reported by the caller.
    await renderRunReports(dir, formats).catch(() => {});
    throw failure;
  }
  await renderRunReports(dir, formats);
  if (failure instanceof DatabaseUnavailableError) {
    line(`database unreachable: ${failure.message}`);
    if (failure.hint) line(`hint: ${failure.hint}`);
  }
  line(`evidence and reports: ${dir}`);
  return exitCode;
}

function safePassword(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}
