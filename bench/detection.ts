/**
 * `npm run bench:detection` (node --import tsx/esm bench/detection.ts [--seed 1234] [--runs N] [--only mode,mode] [--from-spec]).
 *
 * `--from-spec` audits every mode twice: with the hand-written config and with the config `init` generates from the
 * target's own `GET /openapi.json` (as `run --openapi` does; the target's test issuer as the token source, its test
 * signing secrets where the generated file has placeholders), and writes both matrices side by side to
 * bench/results/detection-from-spec.md.
 *
 * Runs the full audit (every HTTP suite, through `run()`) against the reference target in every mode, and the
 * data-layer audit (`auditDatabase`, as the service's own database role) when it is available, and prints a
 * matrix mode × suite of verdicts: whether the suite expected to catch the mode's seeded bug did, how many of
 * that suite's probes came before its first failing one, and how many steps its shrunk counterexample has.
 * Writes the matrix to bench/results/detection.md. The last line is exactly
 * `detection: <caught>/<seeded> seeded bugs caught, <n> false positives`
 * (false positives: any non-pass suite verdict on fail-closed, or a finding from a suite not expected for the mode).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EvidenceRecord, UnsignedEvidenceRecord } from '../src/core/types.ts';
import { verdictRank, worseVerdict, type Verdict } from '../src/core/verdict.ts';
import { provisionDatabase, withClient, withDatabase } from '../src/db/provision.ts';
import { readEvidence } from '../src/evidence/index.ts';
import { run } from '../src/run/run.ts';
import { MODES, startReferenceTarget, TENANTS, type Mode, type RunningTarget } from '../examples/reference-target/src/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONFIG = path.resolve(here, '../examples/reference-target/tenancy-audit.config.yaml');
const arg = (name: string): number | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
};
const SEED = arg('seed') ?? 1234;
const onlyIndex = process.argv.indexOf('--only');
/** `--only mode,mode` audits those modes alone (the summary then counts only them). */
const SELECTED = onlyIndex >= 0 ? MODES.filter((m) => (process.argv[onlyIndex + 1] ?? '').split(',').includes(m)) : [...MODES];
const RUNS = arg('runs');
const FROM_SPEC = process.argv.includes('--from-spec');
type Source = 'hand-written' | 'generated';

/** The suite each seeded bug must be caught by (its families × paths, README "The suites"). */
const EXPECTED: Record<Exclude<Mode, 'fail-closed'>, string> = {
  'header-override': 'identity.mismatched',
  'body-override': 'identity.mismatched',
  'path-override': 'identity.mismatched',
  'default-tenant': 'identity.missing',
  'soft-fail-empty': 'identity.missing',
  'session-setting-leak': 'identity.missing',
  'unverified-signature': 'identity.spoofed',
  'alg-none': 'identity.spoofed',
  'bola-read': 'isolation.cross-tenant',
  'bola-write': 'isolation.cross-tenant',
  'rls-not-forced': 'isolation.cross-tenant',
  'idempotency-global': 'retry.idempotency',
  'queue-context-lost': 'async.propagation',
  'retry-context-lost': 'async.propagation',
  'callback-misrouted': 'callback.integrity',
  'webhook-trusts-payload': 'callback.integrity',
};
/**
 * Suites whose findings on a mode are true positives too: the same root cause seen from another path.
 * Each entry is a real observation of the seeded bug, not a tolerance for noise.
 */
const ALSO_EXPECTED: Partial<Record<Mode, string[]>> = {
  // RLS-only reads (documents by id, the worker's context query) leak on the owner connection.
  'rls-not-forced': ['db.rls-catalog', 'db.rls-behaviour', 'async.propagation', 'callback.integrity'],
  'session-setting-leak': ['db.rls-behaviour'],
  // A claimless replay of an idempotency key is served from the default tenant.
  'default-tenant': ['retry.idempotency'],
  // A replay of an idempotency key with a forged (unverified) signature is served: the same unchecked signature, on
  // the retry path. Seen since every generated sequence replays a created key (before, most sequences tested nothing).
  'unverified-signature': ['retry.idempotency'],
  // A job run in the wrong tenant calls back with that tenant's data.
  'queue-context-lost': ['callback.integrity'],
  'retry-context-lost': ['callback.integrity'],
  // The misrouted callback carries another tenant's job to this job's URL.
  'callback-misrouted': ['async.propagation'],
};

