// Shared helpers for the reference-target tests: targets on a per-file PostgreSQL, plain-HTTP calls,
// forged tokens, bounded polling and a callback receiver. Nothing here goes through the audit harness.
import crypto from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { provisionDatabase, withClient, withDatabase, type ProvisionedDatabase } from '../../../src/db/provision.ts';
import { urlAs } from '../src/db-urls.ts';
import {
  AUDIENCE,
  ISSUER,
  ISSUER_KID,
  startReferenceTarget,
  TENANTS,
  WORKER_ROLE,
  type Mode,
  type RunningTarget,
  type StartOptions,
} from '../src/index.ts';

export type Tenant = (typeof TENANTS)[number];

// ---- targets: one PostgreSQL per test file, a fresh database per target ----

let server: Promise<ProvisionedDatabase> | undefined;
const databases: string[] = [];
const targets: RunningTarget[] = [];

/** A fresh, empty database on this file's server (the admin URL). */
export async function freshDatabase(): Promise<string> {
  const db = await (server ??= provisionDatabase());
  const name = `ref_${crypto.randomBytes(5).toString('hex')}`;
  await withClient(db.url, (c) => c.query(`CREATE DATABASE ${name}`));
  databases.push(name);
  return withDatabase(db.url, name);
}

export async function startTarget(mode: Mode = 'fail-closed', options: Omit<StartOptions, 'mode' | 'databaseUrl'> = {}): Promise<RunningTarget> {
  const target = await startReferenceTarget({ ...options, mode, databaseUrl: await freshDatabase() });
  targets.push(target);
  return target;
}

export async function stopAll(): Promise<void> {
  for (const target of targets.splice(0)) await target.stop();
  if (!server) return;
  const db = await server;
  server = undefined;
  for (const name of databases.splice(0)) {
    await withClient(db.url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => {});
  }
  await db.dispose();
}

// ---- HTTP ----

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export interface CallOptions {
  token?: string | undefined;
  headers?: Record<string, string>;
  json?: unknown;
  raw?: string;
}

export async function call(target: RunningTarget, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${target.url}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** Calls as one tenant (or anonymously with `token` undefined). */
export function as(target: RunningTarget, token: string | undefined) {
  return {
    get: (path: string, o: Omit<CallOptions, 'token'> = {}) => call(target, 'GET', path, { ...o, token }),
    post: (path: string, json: unknown, o: Omit<CallOptions, 'token' | 'json'> = {}) => call(target, 'POST', path, { ...o, token, json }),
    patch: (path: string, json: unknown, o: Omit<CallOptions, 'token' | 'json'> = {}) => call(target, 'PATCH', path, { ...o, token, json }),
    del: (path: string, o: Omit<CallOptions, 'token'> = {}) => call(target, 'DELETE', path, { ...o, token }),
  };
}

export async function tokensFor(target: RunningTarget): Promise<Record<Tenant, string>> {
  const entries = await Promise.all(TENANTS.map(async (t) => [t, await target.issuer.mint({ tenant_id: t })] as const));
  return Object.fromEntries(entries) as Record<Tenant, string>;
}

/** A unique marker; any response seen by another tenant that contains it is a leak. */
export function canary(label: string): string {
  return `canary-${label}-${crypto.randomBytes(5).toString('hex')}`;
}

export async function createProject(target: RunningTarget, token: string, name: string, extra: Record<string, unknown> = {}) {
  const reply = await as(target, token).post('/projects', { name, description: `description of ${name}`, ...extra });
  if (reply.status !== 201) throw new Error(`could not create project ${name}: ${reply.status} ${reply.text}`);
  return reply.body as { id: string; tenantId: string; name: string };
}

// ---- tokens forged by an attacker ----

export function baseClaims(tenant: unknown = 'acme'): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: AUDIENCE, sub: `user@${String(tenant)}`, tenant_id: tenant, iat: now, exp: now + 600 };
}

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** `header.payload.signature` with the given (unsigned) parts. */
export function compact(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let attacker: Promise<{ privateKey: KeyPair['privateKey']; publicJwk: JWK }> | undefined;
export function attackerKey() {
  attacker ??= (async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: ISSUER_KID, alg: 'RS256' } };
  })();
  return attacker;
}

/** RS256 token signed by a key the target does not trust; `kid` defaults to the trusted one. */
export async function attackerSigned(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const { privateKey } = await attackerKey();
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: ISSUER_KID, typ: 'JWT', ...header }).sign(privateKey);
}

export function hmacSigned(claims: Record<string, unknown>, secret: string | Buffer, header: Record<string, unknown> = {}): string {
  const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT', ...header })}.${b64url(claims)}`;
  return `${signingInput}.${crypto.createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

/** Replaces the payload of a signed token, keeping its header and original signature. */
export function tampered(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64url(claims)}.${signature}`;
}

// ---- waiting ----

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Waits for jobs to finish by reading the queue as the worker role, so no tenant makes an HTTP request
 * meanwhile (one seeded bug depends on which tenant made the last request).
 */
export async function waitForJobsDone(target: RunningTarget, ids: string[], timeoutMs = 10_000): Promise<void> {
  const client = new pg.Client({ connectionString: urlAs(target.databaseUrl, WORKER_ROLE, 'reference_worker') });
  await client.connect();
  try {
    await waitFor(`jobs ${ids.join(', ')}`, async () => {
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1::uuid[]) AND status IN ('succeeded', 'failed')",
        [ids],
      );
      return rows[0]!.n === ids.length;
    }, timeoutMs);
  } finally {
    await client.end();
  }
}

// ---- callback receiver ----

export interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status to answer with, per delivery (default 204). */
  respond: (received: Received, index: number) => number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const entry = { headers: req.headers, raw, body };
      received.push(entry);
      res.writeHead(receiver.respond(entry, received.length - 1)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks/${crypto.randomBytes(4).toString('hex')}`,
    received,
    respond: () => 204,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return receiver;
}

// ---- GraphQL face ----

export interface GraphqlReply extends Reply {
  /** `errors[].extensions.code`, in order (empty when there are none). */
  codes: string[];
}

/** POST /graphql as one tenant (or anonymously with `token` undefined). */
export async function graphql(
  target: RunningTarget,
  token: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphqlReply> {
  const reply = await call(target, 'POST', '/graphql', { token, headers, json: { query, ...(variables ? { variables } : {}) } });
  const codes = ((reply.body?.errors ?? []) as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code ?? '?');
  return { ...reply, codes };
}
