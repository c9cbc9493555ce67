import type {
  CatalogSnapshot,
  ColumnFacts,
  FunctionFacts,
  PolicyFacts,
  TableFacts,
  ViewFacts,
} from '../../src/db/audit/types.ts';

/** Hand-built catalog snapshots for the pure checks: a fail-closed baseline and small builders to break it. */

export function column(name: string, baseType = 'text', extra: Partial<ColumnFacts> = {}): ColumnFacts {
  return {
    name,
    type: baseType,
    baseType,
    category: ['text', 'varchar', 'bpchar'].includes(baseType) ? 'S' : baseType.startsWith('int') ? 'N' : 'U',
    notNull: false,
    default: null,
    identity: '',
    generated: false,
    maxLength: null,
    enumLabels: null,
    ...extra,
  };
}

export function table(name: string, extra: Partial<TableFacts> = {}): TableFacts {
  return {
    oid: Math.floor(Math.random() * 1e6),
    schema: 'public',
    name,
    qualified: `public.${name}`,
    kind: 'table',
    partition: false,
    owner: 'admin',
    rlsEnabled: true,
    rlsForced: true,
    tenant: true,
    tenantColumn: 'tenant_id',
    roleOwns: false,
    privileges: { SELECT: true, INSERT: true, UPDATE: true, DELETE: true },
    columns: [column('id', 'uuid', { notNull: true, default: 'gen_random_uuid()' }), column('tenant_id', 'uuid', { notNull: true }), column('title', 'text')],
    foreignKeys: [],
    uniqueKeys: [['id']],
    ...extra,
  };
}

const KEY = "(tenant_id = (current_setting('app.tenant_id'::text))::uuid)";

export function policy(tableName: string, name: string, extra: Partial<PolicyFacts> = {}): PolicyFacts {
  return {
    table: `public.${tableName}`,
    name,
    command: 'ALL',
    permissive: true,
    roles: ['public'],
    appliesToRole: true,
    using: KEY,
    withCheck: KEY,
    ...extra,
  };
}

export function view(name: string, extra: Partial<ViewFacts> = {}): ViewFacts {
  return {
    oid: Math.floor(Math.random() * 1e6),
    qualified: `public.${name}`,
    kind: 'view',
    owner: 'admin',
    securityInvoker: true,
    readable: true,
    references: ['public.documents'],
    columns: ['id', 'tenant_id', 'title'],
    ...extra,
  };
}

export function fn(name: string, extra: Partial<FunctionFacts> = {}): FunctionFacts {
  return {
    oid: Math.floor(Math.random() * 1e6),
    qualified: `public.${name}`,
    signature: `public.${name}()`,
    kind: 'function',
    securityDefiner: false,
    owner: 'admin',
    executable: true,
    volatility: 'stable',
    returnsSet: true,
    returnType: 'documents',
    bareRecord: false,
    requiredArgs: 0,
    language: 'sql',
    definition: `CREATE OR REPLACE FUNCTION public.${name}()\n RETURNS SETOF documents\n LANGUAGE sql\nAS $function$ SELECT * FROM documents $function$`,
    ...extra,
  };
}

/** A fail-closed snapshot: one tenant table `documents` with a keyed ALL policy, app role `app` owning nothing. */
export function snapshot(extra: Partial<CatalogSnapshot> = {}): CatalogSnapshot {
  return {
    serverVersion: '15.20',
    serverVersionNum: 150020,
    database: 'db',
    sessionUser: 'app',
    role: { name: 'app', superuser: false, bypassRls: false, canLogin: true, privilegedMemberships: [] },
    tenantSetting: 'app.tenant_id',
    tenantColumn: 'tenant_id',
    tables: [table('documents')],
    policies: [policy('documents', 'documents_tenant')],
    views: [],
    functions: [],
    settingDefaults: [],
    owners: { admin: { name: 'admin', superuser: true, bypassRls: false } },
    ownerInherits: [],
    gaps: [],
    collectedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 1,
    ...extra,
  };
}
