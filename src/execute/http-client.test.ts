/**
 * The HTTP client on real loopback sockets: connection reuse and when it must not happen, requests that must
 * not leave, TLS verification. Servers here write raw bytes, so each case controls exactly what the client reads.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exchange } from '../core/exchange.ts';
import { createHttpClient, type HttpClientOptions } from './http-client.ts';

interface RawServer {
  url: string;
  /** Connections accepted so far. */
  connections: number;
  /** Request heads received, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A TCP server that answers each request head with `answer(requestIndex, socket)`. */
async function rawServer(answer: (index: number, socket: net.Socket, head: string) => void): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const state = { connections: 0, requests: [] as string[] };
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        state.requests.push(head);
        answer(state.requests.length - 1, socket, head);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    get connections() {
      return state.connections;
    },
    requests: state.requests,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const ok = (body = 'ok', extra = '') => `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function client(overrides: Partial<HttpClientOptions> = {}) {
  const c = createHttpClient({ allowHosts: ['127.0.0.1', 'localhost'], timeoutMs: 1000, maxBodyBytes: 1024, concurrency: 4, ratePerSecond: 100_000, ...overrides });
  cleanups.push(() => c.close());
  return c;
}

async function serve(answer: Parameters<typeof rawServer>[0]) {
  const server = await rawServer(answer);
  cleanups.push(() => server.close());
  return server;
}

const statusOf = (exchange: Exchange) => (exchange.outcome.kind === 'response' ? exchange.outcome.response.status : exchange.outcome.failure.kind);

describe('connection reuse', () => {
  it('sequential requests share one keep-alive connection', async () => {
    const server = await serve((i, socket) => socket.write(ok(`r${i}`)));
    const c = client();
    const bodies: string[] = [];
    for (let i = 0; i < 5; i++) {
      const exchange = await c.send({ method: 'GET', url: `${server.url}/x`, headers: {} });
      bodies.push(exchange.outcome.kind === 'response' ? exchange.outcome.response.bodyText : 'failed');
    }
    expect(bodies).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(server.connections).toBe(1);
  });

  it('Connection: close, a body ended by the close, and bytes after the response each retire the connection', async () => {
    const answers = [ok('a', 'connection: close\r\n'), 'HTTP/1.1 200 OK\r\n\r\nuntil-close', `${ok('c')}HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nforged`, ok('d')];
    const server = await serve((i, socket) => {
      socket.write(answers[i]!);
      if (i === 1) socket.end();
    });
    const c = client();
    const bodies: string[] = [];
    for (let i = 0; i < answers.length; i++) {
      const exchange = await c.send({ method: 'GET', url: `${server.url}/x`, headers: {} });
      bodies.push(exchange.outcome.kind === 'response' ? exchange.outcome.response.bodyText : exchange.outcome.failure.kind);
    }
    // The smuggled second response is never read as the answer to request 4.
    expect(bodies).toEqual(['a', 'until-close', 'c', 'd']);
    expect(server.connections).toBe(4);
  });

  it('a connection the server closed while idle is not used again: the next request gets a fresh one, not a reset', async () => {
    const server = await serve((_i, socket) => socket.end(ok()));
    const c = client();
    expect(statusOf(await c.send({ method: 'GET', url: `${server.url}/x`, headers: {} }))).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statusOf(await c.send({ method: 'GET', url: `${server.url}/x`, headers: {} }))).toBe(200);
    expect(server.connections).toBe(2);
  });

  it('a reused connection closed before answering: GET, HEAD, OPTIONS, PUT, DELETE go once more on a new connection; POST and PATCH fail as reset', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'POST', 'PATCH']) {
      // Each connection answers its first request, then drops without a word: the server's idle close racing the next request.
      const served = new WeakSet<net.Socket>();
      const server = await serve((_i, socket) => {
        if (served.has(socket)) return void socket.destroy();
        served.add(socket);
        socket.write(ok('')); // no body: the answer to HEAD is framed the same way
      });
      const c = client();
      const send = () => c.send({ method, url: `${server.url}/x`, headers: {}, ...(method === 'PUT' || method === 'POST' || method === 'PATCH' ? { body: '{}' } : {}) });
      expect(statusOf(await send())).toBe(200);
      const second = await send();
      const idempotent = !['POST', 'PATCH'].includes(method);
      expect([method, statusOf(second), server.requests.length, server.connections]).toEqual([method, idempotent ? 200 : 'reset', idempotent ? 3 : 2, idempotent ? 2 : 1]);
    }
  });

  it('a Keep-Alive timeout too short to race safely is not reused', async () => {
    const server = await serve((_i, socket) => socket.write(ok('x', 'keep-alive: timeout=1\r\n')));
    const c = client();
    for (let i = 0; i < 3; i++) expect(statusOf(await c.send({ method: 'GET', url: `${server.url}/x`, headers: {} }))).toBe(200);
    expect(server.connections).toBe(3);
  });

  it('HEAD completes on the head alone and keeps the connection', async () => {
    const server = await serve((_i, socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n'));
    const c = client();
    const first = await c.send({ method: 'HEAD', url: `${server.url}/x`, headers: {} });
    const second = await c.send({ method: 'HEAD', url: `${server.url}/x`, headers: {} });
    expect([statusOf(first), statusOf(second), server.connections]).toEqual([200, 200, 1]);
  });

  it('concurrent requests use up to `concurrency` connections, each carrying one request at a time', async () => {
    const server = await serve((i, socket) => setTimeout(() => socket.write(ok(`r${i}`)), 20));
    const c = client({ concurrency: 3 });
    const exchanges = await Promise.all(Array.from({ length: 9 }, () => c.send({ method: 'GET', url: `${server.url}/x`, headers: {} })));
    expect(exchanges.map(statusOf)).toEqual(exchanges.map(() => 200));
    expect(server.connections).toBe(3);
  });
});

describe('what is sent', () => {
  it('the request head carries the host, the caller headers and a framed body', async () => {
    const server = await serve((_i, socket) => socket.write(ok()));
    const c = client();
    await c.send({ method: 'POST', url: `${server.url}/items?a=1`, headers: { 'content-type': 'application/json', 'x-tenant-id': 'acme' }, body: '{}' });
    expect(server.requests[0]).toBe(`POST /items?a=1 HTTP/1.1\r\nhost: ${new URL(server.url).host}\r\ncontent-type: application/json\r\nx-tenant-id: acme\r\ncontent-length: 2`);
  });

  it('a header that would split the request is refused and nothing reaches the server', async () => {
    const server = await serve((_i, socket) => socket.write(ok()));
    const c = client();
    const exchange = await c.send({ method: 'GET', url: `${server.url}/x`, headers: { 'x-tenant-id': 'acme\r\n\r\nGET /admin HTTP/1.1' } });
    expect(exchange.outcome).toMatchObject({ kind: 'failure', failure: { kind: 'error' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([server.connections, server.requests]).toEqual([0, []]);
  });

  it('a URL that is not http(s) is refused as out of scope, even on an allowed host', async () => {
    const exchange = await client().send({ method: 'GET', url: 'ftp://127.0.0.1/x', headers: {} });
    expect(exchange.outcome).toMatchObject({ kind: 'failure', failure: { kind: 'out-of-scope', message: 'refused: ftp: is not HTTP; nothing was sent' } });
  });

  it('a refused port is reported as refused', async () => {
    const server = await serve(() => {});
    const url = server.url;
    await server.close();
    expect(statusOf(await client().send({ method: 'GET', url: `${url}/x`, headers: {} }))).toBe('refused');
  });
});

describe('TLS', () => {
  function selfSigned(): { key: string; cert: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem')], { stdio: 'ignore' });
      return { key: fs.readFileSync(path.join(dir, 'k.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'c.pem'), 'utf8') };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  async function httpsServer(credentials: { key: string; cert: string }) {
    const server = https.createServer(credentials, (req, res) => res.end(`tls ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
    return `https://localhost:${(server.address() as net.AddressInfo).port}`;
  }

  it('https to a certificate the client trusts works and reuses the connection; an untrusted one is an error, never a response', async () => {
    const credentials = selfSigned();
    const url = await httpsServer(credentials);
    const trusting = client({ tls: { ca: credentials.cert } });
    const first = await trusting.send({ method: 'GET', url: `${url}/a`, headers: {} });
    const second = await trusting.send({ method: 'GET', url: `${url}/b`, headers: {} });
    expect([first, second].map((e) => (e.outcome.kind === 'response' ? e.outcome.response.bodyText : e.outcome.failure.message))).toEqual(['tls /a', 'tls /b']);

    const untrusting = await client().send({ method: 'GET', url: `${url}/a`, headers: {} });
    expect(untrusting.outcome).toMatchObject({ kind: 'failure', failure: { kind: 'error' } });
    expect(untrusting.outcome.kind === 'failure' && untrusting.outcome.failure.message).toMatch(/self[- ]signed|certificate/i);
  });
});
