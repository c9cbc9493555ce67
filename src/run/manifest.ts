import path from 'node:path';
import type { OperationConfig } from '../config/schema.ts';
import type { RunManifest } from '../core/types.ts';
import { FORGERIES } from '../identity/index.ts';
import { transportFacts } from '../execute/http-client.ts';
import type { HttpRunState } from './http-audit.ts';
import { transportOf } from './session.ts';
import type { DatabasePhase } from './database-phase.ts';
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
    ...(config.file ? { configFile: displayFile(config.file) } : {}),
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

/** An HTTP run's facts with its db phase's added: the database as a second target, its suites, rules, objects and tenants. */
export function assessmentManifestFacts(http: ManifestFacts, db: DatabasePhase): ManifestFacts {
  const outcome = db.outcome;
  const union = <T>(a: readonly T[], b: readonly T[], key: (t: T) => string) => [...new Map([...a, ...b].map((t) => [key(t), t])).values()];
  return {
    ...http,
    target: { ...http.target, database: outcome?.database ?? db.target },
    suites: union(http.suites, outcome?.suites ?? [], (s) => s.id),
    mutations: union(http.mutations, outcome?.mutations ?? [], (m) => m.id),
    operations: union(http.operations ?? [], outcome?.operations ?? [], (o) => o.id),
    tenants: union(http.tenants ?? [], outcome?.tenants ?? [], (t) => t),
  };
}

/** A file as a user would type it: relative to the working directory when below it. */
function displayFile(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
