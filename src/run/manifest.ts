import type { ResolvedConfig } from '../config/resolve.ts';
import type { OperationConfig } from '../config/schema.ts';
import type { RunManifest, SuiteMeta } from '../core/types.ts';
import type { EvidenceWriter } from '../evidence/index.ts';
import { FORGERIES } from '../identity/index.ts';
import { describeRunContext, TOOL_VERSION } from './context-info.ts';
import type { Shard } from './plan.ts';

export interface ManifestBase {
  config: ResolvedConfig;
  runId: string;
  seed: number;
  runs: number;
  startedAt: string;
  metas: SuiteMeta[];
  command: string;
  shard?: Shard;
}

export function manifestOf(
  base: ManifestBase,
  writer: EvidenceWriter,
  end: { complete: boolean; incompleteReason?: string; exitCode: number; endedAt: string; mutations: RunManifest['mutations'] },
): Omit<RunManifest, 'signature'> {
  const { config } = base;
  return {
    v: 1,
    tool: { name: 'tenancy-audit', version: TOOL_VERSION },
    kind: 'http',
    runId: base.runId,
    ...(base.shard ? { shard: base.shard } : {}),
    startedAt: base.startedAt,
    endedAt: end.endedAt,
    complete: end.complete,
    ...(end.incompleteReason ? { incompleteReason: end.incompleteReason } : {}),
    system: config.name,
    environment: config.environment,
    target: { baseUrl: config.target.baseUrl },
    configHash: config.hash,
    config: config.redacted,
    seed: base.seed,
    runs: base.runs,
    command: base.command,
    operator: describeRunContext(),
    suites: base.metas,
    mutations: end.mutations,
    operations: config.operations.map((op: OperationConfig) => ({ id: op.id, method: op.method, path: op.path, tenantScoped: op.tenantScoped })),
    tenants: config.tenants.map((t) => t.id),
    counts: writer.counts(),
    headHash: writer.headHash,
    evidenceSha256: writer.evidenceSha256(),
    exitCode: end.exitCode,
  };
}

export function mutationCatalogue(applicable: readonly string[]): RunManifest['mutations'] {
  return FORGERIES.filter((f) => applicable.includes(f.id)).map(({ id, title, family, description }) => ({ id, title, family, description }));
}
