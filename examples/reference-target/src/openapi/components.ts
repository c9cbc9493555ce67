// OpenAPI 3.1 components of the reference target: the shapes its views return (views.ts), the bodies its
// validation accepts (validation.ts, routes/*.ts) and the tenant-assertion channels it checks
// (tenant-assertions.ts). Kept next to the code they describe; test/openapi.test.ts proves they agree.
import { CALLBACK_MAX_ATTEMPTS, CALLBACK_SIGNATURE_HEADER, CALLBACK_TENANT_HEADER } from '../callbacks.ts';
import { ISSUER, TENANT_CLAIM } from '../issuer.ts';
import { MODES } from '../modes.ts';
import { PROVIDER_SIGNATURE_HEADER } from '../routes/webhooks.ts';

type Json = Record<string, unknown>;

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });
export const schemaRef = (name: string) => ref('schemas', name);
export const paramRef = (name: string) => ref('parameters', name);
export const responseRef = (name: string) => ref('responses', name);

const uuid = { type: 'string', format: 'uuid' };
const dateTime = { type: 'string', format: 'date-time' };
/** requiredText(): a string that is not blank, at most `max` characters. */
const text = (max: number, description?: string) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S', ...(description ? { description } : {}) });

const TENANT_VALUE = {
  type: 'string',
  description: 'Optional. Must equal the tenant of the bearer token exactly, or the request is 403 TENANT_MISMATCH. Never stored.',
  'x-tenant-channel': true,
};

/** The body channels of tenant-assertions.ts: `tenantId`/`tenant_id` at top level and under `meta`. */
const tenantBodyFields: Json = {
  tenantId: TENANT_VALUE,
  tenant_id: TENANT_VALUE,
  meta: { type: 'object', properties: { tenantId: TENANT_VALUE, tenant_id: TENANT_VALUE } },
};

const withTenantFields = (properties: Json): Json => ({ ...properties, ...tenantBodyFields });

const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', examples: ['TENANT_MISMATCH'] }, message: { type: 'string' } },
    },
  },
};

const project = {
  type: 'object',
  required: ['id', 'tenantId', 'name', 'description', 'createdAt', 'updatedAt'],
  properties: {
    id: uuid,
    tenantId: { type: 'string', description: 'The tenant that owns the row.' },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
};

const document = {
  type: 'object',
  required: ['id', 'tenantId', 'projectId', 'title', 'body', 'createdAt', 'updatedAt'],
  properties: { id: uuid, tenantId: { type: 'string' }, projectId: uuid, title: { type: 'string' }, body: { type: 'string' }, createdAt: dateTime, updatedAt: dateTime },
};

const generation = {
  type: 'object',
  required: ['id', 'tenantId', 'kind', 'status', 'attempts', 'maxAttempts', 'prompt', 'output', 'callbackUrl', 'lastError', 'createdAt', 'updatedAt', 'completedAt'],
  properties: {
    id: uuid,
    tenantId: { type: 'string' },
    kind: { type: 'string', const: 'generation' },
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed'] },
    attempts: { type: 'integer', minimum: 0 },
    maxAttempts: { type: 'integer', minimum: 1 },
    prompt: { type: 'string' },
    output: { type: ['string', 'null'] },
    callbackUrl: { type: ['string', 'null'], format: 'uri' },
    lastError: { type: ['string', 'null'] },
    createdAt: dateTime,
    updatedAt: dateTime,
    completedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

const callbackUrl = {
  type: ['string', 'null'],
  format: 'uri',
  maxLength: 2048,
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^@/]+(/.*)?$',
  description: 'An absolute http(s) URL without credentials (loopback allowed). On success the target POSTs the signed result there.',
};

const list = (item: string) => ({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: schemaRef(item) } } });

