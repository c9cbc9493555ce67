/**
 * A small multi-tenant service on 127.0.0.1 that is fail-closed when it behaves, and misbehaves on demand:
 * connection resets, hangs, slow drips, 5xx storms, non-HTTP garbage, a huge streamed body, invalid JSON,
 * wrong content types, 429s and off-scope redirects.
 *
 * Two ways to misbehave:
 * - per path: `/chaos/<mode>/…` always behaves as `<mode>` (unit tests of the HTTP client);
 * - per mode: `setMode(m)` switches every later request (a run switches it when the probe phase starts, so
 *   fixtures and positive controls pass on the good service and every probe meets the chaos).
 *
 * Identity: HS256 JWTs (issuer/audience checked, tenant from the `tenant_id` claim only). A mismatched tenant
 * asserted in `x-tenant-id`, `?tenantId=` or a body `tenantId` is rejected with 403; another tenant's object is 404.
 */
import http from 'node:http';
import type net from 'node:net';
import { jwtVerify } from 'jose';
import type { UserConfig } from '../../src/config/schema.ts';

export const CHAOS_MODES = ['ok', 'reset', 'hang', 'drip', '5xx', 'garbage', 'huge', 'bad-json', 'wrong-type', '429', 'redirect'] as const;
export type ChaosMode = (typeof CHAOS_MODES)[number];

export const CHAOS_TENANTS = ['acme', 'globex'] as const;
export const CHAOS_ISSUER = 'https://idp.chaos-target.test';
export const CHAOS_AUDIENCE = 'chaos-target';
/** The HMAC secret of the test issuer (a literal test key in the config: it must be redacted everywhere). */
export const CHAOS_SECRET = 'chaos-target-hmac-secret-0123456789abcdef';

const GARBAGE = Buffer.from('\u0000\u00ff\u00fe\u0013\u0037 not http at all \u0001\u0002\r\n\r\n\u0000\u0000\u00ff', 'latin1');
/** Drip chunks at most (so a drip stops by itself even if nobody disconnects). */
const MAX_DRIP_CHUNKS = 2000;

export interface ChaosTargetOptions {
  /** Initial mode for every request (default `ok`). */
  mode?: ChaosMode;
  /** Size of the `huge` body (default 50 MB). */
  hugeBytes?: number;
  /** Where `redirect` points (default: a host that is never allowlisted). */
  redirectTo?: string;
  /** Interval between drip chunks (default 50 ms). */
  dripIntervalMs?: number;
  /** A seeded tenancy bug: `header-override` lets `x-tenant-id` choose the tenant (a leak the audit must find). */
  bug?: 'header-override';
}

export interface ChaosScope {
  path?: RegExp;
  everyNth?: number;
}

export interface ChaosTarget {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  readonly mode: ChaosMode;
  /**
   * Switches later requests to `mode`; with `where`, only requests whose path matches `path` and/or every
   * `everyNth` request (counting from the switch) misbehave, the rest get the good service.
   */
  setMode(mode: ChaosMode, where?: ChaosScope): void;
  /** Requests received (every method and path, chaos or not). */
  readonly requests: number;
  /** Requests answered with chaos. */
  readonly chaosRequests: number;
  /** Body bytes the `huge` mode handed to sockets (what a client actually pulled, plus socket buffers). */
  readonly hugeBytesSent: number;
  /** Requests received per `METHOD path` (path without query). */
  readonly seen: readonly string[];
  /** A valid config for this target (fixtures and positive controls pass in mode `ok`). */
  config(overrides?: { operations?: 'list-only' | 'read-only' | 'with-writes'; run?: Record<string, unknown>; target?: Record<string, unknown> }): UserConfig;
  close(): Promise<void>;
}

interface Project {
  id: string;
  tenant: string;
  name: string;
  description: string;
}

