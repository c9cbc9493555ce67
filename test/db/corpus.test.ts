import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../src/core/types.ts';
import { EXIT } from '../../src/core/exit-codes.ts';
import { withClient } from '../../src/db/provision.ts';
import { readEvidence } from '../../src/evidence/index.ts';
import { runDatabaseAudit, type DatabaseAuditOptions } from '../../src/run/database-run.ts';
import { PATTERNS, SUPABASE, type Pattern } from './corpus/patterns.ts';
import { fill } from './fixtures/schema.ts';
import { openServer, type FixtureServer } from './harness.ts';
import { databaseState } from './state.ts';

/**
 * The corpus of real-world RLS patterns: each fail-closed form exits 0 with no failing or inconclusive record (with
 * two tenants' rows, and on the empty database), each broken form exits 1 with a finding that names the object and
 * gives the fixing SQL; the audited database is the same after every audit (rows and catalog).
 */
const shown = (records: EvidenceRecord[]) => records.filter((r) => r.verdict !== 'pass').map((r) => `${r.mutation.id} ${r.operation} ${r.verdict} ${r.reason}: ${r.detail.slice(0, 1200)}`).join('\n');

describe.each((process.env.CORPUS_SERVERS ?? 'pg15,embedded').split(',') as ('pg15' | 'embedded')[])('RLS pattern corpus on %s PostgreSQL', (kind) => {
  let server: FixtureServer;
  let reports: string;
  beforeAll(async () => {
    server = await openServer(kind);
    reports = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-corpus-'));
  });
  afterAll(async () => {
    await server?.close();
    await fs.rm(reports, { recursive: true, force: true });
  });

  /** Builds the pattern's database (closed, optionally broken, optionally seeded), audits it by URL, checks nothing changed. */
  async function audit(pattern: Pattern, form: 'closed' | 'broken', seeded: boolean, suffixRoles: boolean) {
    const db = await server.fixture('', { base: false });
    const r = suffixRoles ? `_${db.suffix}` : '';
    const sql = (text: string) => fill(text, db.app, db.suffix).replaceAll('{{r}}', r);
    await withClient(db.adminUrl, async (c) => {
      await c.query(sql(pattern.closed));
      if (form === 'broken') await c.query(sql(pattern.broken));
      if (seeded) await c.query(sql(pattern.seed));
    });
    // With rows, connect as the application's login role; empty, as the admin naming the audited role (rows are
    // synthesised inside each rolled-back probe transaction, which the application role alone could not write).
    const url = new URL(db.adminUrl);
    if (seeded && !pattern.admin) {
      url.username = sql(pattern.login ?? '{{app}}');
      url.password = 'app-pw';
    }
    const before = await databaseState(db.adminUrl, db.suffix);
    const options = { databaseUrl: url.toString(), seed: 4321, reportDir: reports, ...(pattern.options ?? { tenantSetting: 'app.tenant_id' }) } as DatabaseAuditOptions;
    if (r !== '' && pattern.options?.preset) options.role = `authenticated${r}`;
    else if ((!seeded || pattern.admin) && !pattern.options?.preset) options.appRole = db.app;
    const result = await runDatabaseAudit(options);
    const { records } = await readEvidence(result.dir);
    expect(await databaseState(db.adminUrl, db.suffix)).toEqual(before);
    return { result, records, db };
  }

  it('the PostgREST preset audits the same claims-based schema (fail-closed passes, broken fails)', async () => {
    const postgrest = { ...SUPABASE, options: { preset: 'postgrest' as const } };
    const r = kind === 'pg15';
    expect((await audit(postgrest, 'closed', true, r)).result.exitCode).toBe(EXIT.ok);
    const broken = await audit(postgrest, 'broken', true, r);
    expect(broken.result.exitCode).toBe(EXIT.findings);
    expect(broken.records.some((x) => x.mutation.id === 'view-bypass' && x.verdict === 'fail-open' && x.detail.includes('public.document_feed'))).toBe(true);
  });

  for (const pattern of [...PATTERNS, SUPABASE]) {
    // Supabase's role names are cluster-wide: exact names on the private embedded cluster, suffixed (with --role) on the shared server.
    const r = pattern === SUPABASE && kind === 'pg15';
    it(`${pattern.name}: the fail-closed form passes, with rows and empty`, async () => {
      for (const seeded of process.env.CORPUS_EMPTY === '0' ? [true] : [true, false]) {
        const { result, records } = await audit(pattern, 'closed', seeded, r);
        expect(shown(records), `${seeded ? 'seeded' : 'empty'} database`).toBe('');
        expect(result.exitCode).toBe(EXIT.ok);
      }
    });

    it(`${pattern.name}: the broken form fails, naming the object and the fixing SQL`, async () => {
      const { result, records } = await audit(pattern, 'broken', true, r);
      expect(result.exitCode).toBe(EXIT.findings);
      for (const e of pattern.expect) {
        const match = records.find((x) => x.mutation.id === e.rule && x.verdict === e.verdict && e.names.every((n) => `${x.operation} ${x.detail}`.includes(n)));
        expect(match, `${e.rule} ${e.verdict} naming ${e.names.join(' | ')}; got:\n${shown(records)}`).toBeDefined();
      }
    });
  }
});
