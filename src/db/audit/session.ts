import pg from 'pg';
import { DatabaseUnavailableError } from '../../core/errors.ts';
import type { EvidenceStep } from '../../core/types.ts';
import { redactUrl } from '../provision.ts';
import { quoteIdent } from './sql-text.ts';
import { renderContext, type ContextSetting } from './tenant-context.ts';

/** A PostgreSQL error as evidence keeps it. */
export interface SqlError {
  code: string;
  message: string;
}

export type StatementOutcome = { ok: true; rowCount: number } | { ok: false; error: SqlError };

/** The tenant context a transaction runs under: unset (never touched), the empty string, or a tenant value. */
export type TenantContext = { kind: 'unset' } | { kind: 'empty' } | { kind: 'tenant'; value: string; principal?: string };

export interface TransactionResult<T> {
  value?: T;
  error?: SqlError;
  steps: EvidenceStep[];
  startedAt: string;
  durationMs: number;
}

/** Runs one statement inside the transaction; `shown` replaces the parameters in the evidence (e.g. a copied row). */
export type Run = (sql: string, params?: readonly unknown[], shown?: readonly unknown[]) => Promise<pg.QueryResult>;

export interface SessionOptions {
  url: string;
  /** `SET LOCAL ROLE` to this role in every transaction (when connected as another role). */
  setRole: string | null;
  /** The tenant context: settings set from their templates in every transaction. */
  settings: readonly ContextSetting[];
  /** The principal (user) acting for a tenant, for `{principal}` in the templates (default: the tenant value). */
  principalOf?: (tenant: string) => string;
  /** Statements run first in every transaction, before `SET LOCAL ROLE` (rows synthesised for an empty database). */
  prelude?: (run: Run) => Promise<void>;
  /** Per-statement timeout inside probes. Default 10 s. */
  statementTimeoutMs?: number;
}

/** SQLSTATE classes that say nothing about tenancy (connection, resources, cancel/timeout, internal, locks, deadlocks). */
export function isEnvironmentError(code: string): boolean {
  return /^(08|53|57|58|XX|40P01|55P03)/.test(code);
}

export function sqlError(error: unknown): SqlError {
  const e = error as { code?: unknown; message?: unknown };
  return { code: typeof e.code === 'string' ? e.code : 'unknown', message: typeof e.message === 'string' ? e.message : String(error) };
}

/** A connection error (no SQLSTATE, or class 08) ends the audit: the database is unreachable. */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code !== 'string' || code.startsWith('08') || code === '57P01' || /^E[A-Z]+$/.test(code);
}

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (cause) {
    await client.end().catch(() => {});
    throw new DatabaseUnavailableError(`could not connect to ${redactUrl(url)}: ${sqlError(cause).message}`, {
      hint: 'Check --database-url (host, port, database, role) and that the server accepts connections.',
      cause,
    });
  }
  return client;
}

/** Renders a statement with its parameters inlined, for evidence (tenant values and row data only: no credentials). */
export function displaySql(sql: string, params: readonly unknown[] = []): string {
  const oneLine = sql.replace(/\s+/g, ' ').trim();
  return oneLine.replace(/\$(\d+)/g, (m, n: string) => {
    const value = params[Number(n) - 1];
    if (value === undefined) return m;
    if (value === null) return 'NULL';
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const shown = text.length > 300 ? `${text.slice(0, 300)}…` : text;
    return `'${shown.replaceAll("'", "''")}'`;
  });
}

/**
 * One connection used for probes as the audited role. Every transaction ends in ROLLBACK (never COMMIT);
 * read probes are READ ONLY, so even volatile functions and sequences cannot change anything.
 */
export class AuditSession {
  readonly #client: pg.Client;
  readonly #options: SessionOptions;
  #closed = false;

  private constructor(client: pg.Client, options: SessionOptions) {
    this.#client = client;
    this.#options = options;
  }

  static async open(options: SessionOptions): Promise<AuditSession> {
    return new AuditSession(await connect(options.url), options);
  }

  async transaction<T>(
    mode: { readOnly: boolean; context: TenantContext },
    body: (run: Run) => Promise<T>,
  ): Promise<TransactionResult<T>> {
    const started = Date.now();
    const steps: EvidenceStep[] = [];
    const client = this.#client;
    const run: Run = async (sql, params = [], shown = params) => {
      const n = steps.length + 1;
      const title = displaySql(sql, shown);
      try {
        const result = await client.query({ text: sql, values: params as unknown[] });
        steps.push({ n, title, note: outcomeNote(result) });
        return result;
      } catch (error) {
        const e = sqlError(error);
        steps.push({ n, title, note: `ERROR ${e.code}: ${e.message}` });
        throw error;
      }
    };
    const out: TransactionResult<T> = { steps, startedAt: new Date(started).toISOString(), durationMs: 0 };
    try {
      const prelude = this.#options.prelude;
      await run(mode.readOnly && !prelude ? 'BEGIN READ ONLY' : 'BEGIN');
      await run(`SET LOCAL statement_timeout = ${Math.floor(this.#options.statementTimeoutMs ?? 10_000)}`);
      await run('SET LOCAL lock_timeout = 5000');
      if (prelude) {
        await prelude(run);
        if (mode.readOnly) await run('SET LOCAL transaction_read_only = on');
      }
      if (this.#options.setRole !== null) await run(`SET LOCAL ROLE ${quoteIdent(this.#options.setRole)}`);
      if (mode.context.kind !== 'unset') await this.applyContext(run, mode.context);
      out.value = await body(run);
    } catch (error) {
      if (isConnectionError(error)) {
        throw new DatabaseUnavailableError(`lost the database connection during the audit: ${sqlError(error).message}`, { cause: error });
      }
      out.error = sqlError(error);
    } finally {
      try {
        await run('ROLLBACK');
      } catch (error) {
        if (isConnectionError(error)) {
          throw new DatabaseUnavailableError(`lost the database connection during the audit: ${sqlError(error).message}`, { cause: error });
        }
      }
    }
    out.durationMs = Date.now() - started;
    return out;
  }

  /** Sets the tenant context inside a transaction (also to switch tenant mid-transaction). */
  async applyContext(run: Run, context: Exclude<TenantContext, { kind: 'unset' }>): Promise<void> {
    const values = context.kind === 'empty' ? renderContext(this.#options.settings, null, null) : renderContext(this.#options.settings, context.value, context.principal ?? this.#options.principalOf?.(context.value) ?? null);
    for (const [name, value] of values) await run('SELECT set_config($1, $2, true)', [name, value]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.end().catch(() => {});
  }
}

function outcomeNote(result: pg.QueryResult): string {
  if (result.command === 'SELECT') return `${result.rowCount ?? result.rows.length} row(s)`;
  if (['INSERT', 'UPDATE', 'DELETE'].includes(result.command)) return `${result.command} ${result.rowCount ?? 0}`;
  return 'ok';
}
