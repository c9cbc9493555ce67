import type { ResolvedConfig } from '../config/resolve.ts';
import type { OperationConfig } from '../config/schema.ts';
import type { Exchange, OutgoingRequest } from '../core/exchange.ts';
import type { HttpClient } from '../execute/http-client.ts';
import type { JudgeRules } from '../judge/types.ts';
import type { Credentials } from '../identity/index.ts';
import type { FixtureStore } from './fixtures.ts';

/** What every stage of one run shares. */
export interface EngineContext {
  config: ResolvedConfig;
  client: HttpClient;
  credentials: Credentials;
  fixtures: FixtureStore;
  operations: ReadonlyMap<string, OperationConfig>;
  rules: JudgeRules;
  /** Sends a request with the tenant's legit token. */
  sendAs(tenant: string, request: OutgoingRequest): Promise<Exchange>;
}

export function judgeRulesOf(config: ResolvedConfig): JudgeRules {
  return {
    rejectStatuses: config.rejection.statuses,
    rejectBodies: config.rejection.bodyMatchers,
    emptyPaths: config.empty.map((e) => e.jsonPath),
    redirects: config.rejection.redirects,
  };
}

export function legitSender(client: HttpClient, credentials: Credentials) {
  return async (tenant: string, request: OutgoingRequest): Promise<Exchange> => {
    const authorization = await credentials.authorization({ kind: 'legit', tenant });
    return client.send({ ...request, headers: { ...request.headers, ...(authorization ? { authorization } : {}) } });
  };
}

/** The read operation of a fixture (used to see whether a foreign object changed). */
export function readOperationOf(ctx: EngineContext, fixture: string | undefined): OperationConfig | undefined {
  if (!fixture) return undefined;
  return [...ctx.operations.values()].find((op) => op.kind === 'read' && op.fixture === fixture);
}

/** The shared context of one run, once the session is open and fixtures exist. */
export function createEngineContext(
  config: ResolvedConfig,
  session: { client: HttpClient; credentials: Credentials },
  fixtures: FixtureStore,
): EngineContext {
  return {
    config,
    client: session.client,
    credentials: session.credentials,
    fixtures,
    operations: new Map(config.operations.map((op) => [op.id, op])),
    rules: judgeRulesOf(config),
    sendAs: legitSender(session.client, session.credentials),
  };
}
