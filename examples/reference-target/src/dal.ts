import type pg from 'pg';
import { findStoredResponse, replay, storeResponse, type CommandResult, type IdempotentRequest } from './idempotency.ts';
import type { Bugs } from './modes.ts';
import type { SystemDb } from './system-db.ts';
import { currentContext, requireTenant } from './tenant-context.ts';
import {
  DOCUMENT_COLUMNS,
  JOB_COLUMNS,
  PROJECT_COLUMNS,
  documentView,
  jobView,
  projectView,
  type DocumentRow,
  type DocumentView,
  type JobRow,
  type JobView,
  type ProjectRow,
  type ProjectView,
} from './views.ts';

export interface DalOptions {
  /** Connected as reference_app (as the table owner in `rls-not-forced`). */
  pool: pg.Pool;
  system: SystemDb;
  bugs: Bugs;
  log: (line: string) => void;
}

export interface ProjectInput {
  name: string;
  description?: string | null | undefined;
}

export interface DocumentInput {
  title: string;
  body: string;
}

export interface JobInput {
  prompt: string;
  callbackUrl: string | null;
}

type Tx = pg.PoolClient;

/**
 * Tenant-scoped data access. Every call takes the tenant from the async context (never a parameter)
 * and runs in its own transaction with `app.tenant_id` set transaction-locally, so RLS scopes it and a
 * pooled connection never keeps a tenant. Without a tenant in context it throws before any query.
 */
export class TenantDal {
  private readonly pool: pg.Pool;
  private readonly system: SystemDb;
  private readonly bugs: Bugs;
  private readonly log: (line: string) => void;

  constructor(options: DalOptions) {
    this.pool = options.pool;
    this.system = options.system;
    this.bugs = options.bugs;
    this.log = options.log;
  }

