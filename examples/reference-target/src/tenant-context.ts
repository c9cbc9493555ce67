import { AsyncLocalStorage } from 'node:async_hooks';

/** What rides with every request and every job across async boundaries. */
export interface RequestContext {
  readonly requestId: string;
  /** Set once at the edge from the verified token (or, for a job, from the stored job row). */
  readonly tenantId: string | undefined;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Thrown by the data layer when tenant-scoped data is touched without a tenant in context. */
export class MissingTenantContextError extends Error {
  readonly requestId: string | undefined;
  readonly operation: string;

  constructor(operation: string, requestId: string | undefined) {
    super(`no tenant in context for data access "${operation}" (request ${requestId ?? 'none'})`);
    this.name = 'MissingTenantContextError';
    this.operation = operation;
    this.requestId = requestId;
  }
}

/**
 * The tenant of the current context, or a hard failure that is logged with its stack and request id.
 * Called before any tenant-scoped query is sent: there is no default tenant and no global scope.
 */
export function requireTenant(operation: string, log: (line: string) => void): string {
  const context = storage.getStore();
  if (context?.tenantId) return context.tenantId;
  const error = new MissingTenantContextError(operation, context?.requestId);
  log(`ERROR request_id=${context?.requestId ?? 'none'} ${error.stack ?? error.message}`);
  throw error;
}
