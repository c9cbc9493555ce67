/**
 * A loopback reverse proxy in front of a target that refuses some requests itself (429 or 503 with a
 * Retry-After), as a rate-limiting gateway in front of staging does, and forwards the rest unchanged.
 * Which requests it refuses is a policy over each request: its method, path, its number among the distinct
 * requests seen, and whether the very same request (method, URL, headers, body) was seen before (a retry).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  /** 1-based count of distinct requests seen so far, this one included (a repeat does not count). */
  n: number;
  /** The same method, URL, headers and body arrived before: a retry. */
  repeat: boolean;
}

export type RefusalPolicy = (req: ProxiedRequest) => { status: 429 | 503; retryAfter?: string } | undefined;

export interface RefusingProxy {
  url: string;
  /** Replaces the policy for later requests (`undefined`: refuse nothing). */
  setPolicy(policy: RefusalPolicy | undefined): void;
  readonly forwarded: number;
  readonly refused: number;
  close(): Promise<void>;
}

/** Headers that differ between two sendings of one request, or that belong to the hop. */
const HOP = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

export async function startRefusingProxy(upstream: string, initial?: RefusalPolicy): Promise<RefusingProxy> {
  let policy = initial;
  let forwarded = 0;
  let refused = 0;
  const seen = new Set<string>();
  const agent = new http.Agent({ keepAlive: true });
  const base = new URL(upstream);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = Object.entries(req.headers).filter(([k]) => !HOP.has(k)).sort(([a], [b]) => a.localeCompare(b));
      const key = crypto.createHash('sha256').update(JSON.stringify([req.method, req.url, headers])).update(body).digest('hex');
      const repeat = seen.has(key);
      seen.add(key);
      const refusal = policy?.({ method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://proxy.local').pathname, n: seen.size, repeat });
      if (refusal) {
        refused++;
        const text = '{"error":"slow down"}';
        res.writeHead(refusal.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(refusal.retryAfter !== undefined ? { 'retry-after': refusal.retryAfter } : {}) });
        res.end(text);
        return;
      }
      forwarded++;
      const out = http.request(
        { host: base.hostname, port: base.port, method: req.method, path: req.url, headers: { ...Object.fromEntries(headers), 'content-length': String(body.length) }, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !HOP.has(k) || k === 'content-length')));
          answer.pipe(res);
        },
      );
      out.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      out.end(body);
    });
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setPolicy(p) {
      policy = p;
    },
    get forwarded() {
      return forwarded;
    },
    get refused() {
      return refused;
    },
    async close() {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
