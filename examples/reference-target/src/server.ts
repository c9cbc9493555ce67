import crypto from 'node:crypto';
import http from 'node:http';
import type { App } from './app.ts';
import { identifyCaller, operationTenant } from './edge.ts';
import { HttpError, NotFoundError } from './errors.ts';
import { errorBody, parseJson, readBody, send, type Route, type RouteRequest, type RouteResponse, type Router } from './http.ts';
import { collectTenantAssertions } from './tenant-assertions.ts';
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
  if (route.auth === 'none' || route.auth === 'per-operation') {
    return runWithContext({ requestId: request.requestId, tenantId: undefined }, () => route.handler({ ...request, body: undefined, identity: undefined }));
  }
  const caller = await identifyCaller(app, route.auth, request.headers.authorization);
  if (caller.kind === 'soft-empty') return { status: 200, body: { items: [] } };
  const identity = caller.kind === 'identified' ? caller.identity : undefined;
  const body = parseJson(request.rawBody);
  let tenantId: string | undefined;
  if (identity) {
    const assertions = collectTenantAssertions({ headers: request.headers, query: request.query, body, params: request.params });
    tenantId = operationTenant(app, identity, assertions, request.method);
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
