// fail-closed: identity comes from a verified token only; every absent, invalid, stale or forged
// credential is a 401, an unusable tenant claim a 401/403, never data.
import crypto from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTarget } from '../src/index.ts';
import {
  as,
  attackerKey,
  attackerSigned,
  baseClaims,
  call,
  compact,
  createProject,
  hmacSigned,
  startReceiver,
  startTarget,
  stopAll,
  tampered,
  type Receiver,
} from './support.ts';

let target: RunningTarget;
let acmeToken: string;
let acmeProject: string;
let attackerJwks: Receiver;

beforeAll(async () => {
  target = await startTarget('fail-closed');
  acmeToken = await target.issuer.mint({ tenant_id: 'acme' });
  acmeProject = (await createProject(target, acmeToken, 'identity-control')).name;
  attackerJwks = await startReceiver();
});
afterAll(async () => {
  await attackerJwks?.close();
  await stopAll();
});

const now = () => Math.floor(Date.now() / 1000);
const publicPem = () =>
  crypto.createPublicKey({ key: target.issuer.publicJwk as crypto.JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;

type Case = [name: string, authorization: () => Promise<string | undefined>];
const bearer = (token: () => Promise<string> | string) => async () => `Bearer ${await token()}`;

const rejected401: Case[] = [
  ['no Authorization header', async () => undefined],
  ['empty Authorization header', async () => ''],
  ['"Bearer" without a token', async () => 'Bearer'],
  ['Basic credentials', async () => `Basic ${Buffer.from('acme:secret').toString('base64')}`],
  ['garbage bearer', bearer(() => 'SCHEMATHESIS-INVALID-VALUE')],
  ['literal null bearer', bearer(() => 'null')],
  ['three dots of garbage', bearer(() => 'a.b.c')],
  ['expired', bearer(() => target.issuer.mint({ tenant_id: 'acme' }, { expiresIn: '-5m' }))],
  ['not yet valid (nbf +10m)', bearer(() => target.issuer.mint({ tenant_id: 'acme', nbf: now() + 600 }))],
  ['issued in the future (iat +10m)', bearer(() => target.issuer.mint({ tenant_id: 'acme', iat: now() + 600 }))],
  ['lifetime over 1h', bearer(() => target.issuer.mint({ tenant_id: 'acme' }, { expiresIn: '3h' }))],
  ['wrong issuer', bearer(() => target.issuer.mint({ tenant_id: 'acme', iss: 'https://evil.example' }))],
  ['wrong audience', bearer(() => target.issuer.mint({ tenant_id: 'acme', aud: 'another-service' }))],
  ['no sub', bearer(() => target.issuer.mint({ tenant_id: 'acme', sub: undefined }))],
  ['no exp', bearer(() => target.issuer.mint({ tenant_id: 'acme', exp: undefined }))],
  ['signed by an attacker key (trusted kid)', bearer(() => attackerSigned(baseClaims('acme')))],
  ['attacker-signed, tenant swapped to globex', bearer(() => attackerSigned(baseClaims('globex')))],
  ['unknown kid', bearer(() => attackerSigned(baseClaims('acme'), { kid: 'unknown-kid' }))],
  ...(['none', 'None', 'NONE', 'nOnE'].map((alg) => [`alg ${alg}, empty signature`, bearer(() => compact({ alg, typ: 'JWT' }, baseClaims('acme')))]) as Case[]),
  ['null signature with RS256 header', bearer(async () => (await target.issuer.mint({ tenant_id: 'acme' })).replace(/[^.]+$/, ''))],
  ['signature with its last 4 chars dropped', bearer(async () => (await target.issuer.mint({ tenant_id: 'acme' })).slice(0, -4))],
  ['tampered payload (tenant → globex), original signature', bearer(async () => tampered(await target.issuer.mint({ tenant_id: 'acme' }), baseClaims('globex')))],
  ['RS→HS confusion: HS256 keyed with the public key PEM', bearer(() => hmacSigned(baseClaims('acme'), publicPem(), { kid: 'reference-issuer-1' }))],
  ['HS256 with an empty secret', bearer(() => hmacSigned(baseClaims('acme'), ''))],
  ['embedded attacker jwk header', bearer(async () => attackerSigned(baseClaims('acme'), { jwk: (await attackerKey()).publicJwk }))],
  ['jku pointing at an attacker JWKS', bearer(() => attackerSigned(baseClaims('acme'), { jku: attackerJwks.url }))],
  ['x5u pointing at an attacker URL', bearer(() => attackerSigned(baseClaims('acme'), { x5u: attackerJwks.url }))],
  ['kid path traversal with HS256 empty key', bearer(() => hmacSigned(baseClaims('acme'), '', { kid: '../../../../../../dev/null' }))],
  ['claims as null', bearer(() => compact({ alg: 'RS256', kid: 'reference-issuer-1' }, null as never, 'AAAA'))],
];

describe('fail-closed identity', () => {
  it('accepts the trusted issuer token (positive control)', async () => {
    const reply = await as(target, acmeToken).get('/projects');
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((p: { name: string }) => p.name)).toContain(acmeProject);
  });

  it.each(rejected401)('401 for %s', async (_name, authorization) => {
    const value = await authorization();
    const headers: Record<string, string> = value === undefined ? {} : { authorization: value };
    for (const [method, path] of [['GET', '/projects'], ['POST', '/projects'], ['GET', '/tenants/acme/projects']] as const) {
      const reply = await call(target, method, path, { headers, ...(method === 'POST' ? { json: { name: 'should-not-exist' } } : {}) });
      expect(reply.status, `${method} ${path}`).toBe(401);
      expect(reply.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(reply.text).not.toContain(acmeProject);
    }
  });

  it('never fetched the jku/x5u URLs and created nothing while rejecting', async () => {
    expect(attackerJwks.received).toHaveLength(0);
    const names = (await as(target, acmeToken).get('/projects')).body.items.map((p: { name: string }) => p.name);
    expect(names).not.toContain('should-not-exist');
  });

  it('ignores jku/x5u headers on a token signed by the trusted key', async () => {
    const token = await new SignJWT(baseClaims('acme'))
      .setProtectedHeader({ alg: 'RS256', kid: 'reference-issuer-1', jku: attackerJwks.url, x5u: attackerJwks.url })
      .sign(await importJWK(target.issuer.privateJwk, 'RS256'));
    expect((await as(target, token).get('/projects')).status).toBe(200);
    expect(attackerJwks.received).toHaveLength(0);
  });

  it.each([
    ['absent', undefined, 401, 'MISSING_TENANT_CLAIM'],
    ['null', null, 401, 'MISSING_TENANT_CLAIM'],
    ['empty', '', 401, 'MISSING_TENANT_CLAIM'],
    ['whitespace', '   ', 401, 'MISSING_TENANT_CLAIM'],
    ['a number', 42, 403, 'INVALID_TENANT_CLAIM'],
    ['an array', ['acme'], 403, 'INVALID_TENANT_CLAIM'],
    ['an object', { id: 'acme' }, 403, 'INVALID_TENANT_CLAIM'],
    ['a boolean', true, 403, 'INVALID_TENANT_CLAIM'],
    ['unknown tenant', 'umbrella', 403, 'UNKNOWN_TENANT'],
    ['case variant', 'ACME', 403, 'UNKNOWN_TENANT'],
    ['padded', ' acme', 403, 'UNKNOWN_TENANT'],
  ] as const)('tenant claim %s → %i %s', async (_name, claim, status, code) => {
    const token = await target.issuer.mint(claim === undefined ? { sub: 'someone' } : { tenant_id: claim, sub: 'someone' });
    for (const path of ['/projects', '/generations/00000000-0000-4000-8000-000000000000']) {
      const reply = await as(target, token).get(path);
      expect(reply.status, path).toBe(status);
      expect(reply.body.error.code).toBe(code);
    }
  });

  it('still accepts the original token after the rejected ones (no lockout, no invalidation)', async () => {
    expect((await as(target, acmeToken).get('/projects')).status).toBe(200);
  });

  it('serves the public key only at /.well-known/jwks.json', async () => {
    const reply = await call(target, 'GET', '/.well-known/jwks.json');
    expect(reply.status).toBe(200);
    expect(reply.body.keys).toHaveLength(1);
    expect(reply.body.keys[0]).toMatchObject({ kty: 'RSA', kid: 'reference-issuer-1', alg: 'RS256', n: target.issuer.publicJwk.n });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(reply.body.keys[0]).not.toHaveProperty(secret);
  });

  it('answers /healthz without auth', async () => {
    const reply = await call(target, 'GET', '/healthz');
    expect(reply).toMatchObject({ status: 200, body: { ok: true, mode: 'fail-closed' } });
  });
});
