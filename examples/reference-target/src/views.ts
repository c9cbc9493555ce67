/** Row → JSON. Every resource carries the `tenantId` of its row so a client can see whose data it got. */

export const PROJECT_COLUMNS = 'id, tenant_id, name, description, created_at, updated_at';
export const DOCUMENT_COLUMNS = 'id, tenant_id, project_id, title, body, created_at, updated_at';
export const JOB_COLUMNS =
  'id, tenant_id, kind, prompt, status, attempts, max_attempts, output, callback_url, last_error, created_at, updated_at, completed_at';

export interface ProjectRow {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface DocumentRow {
  id: string;
  tenant_id: string;
  project_id: string;
  title: string;
  body: string;
  created_at: Date;
  updated_at: Date;
}

export interface JobRow {
  id: string;
  tenant_id: string;
  kind: string;
  prompt: string;
  status: string;
  attempts: number;
  max_attempts: number;
  output: string | null;
  callback_url: string | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

export function projectView(row: ProjectRow) {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function documentView(row: DocumentRow) {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    projectId: row.project_id,
    title: row.title,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function jobView(row: JobRow) {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    prompt: row.prompt,
    output: row.output,
    callbackUrl: row.callback_url,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}

export type ProjectView = ReturnType<typeof projectView>;
export type DocumentView = ReturnType<typeof documentView>;
export type JobView = ReturnType<typeof jobView>;
