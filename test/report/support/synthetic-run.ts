import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvidenceRecord, RecordedRequest, RecordedResponse, RunManifest, SuiteMeta, UnsignedEvidenceRecord } from '../../../src/core/types.ts';
import type { Verdict } from '../../../src/core/verdict.ts';
import { createRedactor } from '../../../src/evidence/redact.ts';
import { writeManifest } from '../../../src/evidence/manifest.ts';
import type { KeySpec } from '../../../src/evidence/keys.ts';
import { openEvidenceWriter } from '../../../src/evidence/writer.ts';

/** The built-in suite ids (suites/): every id a catalogue maps must be one of these. */
export const BUILTIN_SUITE_IDS = [
  'identity.missing',
  'identity.spoofed',
  'identity.mismatched',
  'isolation.cross-tenant',
  'retry.idempotency',
  'async.propagation',
  'callback.integrity',
  'db.rls-catalog',
  'db.rls-behaviour',
] as const;

const b64u = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A signed-looking JWT for tenant A (never registered with the redactor: it must be caught by shape). */
export const TOKEN_A = `${b64u({ alg: 'RS256', typ: 'JWT', kid: 'key-1' })}.${b64u({ sub: 'alice', tid: 'tenant-a', exp: 4102444800 })}.${randomBytes(64).toString('base64url')}`;
/** An unsigned `alg: none` forgery naming tenant B. */
export const FORGED_NONE = `${b64u({ alg: 'none' })}.${b64u({ sub: 'mallory', tid: 'tenant-b' })}.`;
/** Registered secrets: a webhook signing secret and an opaque API key. */
export const WEBHOOK_SECRET = `whsec_${randomBytes(18).toString('hex')}`;
export const API_KEY = `ak_${randomBytes(16).toString('hex')}`;
export const SECRETS = [WEBHOOK_SECRET, API_KEY];
/** Every string that must never appear in any file a run or a report writes. */
export const MUST_NOT_APPEAR = [TOKEN_A, TOKEN_A.split('.')[2] as string, FORGED_NONE, WEBHOOK_SECRET, API_KEY, encodeURIComponent(WEBHOOK_SECRET)];

const FAMILY: Record<string, SuiteMeta['families'][number]> = {
  'identity.missing': 'missing',
  'identity.spoofed': 'spoofed',
  'identity.mismatched': 'mismatched',
  'isolation.cross-tenant': 'cross-tenant',
  'retry.idempotency': 'cross-tenant',
  'async.propagation': 'mismatched',
  'callback.integrity': 'spoofed',
  'db.rls-catalog': 'data-layer',
  'db.rls-behaviour': 'data-layer',
};
const PATH: Record<string, SuiteMeta['paths'][number]> = {
  'retry.idempotency': 'retry',
  'async.propagation': 'callback',
  'callback.integrity': 'callback',
  'db.rls-catalog': 'db',
  'db.rls-behaviour': 'db',
};

export const SUITES: SuiteMeta[] = BUILTIN_SUITE_IDS.map((id) => ({
  id,
  title: `Suite ${id}`,
  description: `Synthetic description of ${id}.`,
  families: [FAMILY[id] ?? 'missing'],
  paths: [PATH[id] ?? 'sync'],
  severity: id.startsWith('isolation') || id.startsWith('identity') ? 'critical' : 'high',
  controls: id === 'callback.integrity' ? { soc2: ['CC6.6'], iso27001: ['5.14'] } : { soc2: ['CC6.1'], iso27001: ['8.3'] },
  remediation: `Fix ${id}: derive the tenant from the verified token only.`,
}));

const request = (over: Partial<RecordedRequest> = {}): RecordedRequest => ({
  method: 'GET',
  url: 'https://api.staging.example/v1/invoices/inv_b_1',
  headers: { Authorization: `Bearer ${TOKEN_A}`, 'X-Tenant-ID': 'tenant-b', 'X-Api-Key': API_KEY, Accept: 'application/json' },
  ...over,
});
const response = (status: number, excerpt: string, over: Partial<RecordedResponse> = {}): RecordedResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'set-cookie': `sid=${API_KEY}; Path=/; HttpOnly` },
  excerpt,
  bodySha256: 'ab'.repeat(32),
  bodyBytes: excerpt.length,
  truncated: false,
  ...over,
});

/** One record with defaults; `suite`, `kind` and `verdict` are required. */
export function rec(p: Partial<UnsignedEvidenceRecord> & { suite: string; kind: UnsignedEvidenceRecord['kind']; verdict: Verdict }): UnsignedEvidenceRecord {
  return {
    v: 1,
    family: FAMILY[p.suite] ?? 'missing',
    path: PATH[p.suite] ?? 'sync',
    operation: 'getInvoice',
    mutation: { id: 'tenant-header', title: 'Tenant asserted in X-Tenant-ID', channel: 'header' },
    actor: 'tenant-a',
    victim: 'tenant-b',
    seed: 42,
    replayPath: '3:1:0',
    reason: p.verdict === 'pass' ? 'rejected-status' : 'synthetic',
    detail: '',
    startedAt: '2025-06-01T10:00:00.000Z',
    durationMs: 12,
    ...p,
  };
}

