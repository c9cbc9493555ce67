import type { App } from './app.ts';
import type { Identity } from './auth.ts';
import { NoIdentityError } from './errors.ts';
import { resolveRequestTenant, type TenantAssertion } from './tenant-assertions.ts';

/**
 * Who is calling, for one operation with one auth policy. Shared by the HTTP routes (server.ts) and the
 * GraphQL fields (graphql/), so both faces authenticate, and carry the two seeded bugs of a missing
 * identity, through the same code.
 */
export type Caller =
  | { kind: 'identified'; identity: Identity }
  /** Seeded `soft-fail-empty`: a list without identity answers "nothing". */
  | { kind: 'soft-empty' }
  /** Seeded `session-setting-leak`: a list served without identity, "RLS will scope it". */
  | { kind: 'anonymous' };

export async function identifyCaller(app: App, policy: 'required' | 'list', authorization: string | undefined): Promise<Caller> {
  try {
    return { kind: 'identified', identity: await app.authenticate(authorization) };
  } catch (error) {
    if (!(error instanceof NoIdentityError) || policy !== 'list') throw error;
    if (app.bugs.softFailEmpty) return { kind: 'soft-empty' }; // seeded bug: silent empty scope
    if (!app.bugs.sessionSettingLeak) throw error;
    return { kind: 'anonymous' }; // seeded bug `session-setting-leak`: lists are served without identity
  }
}

/** The operation's tenant: the token's, with every other assertion checked (403 on a mismatch). */
export function operationTenant(app: App, identity: Identity, assertions: readonly TenantAssertion[], method: string): string {
  const tenantId = resolveRequestTenant(identity.tenantId, assertions, { method, bugs: app.bugs, knownTenants: app.knownTenants });
  app.state.lastSeenTenant = tenantId;
  return tenantId;
}
