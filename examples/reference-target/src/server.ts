import crypto from 'node:crypto';
import http from 'node:http';
import type { App } from './app.ts';
import type { Identity } from './auth.ts';
import { HttpError, NoIdentityError, NotFoundError } from './errors.ts';
import { errorBody, parseJson, readBody, send, type Route, type RouteRequest, type RouteResponse, type Router } from './http.ts';
import { collectTenantAssertions, resolveRequestTenant } from './tenant-assertions.ts';
import { MissingTenantContextError, runWithContext } from './tenant-context.ts';

export function createHttpServer(app: App, router: Router): http.Server {
  return http.createServer((req, res) => {
    void handle(app, router, req, res);
  });
}

async function handle(app: App, router: Router, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const requestId = crypto.randomUUID();
  const started = performance.now();
  const method = req.method ?? 'GET';
  let path = req.url ?? '/';
  let status = 500;
  res.setHeader('X-Request-Id', requestId);
  try {
    const url = new URL(req.url ?? '/', 'http://reference-target.invalid');
    path = url.pathname;
    const match = router.match(method, url.pathname);
    if (!match) throw new NotFoundError('route');
    if (!('route' in match)) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `use ${match.allowed.join(', ')}`, { Allow: match.allowed.join(', ') });
    const rawBody = await readBody(req);
    const request = { requestId, method, path: url.pathname, params: match.params, query: url.searchParams, headers: req.headers, rawBody };
    const response = await dispatch(app, match.route, request);
    status = response.status;
    send(res, response.status, response.body, response.headers);
  } catch (error) {
    const mapped = errorResponse(error, requestId, app.log);
    status = mapped.status;
    send(res, mapped.status, mapped.body, mapped.headers);
  } finally {
    app.log(`request_id=${requestId} ${method} ${path} -> ${status} (${(performance.now() - started).toFixed(1)} ms)`);
  }
}

/** The edge: identity from the verified token only, other tenant assertions checked, context set once. */
async function dispatch(app: App, route: Route, request: Omit<RouteRequest, 'body' | 'identity'>): Promise<RouteResponse> {
  if (route.auth === 'none') {
    return runWithContext({ requestId: request.requestId, tenantId: undefined }, () => route.handler({ ...request, body: undefined, identity: undefined }));
  }
  let identity: Identity | undefined;
  try {
    identity = await app.authenticate(request.headers.authorization);
  } catch (error) {
    if (!(error instanceof NoIdentityError) || route.auth !== 'list') throw error;
    if (app.bugs.softFailEmpty) return { status: 200, body: { items: [] } }; // seeded bug: silent empty scope
    if (!app.bugs.sessionSettingLeak) throw error;
    // seeded bug `session-setting-leak`: lists are served without identity, "RLS will scope them"
  }
  const body = parseJson(request.rawBody);
  let tenantId: string | undefined;
  if (identity) {
    const assertions = collectTenantAssertions({ headers: request.headers, query: request.query, body, params: request.params });
    tenantId = resolveRequestTenant(identity.tenantId, assertions, { method: request.method, bugs: app.bugs, knownTenants: app.knownTenants });
    app.state.lastSeenTenant = tenantId;
  }
  return runWithContext({ requestId: request.requestId, tenantId }, () => route.handler({ ...request, body, identity }));
}

export function errorResponse(error: unknown, requestId: string, log: (line: string) => void): Required<RouteResponse> {
  if (error instanceof HttpError) {
    return { status: error.status, body: errorBody(error.code, error.message), headers: { ...error.headers } };
  }
  if (error instanceof MissingTenantContextError) {
    // Already logged with its stack by the data layer; the request had no usable identity.
    return { status: 401, body: errorBody('MISSING_TENANT_CONTEXT', 'no tenant context for this request'), headers: {} };
  }
  log(`ERROR request_id=${requestId} ${(error as Error)?.stack ?? String(error)}`);
  return { status: 500, body: errorBody('INTERNAL', `internal error (request ${requestId})`), headers: {} };
}