const control = (suite: string, live = true, operation = 'getInvoice') =>
  rec({ suite, kind: 'control', verdict: live ? 'pass' : 'inconclusive', operation, reason: live ? 'control-live' : 'control-failed', detail: live ? "A's canary seen" : 'legit request for tenant A returned 503', mutation: { id: 'positive-control', title: 'Legitimate request for tenant A' } });
const probe = (suite: string, verdict: Verdict, operation = 'getInvoice', extra: Partial<UnsignedEvidenceRecord> = {}) =>
  rec({ suite, kind: suite.startsWith('db.') ? 'db-check' : 'probe', verdict, operation, request: request(), response: response(verdict === 'pass' ? 403 : verdict === 'closed-by-error' ? 502 : 200, '{"error":"forbidden"}'), ...extra });

/**
 * The default scenario: every status the report must show.
 * - identity.missing: passes, with one closed-by-error (warn);
 * - identity.spoofed: passes;
 * - identity.mismatched: a soft-fail and its finding;
 * - isolation.cross-tenant: a leak and its 3-step finding, carrying tokens and secrets to be redacted;
 * - retry.idempotency: probes pass but its positive control failed (inconclusive);
 * - async.propagation: one inconclusive probe (timeout);
 * - callback.integrity, db.rls-catalog: pass;
 * - db.rls-behaviour: declared but never ran.
 */
export function scenarioRecords(): UnsignedEvidenceRecord[] {
  const out: UnsignedEvidenceRecord[] = [];
  out.push(control('identity.missing'), probe('identity.missing', 'pass'), probe('identity.missing', 'pass', 'listInvoices'), probe('identity.missing', 'closed-by-error', 'listInvoices'));
  out.push(control('identity.spoofed'), probe('identity.spoofed', 'pass', 'getInvoice', { mutation: { id: 'alg-none', title: 'alg none', channel: 'authorization' }, request: request({ headers: { Authorization: `Bearer ${FORGED_NONE}` } }) }));
  out.push(control('identity.mismatched'), probe('identity.mismatched', 'pass'), probe('identity.mismatched', 'soft-fail', 'listInvoices'));
  out.push(
    rec({
      suite: 'identity.mismatched',
      kind: 'finding',
      verdict: 'soft-fail',
      operation: 'listInvoices',
      reason: 'accepted-ignored-assertion',
      detail: 'X-Tenant-ID: tenant-b was ignored and the request served as tenant-a',
      steps: [{ n: 1, title: 'List invoices as A while asserting B', request: request({ url: 'https://api.staging.example/v1/invoices' }), response: response(200, '{"items":[]}') }],
    }),
  );
  out.push(control('isolation.cross-tenant'), probe('isolation.cross-tenant', 'pass'), probe('isolation.cross-tenant', 'leak'));
  out.push(
    rec({
      suite: 'isolation.cross-tenant',
      kind: 'finding',
      verdict: 'leak',
      reason: 'canary-foreign',
      detail: `tenant-b canary CANARY-B-77 seen by tenant-a <script>alert("x")</script> {{root}} webhook secret ${WEBHOOK_SECRET}`,
      steps: [
        { n: 1, title: 'Create invoice as tenant B', request: request({ method: 'POST', url: 'https://api.staging.example/v1/invoices', body: JSON.stringify({ amount: 10, note: 'CANARY-B-77', webhookSecret: WEBHOOK_SECRET }) }), response: response(201, '{"id":"inv_b_1"}') },
        { n: 2, title: "Read B's invoice with A's token", request: request(), response: response(200, `{"id":"inv_b_1","note":"CANARY-B-77","forwarded":"${FORGED_NONE}"}`), curl: `curl -H 'Authorization: Bearer ${TOKEN_A}' https://api.staging.example/v1/invoices/inv_b_1?api_key=${API_KEY}` },
        { n: 3, title: 'Observe the canary of tenant B', note: 'leak' },
      ],
    }),
  );
  out.push(control('retry.idempotency', false), probe('retry.idempotency', 'pass', 'createInvoice'));
  out.push(control('async.propagation'), probe('async.propagation', 'pass', 'submitJob'), probe('async.propagation', 'inconclusive', 'submitJob', { reason: 'timeout', response: undefined }));
  out.push(control('callback.integrity'), probe('callback.integrity', 'pass', 'webhookIn', { request: request({ method: 'POST', headers: { 'X-Signature': `sha256=${WEBHOOK_SECRET}` }, body: `secret=${WEBHOOK_SECRET}` }) }));
  out.push(control('db.rls-catalog', true, 'invoices'), probe('db.rls-catalog', 'pass', 'invoices', { request: undefined, response: undefined, detail: `postgres://app:${API_KEY}@db:5432/app` }));
  return out;
}

