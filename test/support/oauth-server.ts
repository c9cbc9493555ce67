/**
 * A real OAuth 2.0 token endpoint on loopback for tests (client-credentials grant, RFC 6749 §4.4): each client id
 * maps to a tenant claim; access tokens are RS256 JWTs signed with the reference target's trusted issuer fixture key,
 * so the reference target accepts them. Also serves a `/login` endpoint (JSON body → token in JSON and a cookie).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair, importJWK, type JWK } from 'jose';

const FIXTURE = new URL('../../examples/reference-target/fixtures/issuer.private.jwk.json', import.meta.url);

export interface OAuthClientSpec {
  secret: string;
  tenant: string;
}

export interface TokenServer {
  url: string;
  tokenUrl: string;
  loginUrl: string;
  /** Every access token issued, in order. */
  issued: string[];
  /** Token requests seen (accepted or not), with how the client authenticated. */
  requests: { clientId?: string; auth: 'basic' | 'post' | 'none'; form: Record<string, string> }[];
  /** When false, every request is answered 503. */
  answering: boolean;
  /** The next N access tokens are signed with a key the target does not trust (it answers them 401). */
  untrustNext: number;
  lifetimeSeconds: number;
  stop(): Promise<void>;
}

export async function startTokenServer(opts: {
  clients: Record<string, OAuthClientSpec>;
  lifetimeSeconds?: number;
  expiresIn?: boolean;
}): Promise<TokenServer> {
  const jwk = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as JWK;
  const trusted = await importJWK(jwk, 'RS256');
  const untrusted = (await generateKeyPair('RS256')).privateKey;
  const sign = (tenant: string, lifetime: number) =>
    new SignJWT({ tenant_id: tenant, jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: 'reference-issuer-1', typ: 'JWT' })
      .setIssuer('https://idp.reference-target.test')
      .setAudience('reference-target')
      .setSubject(`svc@${tenant}`)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + lifetime)
      .sign(state.untrustNext > 0 && state.untrustNext-- > 0 ? untrusted : trusted);

  const state = { issued: [] as string[], requests: [] as TokenServer['requests'], answering: true, untrustNext: 0, lifetimeSeconds: opts.lifetimeSeconds ?? 20 };
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (!state.answering) return json(res, 503, { error: 'temporarily_unavailable' });
        const text = Buffer.concat(chunks).toString('utf8');
        if (req.method === 'POST' && req.url === '/oauth/token') {
          const form = Object.fromEntries(new URLSearchParams(text));
          let clientId = form['client_id'];
          let secret = form['client_secret'];
          let auth: 'basic' | 'post' | 'none' = clientId ? 'post' : 'none';
          const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
          if (basic) {
            const [id, pw] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').map(decodeURIComponent) as [string, string];
            [clientId, secret, auth] = [id, pw, 'basic'];
          }
          state.requests.push({ ...(clientId ? { clientId } : {}), auth, form: { ...form, client_secret: form['client_secret'] ? '[seen]' : '' } });
          if (form['grant_type'] !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
          const client = clientId ? opts.clients[clientId] : undefined;
          if (!client || client.secret !== secret) return json(res, 401, { error: 'invalid_client', error_description: `bad secret ${secret ?? ''}` });
          const token = await sign(client.tenant, state.lifetimeSeconds);
          state.issued.push(token);
          return json(res, 200, { access_token: token, token_type: 'Bearer', ...(opts.expiresIn === false ? {} : { expires_in: state.lifetimeSeconds }) });
        }
        if (req.method === 'POST' && req.url === '/login') {
          const body = JSON.parse(text || '{}') as { username?: string; password?: string };
          const client = body.username ? opts.clients[body.username] : undefined;
          if (!client || client.secret !== body.password) return json(res, 401, { error: 'bad_credentials' });
          const token = await sign(client.tenant, state.lifetimeSeconds);
          state.issued.push(token);
          return json(res, 200, { session: { jwt: token, ttl: state.lifetimeSeconds } }, { 'set-cookie': `sid=${token}; HttpOnly; Path=/` });
        }
        json(res, 404, { error: 'not_found' });
      })().catch(() => json(res, 500, { error: 'server_error' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    tokenUrl: `${url}/oauth/token`,
    loginUrl: `${url}/login`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  }) as TokenServer;
}