interface ModeResult {
  mode: Mode;
  verdicts: Record<string, Verdict>;
  findings: Record<string, number>;
  error?: string;
  exitCode?: number;
  records: EvidenceRecord[];
  dbRecords: UnsignedEvidenceRecord[];
  seconds: number;
}

const failing = (v: Verdict) => verdictRank(v) >= verdictRank('soft-fail');

async function auditMode(mode: Mode, serverUrl: string, work: string, source: Source = 'hand-written'): Promise<ModeResult> {
  const t0 = performance.now();
  const name = `det_${crypto.randomBytes(5).toString('hex')}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const result: ModeResult = { mode, verdicts: {}, findings: {}, records: [], dbRecords: [], seconds: 0 };
  // The first attempt of every job fails (as test/support/audit-reference.ts starts it): retries happen, so a bug on
  // the retry path (retry-context-lost) can show at all, and fail-closed must stay clean with retries going on.
  const target = await startReferenceTarget({ mode, databaseUrl: withDatabase(serverUrl, name), failFirstAttempt: true });
  try {
    // The data layer first, on a database holding one project and one document per tenant (created through the
    // service with legit tokens, so its proofs are not vacuous), before the HTTP run: afterwards it would see
    // whatever that run left behind.
    await seedRows(target);
    const db = (await import('../src/db/audit/index.ts').catch(() => undefined)) as typeof import('../src/db/audit/index.ts') | undefined;
    if (db?.auditDatabase) {
      try {
        await db.auditDatabase({
          databaseUrl: target.appDatabaseUrl,
          tenantSetting: 'app.tenant_id',
          seed: SEED,
          onRecord: async (r) => {
            result.dbRecords.push(r);
          },
        });
        const bySuite = new Map<string, Verdict[]>();
        for (const r of result.dbRecords) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r.verdict]);
        for (const [suite, vs] of bySuite) {
          const judged = vs.filter((v) => v !== 'inconclusive');
          result.verdicts[suite] = judged.length === 0 ? 'inconclusive' : judged.reduce<Verdict>((w, v) => worseVerdict(w, v), 'pass');
          if (vs.some((v) => v !== 'inconclusive' && failing(v))) result.findings[suite] = vs.filter((v) => v !== 'inconclusive' && failing(v)).length;
        }
      } catch (error) {
        result.error = `${result.error ? `${result.error}; ` : ''}db: ${(error as Error).message.split('\n')[0]}`;
      }
    }
    try {
      const outcome = await run({
        ...(source === 'generated' ? { spec: specOf(target) } : { config: CONFIG }),
        target: target.url,
        reportDir: path.join(work, `${mode}-${source}`),
        seed: SEED,
        ...(RUNS ? { runs: RUNS } : {}),
        onEvent: (e) => {
          if (e.type === 'suite-end') result.verdicts[e.suite] = e.verdict;
        },
      });
      result.exitCode = outcome.exitCode;
      result.records = (await readEvidence(outcome.dir)).records;
      for (const r of result.records) if (r.kind === 'finding') result.findings[r.suite] = (result.findings[r.suite] ?? 0) + 1;
    } catch (error) {
      result.error = `${result.error ? `${result.error}; ` : ''}${(error as Error).message.split('\n')[0]}`;
    }
  } finally {
    await target.stop();
    await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => {});
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

/** `run --openapi <target>/openapi.json`: the target's test issuer mints the tokens; its test secrets fill the placeholders. */
function specOf(target: RunningTarget) {
  return {
    openapi: `${target.url}/openapi.json`,
    tenants: [...TENANTS].slice(0, 2),
    identity: {
      kind: 'mint' as const,
      key: { alg: 'RS256', jwk: `file:${path.resolve(here, '../examples/reference-target/fixtures/issuer.private.jwk.json')}`, kid: target.issuer.kid },
      issuer: target.issuer.issuer,
      audience: target.issuer.audience,
      subject: 'audit-user@{{tenant}}',
    },
    callbackSecrets: { acme: 'callback-secret-acme', globex: 'callback-secret-globex' },
    webhookSecrets: { '*': 'provider-secret-dev' },
  };
}

/** One project and one document per tenant, created through the service as that tenant. */
async function seedRows(target: RunningTarget): Promise<void> {
  for (const tenant of TENANTS) {
    const token = await target.issuer.mint({ tenant_id: tenant, sub: `bench@${tenant}` });
    const post = async (url: string, body: unknown) => {
      const res = await fetch(`${target.url}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status !== 201 && res.status !== 200) throw new Error(`seeding ${url} as ${tenant}: HTTP ${res.status}`);
      return (await res.json()) as { id: string };
    };
    const project = await post('/projects', { name: `bench ${tenant}`, description: `seed of ${tenant}` });
    await post(`/projects/${project.id}/documents`, { title: `bench ${tenant}`, body: `seed of ${tenant}` });
  }
}

