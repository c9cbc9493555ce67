import type { OperationConfig } from '../config/schema.ts';
import type { RunManifest } from '../core/types.ts';
import { FORGERIES } from '../identity/index.ts';
import { transportFacts } from '../execute/http-client.ts';
import type { HttpRunState } from './http-audit.ts';
import { transportOf } from './session.ts';
import type { ManifestFacts } from './run-folder.ts';

/** What an HTTP run's manifest says about it: target, config, seed, suites, mutations and population. */
export function httpManifestFacts(state: HttpRunState): ManifestFacts {
  const { config } = state;
  return {
    kind: 'http',
    ...(state.shard ? { shard: state.shard } : {}),
    system: config.name,
    environment: config.environment,
    target: { baseUrl: config.target.baseUrl },
    transport: transportFacts(transportOf(config)),
    configHash: config.hash,
    config: config.redacted,
    seed: state.seed,
    runs: state.runs,
    command: state.command,
    suites: state.metas,
    mutations: state.mutations,
    ...(state.identity ? { identity: state.identity } : {}),
    operations: config.operations.map((op: OperationConfig) => ({ id: op.id, method: op.method, path: op.path, tenantScoped: op.tenantScoped })),
    tenants: config.tenants.map((t) => t.id),
    politeness: state.politeness.stats(),
    contract: state.contract.facts(state.notApplicable),
  };
}

export function mutationCatalogue(applicable: readonly string[]): RunManifest['mutations'] {
  return FORGERIES.filter((f) => applicable.includes(f.id)).map(({ id, title, family, description }) => ({ id, title, family, description }));
}
