import type pg from 'pg';
import { PROJECT_COLUMNS, projectView, type ProjectRow, type ProjectView } from './views.ts';

export interface ClaimedJob {
  id: string;
  tenantId: string;
  prompt: string;
  attempts: number;
  maxAttempts: number;
  callbackUrl: string | null;
}

export interface StoredIdempotentResponse {
  tenant_id: string;
  method: string;
  path: string;
  request_hash: string;
  response_status: number;
  response_body: unknown;
}

/**
 * Statements run as `reference_worker` (BYPASSRLS, granted SELECT/UPDATE on `jobs` only): the job
 * lifecycle keyed by a job id, which must see every tenant's queue. Nothing here reads projects or
 * documents, except the methods marked as seeded bugs (their grants come from mode-sql/<mode>.sql).
 */
export class SystemDb {
  constructor(private readonly pool: pg.Pool) {}

  /** Claims the oldest runnable job of any tenant; concurrent workers skip each other's claims. */
  async claimNextJob(): Promise<ClaimedJob | null> {
    const { rows } = await this.pool.query<{
      id: string;
      tenant_id: string;
      prompt: string;
      attempts: number;
      max_attempts: number;
      callback_url: string | null;
    }>(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = clock_timestamp()
        WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= clock_timestamp()
                     ORDER BY run_at, created_at FOR UPDATE SKIP LOCKED LIMIT 1)
        RETURNING id, tenant_id, prompt, attempts, max_attempts, callback_url`,
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      prompt: row.prompt,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      callbackUrl: row.callback_url,
    };
  }

  async requeueJob(id: string, error: string, delayMs: number): Promise<void> {
    await this.pool.query(
      `UPDATE jobs SET status = 'queued', last_error = $2, run_at = clock_timestamp() + make_interval(secs => $3::float8 / 1000),
              updated_at = clock_timestamp() WHERE id = $1`,
      [id, error, delayMs],
    );
  }

  async failJob(id: string, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE jobs SET status = 'failed', last_error = $2, completed_at = clock_timestamp(), updated_at = clock_timestamp() WHERE id = $1`,
      [id, error],
    );
  }

  async completeJob(id: string, output: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE jobs SET status = 'succeeded', output = $2, last_error = NULL, completed_at = clock_timestamp(), updated_at = clock_timestamp()
        WHERE id = $1`,
      [id, output],
    );
    return rowCount === 1;
  }

  /** The tenant that owns a job, for inbound webhooks that name a job but carry no user identity. */
  async jobOwner(id: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ tenant_id: string }>('SELECT tenant_id FROM jobs WHERE id = $1', [id]);
    return rows[0]?.tenant_id ?? null;
  }

  // ---- Seeded bugs only: these bypass RLS and carry no tenant filter. ----

  /** `bola-read`: the "read model" lookup by id. */
  async projectByIdAnyTenant(id: string): Promise<ProjectView | null> {
    const { rows } = await this.pool.query<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = $1`, [id]);
    return rows[0] ? projectView(rows[0]) : null;
  }

  /** `bola-write`: update by id. */
  async updateProjectAnyTenant(id: string, patch: { name?: string | undefined; description?: string | null | undefined }): Promise<ProjectView | null> {
    const { rows } = await this.pool.query<ProjectRow>(
      `UPDATE projects SET name = COALESCE($2, name), description = CASE WHEN $3 THEN $4 ELSE description END,
              updated_at = clock_timestamp() WHERE id = $1 RETURNING ${PROJECT_COLUMNS}`,
      [id, patch.name ?? null, patch.description !== undefined, patch.description ?? null],
    );
    return rows[0] ? projectView(rows[0]) : null;
  }

  /** `bola-write`: delete by id. */
  async deleteProjectAnyTenant(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM projects WHERE id = $1', [id]);
    return rowCount === 1;
  }

  /** `idempotency-global`: the cache read by key alone. */
  async idempotentResponseAnyTenant(key: string): Promise<StoredIdempotentResponse | null> {
    const { rows } = await this.pool.query<StoredIdempotentResponse>(
      `SELECT tenant_id, method, path, request_hash, response_status, response_body FROM idempotency_keys
        WHERE key = $1 ORDER BY created_at LIMIT 1`,
      [key],
    );
    return rows[0] ?? null;
  }
}
