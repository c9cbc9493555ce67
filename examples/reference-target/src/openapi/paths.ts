// The routes of the reference target (routes/*.ts) as OpenAPI 3.1 path items. Every route the router
// serves is here and nothing else is (test/openapi.test.ts derives the route list from the router).
import { paramRef, responseRef, schemaRef } from './components.ts';

type Json = Record<string, unknown>;

const json = (schema: Json) => ({ 'application/json': { schema } });
const body = (name: string) => ({ required: true, content: json(schemaRef(name)) });
const ok = (description: string, schemaName: string, extra: Json = {}) => ({ description, content: json(schemaRef(schemaName)), ...extra });
const headerRefs = (...names: string[]) => Object.fromEntries(names.map((n) => [n === 'RequestId' ? 'X-Request-Id' : n === 'IdempotentReplayed' ? 'Idempotent-Replayed' : n, { $ref: `#/components/headers/${n}` }]));

/** Channels checked on every authenticated route (tenant-assertions.ts): header, query, cookie. */
const tenantChannels = [paramRef('TenantHeader'), paramRef('TenantIdQuery'), paramRef('TenantIdSnakeQuery'), paramRef('TenantCookie')];

const authErrors = { '401': responseRef('Unauthorized'), '403': responseRef('Forbidden') };
const writeErrors = { '400': responseRef('BadRequest'), ...authErrors, '413': responseRef('PayloadTooLarge') };
const idempotencyErrors = { '409': responseRef('IdempotencyConflict'), '422': responseRef('IdempotencyKeyReused') };

interface OperationSpec {
  operationId: string;
  summary: string;
  tags: string[];
  parameters?: unknown[];
  requestBody?: Json;
  responses: Json;
  description?: string;
  callbacks?: Json;
  public?: boolean;
  extensions?: Json;
}

/** An operation; authenticated ones get the bearer scheme (global) and the tenant channels. */
function op(spec: OperationSpec): Json {
  const { public: isPublic, parameters = [], extensions = {}, ...rest } = spec;
  return {
    ...rest,
    ...(isPublic ? { security: [] } : {}),
    ...(isPublic ? (parameters.length ? { parameters } : {}) : { parameters: [...parameters, ...tenantChannels] }),
    ...extensions,
  };
}

const idLink = (operationId: string, description: string) => ({ operationId, parameters: { id: '$response.body#/id' }, description });

