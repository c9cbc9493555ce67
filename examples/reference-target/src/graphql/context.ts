import type { IncomingHttpHeaders } from 'node:http';
import type { App } from '../app.ts';
import { identifyCaller, operationTenant } from '../edge.ts';
import { collectTenantAssertions, type TenantAssertion } from '../tenant-assertions.ts';
import { runWithContext } from '../tenant-context.ts';

/** One GraphQL request: the HTTP facts every field is authenticated and scoped from. */
export interface GraphqlContext {
  app: App;
  requestId: string;
  authorization: string | undefined;
  /** Tenant assertions of the HTTP request itself (X-Tenant-ID header, query, cookie). */
  httpAssertions: readonly TenantAssertion[];
}

export function graphqlContext(app: App, requestId: string, headers: IncomingHttpHeaders, query: URLSearchParams): GraphqlContext {
  return {
    app,
    requestId,
    authorization: headers.authorization,
    httpAssertions: collectTenantAssertions({ headers, query, body: undefined, params: {} }),
  };
}

export interface FieldOperation {
  /** `list` fields get the list policy of the HTTP face (the two seeded missing-identity bugs). */
  policy: 'required' | 'list';
  /** The HTTP method this field stands for (the body-override bug applies to POST/PATCH). */
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A mutation's `input`: its `tenantId` is an assertion like a body field. */
  input?: Record<string, unknown>;
}

/**
 * Runs one field as the HTTP edge runs one route: identity from the token (edge.ts), every tenant
 * assertion checked, then the resolver inside the tenant context the data layer reads.
 */
export async function inTenant<T>(context: GraphqlContext, operation: FieldOperation, run: () => Promise<T>, softEmpty?: () => T): Promise<T> {
  const caller = await identifyCaller(context.app, operation.policy, context.authorization);
  if (caller.kind === 'soft-empty') {
    if (!softEmpty) throw new Error('a soft-empty answer needs a list field');
    return softEmpty();
  }
  let tenantId: string | undefined;
  if (caller.kind === 'identified') {
    const assertions = [...context.httpAssertions, ...inputAssertions(operation.input)];
    tenantId = operationTenant(context.app, caller.identity, assertions, operation.method);
  }
  return runWithContext({ requestId: context.requestId, tenantId }, run);
}

function inputAssertions(input: Record<string, unknown> | undefined): TenantAssertion[] {
  if (!input || input['tenantId'] === undefined) return [];
  return [{ channel: 'body', name: 'input.tenantId', value: input['tenantId'] }];
}
