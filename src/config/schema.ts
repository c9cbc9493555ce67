import { z } from 'zod';
import { acceptSchema, channelAppliesTo, operationContract, scopeSchema, waiverSchema } from './contract-schema.ts';
import { FAIL_LEVELS } from '../core/verdict.ts';
import { databaseSchema } from './database.ts';
import { jsonPath, positiveInt, requestTemplate, secret } from './schema-parts.ts';
import { tokensSchema } from './token-schema.ts';

/**
 * The one source of truth for the configuration: validation, TypeScript types and the JSON Schema
 * (`tenancy-audit schema`) all come from here. Secrets are strings `env:NAME` (or `file:PATH` for keys);
 * literals are accepted for local test keys but never printed.
 */

const fixtureSchema = z.strictObject({
  create: z.strictObject({ ...requestTemplate, id: jsonPath.default('id') }).optional(),
  delete: z.strictObject(requestTemplate).optional(),
  ids: z.record(z.string(), z.string()).optional().describe('Pre-existing fixture ids per tenant (read-only staging).'),
  canaries: z.record(z.string(), z.string()).optional().describe('With `ids`: the canary each pre-existing fixture shows.'),
});

const operationSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, dot, dash, underscore'),
  kind: z.enum(['list', 'read', 'create', 'update', 'delete']),
  ...requestTemplate,
  fixture: z.string().optional().describe('Fixture this operation reads or changes (its ids fill `{{id}}`).'),
  tenantScoped: z.boolean().default(true),
  ...operationContract,
  verify: z.string().optional().describe('Operation id read as each tenant after an accepted write, to see where it landed.'),
});

const bodyMatcher = z.union([
  z.strictObject({ jsonPath, nonEmpty: z.literal(true) }),
  z.strictObject({ regex: z.string().min(1) }),
]);

const hmacSignature = z.strictObject({
  header: z.string().min(1),
  algorithm: z.enum(['sha256', 'sha512']).default('sha256'),
  prefix: z.string().default('').describe('Text before the hex digest, e.g. `sha256=`.'),
  raw: z.boolean().optional().describe('Use `file:` secrets byte for byte (default: one trailing newline is trimmed).'),
});

const asyncSchema = z.strictObject({
  submit: z.strictObject({
    ...requestTemplate,
    jobId: jsonPath.default('id'),
  }).describe('Submits a job; the body template may use `{{callbackUrl}}`, `{{marker}}` and `{{canary}}`.'),
  poll: z.strictObject({
    ...requestTemplate,
    until: z.strictObject({ jsonPath, in: z.array(z.string()).min(1) }).describe('Polling stops when the value at jsonPath is one of these.'),
    result: jsonPath.default('$').describe("Where the job's result content is."),
    intervalMs: positiveInt.default(100),
    timeoutMs: positiveInt.default(15_000),
  }).describe('Reads a job; `{{jobId}}` is filled in.'),
  callbacks: z
    .strictObject({
      timeoutMs: positiveInt.default(10_000),
      listenHost: z.string().default('127.0.0.1').describe('Where the harness listens for callbacks.'),
      publicUrl: z.string().optional().describe('Base URL the target uses to reach the receiver (e.g. a tunnel to staging).'),
      signature: hmacSignature
        .extend({
          secrets: z
            .record(z.string(), secret)
            .optional()
            .describe('Tenant id → callback secret. Absent: the callbacks are signed but the secrets are not configured; callback.integrity reports that (inconclusive), never a pass.'),
        })
        .optional(),
    })
    .optional(),
  jobsPerScenario: positiveInt.max(16).default(4),
});

const webhookSchema = z.strictObject({
  id: z.string().min(1),
  ...requestTemplate,
  signature: hmacSignature.extend({
    secret: secret
      .optional()
      .describe('The signing secret (`env:NAME`). Absent: not configured; callback.integrity reports this webhook as not tested (inconclusive), never a pass.'),
  }),
  tenantField: z.string().optional().describe('Body field naming a tenant, changed by the tenant-mismatch forgery.'),
});

