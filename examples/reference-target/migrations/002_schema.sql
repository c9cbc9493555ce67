-- Tables are owned by the role running the migrations (the admin), never by reference_app.

CREATE TABLE tenants (
  id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{1,62}$'),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text NOT NULL REFERENCES tenants (id),
  name text NOT NULL,
  description text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Lets children reference (project, tenant) so the database itself refuses a child in another tenant.
  UNIQUE (id, tenant_id)
);
CREATE INDEX projects_tenant_created ON projects (tenant_id, created_at);

CREATE TABLE documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text NOT NULL REFERENCES tenants (id),
  project_id uuid NOT NULL,
  title text NOT NULL,
  body text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  FOREIGN KEY (project_id, tenant_id) REFERENCES projects (id, tenant_id) ON DELETE CASCADE
);
CREATE INDEX documents_tenant_project ON documents (tenant_id, project_id, created_at);

CREATE TABLE idempotency_keys (
  tenant_id text NOT NULL REFERENCES tenants (id),
  key text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  request_hash text NOT NULL,
  response_status integer NOT NULL,
  response_body jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);

-- Asynchronous generations; the queue is this table (claimed with FOR UPDATE SKIP LOCKED).
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text NOT NULL REFERENCES tenants (id),
  kind text NOT NULL DEFAULT 'generation',
  prompt text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3,
  output text,
  callback_url text,
  run_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  completed_at timestamptz
);
CREATE INDEX jobs_queued_run_at ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_tenant_created ON jobs (tenant_id, created_at);

CREATE TABLE callback_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  tenant_id text NOT NULL REFERENCES tenants (id),
  url text NOT NULL,
  status_code integer,
  attempt integer NOT NULL,
  error text,
  delivered_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX callback_deliveries_tenant_job ON callback_deliveries (tenant_id, job_id);
