import type { App } from '../app.ts';
import type { Route } from '../http.ts';

export function healthRoutes(app: App): Route[] {
  const { kty, n, e, kid, alg, use } = app.publicJwk;
  const jwks = { keys: [{ kty, n, e, kid, alg, use }] };
  return [
    { method: 'GET', pattern: '/healthz', auth: 'none', handler: async () => ({ status: 200, body: { ok: true, mode: app.mode } }) },
    { method: 'GET', pattern: '/.well-known/jwks.json', auth: 'none', handler: async () => ({ status: 200, body: jwks }) },
  ];
}