const POLITENESS_DEFAULTS = { maxWaitSeconds: 30, patienceSeconds: 60, refusalStreak: 5, minRatePerSecond: 1, retryRefused: true };
const politenessSchema = z
  .strictObject({
    maxWaitSeconds: z.number().nonnegative().default(30).describe('Longest Retry-After (429/503) honoured; every new request waits until then. Also capped by the run\'s max duration.'),
    patienceSeconds: z.number().positive().default(60).describe('A target answering nothing but 429/503 for this long ends the run inconclusive ("target kept refusing").'),
    refusalStreak: positiveInt.default(5).describe('…and at least this many answers in a row.'),
    minRatePerSecond: z.number().positive().default(1).describe('Floor of the adaptive rate: it halves on each 429/503 and regains ratePerSecond/50 per accepted answer.'),
    retryRefused: z.boolean().default(true).describe('Send an idempotent request (GET, HEAD, OPTIONS, PUT, DELETE) answered 429/503 once more after the wait; the second answer is judged.'),
  })
  .describe('Polite rate control: Retry-After, an adaptive rate under ratePerSecond, and when to give up.');

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).default('target').describe('System name shown on the report cover.'),
  environment: z.string().min(1).default('staging'),
  target: z.strictObject({
    baseUrl: z.url({ protocol: /^https?$/ }),
    allowHosts: z.array(z.string().min(1)).optional().describe('Hosts requests may go to; default: the base URL host.'),
    timeoutMs: positiveInt.default(10_000),
    concurrency: positiveInt.max(256).default(8),
    ratePerSecond: positiveInt.default(200),
    maxBodyBytes: positiveInt.default(1_048_576),
    headers: z.record(z.string(), z.string()).optional(),
    politeness: politenessSchema.default(POLITENESS_DEFAULTS),
    proxy: z
      .string()
      .min(1)
      .optional()
      .describe('Forward proxy URL (`http://host:port`, or `env:NAME`); requests are tunnelled through it. Without it HTTP_PROXY, HTTPS_PROXY and NO_PROXY are honoured. The allowlist applies to the target, not the proxy.'),
    tls: z
      .strictObject({
        ca: secret.optional().describe('CA certificate(s) (PEM) to trust for the target, `file:` or `env:`.'),
        cert: secret.optional().describe('Client certificate (PEM) for mutual TLS, `file:` or `env:`; needs `key`.'),
        key: secret.optional().describe('Client private key (PEM) for mutual TLS, `file:` or `env:`; a secret, never printed.'),
        insecure: z.boolean().optional().describe('Skip certificate verification (recorded in the manifest and on the report cover).'),
      })
      .optional(),
    http2: z.boolean().optional().describe('Offer HTTP/2 (ALPN) on https connections.'),
  }),
  identity: z.strictObject({
    tokens: tokensSchema,
    refresh: z
      .boolean()
      .default(true)
      .describe('Re-obtain tokens before they expire and once after a 401 on a positive control (false: keep the first token all run).'),
    jwksUrl: z.string().optional().describe('Target JWKS (absolute URL or path); its public keys feed RS→HS confusion.'),
  }),
  tenants: z.array(z.strictObject({ id: z.string().min(1) })).min(2, 'at least two tenants are needed to test isolation'),
  channels: z
    .strictObject({
      headers: z.array(z.string().min(1)).default([]),
      query: z.array(z.string().min(1)).default([]),
      body: z.array(z.string().min(1)).default([]),
      path: z.array(z.string().min(1)).default([]).describe('Path template variables that carry a tenant, e.g. `tenant`.'),
      cookies: z.array(z.string().min(1)).default([]),
      host: z.string().optional().describe('Host pattern with `{{tenant}}`, e.g. `{{tenant}}.staging.example.com`.'),
      appliesTo: channelAppliesTo,
    })
    .default({ headers: [], query: [], body: [], path: [], cookies: [] }),
  fixtures: z.record(z.string(), fixtureSchema).default({}),
  operations: z.array(operationSchema).min(1),
  idempotency: z
    .strictObject({
      header: z.string().min(1).default('Idempotency-Key'),
      operations: z.array(z.string()).min(1).describe('Create operations that accept an idempotency key.'),
    })
    .optional(),
  async: asyncSchema.optional(),
  webhooks: z.array(webhookSchema).default([]),
  rejection: z
    .strictObject({
      statuses: z.array(z.number().int().min(100).max(599)).min(1).default([400, 401, 403, 404, 422]),
      bodyMatchers: z.array(bodyMatcher).default([]),
      redirects: z
        .string()
        .min(1)
        .refine(isRegExp, 'not a valid regular expression')
        .optional()
        .describe('A regular expression over the Location header: a 3xx redirect there (a login page) is a rejection. Without it a 3xx is inconclusive.'),
    })
    .default({ statuses: [400, 401, 403, 404, 422], bodyMatchers: [] }),
  empty: z
    .array(z.strictObject({ jsonPath }))
    .default([{ jsonPath: '$' }, { jsonPath: 'items' }, { jsonPath: 'data' }, { jsonPath: 'results' }])
    .describe('Where an empty result shows: the value at the path is an empty array/object, null or "".'),
  scope: scopeSchema.default({ paths: [], suites: [] }),
  accept: z.array(acceptSchema).default([]),
  waivers: z
    .union([z.array(waiverSchema), z.string().min(1).describe('A YAML or JSON file (relative to the config) holding the list.')])
    .default([]),
  suites: z
    .strictObject({
      dirs: z.array(z.string()).default([]).describe('Folders with user suites (files calling defineSuite).'),
      include: z.array(z.string()).default([]),
      exclude: z.array(z.string()).default([]),
    })
    .default({ dirs: [], include: [], exclude: [] }),
  database: databaseSchema.optional(),
  report: z
    .strictObject({
      preparedBy: z.string().min(1).optional().describe('Sign-off block of the report cover: who prepared the assessment.'),
      reviewedBy: z.string().min(1).optional().describe('Sign-off block: who reviewed it.'),
    })
    .optional()
    .describe('What the report says beyond the evidence (the sign-off block on its cover).'),
  run: z
    .strictObject({
      seed: z.number().int().optional(),
      runs: positiveInt.default(40),
      failOn: z.enum([...FAIL_LEVELS, 'never']).default('soft-fail'),
      reportDir: z.string().default('reports'),
      maxRequests: positiveInt.optional(),
      maxDurationSeconds: positiveInt.optional(),
      signKey: secret.optional(),
    })
    .default({ runs: 40, failOn: 'soft-fail', reportDir: 'reports' }),
});

/** What a config file may say (defaults optional). */
export type UserConfig = z.input<typeof configSchema>;
/** The configuration after defaults, before secrets are resolved. */
export type ParsedConfig = z.output<typeof configSchema>;
export type OperationConfig = ParsedConfig['operations'][number];
export type FixtureConfig = ParsedConfig['fixtures'][string];
export type TokensConfig = ParsedConfig['identity']['tokens'];
export type AsyncConfig = NonNullable<ParsedConfig['async']>;
export type WebhookConfig = ParsedConfig['webhooks'][number];
export type AcceptRule = ParsedConfig['accept'][number];
export type WaiverRule = z.output<typeof waiverSchema>;
export { waiverSchema };
export type ScopeConfig = ParsedConfig['scope'];

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** The JSON Schema of a config file as a user writes it (defaults optional), for editor autocompletion; `tenancy-audit schema` prints it. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