export async function startChaosTarget(options: ChaosTargetOptions = {}): Promise<ChaosTarget> {
  let mode: ChaosMode = options.mode ?? 'ok';
  let scope: ChaosScope = {};
  let sinceSwitch = 0;
  let requests = 0;
  let chaosRequests = 0;
  let hugeBytesSent = 0;
  let statusCycle = 0;
  let nextId = 1;
  const seen: string[] = [];
  const projects = new Map<string, Project>();
  const secret = new TextEncoder().encode(CHAOS_SECRET);
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<net.Socket>();
  const hugeBytes = options.hugeBytes ?? 50 * 1024 * 1024;
  const dripMs = options.dripIntervalMs ?? 50;
  const redirectTo = options.redirectTo ?? 'http://foreign.invalid/login';

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const chaos = (m: Exclude<ChaosMode, 'ok'>, req: http.IncomingMessage, res: http.ServerResponse): void => {
    chaosRequests++;
    switch (m) {
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'hang':
        return; // never answers; close() drops the socket
      case 'drip': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"items":[');
        let chunks = 0;
        const timer = setInterval(() => {
          if (res.destroyed || ++chunks > MAX_DRIP_CHUNKS) {
            clearInterval(timer);
            timers.delete(timer);
            if (!res.destroyed) res.end(']}');
            return;
          }
          res.write(' ');
        }, dripMs);
        timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          timers.delete(timer);
        });
        return;
      }
      case '5xx': {
        const status = [500, 502, 503, 504][statusCycle++ % 4]!;
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(`upstream failure ${status}`);
        return;
      }
      case 'garbage':
        req.socket.end(GARBAGE);
        return;
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 'x'.charCodeAt(0));
        let left = hugeBytes;
        const pump = () => {
          while (left > 0 && !res.destroyed) {
            const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
            left -= piece.length;
            hugeBytesSent += piece.length;
            if (!res.write(piece)) {
              res.once('drain', pump);
              return;
            }
          }
          if (!res.destroyed) res.end();
        };
        res.on('error', () => {});
        pump();
        return;
      }
      case 'bad-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"items": [{"id": "p1", "name": ');
        return;
      case 'wrong-type':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><html><body><h1>Welcome back</h1></body></html>');
        return;
      case '429':
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end('{"error":"slow down"}');
        return;
      case 'redirect':
        res.writeHead(302, { location: redirectTo, 'content-length': '0' });
        res.end();
        return;
    }
  };

  const authenticate = async (req: http.IncomingMessage): Promise<string | undefined> => {
    const header = req.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/.exec(header) : null;
    if (!match) return undefined;
    try {
      const { payload } = await jwtVerify(match[1]!, secret, { algorithms: ['HS256'], issuer: CHAOS_ISSUER, audience: CHAOS_AUDIENCE });
      const tenant = payload['tenant_id'];
      return typeof tenant === 'string' && (CHAOS_TENANTS as readonly string[]).includes(tenant) ? tenant : undefined;
    } catch {
      return undefined;
    }
  };

  const service = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string): Promise<void> => {
    if (req.method === 'GET' && url.pathname === '/') return json(res, 200, { service: 'chaos-target' });
    const authenticated = await authenticate(req);
    if (!authenticated) return json(res, 401, { error: 'unauthenticated' });
    const override = req.headers['x-tenant-id'];
    const tenant =
      options.bug === 'header-override' && typeof override === 'string' && (CHAOS_TENANTS as readonly string[]).includes(override) ? override : authenticated;
    let parsed: Record<string, unknown> = {};
    if (body) {
      try {
        const value = JSON.parse(body) as unknown;
        if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>;
        else return json(res, 400, { error: 'body must be an object' });
      } catch {
        return json(res, 400, { error: 'invalid JSON' });
      }
    }
    const asserted = [req.headers['x-tenant-id'], url.searchParams.get('tenantId') ?? undefined, parsed['tenantId']].filter((v) => v !== undefined);
    if (asserted.some((v) => v !== tenant)) return json(res, 403, { error: 'tenant mismatch' });

    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'projects' || parts.length > 2) return json(res, 404, { error: 'not found' });
    const own = (id: string) => {
      const p = projects.get(id);
      return p && p.tenant === tenant ? p : undefined;
    };
    if (parts.length === 1) {
      if (req.method === 'GET') return json(res, 200, { items: [...projects.values()].filter((p) => p.tenant === tenant) });
      if (req.method === 'POST') {
        if (typeof parsed['name'] !== 'string') return json(res, 422, { error: 'name required' });
        const project: Project = { id: `p${nextId++}`, tenant, name: parsed['name'], description: String(parsed['description'] ?? '') };
        projects.set(project.id, project);
        return json(res, 201, project);
      }
      return json(res, 405, { error: 'method not allowed' });
    }
    const project = own(decodeURIComponent(parts[1]!));
    if (!project) return json(res, 404, { error: 'not found' });
    if (req.method === 'GET') return json(res, 200, project);
    if (req.method === 'PATCH') {
      if (typeof parsed['description'] === 'string') project.description = parsed['description'];
      return json(res, 200, project);
    }
    if (req.method === 'DELETE') {
      projects.delete(project.id);
      res.writeHead(204).end();
      return;
    }
    return json(res, 405, { error: 'method not allowed' });
  };

  const server = http.createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://chaos.local');
    seen.push(`${req.method} ${url.pathname}`);
    const pathMode = /^\/chaos\/([^/]+)/.exec(url.pathname)?.[1];
    const inScope = mode !== 'ok' && (!scope.path || scope.path.test(url.pathname)) && (!scope.everyNth || ++sinceSwitch % scope.everyNth === 0);
    const effective = pathMode && (CHAOS_MODES as readonly string[]).includes(pathMode) ? (pathMode as ChaosMode) : inScope ? mode : 'ok';
    if (effective !== 'ok') {
      req.resume();
      chaos(effective, req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1_000_000) chunks.push(c);
    });
    req.on('end', () => {
      service(req, res, url, Buffer.concat(chunks).toString('utf8')).catch(() => {
        if (!res.headersSent) json(res, 500, { error: 'internal' });
      });
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    get mode() {
      return mode;
    },
    setMode(m, where = {}) {
      mode = m;
      scope = where;
      sinceSwitch = 0;
    },
    get requests() {
      return requests;
    },
    get chaosRequests() {
      return chaosRequests;
    },
    get hugeBytesSent() {
      return hugeBytesSent;
    },
    seen,
    config(overrides = {}) {
      const writes = overrides.operations === 'with-writes';
      return {
        name: 'chaos-target',
        environment: 'test',
        target: { baseUrl: url, timeoutMs: 2000, concurrency: 4, ratePerSecond: 10_000, maxBodyBytes: 65_536, ...overrides.target },
        identity: {
          tokens: {
            kind: 'mint',
            key: { alg: 'HS256', pem: CHAOS_SECRET },
            issuer: CHAOS_ISSUER,
            audience: CHAOS_AUDIENCE,
            tenantClaim: 'tenant_id',
          },
        },
        tenants: CHAOS_TENANTS.map((id) => ({ id })),
        channels: { headers: ['X-Tenant-ID'], query: ['tenantId'], body: writes ? ['tenantId'] : [] },
        fixtures: {
          project: {
            create: { method: 'POST', path: '/projects', body: { name: '{{canary}}', description: 'fixture {{canary}}' }, id: 'id' },
            delete: { method: 'DELETE', path: '/projects/{{id}}' },
          },
        },
        operations: [
          { id: 'list-projects', kind: 'list', method: 'GET', path: '/projects', fixture: 'project' },
          ...(overrides.operations === 'list-only' ? [] : [{ id: 'read-project', kind: 'read' as const, method: 'GET' as const, path: '/projects/{{id}}', fixture: 'project' }]),
          ...(writes
            ? [
                { id: 'update-project', kind: 'update' as const, method: 'PATCH' as const, path: '/projects/{{id}}', body: { description: '{{marker}}' }, fixture: 'project' },
                { id: 'create-project', kind: 'create' as const, method: 'POST' as const, path: '/projects', body: { name: '{{marker}}' }, fixture: 'project', verify: 'list-projects' },
              ]
            : []),
        ],
        empty: [{ jsonPath: '$' }, { jsonPath: 'items' }],
        run: { runs: 3, failOn: 'soft-fail', ...overrides.run },
      } as UserConfig;
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback server that only counts what reaches it (the "foreign" host of scope tests). */
export async function startCountingServer(host = '127.0.0.1'): Promise<{ url: string; port: number; readonly requests: number; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"foreign":true}');
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    get requests() {
      return requests;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
