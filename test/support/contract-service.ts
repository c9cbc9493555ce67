/**
 * A small real notes service (node:http on 127.0.0.1, RS256 tokens verified with jose) whose contract differs from
 * the suites' defaults in the ways users' services do: `iss` unchecked, a tenant field only on writes (searches
 * ignore it), any non-empty tenant string accepted as a new, empty tenant. Each deviation is a switch; with none
 * it is fail-closed. Test-only.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { AUDIENCE, ISSUER, TRUSTED_KID, type Issuer } from './identity.ts';

export interface ServiceContract {
  /** Verifies signature, `aud` and `exp` but not `iss`. */
  issUnchecked?: boolean;
  /** Accepts any non-empty tenant claim (`"  "` too) as a tenant of its own. */
  anyTenantString?: boolean;
}

interface Note {
  id: string;
  tenant: string;
  text: string;
}

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

export async function startContractService(issuer: Issuer, contract: ServiceContract = {}): Promise<RunningService> {
  const notes: Note[] = [];
  const tenantOf = async (req: http.IncomingMessage): Promise<string | undefined> => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(token, issuer.getKey, { audience: AUDIENCE, algorithms: ['RS256'], ...(contract.issUnchecked ? {} : { issuer: ISSUER }) });
      const tenant = payload['tenant_id'];
      if (typeof tenant !== 'string' || tenant === '') return undefined;
      if (!contract.anyTenantString && tenant.trim() !== tenant) return undefined;
      return tenant;
    } catch {
      return undefined;
    }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, Buffer.concat(chunks).toString('utf8')).then(
        ([status, body]) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  });
  const handle = async (req: http.IncomingMessage, text: string): Promise<[number, unknown]> => {
    // Public by design: the service's status, to anyone, with no tenant's data.
    if (req.method === 'GET' && req.url === '/status') return [200, { ok: true, version: '1.2.3' }];
    const tenant = await tenantOf(req);
    if (tenant === undefined) return [401, { error: 'unauthenticated' }];
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body: Record<string, unknown> = {};
    if (text) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return [400, { error: 'bad json' }];
      }
    }
    const own = notes.filter((n) => n.tenant === tenant);
    if (req.method === 'GET' && url.pathname === '/notes') return [200, { items: own }];
    // Shared by design: the notice board shows every tenant's notes to every tenant (reads only).
    if (req.method === 'GET' && url.pathname === '/board') return [200, { items: notes.map((n) => ({ tenant: n.tenant, text: n.text })) }];
    // Searches name no tenant: a tenantId in the body is not part of this request (the write-only tenant field).
    if (req.method === 'POST' && url.pathname === '/notes/search') return [200, { items: own.filter((n) => n.text.includes(String(body['q'] ?? ''))) }];
    if (req.method === 'POST' && url.pathname === '/notes') {
      if (body['tenantId'] !== undefined && body['tenantId'] !== tenant) return [403, { error: 'tenant mismatch' }];
      if (typeof body['text'] !== 'string') return [422, { error: 'text required' }];
      const note = { id: crypto.randomUUID(), tenant, text: body['text'] };
      notes.push(note);
      return [201, { id: note.id, text: note.text }];
    }
    const match = /^\/notes\/([^/]+)$/.exec(url.pathname);
    const note = match ? own.find((n) => n.id === match[1]) : undefined;
    if (match && req.method === 'GET') return note ? [200, note] : [404, { error: 'not found' }];
    if (match && req.method === 'DELETE') {
      if (!note) return [404, { error: 'not found' }];
      notes.splice(notes.indexOf(note), 1);
      return [204, null];
    }
    return [404, { error: 'no route' }];
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The config a user writes for this service (no contract declarations). */
export function contractServiceConfig(issuer: Issuer, url: string, reportDir: string): Record<string, any> {
  return {
    name: 'notes',
    target: { baseUrl: url, concurrency: 4, ratePerSecond: 1000 },
    identity: { tokens: { kind: 'mint', key: { alg: 'RS256', jwk: issuer.privateJwk, kid: TRUSTED_KID }, issuer: ISSUER, audience: AUDIENCE, tenantClaim: 'tenant_id' } },
    tenants: [{ id: 'acme' }, { id: 'globex' }],
    channels: { body: ['tenantId'] },
    fixtures: { note: { create: { method: 'POST', path: '/notes', body: { text: '{{canary}}' } }, delete: { method: 'DELETE', path: '/notes/{{id}}' } } },
    operations: [
      { id: 'list-notes', kind: 'list', method: 'GET', path: '/notes', fixture: 'note' },
      { id: 'read-note', kind: 'read', method: 'GET', path: '/notes/{{id}}', fixture: 'note' },
      { id: 'search-notes', kind: 'list', method: 'POST', path: '/notes/search', body: { q: '' }, fixture: 'note' },
      { id: 'create-note', kind: 'create', method: 'POST', path: '/notes', body: { text: '{{marker}}' }, fixture: 'note', verify: 'list-notes' },
    ],
    run: { runs: 3, reportDir },
  };
}
