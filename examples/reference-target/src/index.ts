/** Programmatic API of the reference target: a multi-tenant service built fail-closed, with seeded-bug modes. */
export { MODES, isMode, bugsFor, type Bugs, type Mode } from './modes.ts';
export { TENANTS, DEFAULT_TENANT } from './tenants.ts';
export {
  startReferenceTarget,
  PROVIDER_WEBHOOK_SECRET_ENV,
  DEFAULT_PROVIDER_SECRET,
  type StartOptions,
  type RunningTarget,
} from './target.ts';
export { type RouteSummary, type AuthPolicy } from './http.ts';
export { openApiDocument } from './openapi/index.ts';
export { loadTestIssuer, ISSUER, AUDIENCE, ISSUER_KID, TENANT_CLAIM, type TestIssuer, type MintClaims } from './issuer.ts';
export { callbackSecretFor, CALLBACK_SIGNATURE_HEADER, CALLBACK_TENANT_HEADER, type CallbackPayload } from './callbacks.ts';
export { PROVIDER_SIGNATURE_HEADER } from './routes/webhooks.ts';
export { hmacSignature } from './signatures.ts';
export { renderOutput, RETRY_BACKOFF_MS } from './worker.ts';
export { migrate, MIGRATIONS_DIR, MODE_SQL_DIR } from './migrate.ts';
export { APP_ROLE, WORKER_ROLE } from './db-urls.ts';
export { MissingTenantContextError } from './tenant-context.ts';
