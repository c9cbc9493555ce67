import type { DatabaseConfig } from '../config/database.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { TenancyAuditError } from '../core/errors.ts';
import { validateDbAuditOptions, type DbAuditOptions } from '../db/audit/index.ts';

/** The db-audit options of a config's `database:` section (and a run's override of it); undefined when there is none. */
export type DatabaseAudit = Omit<DbAuditOptions, 'onRecord' | 'seed'>;

/**
 * The data-layer audit a run does after its HTTP phases: the config's `database:` section with the run's
 * `database` option over it, each field passed through to the db audit under its own name (`url` is `databaseUrl`,
 * `migrations` is `migrationsDir`, `suites` is `only`). Checked here, before any request (exit 2).
 * `only`: the run's `--suite` filter; none of its entries naming a db suite (`db…`) leaves the db phase out.
 */
export function databaseAuditOf(config: ResolvedConfig, override: Partial<DatabaseConfig> | undefined, only: readonly string[] | undefined): DatabaseAudit | undefined {
  const section = config.database || (override && Object.keys(override).length > 0) ? { ...config.database, ...override } : undefined;
  if (!section) return undefined;
  const dbOnly = only?.filter((id) => id === 'db' || id.startsWith('db.'));
  if (only && dbOnly?.length === 0) return undefined;
  const { url, migrations, suites, ...rest } = section;
  const audit: DatabaseAudit = {
    ...rest,
    ...(url ? { databaseUrl: url } : {}),
    ...(migrations ? { migrationsDir: migrations } : {}),
    ...(dbOnly?.length ? { only: dbOnly.filter((id) => id !== 'db') } : suites ? { only: suites } : {}),
  };
  if (audit.only?.length === 0) delete audit.only;
  try {
    validateDbAuditOptions(audit);
  } catch (error) {
    // The checks speak in `db` flags; name the config section they came from.
    if (error instanceof TenancyAuditError) throw new TenancyAuditError(error.code, `database: ${error.message.replace(/--database-url/g, 'url').replace(/--migrations/g, 'migrations').replace(/--app-role/g, 'appRole').replace(/--tenant-setting/g, 'tenantSetting').replace(/--context/g, 'context').replace(/--preset/g, 'preset').replace(/--role\b/g, 'role').replace(/--principal-setting/g, 'principalSetting').replace(/--memberships/g, 'memberships').replace(/--tenant-column/g, 'tenantColumn').replace(/--runs/g, 'runs')}`, { hint: error.hint ?? 'Check the database: section of the config.', cause: error });
    throw error;
  }
  return audit;
}
