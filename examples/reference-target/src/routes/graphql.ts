import type { App } from '../app.ts';
import { handleGraphql } from '../graphql/execute.ts';
import { SCHEMA_SDL } from '../graphql/schema.ts';
import type { Route } from '../http.ts';

export const GRAPHQL_PATH = '/graphql';

export function graphqlRoutes(app: App): Route[] {
  const sdl = Buffer.from(SCHEMA_SDL, 'utf8');
  return [
    // Each field authenticates itself (graphql/context.ts) with the edge the HTTP routes use.
    { method: 'POST', pattern: GRAPHQL_PATH, auth: 'per-operation', handler: (req) => handleGraphql(app, req) },
    {
      method: 'GET',
      pattern: `${GRAPHQL_PATH}/schema.graphql`,
      auth: 'none',
      handler: async () => ({ status: 200, body: sdl, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }),
    },
  ];
}
