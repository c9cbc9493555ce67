import { z } from 'zod';
import { httpUrl, jsonPath, positiveInt, refreshBeforeSeconds, secret } from './schema-parts.ts';

/** `identity.tokens`: how legit tokens are obtained, one schema per token source kind. */
const mintTokens = z.strictObject({
  kind: z.literal('mint'),
  key: z.strictObject({
    alg: z.string().min(2).default('RS256'),
    jwk: z.union([secret, z.record(z.string(), z.unknown())]).optional().describe('Private JWK (object, `file:` or `env:`).'),
    pem: secret.optional().describe('PKCS#8 private key PEM, or the HMAC secret for HS* (`env:`/`file:`).'),
    kid: z.string().optional(),
  }),
  issuer: z.string().min(1),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  tenantClaim: z.string().min(1).default('tenant_id').describe('Claim name or dot path of the tenant claim, e.g. `org.id`.'),
  subject: z.string().optional().describe('Subject template, `{{tenant}}` filled in.'),
  expiresInSeconds: positiveInt.default(900),
  refreshBeforeSeconds,
  claims: z.record(z.string(), z.unknown()).optional(),
});

const staticTokens = z.strictObject({
  kind: z.literal('static'),
  tokens: z.record(z.string(), secret).describe('Tenant id → token, normally `env:NAME`.'),
  tenantClaim: z.string().min(1).default('tenant_id'),
});

const commandTokens = z.strictObject({
  kind: z.literal('command'),
  command: z.string().min(1).describe('Shell command printing a token; `{{tenant}}` and $TENANCY_AUDIT_TENANT name the tenant.'),
  timeoutMs: positiveInt.default(15_000),
  cacheSeconds: z.number().int().nonnegative().default(300),
  refreshBeforeSeconds,
  tenantClaim: z.string().min(1).default('tenant_id'),
});

const oauth2Client = z.strictObject({
  clientId: z.string().min(1),
  clientSecret: secret.describe('The client secret: `env:NAME` or `file:PATH` (redacted everywhere).'),
  tokenUrl: httpUrl.optional().describe('Overrides the shared tokenUrl for this tenant.'),
  scope: z.string().optional(),
  audience: z.string().optional(),
  resource: z.string().optional(),
  params: z.record(z.string(), z.string()).optional().describe('Extra form parameters (merged over the shared ones).'),
});

const oauth2Tokens = z.strictObject({
  kind: z.literal('oauth2'),
  tokenUrl: httpUrl.optional().describe('Token endpoint (client-credentials grant, RFC 6749 §4.4), shared by the tenants.'),
  clientAuth: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  scope: z.string().optional(),
  audience: z.string().optional(),
  resource: z.string().optional(),
  params: z.record(z.string(), z.string()).optional().describe('Extra form parameters sent with every grant.'),
  clients: z.record(z.string(), oauth2Client).describe('Tenant id → its OAuth client.'),
  timeoutMs: positiveInt.default(10_000),
  refreshBeforeSeconds,
  tenantClaim: z.string().min(1).default('tenant_id'),
});

const loginTokens = z.strictObject({
  kind: z.literal('login'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH']).default('POST'),
  url: z.string().regex(/^https?:\/\/[^/\s]/i, 'expected an absolute http:// or https:// URL').describe('Login URL (absolute http(s)); `{{name}}` takes the tenant\'s value.'),
  headers: z.record(z.string(), z.string()).optional().describe('Header templates; a value may be `env:`/`file:`.'),
  body: z.unknown().optional().describe('JSON body template; `{{name}}` takes the tenant\'s value.'),
  form: z.record(z.string(), z.string()).optional().describe('Form body template (instead of `body`).'),
  values: z
    .record(z.string(), z.record(z.string(), z.string()))
    .describe('Tenant id → template values (`{{tenant}}` is the id); a value may be a secret `env:NAME`/`file:PATH`.'),
  token: z.union([z.strictObject({ jsonPath }), z.strictObject({ cookie: z.string().min(1).describe('Name of the Set-Cookie cookie holding the token.') })]),
  expiresInPath: jsonPath.optional().describe('JSON path of the token lifetime in seconds (e.g. `expires_in`).'),
  cacheSeconds: positiveInt.default(300).describe('Lifetime when neither `expiresInPath` nor a JWT `exp` says.'),
  timeoutMs: positiveInt.default(10_000),
  refreshBeforeSeconds,
  tenantClaim: z.string().min(1).default('tenant_id'),
});

export const tokensSchema = z.discriminatedUnion('kind', [mintTokens, staticTokens, commandTokens, oauth2Tokens, loginTokens]);