/** Probes of `suite` (evidence order) before its first failing probe, and the step count of its first finding. */
function detection(r: ModeResult, suite: string): { probesBefore: number | undefined; steps: number | undefined } {
  const probes = r.records.filter((x) => x.suite === suite && x.kind === 'probe');
  const first = probes.findIndex((x) => failing(x.verdict));
  const finding = r.records.find((x) => x.suite === suite && x.kind === 'finding');
  if (finding || first >= 0) return { probesBefore: first >= 0 ? first : undefined, steps: finding ? (finding.steps?.length ?? 1) : undefined };
  const dbFirst = r.dbRecords.filter((x) => x.suite === suite).findIndex((x) => failing(x.verdict));
  return { probesBefore: dbFirst >= 0 ? dbFirst : undefined, steps: dbFirst >= 0 ? 1 : undefined };
}

const server = await provisionDatabase();
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-detection-'));
const SOURCES: Source[] = FROM_SPEC ? ['hand-written', 'generated'] : ['hand-written'];
const resultsBy: Record<Source, ModeResult[]> = { 'hand-written': [], generated: [] };
try {
  for (const mode of SELECTED) {
    for (const source of SOURCES) {
      const r = await auditMode(mode, server.url, work, source);
      resultsBy[source].push(r);
      console.log(`  ${mode}${FROM_SPEC ? ` (${source} config)` : ''}: exit ${r.exitCode ?? '-'} in ${r.seconds.toFixed(1)} s${r.error ? ` (error: ${r.error})` : ''}`);
    }
  }
} finally {
  await fs.rm(work, { recursive: true, force: true });
  await server.dispose();
}

const seeded = SELECTED.filter((m) => m !== 'fail-closed').length;

/** The mode × suite matrix of one config's results, its false positives and whether each mode was caught. */
function matrix(results: ModeResult[]) {
  const suites = [...new Set(results.flatMap((r) => Object.keys(r.verdicts)))].sort();
  const missing = [...new Set(Object.values(EXPECTED))].filter((s) => !suites.includes(s)).sort();
  const columns = [...suites, ...missing];
  const short: Record<Verdict, string> = { pass: 'pass', 'closed-by-error': 'closed-by-error', 'soft-fail': 'SOFT-FAIL', 'fail-open': 'FAIL-OPEN', leak: 'LEAK', inconclusive: 'inconclusive' };

  let caught = 0;
  let falsePositives = 0;
  const fpNotes: string[] = [];
  const rows: string[][] = [];
  for (const r of results) {
    const expected = r.mode === 'fail-closed' ? undefined : EXPECTED[r.mode];
    const allowed = new Set([expected, ...(ALSO_EXPECTED[r.mode] ?? [])].filter(Boolean) as string[]);
    let caughtBy = '-';
    let probesBefore = '-';
    let steps = '-';
    if (expected) {
      if (!suites.includes(expected)) caughtBy = 'not caught (suite missing)';
      else if ((r.findings[expected] ?? 0) > 0) {
        caught++;
        caughtBy = 'caught';
        const d = detection(r, expected);
        probesBefore = d.probesBefore === undefined ? '?' : String(d.probesBefore);
        steps = d.steps === undefined ? '?' : String(d.steps);
      } else caughtBy = 'NOT CAUGHT';
    }
    if (r.mode === 'fail-closed') {
      for (const [suite, v] of Object.entries(r.verdicts)) {
        if (v !== 'pass') {
          falsePositives++;
          fpNotes.push(`fail-closed: ${suite} is ${v}`);
        }
      }
    } else {
      for (const suite of Object.keys(r.findings)) {
        if (!allowed.has(suite)) {
          falsePositives++;
          fpNotes.push(`${r.mode}: finding from ${suite} (expected ${[...allowed].join(' or ')})`);
        }
      }
    }
    const cells = columns.map((s) => {
      const v = r.verdicts[s];
      const text = v ? short[v] : missing.includes(s) ? 'missing' : 'not run';
      return s === expected ? `**${text}**` : text;
    });
    rows.push([r.mode, ...cells, expected ?? '-', caughtBy, probesBefore, steps, r.error ? `error: ${r.error}` : `exit ${r.exitCode}`]);
  }

  const header = ['mode', ...columns, 'expected suite', 'caught', 'probes before first detection', 'counterexample steps', 'run'];
  const table = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const summary = `detection: ${caught}/${seeded} seeded bugs caught, ${falsePositives} false positives`;
  const caughtByMode = Object.fromEntries(rows.map((r) => [r[0]!, r[r.length - 4]!]));
  caughtByMode['fail-closed'] = fpNotes.some((n) => n.startsWith('fail-closed:')) ? 'FALSE POSITIVE' : 'clean (every suite pass)';
  return { table, summary, fpNotes, caughtByMode, caught, falsePositives };
}

