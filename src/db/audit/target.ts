import path from 'node:path';
import { TenancyAuditError } from '../../core/errors.ts';
import { provisionDatabase, redactUrl, type DatabaseSource, type ProvisionOptions } from '../provision.ts';
import type { KnownTenant } from './context.ts';
import { introspectCatalog } from './introspect.ts';
import { applyMigrations } from './migrations.ts';
import { seedSyntheticTenants, type SeedReport } from './seed.ts';
import { AuditSession, connect, type Run } from './session.ts';
import type { MembershipOptions } from './membership.ts';
import { resolvePrincipals } from './principals.ts';
import { needsSyntheticRows, planSyntheticRows, type SyntheticRows } from './synthesis.ts';
import { quoteIdent } from './sql-text.ts';
import type { ResolvedContext } from './tenant-context.ts';
import { discoverTenants, syntheticTenants, tenantValueType } from './tenants.ts';
import type { CatalogSnapshot } from './types.ts';

/** The database an audit runs against, once connected, introspected and (for migrations) seeded. */
export interface AuditTarget {
  url: string;
  /** `SET LOCAL ROLE` target inside every probe transaction, or null when the connection is the audited role. */
  setRole: string | null;
  /** What was audited, for people: the redacted URL, or the migrations folder and disposable database. */
  database: string;
  source: 'url' | DatabaseSource;
  snapshot: CatalogSnapshot;
  context: ResolvedContext;
  tenants: KnownTenant[];
  seedReport: SeedReport | null;
  /** Rows synthesised into every probe transaction of a user database that shows no rows (null otherwise). */
  prelude: ((run: Run) => Promise<void>) | null;
  /** The principal acting for each tenant, when tenants are reached through memberships. */
  principalOf: ((tenant: string) => string) | null;
  connectionNote: string;
  dispose(): Promise<void>;
}

export interface TargetOptions {
  context: ResolvedContext;
  tenantColumn?: string | undefined;
  tables?: readonly string[] | undefined;
  tenants?: readonly string[] | undefined;
  appRole?: string | undefined;
  log: (line: string) => void;
  seed: number;
  random: () => number;
  memberships?: MembershipOptions | undefined;
}

/** A user database: introspected as the connection's role (or `appRole`), tenants given or discovered; nothing is written. */
export async function openUrlTarget(url: string, options: TargetOptions): Promise<AuditTarget> {
  const database = redactUrl(url);
  const client = await connect(url);
  let snapshot: CatalogSnapshot;
  let setRole: string | null;
  let connectionNote: string;
  try {
    const current = (await client.query<{ u: string }>('SELECT current_user::text AS u')).rows[0]!.u;
    setRole = options.appRole && options.appRole !== current ? options.appRole : null;
    if (setRole !== null) {
      const can = await client.query<{ ok: boolean | null }>("SELECT CASE WHEN to_regrole($1) IS NULL THEN NULL ELSE pg_has_role(current_user, to_regrole($1), 'MEMBER') END AS ok", [quoteIdent(setRole)]);
      if (can.rows[0]?.ok !== true) {
        throw new TenancyAuditError('TA_USAGE', `--app-role ${setRole}: ${can.rows[0]?.ok === null ? 'no such role' : `${current} cannot SET ROLE to it`} in ${database}`, {
          hint: 'Connect as the application role itself, or as a role that is a member of it.',
        });
      }
    }
    snapshot = await introspectCatalog(client, { ...options, tenantSetting: options.context.tenantSetting, missingContext: options.context.missingContext, role: options.appRole ?? current });
    connectionNote =
      setRole === null
        ? `connected as the audited role ${current} (${database}); every probe is a transaction that is rolled back`
        : `connected as ${current} and SET LOCAL ROLE ${setRole} inside every transaction (${database}); every probe is rolled back`;
  } finally {
    await client.end().catch(() => {});
  }
  let tenants: KnownTenant[];
  let synthetic: SyntheticRows | null = null;
  const principals = resolvePrincipals(snapshot, options.context, options.memberships);
  const principalOf = principals?.principalOf;
  const discovery = await AuditSession.open({ url, setRole, settings: options.context.settings });
  try {
    tenants = options.tenants && options.tenants.length > 0 ? options.tenants.map((value) => ({ value, source: 'option' })) : await discoverTenants(discovery, snapshot);
  } finally {
    await discovery.close();
  }
  const members = (values: readonly string[]) => (principals ? { mapping: principals.mapping, tenants: values, principalOf: principals.principalOf } : undefined);
  if (principals) synthetic = await planSyntheticRows(url, snapshot, [], options.random, snapshot.sessionUser, members(tenants.map((t) => t.value)));
  const session = await AuditSession.open({ url, setRole, settings: options.context.settings, ...(principalOf ? { principalOf } : {}), ...(synthetic ? { prelude: synthetic.prelude } : {}) });
  try {
    if (await needsSyntheticRows(session, snapshot, tenants)) {
      const values = syntheticTenants(tenantValueType(snapshot), options.seed, 2).filter((v) => !tenants.some((t) => t.value === v));
      synthetic = await planSyntheticRows(url, snapshot, values, options.random, snapshot.sessionUser, members([...tenants.map((t) => t.value), ...values]));
      const seeded = new Set(synthetic.report.tables.filter((t) => t.ok).map((t) => t.tenant));
      options.log(`database: no rows to protect are visible; synthesised rows for ${[...seeded].join(', ') || 'no tenant'} in every probe transaction (rolled back)`);
      tenants = [...tenants, ...values.filter((v) => seeded.has(v)).map((value) => ({ value, source: 'synthetic' as const }))];
    }
  } finally {
    await session.close();
  }
  return { url, setRole, database, source: 'url', snapshot, context: options.context, tenants, seedReport: synthetic?.report ?? null, prelude: synthetic?.prelude ?? null, principalOf: principalOf ?? null, connectionNote, dispose: async () => {} };
}