export interface SyntheticRunOptions {
  runId?: string;
  seed?: number;
  configHash?: string;
  shard?: { index: number; total: number };
  records?: UnsignedEvidenceRecord[];
  signKey?: KeySpec;
  /** `none`: leave no manifest (a killed run). */
  manifest?: 'complete' | 'incomplete' | 'none';
  suites?: SuiteMeta[];
}

export interface SyntheticRun {
  dir: string;
  records: EvidenceRecord[];
  manifest?: RunManifest;
  thumbprint?: string;
}

/** Writes a run folder through the real writer and manifest code. */
export async function writeSyntheticRun(dir: string, o: SyntheticRunOptions = {}): Promise<SyntheticRun> {
  const runId = o.runId ?? 'run-2025-06-01-abc';
  const writer = await openEvidenceWriter(dir, { runId, redactor: createRedactor(SECRETS) });
  const records: EvidenceRecord[] = [];
  for (const r of o.records ?? scenarioRecords()) records.push(await writer.append(r));
  await writer.close();
  if (o.manifest === 'none') return { dir, records };
  const manifest: Omit<RunManifest, 'signature'> = {
    v: 1,
    tool: { name: 'tenancy-audit', version: '0.1.0-test' },
    kind: 'http',
    runId,
    ...(o.shard ? { shard: o.shard } : {}),
    startedAt: '2025-06-01T10:00:00.000Z',
    endedAt: '2025-06-01T10:04:30.000Z',
    complete: o.manifest !== 'incomplete',
    ...(o.manifest === 'incomplete' ? { incompleteReason: 'interrupted (SIGINT)' } : {}),
    system: 'Invoices API',
    environment: 'staging',
    target: { baseUrl: 'https://api.staging.example' },
    configHash: o.configHash ?? 'c0nf1gha5h',
    config: { target: { baseUrl: 'https://api.staging.example' }, tenants: [{ id: 'tenant-a', token: `Bearer ${TOKEN_A}` }], webhook: { secret: WEBHOOK_SECRET } },
    seed: o.seed ?? 42,
    runs: 100,
    command: `tenancy-audit run --config audit.yaml --sign-key [redacted]`,
    operator: { user: 'ci', host: 'runner-1', ci: { provider: 'github-actions', runUrl: 'https://github.com/acme/invoices/actions/runs/1', commit: 'abc1234', ref: 'refs/heads/main' } },
    suites: o.suites ?? SUITES,
    mutations: [
      { id: 'tenant-header', title: 'Tenant asserted in X-Tenant-ID', family: 'mismatched', description: 'A valid token for A with X-Tenant-ID: B.' },
      { id: 'alg-none', title: 'alg none', family: 'spoofed', description: 'Unsigned token with alg none.' },
    ],
    operations: [
      { id: 'getInvoice', method: 'GET', path: '/v1/invoices/{id}', tenantScoped: true },
      { id: 'listInvoices', method: 'GET', path: '/v1/invoices', tenantScoped: true },
      { id: 'deleteInvoice', method: 'DELETE', path: '/v1/invoices/{id}', tenantScoped: true },
    ],
    tenants: ['tenant-a', 'tenant-b'],
    counts: writer.counts(),
    headHash: writer.headHash,
    evidenceSha256: writer.evidenceSha256(),
    exitCode: 1,
  };
  const written = await writeManifest(dir, manifest, o.signKey === undefined ? {} : { signKey: o.signKey });
  return { dir, records, manifest: written.manifest, ...(written.thumbprint ? { thumbprint: written.thumbprint } : {}) };
}

export async function tempDir(prefix = 'ta-report-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A fresh key pair written as files: private JWK and PEM, public JWK and PEM. */
export async function keyFiles(dir: string, type: 'ec' | 'rsa' | 'ed25519' = 'ec') {
  const pair =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  const files = {
    privateJwk: join(dir, `${type}.private.jwk.json`),
    privatePem: join(dir, `${type}.private.pem`),
    publicJwk: join(dir, `${type}.public.jwk.json`),
    publicPem: join(dir, `${type}.public.pem`),
  };
  await writeFile(files.privateJwk, JSON.stringify(pair.privateKey.export({ format: 'jwk' })));
  await writeFile(files.privatePem, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  await writeFile(files.publicJwk, JSON.stringify(pair.publicKey.export({ format: 'jwk' })));
  await writeFile(files.publicPem, pair.publicKey.export({ format: 'pem', type: 'spki' }) as string);
  return { ...files, pair };
}

/** Every file under a folder with its text, for leak greps. */
export async function allFiles(dir: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await allFiles(path)));
    else out.push({ path, text: await readFile(path, 'utf8') });
  }
  return out;
}

/** Rewrites evidence.jsonl lines with `edit` (line array in, line array out). */
export async function editEvidence(dir: string, edit: (lines: string[]) => string[]): Promise<void> {
  const file = join(dir, 'evidence.jsonl');
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  await writeFile(file, `${edit(lines).join('\n')}\n`);
}