export const paths: Json = {
  '/healthz': {
    get: op({ operationId: 'getHealth', summary: 'Liveness and the running mode', tags: ['meta'], public: true, responses: { '200': ok('Alive.', 'Health') } }),
  },
  '/.well-known/jwks.json': {
    get: op({ operationId: 'getJwks', summary: "The issuer's public signing key", tags: ['meta'], public: true, responses: { '200': ok('The trusted JWK set.', 'Jwks') } }),
  },
  '/openapi.json': {
    get: op({
      operationId: 'getOpenApi',
      summary: 'This description',
      tags: ['meta'],
      public: true,
      responses: { '200': { description: 'OpenAPI 3.1 document.', content: json({ type: 'object' }) } },
    }),
  },
  '/projects': {
    get: op({
      operationId: 'listProjects',
      summary: "The caller's projects",
      tags: ['projects'],
      responses: { '200': ok("The token tenant's projects only.", 'ProjectList'), ...authErrors },
    }),
    post: op({
      operationId: 'createProject',
      summary: 'Create a project',
      tags: ['projects'],
      parameters: [paramRef('IdempotencyKey')],
      requestBody: body('ProjectCreate'),
      responses: {
        '201': ok('Created (or replayed).', 'Project', {
          headers: headerRefs('Location', 'IdempotentReplayed'),
          links: { GetProject: idLink('getProject', 'Read the created project.') },
        }),
        ...writeErrors,
        ...idempotencyErrors,
      },
    }),
  },
  '/projects/{id}': {
    parameters: [paramRef('ProjectId')],
    get: op({ operationId: 'getProject', summary: 'Read a project', tags: ['projects'], responses: { '200': ok('The project.', 'Project'), ...authErrors, '404': responseRef('NotFound') } }),
    patch: op({
      operationId: 'updateProject',
      summary: 'Update a project',
      tags: ['projects'],
      requestBody: body('ProjectPatch'),
      responses: { '200': ok('The updated project.', 'Project'), ...writeErrors, '404': responseRef('NotFound') },
    }),
    delete: op({ operationId: 'deleteProject', summary: 'Delete a project', tags: ['projects'], responses: { '204': { description: 'Deleted.' }, ...authErrors, '404': responseRef('NotFound') } }),
  },
  '/tenants/{tenantId}/projects': {
    parameters: [paramRef('PathTenantId')],
    get: op({
      operationId: 'listTenantProjects',
      summary: "The caller's projects, tenant in the path",
      tags: ['projects'],
      responses: { '200': ok("The token tenant's projects.", 'ProjectList'), ...authErrors },
    }),
  },
  '/tenants/{tenantId}/projects/{id}': {
    parameters: [paramRef('PathTenantId'), paramRef('ProjectId')],
    get: op({
      operationId: 'getTenantProject',
      summary: 'Read a project, tenant in the path',
      tags: ['projects'],
      responses: { '200': ok('The project.', 'Project'), ...authErrors, '404': responseRef('NotFound') },
    }),
  },
  '/projects/{id}/documents': {
    parameters: [paramRef('ProjectId')],
    get: op({
      operationId: 'listDocuments',
      summary: "A project's documents",
      tags: ['documents'],
      responses: { '200': ok('The documents.', 'DocumentList'), ...authErrors, '404': responseRef('NotFound') },
    }),
    post: op({
      operationId: 'createDocument',
      summary: 'Create a document in a project',
      tags: ['documents'],
      requestBody: body('DocumentCreate'),
      responses: {
        '201': ok('Created.', 'Document', { headers: headerRefs('Location'), links: { GetDocument: idLink('getDocument', 'Read the created document.') } }),
        ...writeErrors,
        '404': responseRef('NotFound'),
      },
    }),
  },
  '/documents/{id}': {
    parameters: [paramRef('DocumentId')],
    get: op({ operationId: 'getDocument', summary: 'Read a document', tags: ['documents'], responses: { '200': ok('The document.', 'Document'), ...authErrors, '404': responseRef('NotFound') } }),
    patch: op({
      operationId: 'updateDocument',
      summary: 'Update a document',
      tags: ['documents'],
      requestBody: body('DocumentPatch'),
      responses: { '200': ok('The updated document.', 'Document'), ...writeErrors, '404': responseRef('NotFound') },
    }),
    delete: op({ operationId: 'deleteDocument', summary: 'Delete a document', tags: ['documents'], responses: { '204': { description: 'Deleted.' }, ...authErrors, '404': responseRef('NotFound') } }),
  },
  '/generations': {
    post: op({
      operationId: 'createGeneration',
      summary: 'Queue a generation',
      description: "Runs asynchronously in the caller's tenant; on success the result is POSTed to `callbackUrl` (see callbacks).",
      tags: ['generations'],
      parameters: [paramRef('IdempotencyKey')],
      requestBody: body('GenerationCreate'),
      responses: {
        '202': ok('Queued (or replayed).', 'Generation', {
          headers: headerRefs('Location', 'IdempotentReplayed'),
          links: { GetGeneration: idLink('getGeneration', 'Poll the generation.') },
        }),
        ...writeErrors,
        ...idempotencyErrors,
      },
      callbacks: { generationSucceeded: { '{$request.body#/callbackUrl}': { $ref: '#/components/pathItems/GenerationSucceeded' } } },
    }),
  },
  '/generations/{id}': {
    parameters: [paramRef('GenerationId')],
    get: op({ operationId: 'getGeneration', summary: 'Read a generation', tags: ['generations'], responses: { '200': ok('The generation.', 'Generation'), ...authErrors, '404': responseRef('NotFound') } }),
  },
  '/webhooks/provider': {
    post: op({
      operationId: 'receiveProviderCompletion',
      summary: 'Inbound completion from the generation provider',
      description: 'No bearer: authenticity is the HMAC of the raw body; the tenant comes from the stored job, never from the payload.',
      tags: ['webhooks'],
      public: true,
      parameters: [paramRef('ProviderSignature')],
      requestBody: body('ProviderCompletion'),
      responses: {
        '200': ok('Applied to the job.', 'ProviderCompletionAck'),
        '400': responseRef('BadRequest'),
        '401': { description: 'Missing or invalid signature.', content: json(schemaRef('Error')) },
        '403': responseRef('Forbidden'),
        '404': responseRef('NotFound'),
      },
      extensions: { 'x-signature': { header: 'X-Provider-Signature', algorithm: 'hmac-sha256', encoding: 'hex', prefix: 'sha256=', payload: 'raw body' } },
    }),
  },
  '/graphql': {
    post: op({
      operationId: 'graphql',
      summary: 'The GraphQL face (same service layer, same tenant rules)',
      description:
        'Queries and mutations of /graphql/schema.graphql (introspection on). Each field authenticates the bearer token; a mutation input\'s ' +
        '`tenantId` and the HTTP tenant channels must repeat its tenant. Rejections are 200 with `errors` (extensions.code as over HTTP) and `data: null`; ' +
        'a request that is not valid GraphQL is 400.',
      tags: ['graphql'],
      requestBody: body('GraphQLRequest'),
      responses: {
        '200': ok('Executed: `data`, and `errors` for rejected fields.', 'GraphQLResponse'),
        '400': ok('Not JSON, no query, or a query that does not parse or validate.', 'GraphQLResponse'),
        '413': responseRef('PayloadTooLarge'),
      },
      extensions: { 'x-graphql': { schema: '/graphql/schema.graphql', introspection: true } },
    }),
  },
  '/graphql/schema.graphql': {
    get: op({
      operationId: 'getGraphqlSchema',
      summary: 'The GraphQL schema as SDL (for clients whose introspection is off)',
      tags: ['graphql'],
      public: true,
      responses: { '200': { description: 'GraphQL SDL.', content: { 'text/plain': { schema: { type: 'string' } } } } },
    }),
  },
};