/**
 * A disposable database built from `*.sql` migrations (provisioned, migrated as the admin), seeded with synthetic
 * tenants (fast-check values from `seed`, or `tenants`), audited through `SET LOCAL ROLE appRole`, dropped by `dispose`.
 */
export async function openMigrationsTarget(
  dir: string,
  options: TargetOptions & { appRole: string; provision?: Pick<ProvisionOptions, 'databaseUrl' | 'source'> | undefined },
): Promise<AuditTarget> {
  const provisioned = await provisionDatabase({ ...options.provision, log: options.log });
  try {
    const admin = await connect(provisioned.url);
    try {
      const applied = await applyMigrations(admin, path.resolve(dir));
      options.log(`database: applied ${applied.files.length} migrations from ${dir}`);
      const snapshot = await introspectCatalog(admin, { ...options, tenantSetting: options.context.tenantSetting, missingContext: options.context.missingContext, role: options.appRole });
      const principals = resolvePrincipals(snapshot, options.context, options.memberships);
      const values = options.tenants ?? syntheticTenants(tenantValueType(snapshot), options.seed, 2);
      const seedReport = await seedSyntheticTenants(admin, snapshot, options.context.settings, values, options.random);
      const seeded = new Set(seedReport.tables.filter((t) => t.ok).map((t) => t.tenant));
      // Memberships of the synthesised principals live in every probe transaction (rolled back), as on a user database.
      const members = principals
        ? await planSyntheticRows(provisioned.url, snapshot, [], options.random, snapshot.sessionUser, { mapping: principals.mapping, tenants: [...seeded], principalOf: principals.principalOf })
        : null;
      if (members) seedReport.tables.push(...members.report.tables);
      return {
        url: provisioned.url,
        setRole: options.appRole,
        database: `migrations:${dir} (disposable ${provisioned.source} database ${redactUrl(provisioned.url)})`,
        source: provisioned.source,
        snapshot,
        context: options.context,
        tenants: values.filter((v) => seeded.has(v)).map((value) => ({ value, source: 'synthetic' })),
        seedReport,
        prelude: members?.prelude ?? null,
        principalOf: principals?.principalOf ?? null,
        connectionNote: `disposable database built from ${applied.files.length} migration(s); connected as the admin ${snapshot.sessionUser} and SET LOCAL ROLE ${options.appRole} inside every transaction (the role's login password is not needed; role-level settings of ${options.appRole} do not apply, see setting-default)`,
        dispose: () => provisioned.dispose(),
      };
    } finally {
      await admin.end().catch(() => {});
    }
  } catch (error) {
    await provisioned.dispose();
    throw error;
  }
}

