/**
 * Real-world RLS patterns, each in a fail-closed and a broken form (`{{app}}` is the audited login role, `{{suffix}}`
 * makes other role names unique per database). Schemas are created on a blank database; `seed` writes two tenants'
 * rows as the admin (left out for the empty-database runs).
 */
import type { DbAuditOptions } from '../../../src/db/audit/index.ts';
import { TENANT_A, TENANT_B } from '../fixtures/schema.ts';

export interface Pattern {
  name: string;
  /** Schema of the fail-closed form. */
  closed: string;
  /** SQL run after `closed` that breaks it. */
  broken: string;
  /** Rows of two tenants, as the admin. */
  seed: string;
  /** Audit options besides the URL (default `tenantSetting: app.tenant_id`). */
  options?: Partial<DbAuditOptions>;
  /** Connect as this login role (password `app-pw`) instead of `{{app}}`. */
  login?: string;
  /** Connect as the admin naming the audited role even with rows (memberships are written by the connecting role). */
  admin?: boolean;
  /** Records the broken form must produce: rule, verdict, texts the operation+detail contain (the object and the fixing SQL). */
  expect: { rule: string; verdict: string; names: string[] }[];
}

const TENANTS = `CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);
GRANT USAGE ON SCHEMA public TO {{app}};
GRANT SELECT ON tenants TO {{app}};`;
const TENANT_ROWS = `INSERT INTO tenants VALUES ('${TENANT_A}', 'Tenant A'), ('${TENANT_B}', 'Tenant B');`;
const KEY = "tenant_id = current_setting('app.tenant_id')::uuid";

function keyedTable(table: string, columns: string, key = KEY): string {
  return `CREATE TABLE ${table} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id uuid NOT NULL REFERENCES tenants (id), ${columns});
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY ${table.replace('.', '_')}_tenant ON ${table} USING (${key}) WITH CHECK (${key});
GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO {{app}};`;
}

const rows = (table: string, columns: string, a: string, b: string) =>
  `INSERT INTO ${table} (tenant_id, ${columns}) VALUES ('${TENANT_A}', ${a}), ('${TENANT_A}', ${a.replace(/'([^']*)'/, "'$1-2'")}), ('${TENANT_B}', ${b});`;