const schemas: Json = {
  Error: error,
  Health: { type: 'object', required: ['ok', 'mode'], properties: { ok: { const: true }, mode: { type: 'string', enum: [...MODES] } } },
  Jwks: {
    type: 'object',
    required: ['keys'],
    properties: { keys: { type: 'array', items: { type: 'object', required: ['kty', 'kid'], properties: { kty: { type: 'string' }, kid: { type: 'string' }, alg: { type: 'string' }, use: { type: 'string' }, n: { type: 'string' }, e: { type: 'string' } } } } },
  },
  Project: project,
  ProjectList: list('Project'),
  ProjectCreate: {
    type: 'object',
    required: ['name'],
    properties: withTenantFields({ name: text(200), description: { type: ['string', 'null'], maxLength: 2000 } }),
  },
  ProjectPatch: {
    type: 'object',
    description: 'Give "name" and/or "description".',
    anyOf: [{ required: ['name'] }, { required: ['description'] }],
    properties: withTenantFields({ name: text(200), description: { type: ['string', 'null'], maxLength: 2000 } }),
  },
  Document: document,
  DocumentList: list('Document'),
  DocumentCreate: {
    type: 'object',
    required: ['title'],
    properties: withTenantFields({ title: text(200), body: { type: 'string', maxLength: 100_000 } }),
  },
  DocumentPatch: {
    type: 'object',
    description: 'Give "title" and/or "body".',
    anyOf: [{ required: ['title'] }, { required: ['body'] }],
    properties: withTenantFields({ title: text(200), body: { type: 'string', maxLength: 100_000 } }),
  },
  Generation: generation,
  GenerationCreate: {
    type: 'object',
    required: ['prompt'],
    properties: withTenantFields({ prompt: text(2000), callbackUrl }),
  },
  ProviderCompletion: {
    type: 'object',
    required: ['jobId', 'status', 'output'],
    properties: {
      jobId: { type: 'string', format: 'uuid', description: 'A generation id; an unknown one is 404.' },
      status: { type: 'string', const: 'completed' },
      output: { type: 'string', maxLength: 100_000 },
      tenantId: { type: 'string', description: 'Optional. Must name the job owner (the stored job decides the tenant), or 403 TENANT_MISMATCH.', 'x-tenant-channel': true },
    },
  },
  ProviderCompletionAck: {
    type: 'object',
    required: ['ok', 'jobId', 'tenantId', 'status'],
    properties: { ok: { const: true }, jobId: uuid, tenantId: { type: 'string' }, status: { const: 'succeeded' } },
  },
  GenerationCallback: {
    type: 'object',
    required: ['jobId', 'tenantId', 'status', 'output'],
    properties: { jobId: uuid, tenantId: { type: 'string' }, status: { const: 'succeeded' }, output: { type: 'string' } },
  },
  GraphQLRequest: {
    type: 'object',
    required: ['query'],
    properties: { query: { type: 'string' }, operationName: { type: ['string', 'null'] }, variables: { type: ['object', 'null'] } },
  },
  GraphQLResponse: {
    type: 'object',
    description: 'Rejections (authentication, tenant mismatch, not found) are 200 with `errors` and `data: null`.',
    properties: {
      data: { type: ['object', 'null'] },
      errors: {
        type: 'array',
        items: { type: 'object', required: ['message'], properties: { message: { type: 'string' }, path: { type: 'array' }, extensions: { type: 'object', properties: { code: { type: 'string' }, status: { type: 'integer' } } } } },
      },
    },
  },
};

const tenantParameter = (name: string, location: 'header' | 'query' | 'cookie') => ({
  name,
  in: location,
  required: false,
  description: `Tenant assertion (${location}). Optional; must equal the tenant of the bearer token exactly, or 403 TENANT_MISMATCH.`,
  schema: { type: 'string' },
  'x-tenant-channel': true,
});

