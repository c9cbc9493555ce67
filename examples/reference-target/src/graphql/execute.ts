import { execute, GraphQLError, parse, Source, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import type { App } from '../app.ts';
import { HttpError } from '../errors.ts';
import type { RouteRequest, RouteResponse } from '../http.ts';
import { isObject } from '../tenant-assertions.ts';
import { MissingTenantContextError } from '../tenant-context.ts';
import { graphqlContext } from './context.ts';
import { rootValue } from './resolvers.ts';
import { graphqlSchema } from './schema.ts';

interface GraphqlRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

/**
 * POST /graphql. A request that is not GraphQL (bad JSON, no query, syntax or validation errors) is 400;
 * an executed one is 200, with rejections (authentication, tenant, not found, validation of inputs) as
 * `errors` and, since every root field is non-null, `data: null`.
 */
export async function handleGraphql(app: App, req: RouteRequest): Promise<RouteResponse> {
  const request = readRequest(req.rawBody);
  if ('errors' in request) return { status: 400, body: request };
  let document: DocumentNode;
  try {
    document = parse(new Source(request.query, 'request'));
  } catch (error) {
    return { status: 400, body: { errors: [formatError(error as GraphQLError, app, req.requestId)] } };
  }
  const schema = graphqlSchema();
  const invalid = validate(schema, document);
  if (invalid.length) return { status: 400, body: { errors: invalid.map((e) => formatError(e, app, req.requestId)) } };
  const result: ExecutionResult = await execute({
    schema,
    document,
    rootValue,
    contextValue: graphqlContext(app, req.requestId, req.headers, req.query),
    variableValues: request.variables,
    operationName: request.operationName,
  });
  const body: Record<string, unknown> = {};
  if (result.errors?.length) body['errors'] = result.errors.map((e) => formatError(e, app, req.requestId));
  body['data'] = result.data ?? null;
  return { status: 200, body };
}

function readRequest(raw: Buffer): GraphqlRequest | { errors: unknown[] } {
  const reject = (code: string, message: string) => ({ errors: [{ message, extensions: { code, status: 400 } }] });
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return reject('INVALID_JSON', 'the request body is not valid JSON');
  }
  if (!isObject(body) || typeof body['query'] !== 'string') return reject('BAD_REQUEST', 'send {"query": "...", "variables"?: {...}, "operationName"?: "..."}');
  const { variables, operationName } = body;
  if (variables !== undefined && variables !== null && !isObject(variables)) return reject('BAD_REQUEST', '"variables" must be an object');
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return reject('BAD_REQUEST', '"operationName" must be a string');
  return { query: body['query'], variables: variables ?? undefined, operationName: operationName ?? undefined };
}

/** The HTTP face's error code and status in `extensions`; unexpected errors are logged and masked. */
function formatError(error: GraphQLError, app: App, requestId: string) {
  const original = error.originalError;
  const base = { message: error.message, ...(error.locations ? { locations: error.locations } : {}), ...(error.path ? { path: error.path } : {}) };
  if (original instanceof HttpError) return { ...base, extensions: { code: original.code, status: original.status } };
  if (original instanceof MissingTenantContextError) return { ...base, message: 'no tenant context for this request', extensions: { code: 'MISSING_TENANT_CONTEXT', status: 401 } };
  if (!original) return { ...base, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', status: 400 } };
  app.log(`ERROR request_id=${requestId} ${original.stack ?? String(original)}`);
  return { ...base, message: `internal error (request ${requestId})`, extensions: { code: 'INTERNAL', status: 500 } };
}
