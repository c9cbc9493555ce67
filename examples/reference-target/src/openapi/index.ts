import { components, generationCallbackPathItem } from './components.ts';
import { paths } from './paths.ts';

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The OpenAPI 3.1 description of the reference target, served at `GET /openapi.json`. `host` (the
 * request's Host header, when it is a plain host[:port]) becomes the one server URL.
 */
export function openApiDocument(host?: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'reference-target',
      version: '1.0.0',
      summary: 'A small multi-tenant service built fail-closed, with seeded tenancy bugs per mode.',
      description:
        'Every authenticated route takes the tenant from the bearer token only. A tenant named anywhere else (X-Tenant-ID header, ' +
        'tenantId/tenant_id query or body field, meta.tenantId, /tenants/{tenantId} path, `tenant` cookie) must repeat it exactly, ' +
        'or the request is 403 TENANT_MISMATCH. The same service layer is also served as GraphQL at POST /graphql.',
    },
    ...(host && HOST.test(host) ? { servers: [{ url: `http://${host}` }] } : {}),
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'meta' },
      { name: 'projects' },
      { name: 'documents' },
      { name: 'generations' },
      { name: 'webhooks', description: 'Inbound, signed by the provider.' },
      { name: 'graphql', description: 'The same service as GraphQL; audit it with `init --graphql`.' },
    ],
    paths,
    webhooks: { generationSucceeded: { post: { ...generationCallbackPathItem.post, operationId: 'generationSucceededWebhook' } } },
    components,
  };
}
