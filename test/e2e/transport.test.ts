/**
 * Reaching a target through a forward proxy and over (mutual) TLS, with real servers on loopback: the reference
 * target (fail-closed), a CONNECT proxy from the `proxy` package, and a TLS front that requires a client
 * certificate, with a CA, server and client certificates made by openssl at test time. Each audit through them
 * must give the verdicts of the direct audit; without the material TLS needs, nothing is judged (exit 3).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { createProxy } from 'proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceTarget, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { readEvidence, readManifest } from '../../src/evidence/index.ts';
import { renderReport, run, type RunOptions } from '../../src/index.ts';
import { REFERENCE_CONFIG } from '../support/audit-reference.ts';

const SUITES = ['identity.missing', 'identity.mismatched'];
const PROXY_ENV = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

let target: RunningTarget;
let tmp: string;
let proxy: { url: string; tunnels: string[]; close(): Promise<void> };
let front: { url: string; close(): Promise<void> };
let pki: { ca: string; cert: string; key: string };
let direct: { exitCode: number; verdicts: Record<string, string[]> };

beforeAll(async () => {
  for (const name of PROXY_ENV) delete process.env[name];
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-transport-'));
  pki = makePki(tmp);
  target = await startReferenceTarget({ mode: 'fail-closed' });
  proxy = await startProxy();
  front = await startMutualTlsFront(new URL(target.url), pki);
  direct = await audit({ target: target.url });
}, 180_000);

afterAll(async () => {
  for (const name of PROXY_ENV) delete process.env[name];
  await Promise.allSettled([proxy?.close(), front?.close()]);
  await target?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Audit {
  exitCode: number;
  verdicts: Record<string, string[]>;
  dir: string;
}

let n = 0;
async function audit(options: Partial<RunOptions>, env: Record<string, string> = {}): Promise<Audit> {
  Object.assign(process.env, env);
  try {
    const result = await run({ config: REFERENCE_CONFIG, reportDir: path.join(tmp, `runs-${++n}`), seed: 7, runs: 2, suites: SUITES, ...options });
    const { records } = await readEvidence(result.dir);
    const verdicts: Record<string, string[]> = {};
    for (const r of records) (verdicts[`${r.kind} ${r.suite}`] ??= []).includes(r.verdict) || verdicts[`${r.kind} ${r.suite}`]!.push(r.verdict);
    return { exitCode: result.exitCode, verdicts, dir: result.dir };
  } finally {
    for (const name of Object.keys(env)) delete process.env[name];
  }
}

const targetAuthority = () => new URL(target.url).host;
const frontAuthority = () => new URL(front.url).host;
const files = () => ({ ca: path.join(tmp, 'ca.pem'), cert: path.join(tmp, 'client.pem'), key: path.join(tmp, 'client.key') });

describe('through a forward proxy', () => {
  it('the direct audit passes (the baseline the others are compared with)', () => {
    expect(direct.exitCode).toBe(0);
    expect(Object.keys(direct.verdicts).length).toBeGreaterThan(1);
  });

  it('--proxy (run option): the same verdicts, the proxy carried the requests, the manifest names it', async () => {
    const before = proxy.tunnels.length;
    const outcome = await audit({ target: target.url, proxy: proxy.url });
    expect(outcome).toMatchObject({ exitCode: direct.exitCode, verdicts: direct.verdicts });
    expect(proxy.tunnels.slice(before)).toContain(targetAuthority());
    expect((await readManifest(outcome.dir))?.transport).toEqual({ proxy: proxy.url });
  });

  it('HTTP_PROXY from the environment: the same verdicts through the proxy; the manifest says env', async () => {
    const before = proxy.tunnels.length;
    const outcome = await audit({ target: target.url }, { HTTP_PROXY: proxy.url });
    expect(outcome).toMatchObject({ exitCode: direct.exitCode, verdicts: direct.verdicts });
    expect(proxy.tunnels.slice(before)).toContain(targetAuthority());
    expect((await readManifest(outcome.dir))?.transport).toEqual({ proxy: 'env' });
  });

  it('NO_PROXY naming the target bypasses the proxy', async () => {
    const before = proxy.tunnels.length;
    const outcome = await audit({ target: target.url }, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    expect(outcome).toMatchObject({ exitCode: direct.exitCode, verdicts: direct.verdicts });
    expect(proxy.tunnels.slice(before)).toEqual([]);
  });

  it('HTTPS_PROXY in front of a mutual-TLS target: the same verdicts, tunnelled', async () => {
    const before = proxy.tunnels.length;
    const outcome = await audit({ target: front.url, tls: files() }, { HTTPS_PROXY: proxy.url });
    expect(outcome).toMatchObject({ exitCode: direct.exitCode, verdicts: direct.verdicts });
    expect(proxy.tunnels.slice(before)).toContain(frontAuthority());
  });
});

describe('mutual TLS', () => {
  it('with --ca, --cert and --key the audit passes like the direct one', async () => {
    const outcome = await audit({ target: front.url, tls: files() });
    expect(outcome).toMatchObject({ exitCode: 0, verdicts: direct.verdicts });
    expect((await readManifest(outcome.dir))?.transport).toEqual({});
  });

  it('without a client certificate nothing is judged: the positive controls cannot pass, exit 3', async () => {
    const outcome = await audit({ target: front.url, tls: { ca: files().ca } });
    expect(outcome.exitCode).toBe(3);
    expect((await readManifest(outcome.dir))?.incompleteReason).toMatch(/unreachable/);
    expect(Object.values(outcome.verdicts).flat()).not.toContain('pass');
  });

  it('without --ca the certificate is not verified: exit 3, nothing judged', async () => {
    const { cert, key } = files();
    const outcome = await audit({ target: front.url, tls: { cert, key } });
    expect(outcome.exitCode).toBe(3);
    expect((await readManifest(outcome.dir))?.incompleteReason).toMatch(/unreachable: .*certificate/i);
    expect(Object.values(outcome.verdicts).flat()).not.toContain('pass');
  });

  it('--insecure goes through without --ca; the manifest and the report cover say so; the key is never written', async () => {
    const { cert, key } = files();
    const outcome = await audit({ target: front.url, tls: { cert, key, insecure: true } });
    expect(outcome).toMatchObject({ exitCode: 0, verdicts: direct.verdicts });
    expect((await readManifest(outcome.dir))?.transport).toEqual({ insecure: true });
    await renderReport(outcome.dir, { formats: ['html', 'md'] });
    expect(fs.readFileSync(path.join(outcome.dir, 'report.html'), 'utf8')).toMatch(/<dt>Transport<\/dt><dd id="transport"><strong>TLS certificates NOT verified \(--insecure\)/);
    const keyBody = pki.key.split('\n')[1]!;
    for (const file of fs.readdirSync(outcome.dir)) expect(fs.readFileSync(path.join(outcome.dir, file), 'utf8'), file).not.toContain(keyBody);
  });
});

/** A CA, a server certificate for localhost/127.0.0.1 and a client certificate, all signed by the CA. */
function makePki(dir: string): { ca: string; cert: string; key: string } {
  const at = (f: string) => path.join(dir, f);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-days', '1', '-subj', '/CN=tenancy-audit test CA', '-keyout', at('ca.key'), '-out', at('ca.pem'));
  fs.writeFileSync(at('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  fs.writeFileSync(at('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, ext] of [['server', 'server.ext'], ['client', 'client.ext']] as const) {
    openssl('req', ...ec, '-subj', `/CN=${name === 'server' ? 'localhost' : 'tenancy-audit'}`, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`));
    openssl('x509', '-req', '-in', at(`${name}.csr`), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', at(ext), '-out', at(`${name}.pem`));
  }
  const read = (f: string) => fs.readFileSync(at(f), 'utf8');
  return { ca: read('ca.pem'), cert: read('client.pem'), key: read('client.key') };
}

/** A CONNECT/forward proxy (the `proxy` package) that records the authorities it tunnelled to. */
async function startProxy() {
  const server = createProxy(http.createServer());
  const tunnels: string[] = [];
  server.on('connect', (req: http.IncomingMessage) => tunnels.push(req.url ?? ''));
  server.on('request', (req: http.IncomingMessage) => tunnels.push(new URL(req.url ?? '', 'http://x').host));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    tunnels,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** TLS in front of the reference target, requiring a client certificate signed by the test CA. */
async function startMutualTlsFront(upstream: URL, material: { ca: string }) {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    { key: fs.readFileSync(path.join(tmp, 'server.key')), cert: fs.readFileSync(path.join(tmp, 'server.pem')), ca: material.ca, requestCert: true, rejectUnauthorized: true },
    (client) => {
      const up = net.connect(Number(upstream.port), upstream.hostname);
      sockets.add(client).add(up);
      client.on('error', () => up.destroy());
      up.on('error', () => client.destroy());
      client.pipe(up).pipe(client);
    },
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://localhost:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
