import type { EvidenceStep } from '../../core/types.ts';
import type { SqlError, StatementOutcome, TenantContext } from './session.ts';

/** Something the behaviour proofs read: a tenant table, a readable view over tenant tables, or a callable function. */
export interface ReadTarget {
  kind: 'table' | 'view' | 'function';
  /** Display name findings use: `public.documents`, `public.documents_v`, `public.list_documents()`. */
  name: string;
  /** SQL FROM item (quoted). */
  from: string;
  /** Name of the output column that carries the tenant when present (tables: their tenant column; views and functions: the audit's tenant column name, used when the output has it). */
  tenantColumn: string | null;
  /** Tenant tables the target reads (itself, for a table). */
  tenantTables: string[];
  /** The audited role lacks SELECT/EXECUTE (only tables are probed without it). */
  granted: boolean;
  /** Reading it applies row-level security to every tenant table reached (invoker, or an owner without bypass). */
  rlsApplies: boolean;
}

/** One row a read probe returned, as JSON (`to_jsonb`), with its physical row id when read from a table. */
export interface ObservedRow {
  data: Record<string, unknown>;
  /** Physical row id (tables only), unique within `tableoid` (a partition): with it, aims write probes at exactly this row. */
  ctid: string | null;
  /** Oid of the table or partition that holds the row (tables only). */
  tableoid?: string | null;
}

/**
 * What one read of a {@link ReadTarget} saw under one tenant context (unset, empty, or a tenant): the rows (capped,
 * see `truncated`), the SQL error if any, and the evidence steps. Read in a READ ONLY transaction that is rolled back.
 */
export interface ReadObservation {
  target: ReadTarget;
  context: TenantContext;
  rows: ObservedRow[];
  /** More rows existed than the probe fetched. */
  truncated: boolean;
  error?: SqlError;
  /** `current_setting(<setting>, true)` inside the probe transaction, before the read. */
  settingSeen: string | null;
  steps: EvidenceStep[];
  startedAt: string;
  durationMs: number;
}

/**
 * What one write probe did on a tenant table as `actor` against `victim`: the legitimate control statement, then the
 * attempt, each in a transaction that is rolled back. `control` and `attempt` are null when the probe was not run.
 */
export interface WriteObservation {
  table: string;
  actor: string;
  victim: string;
  /** The role holds the privilege the probe needs (else nothing is run). */
  granted: boolean;
  /** The same statement made legitimate (own tenant / as the row's tenant): must succeed. */
  control: StatementOutcome | null;
  attempt: StatementOutcome | null;
  /** Why the probe could not be set up (no template row, no row of the victim…). */
  setupError?: string;
  /** Row-level security applies to the role and no permissive policy covers the command: PostgreSQL denies it by default. */
  deniedByDefault?: boolean;
  steps: EvidenceStep[];
  startedAt: string;
  durationMs: number;
}

/**
 * What a tenantless-row probe did: as `actor`, insert a row (or update its own row) with the tenant column set to
 * `value` (NULL, or a wildcard-looking value), then, in the same rolled-back transaction, read the table as
 * `witness`: `seen` is whether the witness sees that row, `witnessOwnRows` how many of its own rows it read (control).
 */
export interface TenantlessObservation {
  table: string;
  mode: 'insert' | 'update';
  /** The tenant value written (null for SQL NULL). */
  value: string | null;
  actor: string;
  witness: string;
  granted: boolean;
  setupError?: string;
  /** The write as the actor: refused (error) or accepted. */
  write: StatementOutcome | null;
  /** For `update`: rows the actor reads at the row's address just before (1 shows the address is right). */
  addressed?: number;
  seen: boolean | null;
  witnessOwnRows: number | null;
  readError?: SqlError;
  steps: EvidenceStep[];
  startedAt: string;
  durationMs: number;
}
