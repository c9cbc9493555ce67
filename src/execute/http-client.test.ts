/**
 * The HTTP client on real loopback sockets: connection reuse and when it must not happen, requests that must
 * not leave, TLS verification. Servers here write raw bytes, so each case controls exactly what the client reads.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
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
    expect(server.requests[0]).toBe(`POST /items?a=1 HTTP/1.1\r\nhost: ${new URL(server.url).host}\r\nconnection: keep-alive\r\ncontent-type: application/json\r\nx-tenant-id: acme\r\ncontent-length: 2`);
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

describe('answers that cannot be framed unambiguously: an error, never a response', () => {
  const refusals: [string, string][] = [
    ['Content-Length and Transfer-Encoding together', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
    ['conflicting Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'],
    ['a signed Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nabc'],
    ['a non-numeric Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 3a\r\n\r\nabc'],
    ['an absurd Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 12345678901234567890\r\n\r\nabc'],
    ['obsolete line folding', 'HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\nContent-Length: 0\r\n\r\n'],
    ['a space before the colon', 'HTTP/1.1 200 OK\r\nX-A : a\r\nContent-Length: 0\r\n\r\n'],
    ['a line without a colon', 'HTTP/1.1 200 OK\r\nnot a header\r\nContent-Length: 0\r\n\r\n'],
    ['a bare LF inside the head', 'HTTP/1.1 200 OK\r\nX-A: a\nX-B: b\r\nContent-Length: 0\r\n\r\n'],
    ['a bare CR inside a value', 'HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n'],
    ['a NUL inside a value', 'HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 0\r\n\r\n'],
    ['a bad status line', 'HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['a two-digit status', 'HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n'],
    ['not HTTP at all', '\u0000\u00ff garbage\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['a negative chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n'],
    ['chunk data longer than announced', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n0\r\n\r\n'],
    ['a chunk line ended by a bare LF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\na\r\n0\r\n\r\n'],
    ['chunked applied twice', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n1\r\na\r\n0\r\n\r\n'],
    ['a malformed trailer', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nbad trailer\r\n\r\n'],
    ['a head larger than the bound', `HTTP/1.1 200 OK\r\n${`X-Pad: ${'p'.repeat(1000)}\r\n`.repeat(70)}Content-Length: 0\r\n\r\n`],
  ];
  it.each(refusals)('%s', async (_name, answer) => {
    const server = await serve((_i, socket) => socket.write(answer, 'latin1'));
    const exchange = await client().send({ method: 'GET', url: `${server.url}/x`, headers: {} });
    expect(exchange.outcome).toMatchObject({ kind: 'failure', failure: { kind: 'error' } });
    expect(exchange.outcome.kind === 'failure' && exchange.outcome.failure.message).toMatch(/^invalid HTTP response: /);
  });

  it('an endless chunk-size line is never a response: llhttp waits for its end, and the deadline ends the exchange', async () => {
    const server = await serve((_i, socket) => socket.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'x'.repeat(100_000)}`));
    const exchange = await client({ timeoutMs: 300 }).send({ method: 'GET', url: `${server.url}/x`, headers: {} });
    expect(exchange.outcome).toMatchObject({ kind: 'failure', failure: { kind: 'timeout' } });
  });

  it('the connection closing mid-response is a reset, saying whether anything had arrived', async () => {
    const silent = await serve((_i, socket) => socket.end());
    const midway = await serve((_i, socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'));
    const midHead = await serve((_i, socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Le'));
    const c = client();
    const failureOf = async (url: string) => {
      const exchange = await c.send({ method: 'GET', url: `${url}/x`, headers: {} });
      return exchange.outcome.kind === 'failure' ? exchange.outcome.failure : exchange.outcome;
    };
    expect(await failureOf(silent.url)).toMatchObject({ kind: 'reset', message: expect.stringMatching(/^the connection closed before any response/) });
    expect(await failureOf(midway.url)).toMatchObject({ kind: 'reset', message: expect.stringMatching(/^the connection closed before the response was complete/) });
    expect((await failureOf(midHead.url)).kind).toBe('reset');
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

  it('with http2 the client speaks HTTP/2 to a server that offers it (ALPN); headers and body come back as with HTTP/1.1', async () => {
    const credentials = selfSigned();
    const server = http2.createSecureServer(credentials, (req, res) => {
      res.setHeader('x-seen-host', String(req.headers[':authority']));
      res.end(`h${req.httpVersion} ${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const url = `https://localhost:${(server.address() as net.AddressInfo).port}`;
    const c = client({ http2: true, tls: { ca: credentials.cert } });
    const exchange = await c.send({ method: 'GET', url: `${url}/a?b=1`, headers: {} });
    expect(exchange.outcome).toMatchObject({ kind: 'response', response: { status: 200, bodyText: 'h2.0 /a?b=1', headers: { 'x-seen-host': new URL(url).host } } });
    await c.close();
  });
});