export const PATTERNS: Pattern[] = [
  {
    name: 'plain setting',
    closed: `${TENANTS}\n${keyedTable('documents', "title text NOT NULL, status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done'))")}`,
    broken: 'ALTER TABLE documents NO FORCE ROW LEVEL SECURITY; ALTER TABLE documents OWNER TO {{app}};',
    seed: `${TENANT_ROWS}\n${rows('documents', 'title', "'doc a'", "'doc b'")}`,
    expect: [{ rule: 'rls-forced', verdict: 'fail-open', names: ['public.documents', 'ALTER TABLE public.documents FORCE ROW LEVEL SECURITY;'] }],
  },
  {
    name: 'nullable tenant column',
    closed: `${TENANTS}
CREATE TABLE notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id uuid REFERENCES tenants (id), body text NOT NULL);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY notes_tenant ON notes USING (${KEY}) WITH CHECK (${KEY});
GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO {{app}};`,
    broken: `ALTER POLICY notes_tenant ON notes USING (${KEY} OR tenant_id IS NULL) WITH CHECK (${KEY} OR tenant_id IS NULL);`,
    seed: `${TENANT_ROWS}\n${rows('notes', 'body', "'note a'", "'note b'")}`,
    expect: [
      { rule: 'policy-null-tenant', verdict: 'fail-open', names: ['"notes_tenant"', 'public.notes', 'ALTER POLICY "notes_tenant" ON public.notes USING (tenant_id = (current_setting(', 'SET NOT NULL'] },
      { rule: 'write-null-tenant', verdict: 'leak', names: ['public.notes', 'NULL', 'let through by permissive policy "notes_tenant" USING ('] },
    ],
  },
  {
    name: 'JSON claims read through helper functions',
    closed: `${TENANTS}
CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO {{app}};
CREATE FUNCTION app.claims() RETURNS jsonb LANGUAGE sql STABLE AS $$ SELECT current_setting('request.jwt.claims')::jsonb $$;
CREATE FUNCTION app.current_tenant() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT (app.claims() ->> 'tenant_id')::uuid $$;
${keyedTable('projects', 'name text NOT NULL', 'tenant_id = app.current_tenant()')}`,
    broken: "CREATE POLICY projects_by_role ON projects FOR SELECT USING ((app.claims() ->> 'role') = 'authenticated');",
    seed: `${TENANT_ROWS}\n${rows('projects', 'name', "'alpha'", "'gamma'")}`,
    options: { context: { 'request.jwt.claims': '{"tenant_id":"{tenant}","role":"authenticated","sub":"{principal}"}' } },
    expect: [
      { rule: 'policy-tenant-key', verdict: 'fail-open', names: ['"projects_by_role"', 'public.projects', 'ALTER POLICY "projects_by_role" ON public.projects USING ((tenant_id = app.current_tenant()) AND (('] },
      { rule: 'tenant-isolation', verdict: 'leak', names: ['public.projects', '"projects_by_role" USING ('] },
    ],
  },
  {
    name: 'partitioned table',
    closed: `${TENANTS}
CREATE TABLE events (id uuid NOT NULL DEFAULT gen_random_uuid(), tenant_id uuid NOT NULL REFERENCES tenants (id), payload text NOT NULL, PRIMARY KEY (tenant_id, id)) PARTITION BY LIST (tenant_id);
CREATE TABLE events_a PARTITION OF events FOR VALUES IN ('${TENANT_A}');
CREATE TABLE events_b PARTITION OF events FOR VALUES IN ('${TENANT_B}');
CREATE TABLE events_rest PARTITION OF events DEFAULT;
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY events_tenant ON events USING (${KEY}) WITH CHECK (${KEY});
GRANT SELECT, INSERT, UPDATE, DELETE ON events TO {{app}};`,
    broken: 'GRANT SELECT ON events_b TO {{app}};',
    seed: `${TENANT_ROWS}\n${rows('events', 'payload', "'event a'", "'event b'")}`,
    expect: [{ rule: 'rls-enabled', verdict: 'fail-open', names: ['public.events', 'public.events_b', 'ALTER TABLE public.events_b ENABLE ROW LEVEL SECURITY;', 'REVOKE ALL ON public.events_b FROM'] }],
  },
  {
    name: 'tenant tables in several schemas',
    closed: `${TENANTS}
CREATE SCHEMA billing;
GRANT USAGE ON SCHEMA billing TO {{app}};
CREATE DOMAIN billing.currency AS text CHECK (VALUE IN ('EUR', 'USD'));
CREATE TYPE billing.invoice_kind AS ENUM ('one-off', 'recurring');
${keyedTable('customers', 'name text NOT NULL')}
CREATE TABLE billing.invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id), amount numeric NOT NULL CHECK (amount > 0), status text NOT NULL CHECK (status IN ('open', 'paid')), currency billing.currency NOT NULL, kind billing.invoice_kind NOT NULL, UNIQUE (tenant_id, status, currency));
ALTER TABLE billing.invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing.invoices FORCE ROW LEVEL SECURITY;
CREATE POLICY invoices_tenant ON billing.invoices USING (${KEY}) WITH CHECK (${KEY});
GRANT SELECT, INSERT, UPDATE, DELETE ON billing.invoices TO {{app}};`,
    broken: 'ALTER TABLE billing.invoices DISABLE ROW LEVEL SECURITY;',
    // the behaviour finding names the cause too
    seed: `${TENANT_ROWS}\n${rows('customers', 'name', "'acme'", "'globex'")}
INSERT INTO billing.invoices (tenant_id, amount, status, currency, kind) VALUES ('${TENANT_A}', 10, 'open', 'EUR', 'one-off'), ('${TENANT_B}', 20, 'paid', 'USD', 'recurring');`,
    expect: [
      { rule: 'rls-enabled', verdict: 'fail-open', names: ['billing.invoices', 'ALTER TABLE billing.invoices ENABLE ROW LEVEL SECURITY;'] },
      { rule: 'tenant-isolation', verdict: 'leak', names: ['billing.invoices', 'row-level security is not enabled on the table'] },
    ],
  },
  {
    name: 'view over a tenant table',
    closed: `${TENANTS}\n${keyedTable('documents', 'title text NOT NULL')}
CREATE VIEW document_titles WITH (security_invoker = true) AS SELECT id, tenant_id, title FROM documents;
GRANT SELECT ON document_titles TO {{app}};`,
    broken: 'ALTER VIEW document_titles RESET (security_invoker);',
    seed: `${TENANT_ROWS}\n${rows('documents', 'title', "'doc a'", "'doc b'")}`,
    expect: [
      { rule: 'view-bypass', verdict: 'fail-open', names: ['public.document_titles', 'ALTER VIEW public.document_titles SET (security_invoker = true);'] },
      { rule: 'tenant-isolation', verdict: 'leak', names: ['public.document_titles'] },
    ],
  },
  {
    name: 'SECURITY DEFINER function with arguments',
    closed: `${TENANTS}\n${keyedTable('documents', 'title text NOT NULL')}
CREATE ROLE definer_{{suffix}} NOLOGIN;
GRANT USAGE ON SCHEMA public TO definer_{{suffix}};
GRANT SELECT ON documents TO definer_{{suffix}};
CREATE FUNCTION document_title(p_id uuid) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$ SELECT title FROM documents WHERE id = p_id $$;
ALTER FUNCTION document_title(uuid) OWNER TO definer_{{suffix}};
GRANT EXECUTE ON FUNCTION document_title(uuid) TO {{app}};`,
    broken: 'ALTER FUNCTION document_title(uuid) OWNER TO CURRENT_USER;',
    seed: `${TENANT_ROWS}\n${rows('documents', 'title', "'doc a'", "'doc b'")}`,
    expect: [{ rule: 'definer-function', verdict: 'fail-open', names: ['public.document_title(p_id uuid)', 'ALTER FUNCTION public.document_title(p_id uuid) SECURITY INVOKER;'] }],
  },
  {
    name: 'a granted command without a policy (deny by default)',
    closed: `${TENANTS}
CREATE TABLE documents (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id uuid NOT NULL REFERENCES tenants (id), title text NOT NULL);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY documents_select ON documents FOR SELECT USING (${KEY});
CREATE POLICY documents_insert ON documents FOR INSERT WITH CHECK (${KEY});
CREATE POLICY documents_delete ON documents FOR DELETE USING (${KEY});
GRANT SELECT, INSERT, UPDATE, DELETE ON documents TO {{app}};`,
    broken: 'CREATE POLICY documents_update ON documents FOR UPDATE USING (true) WITH CHECK (true);',
    seed: `${TENANT_ROWS}\n${rows('documents', 'title', "'doc a'", "'doc b'")}`,
    expect: [
      { rule: 'policy-tenant-key', verdict: 'fail-open', names: ['"documents_update"', 'ALTER POLICY "documents_update" ON public.documents USING (tenant_id = (current_setting('] },
      { rule: 'policy-check-pinned', verdict: 'fail-open', names: ['"documents_update"', 'WITH CHECK (tenant_id = (current_setting('] },
    ],
  },
  {
    name: 'membership table (the setting holds the user id)',
    closed: `CREATE TABLE orgs (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE memberships (user_id uuid NOT NULL REFERENCES users (id), org_id uuid NOT NULL REFERENCES orgs (id), role text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')), PRIMARY KEY (user_id, org_id));
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_self ON memberships USING (user_id = current_setting('app.user_id')::uuid);
CREATE TABLE documents (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), org_id uuid NOT NULL REFERENCES orgs (id), title text NOT NULL);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY documents_member ON documents
  USING (org_id IN (SELECT org_id FROM memberships WHERE user_id = current_setting('app.user_id')::uuid))
  WITH CHECK (org_id IN (SELECT org_id FROM memberships WHERE user_id = current_setting('app.user_id')::uuid));
GRANT USAGE ON SCHEMA public TO {{app}};
GRANT SELECT ON orgs, users, memberships TO {{app}};
GRANT SELECT, INSERT, UPDATE, DELETE ON documents TO {{app}};`,
    broken: `ALTER POLICY documents_member ON documents
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = current_setting('app.user_id')::uuid))
  WITH CHECK (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = current_setting('app.user_id')::uuid));`,
    seed: `INSERT INTO orgs VALUES ('${TENANT_A}', 'Org A'), ('${TENANT_B}', 'Org B');
INSERT INTO documents (org_id, title) VALUES ('${TENANT_A}', 'doc a'), ('${TENANT_A}', 'doc a2'), ('${TENANT_B}', 'doc b');`,
    options: { principalSetting: 'app.user_id', tenantColumn: 'org_id' },
    admin: true,
    expect: [
      { rule: 'policy-tenant-key', verdict: 'fail-open', names: ['"documents_member"', 'does not mention org_id', 'ALTER POLICY "documents_member" ON public.documents USING (("org_id" IN (SELECT "org_id" FROM public.memberships WHERE "user_id" = current_setting(\'app.user_id\')::uuid)) AND (EXISTS ( SELECT 1 FROM memberships m'] },
      { rule: 'tenant-isolation', verdict: 'leak', names: ['public.documents'] },
    ],
  },
];

