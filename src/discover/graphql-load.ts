import { buildClientSchema, buildSchema, getIntrospectionQuery, getNamedType, isLeafType, isNonNullType, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { TenancyAuditError } from '../core/errors.ts';
import { invalid, isUrl, readSource } from './source.ts';

export interface LoadedGraphql {
  schema: GraphQLSchema;
  /** The endpoint URL when introspected over HTTP (else the SDL file). */
  origin: string;
  endpoint: URL | undefined;
  how: 'introspection' | 'SDL';
}

const SDL_FILE = /\.(graphqls?|gql|sdl)$/i;

/**
 * A GraphQL schema from an endpoint (the introspection query, sent with the first tenant's token) or an SDL
 * document (a file, or a URL ending in .graphql). Introspection turned off is an error that says to pass the SDL.
 */
export async function loadGraphql(where: string, token: string): Promise<LoadedGraphql> {
  if (!isUrl(where) || SDL_FILE.test(new URL(where, 'http://x').pathname)) {
    const source = await readSource('--graphql', where);
    try {
      return { schema: buildSchema(source.text), origin: source.origin, endpoint: undefined, how: 'SDL' };
    } catch (error) {
      throw invalid(source, 'GraphQL schema', firstLine((error as Error).message), 'Fix the SDL, or pass the endpoint URL to introspect it.');
    }
  }
  let response: Response;
  try {
    response = await fetch(where, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: getIntrospectionQuery() }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (cause) {
    const reason = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).name;
    throw new TenancyAuditError('TA_USAGE', `--graphql ${where}: the URL is unreachable (${reason})`, { hint: 'Check that the service runs and the URL is its GraphQL endpoint, or pass an SDL file.' });
  }
  const text = await response.text();
  let body: { data?: IntrospectionQuery; errors?: { message?: string }[] } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!body?.data?.__schema) {
    const why = body?.errors?.[0]?.message ?? `HTTP ${response.status}${body ? '' : ', not JSON'}`;
    throw new TenancyAuditError('TA_SPEC_INVALID', `--graphql ${where}: introspection failed (${why})`, {
      hint: 'Introspection may be off in this environment: pass the schema as an SDL file (--graphql schema.graphql --base-url <endpoint origin>).',
    });
  }
  try {
    return { schema: buildClientSchema(body.data), origin: where, endpoint: new URL(where), how: 'introspection' };
  } catch (error) {
    throw new TenancyAuditError('TA_SPEC_INVALID', `--graphql ${where}: the introspection result is not a valid schema (${firstLine((error as Error).message)})`);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** A read that goes through the resolvers (and so the tenant checks) but changes nothing: a root field without required arguments. */
export function harmlessRead(schema: GraphQLSchema): string {
  const field = Object.values(schema.getQueryType()?.getFields() ?? {}).find((f) => f.args.every((a) => !isNonNullType(a.type)));
  if (!field) return '{ __typename }';
  return isLeafType(getNamedType(field.type)) ? `{ ${field.name} }` : `{ ${field.name} { __typename } }`;
}
