import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.ts';
import type { Identity } from './auth.ts';

/**
 * `none`: no bearer (health, JWKS, signed webhooks). `required`: a verified token. `list`: a verified
 * token too; two seeded bugs treat a missing identity on these routes differently. `per-operation`: a
 * bearer is required, but the handler authenticates each operation itself through edge.ts (GraphQL).
 */
export type AuthPolicy = 'none' | 'required' | 'list' | 'per-operation';

export interface RouteRequest {
  requestId: string;
  method: string;
  path: string;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON (undefined for an empty body) on authenticated routes; unparsed on `none` routes. */
  body: unknown;
  rawBody: Buffer;
  identity: Identity | undefined;
}

export interface RouteResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Segments; `:name` captures one decoded segment. */
  pattern: string;
  auth: AuthPolicy;
  handler: (request: RouteRequest) => Promise<RouteResponse>;
}

export type RouteSummary = Pick<Route, 'method' | 'pattern' | 'auth'>;

export type RouteMatch = { route: Route; params: Record<string, string> } | { allowed: string[] } | null;

export class Router {
  private readonly routes: { route: Route; segments: string[] }[] = [];

  add(...routes: Route[]): this {
    for (const route of routes) this.routes.push({ route, segments: route.pattern.split('/').slice(1) });
    return this;
  }

  /** What is served: method, pattern and auth policy of every route, in matching order. */
  list(): RouteSummary[] {
    return this.routes.map(({ route }) => ({ method: route.method, pattern: route.pattern, auth: route.auth }));
  }

  match(method: string, pathname: string): RouteMatch {
    const parts = pathname.split('/').slice(1);
    const allowed: string[] = [];
    for (const { route, segments } of this.routes) {
      const params = matchSegments(segments, parts);
      if (!params) continue;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    return allowed.length ? { allowed } : null;
  }
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = parts[i]!;
    if (segment.startsWith(':')) {
      if (part === '') return null;
      try {
        params[segment.slice(1)] = decodeURIComponent(part);
      } catch {
        return null;
      }
    } else if (segment !== part) {
      return null;
    }
  }
  return params;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'the request body is not valid JSON');
  }
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body === undefined || status === 204) {
    res.writeHead(status).end();
    return;
  }
  if (Buffer.isBuffer(body)) {
    res.writeHead(status, { 'content-length': body.length }).end(body); // content-type given by the route
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
