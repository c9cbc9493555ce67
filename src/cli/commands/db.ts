import { Command, InvalidArgumentError, Option } from 'commander';
import { resolveEnvSpec } from '../../core/env-spec.ts';
import { FAIL_LEVELS, type FailLevel } from '../../core/verdict.ts';
import { api, consoleReporter, streams, type CommandIO } from '../io.ts';
import { defined, int, list, redactedArgv } from '../shared.ts';

interface DbFlags {
  config?: string; databaseUrl?: string; migrations?: string; appRole?: string; tenantSetting?: string; context?: Record<string, string>; principalSetting?: string; memberships?: string; role?: string; preset?: 'supabase' | 'postgrest'; tenantColumn?: string; tables?: string;
  tenants?: string; suite?: string[]; suitesDir?: string[]; seed?: number; runs?: number; reportDir?: string; failOn?: FailLevel; signKey?: string; format: string; system?: string; environment?: string;
}

/** Collects repeatable `--context name=template` flags into a map (the template may contain `=`). */
function contextEntry(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`--context takes name=template, e.g. 'app.tenant_id={tenant}' (got "${value}")`);
  return { ...previous, [value.slice(0, i).trim()]: value.slice(i + 1) };
}

/** Parses `--memberships schema.table:principal_column:tenant_column`. */
function membershipFlag(value: string): { table: string; principalColumn: string; tenantColumn: string } {
  const [table, principalColumn, tenantColumn, ...rest] = value.split(':');
  if (!table || !principalColumn || !tenantColumn || rest.length > 0) throw new InvalidArgumentError(`--memberships takes table:principal_column:tenant_column, e.g. public.memberships:user_id:org_id (got "${value}")`);
  return { table, principalColumn, tenantColumn };
}

/** `tenancy-audit db`: flags → {@link runDatabaseAudit}, then the reports rendered from the run folder. */
export function dbCommand(io: CommandIO = {}): Command {
  return new Command('db')
    .description('audit PostgreSQL row-level security (catalog checks and behaviour proofs as the app role) and write evidence and reports')
    .option('-c, --config <file>', 'db config file (JSON or YAML): databaseUrl, migrations, appRole, tenantSetting, context, role, preset, principalSetting, memberships, tenantColumn, tables, tenants, …')
    .option('--database-url <url>', 'database to audit, connecting as the application role (or env:NAME)')
    .option('--migrations <dir>', 'build a disposable database from these *.sql files (name order) and audit it')
    .option('--app-role <role>', 'role to audit (required with --migrations; SET ROLE when it differs from the URL role)')
    .option('--tenant-setting <name>', 'setting the application sets per transaction, e.g. app.tenant_id')
    .option('--context <name=template>', "tenant context set per transaction, repeatable: 'app.tenant_id={tenant}', 'request.jwt.claims={\"tenant_id\":\"{tenant}\",\"sub\":\"{principal}\"}'", contextEntry)
    .option('--principal-setting <name>', 'setting that holds the user id (tenants reached through a membership table), e.g. app.user_id')
    .option('--memberships <table:principal:tenant>', 'membership table and its columns, e.g. public.memberships:user_id:org_id (default: read from the policies)')
    .option('--role <role>', 'SET LOCAL ROLE to this role in every transaction (the role the platform switches to, e.g. authenticated); it is the audited role')
    .addOption(new Option('--preset <platform>', 'fill in --context and --role for a platform (request.jwt.claims, role authenticated)').choices(['supabase', 'postgrest']))
    .option('--tenant-column <name>', 'column that marks tenant tables (default tenant_id)')
    .option('--tables <list>', 'tenant tables listed explicitly, comma-separated (schema.table)')
    .option('--tenants <list>', 'tenant values with rows to protect, comma-separated (default: discovered)')
    .option('--suite <id...>', 'run only these db suites (ids or prefixes)')
    .option('--suites-dir <folder...>', 'also run the db suites in these folders')
    .option('--seed <n>', 'seed for reproducible generation of tenant values and probe order', int('--seed'))
    .option('--runs <n>', 'generated probe plans', int('--runs', 1))
    .option('--report-dir <dir>', 'folder for run folders (default: reports)')
    .addOption(new Option('--fail-on <level>', 'lowest verdict that fails the run (default soft-fail)').choices([...FAIL_LEVELS, 'never']))
    .option('--sign-key <key>', 'private key (file, PEM/JWK, or env:NAME) to sign the manifest')
    .option('--format <list>', 'report formats to render: html,md,junit,json,sarif,oscal', 'html,md,junit,json')
    .option('--system <name>', 'system name on the report cover')
    .option('--environment <name>', 'environment name on the report cover (default staging)')
    .action(async (flags: DbFlags) => {
      const { runDatabaseAudit, parseReportFormats, renderReport } = await api();
      const formats = parseReportFormats(flags.format);
      const { format: _format, tables, tenants, signKey, suite, suitesDir, memberships, ...rest } = flags;
      const result = await runDatabaseAudit({
        ...defined({ ...rest, tables: list(tables), tenants: list(tenants), suites: suite, suiteDirs: suitesDir, memberships: memberships === undefined ? undefined : membershipFlag(memberships) }),
        ...defined({ signKey: signKey && resolveEnvSpec('--sign-key', signKey) }),
        command: redactedArgv(),
        onEvent: await consoleReporter(io),
      });
      const { out } = streams(io);
      if (result.thumbprint) out(`manifest signed; public key thumbprint ${result.thumbprint}`);
      await renderReport(result.dir, { formats });
      out(`evidence and reports: ${result.dir}`);
      process.exitCode = result.exitCode;
    });
}
