/**
 * Facts the data-layer audit reads from `pg_catalog`, as plain data. Catalog checks are pure functions of this
 * snapshot, so each is unit-tested on hand-built snapshots without a database.
 */

export type PolicyCommand = 'ALL' | 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
/** The table privileges the audit checks for the audited role (`TableFacts.privileges`), in this order. */
export const GRANTABLE_COMMANDS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
/** One of {@link GRANTABLE_COMMANDS}. */
export type GrantableCommand = (typeof GRANTABLE_COMMANDS)[number];

/** A role's name and the attributes that let it bypass row-level security. */
export interface RoleFacts {
  name: string;
  superuser: boolean;
  bypassRls: boolean;
}

/** The role the audit judges (the application's role), with the privileged roles it could switch to. */
export interface AuditedRole extends RoleFacts {
  canLogin: boolean;
  /** Superuser or BYPASSRLS roles the audited role is a member of (it can `SET ROLE` to them). */
  privilegedMemberships: string[];
}

/** One column of a table, with the type details used to generate valid rows for the behaviour probes. */
export interface ColumnFacts {
  name: string;
  /** `format_type` of the declared type, e.g. `character varying(40)`. */
  type: string;
  /** Base type name after resolving one domain level, e.g. `varchar`, `uuid`, `int4`. */
  baseType: string;
  /** `pg_type.typcategory` of the base type (S string, N numeric, A array, E enum, …). */
  category: string;
  notNull: boolean;
  /** Default expression (`pg_get_expr`), or null. */
  default: string | null;
  identity: '' | 'a' | 'd';
  generated: boolean;
  /** Declared maximum length of a character type, or null. */
  maxLength: number | null;
  enumLabels: string[] | null;
  /** CHECK constraints of the column's domain (`pg_get_constraintdef`, written with VALUE), when its type is a domain. */
  domainChecks?: string[];
}

/** One foreign key of a table: its columns and the table and columns they reference. */
export interface ForeignKeyFacts {
  name: string;
  columns: string[];
  /** Qualified name of the referenced table. */
  references: string;
  referencedColumns: string[];
}

/** One ordinary or partitioned table in a user schema: its row-level security flags, owner, the audited role's privileges, columns and keys. */
export interface TableFacts {
  oid: number;
  schema: string;
  name: string;
  /** `schema.name`, quoted where needed: the name findings use. */
  qualified: string;
  kind: 'table' | 'partitioned';
  /** A partition of a partitioned table (reachable directly, so it needs its own RLS). */
  partition: boolean;
  /** For a partition: the qualified name of the partitioned table at the root of its tree. */
  parent?: string | null;
  owner: string;
  rlsEnabled: boolean;
  rlsForced: boolean;
  /** Whether this table is in scope as a tenant table (has the tenant column, or listed explicitly). */
  tenant: boolean;
  /** Name of the tenant column when the table has it. */
  tenantColumn: string | null;
  /** The audited role has the privileges of the table owner (`pg_has_role(role, relowner, 'USAGE')`). */
  roleOwns: boolean;
  /** What the audited role may do (table or any-column privilege, including via membership and PUBLIC, and schema USAGE). */
  privileges: Record<GrantableCommand, boolean>;
  columns: ColumnFacts[];
  foreignKeys: ForeignKeyFacts[];
  /** Column sets of unique indexes (expressions omitted). */
  uniqueKeys: string[][];
  /** CHECK constraints as `pg_get_constraintdef` prints them, e.g. `CHECK ((status = ANY (ARRAY['open'::text, 'done'::text])))`. */
  checks?: string[];
}

/** One row-level security policy, with its `USING` and `WITH CHECK` expressions as `pg_get_expr` text (null when absent). */
export interface PolicyFacts {
  /** Qualified table name. */
  table: string;
  name: string;
  command: PolicyCommand;
  permissive: boolean;
  /** Role names; `public` for PUBLIC. */
  roles: string[];
  /** The policy applies to the audited role (PUBLIC, or a role whose privileges it has). */
  appliesToRole: boolean;
  using: string | null;
  withCheck: string | null;
}

/** A view or materialized view in a user schema: whose privileges read its relations (the caller's with `securityInvoker`, else its owner's) and what it references. */
export interface ViewFacts {
  oid: number;
  qualified: string;
  kind: 'view' | 'matview';
  owner: string;
  securityInvoker: boolean;
  /** The audited role can SELECT it (and use its schema). */
  readable: boolean;
  /** Relations the view's rewrite rule depends on directly (qualified names: tables and views). */
  references: string[];
  columns: string[];
}

/**
 * A user function or procedure (not C or internal, not from an extension): whether it runs as its owner
 * (`securityDefiner`), whether the audited role may execute it, its shape and its definition.
 */
export interface FunctionFacts {
  oid: number;
  /** `schema.name` */
  qualified: string;
  /** Qualified name with identity arguments, e.g. `public.list_documents()`, `public.doc(uuid)`. */
  signature: string;
  kind: 'function' | 'procedure';
  securityDefiner: boolean;
  owner: string;
  executable: boolean;
  volatility: 'immutable' | 'stable' | 'volatile';
  returnsSet: boolean;
  returnType: string;
  /** Returns `record` without OUT/TABLE columns (a call needs a column definition list, so the proofs cannot read it). */
  bareRecord: boolean;
  /** Arguments without defaults: a function is called by the behaviour proofs only when this is 0. */
  requiredArgs: number;
  language: string;
  /** `pg_get_functiondef` text, or null when it could not be read. */
  definition: string | null;
}

/**
 * A stored default of the tenant setting (`ALTER ROLE … SET` / `ALTER DATABASE … SET`) that reaches the audited role
 * in this database; `role` or `database` is null when the default applies to every role or every database.
 */
export interface SettingDefault {
  role: string | null;
  database: string | null;
  /** The `name=value` entry. */
  entry: string;
}

/** A section of the catalog that could not be read (it makes the checks that need it inconclusive). */
export interface CatalogGap {
  section: 'functions' | 'views' | 'settings' | 'policies';
  message: string;
}

/**
 * Everything {@link introspectCatalog} read from `pg_catalog` for one audited role, as plain data: the input of every
 * catalog check. Sections that could not be read are listed in `gaps`.
 */
export interface CatalogSnapshot {
  serverVersion: string;
  serverVersionNum: number;
  database: string;
  /** `session_user` of the connection the snapshot was read on. */
  sessionUser: string;
  role: AuditedRole;
  tenantSetting: string;
  /**
   * What a request without tenant context must get: an error (absent: the default), or `empty` on platforms that
   * always set the claims and read them with missing_ok (PostgREST/Supabase presets), where no rows is fail-closed.
   */
  missingContext?: 'error' | 'empty';
  /** How principals reach tenants, when the tenant context holds a principal (see `MembershipOptions`). */
  membership?: { table: string; principalColumn: string; tenantColumn: string };
  tenantColumn: string;
  /** All ordinary and partitioned tables in user schemas; `tenant` marks the ones in scope. */
  tables: TableFacts[];
  policies: PolicyFacts[];
  views: ViewFacts[];
  functions: FunctionFacts[];
  /** Defaults for the tenant setting in `pg_db_role_setting` that reach the audited role in this database. */
  settingDefaults: SettingDefault[];
  /** Attributes of every role that owns a table, view or function. */
  owners: Record<string, RoleFacts>;
  /** `[a, b]` pairs where role `a` has the privileges of role `b` (owners of views/functions vs owners of tenant tables). */
  ownerInherits: [string, string][];
  gaps: CatalogGap[];
  collectedAt: string;
  durationMs: number;
}