  private async inTenant<T>(operation: string, fn: (tx: Tx, tenant: string) => Promise<T>): Promise<T> {
    const tenant = requireTenant(operation, this.log);
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      // is_local=true: the setting dies with the transaction. The seeded `session-setting-leak` bug sets
      // it for the whole session instead (the equivalent of a plain `SET app.tenant_id = ...`).
      await client.query("SELECT set_config('app.tenant_id', $1, $2)", [tenant, !this.bugs.sessionSettingLeak]);
      const result = await fn(client, tenant);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Seeded `session-setting-leak`: a context-less list "is safe because RLS filters it" — on whatever tenant the pooled session last set. */
  private anonymousListAllowed(): boolean {
    return this.bugs.sessionSettingLeak && !currentContext()?.tenantId;
  }

  private async idempotent(
    operation: string,
    request: IdempotentRequest | undefined,
    perform: (tx: Tx, tenant: string) => Promise<{ status: number; body: unknown }>,
  ): Promise<CommandResult> {
    return this.inTenant(operation, async (tx, tenant) => {
      if (request) {
        const stored = this.bugs.idempotencyGlobal
          ? await this.system.idempotentResponseAnyTenant(request.key) // seeded bug: key alone, any tenant
          : await findStoredResponse(tx, tenant, request.key);
        if (stored) return replay(stored, request);
      }
      const result = await perform(tx, tenant);
      if (request) await storeResponse(tx, tenant, request, result.status, result.body);
      return { ...result, replayed: false };
    });
  }

  // ---- projects ----

  async listProjects(): Promise<ProjectView[]> {
    if (this.anonymousListAllowed()) {
      const { rows } = await this.pool.query<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects ORDER BY created_at, id`);
      return rows.map(projectView);
    }
    return this.inTenant('projects.list', async (tx, tenant) => {
      const { rows } = await tx.query<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE tenant_id = $1 ORDER BY created_at, id`, [tenant]);
      return rows.map(projectView);
    });
  }

  async getProject(id: string): Promise<ProjectView | null> {
    if (this.bugs.bolaRead) {
      requireTenant('projects.get', this.log);
      return this.system.projectByIdAnyTenant(id); // seeded bug: "read model" without tenant scope
    }
    return this.inTenant('projects.get', async (tx, tenant) => {
      const { rows } = await tx.query<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = $1 AND tenant_id = $2`, [id, tenant]);
      return rows[0] ? projectView(rows[0]) : null;
    });
  }

  async createProject(input: ProjectInput, request?: IdempotentRequest): Promise<CommandResult> {
    return this.idempotent('projects.create', request, async (tx, tenant) => {
      const { rows } = await tx.query<ProjectRow>(
        `INSERT INTO projects (tenant_id, name, description) VALUES ($1, $2, $3) RETURNING ${PROJECT_COLUMNS}`,
        [tenant, input.name, input.description ?? null],
      );
      return { status: 201, body: projectView(rows[0]!) };
    });
  }

  async updateProject(id: string, patch: Partial<ProjectInput>): Promise<ProjectView | null> {
    if (this.bugs.bolaWrite) {
      requireTenant('projects.update', this.log);
      return this.system.updateProjectAnyTenant(id, patch); // seeded bug: update by id alone
    }
    return this.inTenant('projects.update', async (tx, tenant) => {
      const { rows } = await tx.query<ProjectRow>(
        `UPDATE projects SET name = COALESCE($3, name), description = CASE WHEN $4 THEN $5 ELSE description END,
                updated_at = clock_timestamp()
          WHERE id = $1 AND tenant_id = $2 RETURNING ${PROJECT_COLUMNS}`,
        [id, tenant, patch.name ?? null, patch.description !== undefined, patch.description ?? null],
      );
      return rows[0] ? projectView(rows[0]) : null;
    });
  }

  async deleteProject(id: string): Promise<boolean> {
    if (this.bugs.bolaWrite) {
      requireTenant('projects.delete', this.log);
      return this.system.deleteProjectAnyTenant(id); // seeded bug: delete by id alone
    }
    return this.inTenant('projects.delete', async (tx, tenant) => {
      const { rowCount } = await tx.query('DELETE FROM projects WHERE id = $1 AND tenant_id = $2', [id, tenant]);
      return rowCount === 1;
    });
  }

  // ---- documents ----

  /** `null` when the project is not the tenant's. */
  async listDocuments(projectId: string): Promise<DocumentView[] | null> {
    if (this.anonymousListAllowed()) {
      const { rows } = await this.pool.query<DocumentRow>(
        `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE project_id = $1 ORDER BY created_at, id`,
        [projectId],
      );
      return rows.map(documentView);
    }
    return this.inTenant('documents.list', async (tx, tenant) => {
      if (!(await projectVisible(tx, tenant, projectId))) return null;
      const { rows } = await tx.query<DocumentRow>(
        `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE project_id = $1 AND tenant_id = $2 ORDER BY created_at, id`,
        [projectId, tenant],
      );
      return rows.map(documentView);
    });
  }

  /** `null` when the project is not the tenant's. */
  async createDocument(projectId: string, input: DocumentInput): Promise<DocumentView | null> {
    return this.inTenant('documents.create', async (tx, tenant) => {
      if (!(await projectVisible(tx, tenant, projectId))) return null;
      const { rows } = await tx.query<DocumentRow>(
        `INSERT INTO documents (tenant_id, project_id, title, body) VALUES ($1, $2, $3, $4) RETURNING ${DOCUMENT_COLUMNS}`,
        [tenant, projectId, input.title, input.body],
      );
      return documentView(rows[0]!);
    });
  }

  /** By id with no tenant predicate: row-level security is the only thing scoping this read. */
  async getDocument(id: string): Promise<DocumentView | null> {
    return this.inTenant('documents.get', async (tx) => {
      const { rows } = await tx.query<DocumentRow>(`SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE id = $1`, [id]);
      return rows[0] ? documentView(rows[0]) : null;
    });
  }

  async updateDocument(id: string, patch: Partial<DocumentInput>): Promise<DocumentView | null> {
    return this.inTenant('documents.update', async (tx, tenant) => {
      const { rows } = await tx.query<DocumentRow>(
        `UPDATE documents SET title = COALESCE($3, title), body = COALESCE($4, body), updated_at = clock_timestamp()
          WHERE id = $1 AND tenant_id = $2 RETURNING ${DOCUMENT_COLUMNS}`,
        [id, tenant, patch.title ?? null, patch.body ?? null],
      );
      return rows[0] ? documentView(rows[0]) : null;
    });
  }

  async deleteDocument(id: string): Promise<boolean> {
    return this.inTenant('documents.delete', async (tx, tenant) => {
      const { rowCount } = await tx.query('DELETE FROM documents WHERE id = $1 AND tenant_id = $2', [id, tenant]);
      return rowCount === 1;
    });
  }

  // ---- generations (jobs) ----

  async createJob(input: JobInput, request?: IdempotentRequest): Promise<CommandResult> {
    return this.idempotent('jobs.create', request, async (tx, tenant) => {
      const { rows } = await tx.query<JobRow>(
        `INSERT INTO jobs (tenant_id, prompt, callback_url) VALUES ($1, $2, $3) RETURNING ${JOB_COLUMNS}`,
        [tenant, input.prompt, input.callbackUrl],
      );
      return { status: 202, body: jobView(rows[0]!) };
    });
  }

  async getJob(id: string): Promise<JobView | null> {
    return this.inTenant('jobs.get', async (tx, tenant) => {
      const { rows } = await tx.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1 AND tenant_id = $2`, [id, tenant]);
      return rows[0] ? jobView(rows[0]) : null;
    });
  }

  /** The worker's context for a generation: the tenant's project names. Scoped by RLS alone. */
  async projectNamesForJobContext(): Promise<string[]> {
    return this.inTenant('jobs.context', async (tx) => {
      const { rows } = await tx.query<{ name: string }>('SELECT name FROM projects ORDER BY name, id');
      return rows.map((r) => r.name);
    });
  }

  async recordCallbackDelivery(delivery: { jobId: string; url: string; statusCode: number | null; attempt: number; error: string | null }): Promise<void> {
    await this.inTenant('callbacks.record', async (tx, tenant) => {
      await tx.query(
        'INSERT INTO callback_deliveries (job_id, tenant_id, url, status_code, attempt, error) VALUES ($1, $2, $3, $4, $5, $6)',
        [delivery.jobId, tenant, delivery.url, delivery.statusCode, delivery.attempt, delivery.error],
      );
    });
  }
}

async function projectVisible(tx: Tx, tenant: string, projectId: string): Promise<boolean> {
  const { rowCount } = await tx.query('SELECT 1 FROM projects WHERE id = $1 AND tenant_id = $2', [projectId, tenant]);
  return rowCount === 1;
}