const { table, summary, fpNotes } = matrix(resultsBy['hand-written']);
const markdown = [
  '# Detection matrix',
  '',
  `Reference target (first job attempts fail, so retries happen), every mode, full audit (every HTTP suite through \`run()\`, seed ${SEED}${RUNS ? `, runs ${RUNS}` : ''}; before it, data-layer suites through \`auditDatabase\` as the service's role, on one project and one document per tenant created through the service). Generated by \`npm run bench:detection\`.`,
  'Cells: suite verdict for the mode (the expected suite in bold). "probes before first detection": probe records of the expected suite, in evidence order, before its first failing one. "counterexample steps": steps of the shrunk counterexample of its first finding (the mutated request plus read-backs).',
  '',
  table,
  '',
  fpNotes.length ? `False positives:\n\n${fpNotes.map((n) => `- ${n}`).join('\n')}` : 'False positives: none.',
  '',
  summary,
  '',
].join('\n');
await fs.mkdir(path.join(here, 'results'), { recursive: true });
await fs.writeFile(path.join(here, 'results', 'detection.md'), markdown, 'utf8');

console.log('');
console.log(table);
console.log('');
for (const note of fpNotes) console.log(`false positive: ${note}`);
console.log(summary);

if (FROM_SPEC) {
  const generated = matrix(resultsBy.generated);
  const hand = matrix(resultsBy['hand-written']);
  const side = [
    ['mode', 'expected suite', 'hand-written config', 'generated config (init from /openapi.json)'],
    ['---', '---', '---', '---'],
    ...SELECTED.map((m) => [m, m === 'fail-closed' ? '-' : EXPECTED[m], hand.caughtByMode[m] ?? '-', generated.caughtByMode[m] ?? '-']),
  ].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const sideBySide = [
    '# Detection: hand-written config vs the config `init` generates',
    '',
    `Each mode audited twice in one run (seed ${SEED}${RUNS ? `, runs ${RUNS}` : ''}): with examples/reference-target/tenancy-audit.config.yaml, and with the config generated from the target's own \`GET /openapi.json\` (\`run({ spec })\`, as \`tenancy-audit run --openapi\`; the only additions are the target's test signing secrets where the generated file has placeholders). Generated by \`npm run bench:detection -- --from-spec\`.`,
    '',
    side,
    '',
    `hand-written: ${hand.summary}`,
    `generated: ${generated.summary}`,
    '',
    '## Hand-written config',
    '',
    hand.table,
    '',
    hand.fpNotes.length ? hand.fpNotes.map((n) => `- false positive: ${n}`).join('\n') : 'False positives: none.',
    '',
    '## Generated config',
    '',
    generated.table,
    '',
    generated.fpNotes.length ? generated.fpNotes.map((n) => `- false positive: ${n}`).join('\n') : 'False positives: none.',
    '',
  ].join('\n');
  await fs.writeFile(path.join(here, 'results', 'detection-from-spec.md'), sideBySide, 'utf8');
  console.log('');
  console.log(side);
  console.log(`generated: ${generated.summary}`);
}