/** Supabase-shaped: `auth` helpers reading request.jwt.claims (with missing_ok, as Supabase ships them), roles anon/authenticated/authenticator. `{{r}}` suffixes the role names where the server is shared. */
export const SUPABASE: Pattern = {
  name: 'Supabase-shaped schema (--preset supabase)',
  // Roles are cluster-wide: made once per cluster and kept (fixture databases come and go).
  closed: `DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon{{r}}') THEN CREATE ROLE anon{{r}} NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated{{r}}') THEN CREATE ROLE authenticated{{r}} NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator{{r}}') THEN CREATE ROLE authenticator{{r}} LOGIN PASSWORD 'app-pw' NOINHERIT; END IF;
END $$;
GRANT anon{{r}}, authenticated{{r}} TO authenticator{{r}};
CREATE SCHEMA auth;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''), nullif(current_setting('request.jwt.claims', true), ''))::jsonb $$;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $$;
GRANT USAGE ON SCHEMA auth, public TO anon{{r}}, authenticated{{r}};
CREATE TABLE orgs (id uuid PRIMARY KEY, name text NOT NULL);
GRANT SELECT ON orgs TO authenticated{{r}};
CREATE TABLE documents (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id uuid NOT NULL REFERENCES orgs (id), author_id uuid DEFAULT auth.uid(), title text NOT NULL);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY "members read" ON documents FOR SELECT TO authenticated{{r}} USING (tenant_id = (auth.jwt() ->> 'tenant_id')::uuid);
CREATE POLICY "members insert" ON documents FOR INSERT TO authenticated{{r}} WITH CHECK (tenant_id = (auth.jwt() ->> 'tenant_id')::uuid);
CREATE POLICY "members update" ON documents FOR UPDATE TO authenticated{{r}} USING (tenant_id = (auth.jwt() ->> 'tenant_id')::uuid) WITH CHECK (tenant_id = (auth.jwt() ->> 'tenant_id')::uuid);
CREATE POLICY "members delete" ON documents FOR DELETE TO authenticated{{r}} USING (tenant_id = (auth.jwt() ->> 'tenant_id')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON documents TO authenticated{{r}};
GRANT SELECT ON documents TO anon{{r}};`,
  broken: `CREATE VIEW document_feed AS SELECT id, tenant_id, title FROM documents;
GRANT SELECT ON document_feed TO authenticated{{r}};`,
  seed: `INSERT INTO orgs VALUES ('${TENANT_A}', 'Org A'), ('${TENANT_B}', 'Org B');
${rows('documents', 'title', "'doc a'", "'doc b'")}`,
  options: { preset: 'supabase' },
  login: 'authenticator{{r}}',
  expect: [
    { rule: 'view-bypass', verdict: 'fail-open', names: ['public.document_feed', 'ALTER VIEW public.document_feed SET (security_invoker = true);'] },
    { rule: 'tenant-isolation', verdict: 'leak', names: ['public.document_feed'] },
  ],
};