const parameters: Json = {
  TenantHeader: tenantParameter('X-Tenant-ID', 'header'),
  TenantIdQuery: tenantParameter('tenantId', 'query'),
  TenantIdSnakeQuery: tenantParameter('tenant_id', 'query'),
  TenantCookie: tenantParameter('tenant', 'cookie'),
  PathTenantId: {
    name: 'tenantId',
    in: 'path',
    required: true,
    description: 'Must equal the tenant of the bearer token, or 403 TENANT_MISMATCH.',
    schema: { type: 'string' },
    'x-tenant-channel': true,
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Retries with the same key, tenant and body replay the stored response (`Idempotent-Replayed: true`); the same key with another body is 422, a concurrent duplicate 409. Keys are scoped per tenant.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]{1,255}$' },
  },
  ProjectId: { name: 'id', in: 'path', required: true, description: 'Project id (a non-uuid is 404).', schema: uuid },
  DocumentId: { name: 'id', in: 'path', required: true, description: 'Document id (a non-uuid is 404).', schema: uuid },
  GenerationId: { name: 'id', in: 'path', required: true, description: 'Generation id (a non-uuid is 404).', schema: uuid },
  ProviderSignature: {
    name: PROVIDER_SIGNATURE_HEADER,
    in: 'header',
    required: true,
    description: '`sha256=<hex HMAC-SHA256 of the raw body>` keyed by the provider secret ($REFERENCE_PROVIDER_SECRET).',
    schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' },
  },
};

const errorResponse = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: schemaRef('Error') } },
});

const responses: Json = {
  BadRequest: errorResponse('INVALID_JSON, VALIDATION_FAILED or INVALID_IDEMPOTENCY_KEY.'),
  Unauthorized: errorResponse('No, malformed or invalid bearer token, or no tenant claim.', {
    'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer challenge.' },
  }),
  Forbidden: errorResponse('TENANT_MISMATCH (another channel names another tenant), UNKNOWN_TENANT or INVALID_TENANT_CLAIM.'),
  NotFound: errorResponse('Unknown, foreign or non-uuid id.'),
  PayloadTooLarge: errorResponse('Bodies are limited to 1 MiB.'),
  IdempotencyConflict: errorResponse('IDEMPOTENCY_CONFLICT: a request with this key is in progress.'),
  IdempotencyKeyReused: errorResponse('IDEMPOTENCY_KEY_REUSED: the key was used with a different request.'),
};

const headers: Json = {
  Location: { description: 'Path of the created resource.', schema: { type: 'string' } },
  IdempotentReplayed: { description: '`true` when the stored response of an earlier request with the same key is replayed.', schema: { type: 'string', const: 'true' } },
  RequestId: { description: 'Request id, also in the target log.', schema: { type: 'string', format: 'uuid' } },
};

/** The outbound delivery, shared by the `callbacks` of POST /generations and the `webhooks` section. */
export const generationCallbackPathItem = {
  post: {
    operationId: 'generationSucceeded',
    summary: 'A generation succeeded (sent by the target)',
    description: `Sent when a generation succeeds, to its registered callbackUrl, in the job's tenant. Up to ${CALLBACK_MAX_ATTEMPTS} attempts until a 2xx, 2 s timeout each.`,
    security: [],
    parameters: [
      {
        name: CALLBACK_SIGNATURE_HEADER,
        in: 'header',
        required: true,
        description: '`sha256=<hex HMAC-SHA256 of the raw body>` keyed by the tenant\'s callback secret (`callback-secret-<tenant>` in this test service).',
        schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' },
      },
      { name: CALLBACK_TENANT_HEADER, in: 'header', required: true, description: 'The tenant the delivery belongs to.', schema: { type: 'string' } },
      { name: 'X-Reference-Delivery-Attempt', in: 'header', required: true, schema: { type: 'integer', minimum: 1, maximum: CALLBACK_MAX_ATTEMPTS } },
    ],
    requestBody: { required: true, content: { 'application/json': { schema: schemaRef('GenerationCallback') } } },
    responses: { '2XX': { description: 'Delivered; any other status (or a timeout) is retried.' } },
    'x-signature': { header: CALLBACK_SIGNATURE_HEADER, algorithm: 'hmac-sha256', encoding: 'hex', prefix: 'sha256=', payload: 'raw body', key: 'per tenant' },
  },
};

export const components = {
  securitySchemes: {
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: `RS256 JWT from ${ISSUER} (keys at /.well-known/jwks.json); the tenant is the "${TENANT_CLAIM}" claim.`,
      'x-tenant-claim': TENANT_CLAIM,
    },
  },
  schemas,
  parameters,
  responses,
  headers,
  pathItems: { GenerationSucceeded: generationCallbackPathItem },
};
