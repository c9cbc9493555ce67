import type { Route } from '../http.ts';
import { openApiDocument } from '../openapi/index.ts';

export function openApiRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/openapi.json',
      auth: 'none',
      handler: async (req) => ({ status: 200, body: openApiDocument(typeof req.headers.host === 'string' ? req.headers.host : undefined) }),
    },
  ];
}
