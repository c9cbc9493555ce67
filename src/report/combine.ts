import { TenancyAuditError } from '../core/errors.ts';
import type { ContractFacts, PolitenessSummary, RunManifest } from '../core/types.ts';
import { sha256Hex } from '../evidence/hash.ts';

/** A shard folder and its manifest. */
export interface ShardManifest {
  dir: string;
  manifest: RunManifest;
}

/** Manifest fields of a merged run that do not depend on its evidence file. */
export type CombinedManifest = Omit<RunManifest, 'signature' | 'counts' | 'headHash' | 'evidenceSha256' | 'exitCode' | 'sources' | 'command'>;

/**
 * Checks that the folders are distinct shards of one run (same config hash, seed, kind and shard total) and
 * returns them in shard order with the fields of the merged manifest. Anything else is a `TA_USAGE` error
 * naming the folders that differ.
 */
export function combineShards(shards: readonly ShardManifest[]): { ordered: ShardManifest[]; combined: CombinedManifest } {
  if (shards.length === 0) throw new TenancyAuditError('TA_USAGE', 'No run folders to merge');
  // Whole runs of different kinds (an HTTP run and a data-layer run) combine into one assessment.
  if (shards.length > 1 && shards.every((s) => !s.manifest.shard) && new Set(shards.map((s) => s.manifest.kind)).size === shards.length) return combineKinds(shards);
  for (const s of shards) {
    if (!s.manifest.shard) {
      throw new TenancyAuditError('TA_USAGE', `Cannot merge ${s.dir}: its manifest has no shard (it is a whole run, not a shard)`, {
        hint: 'Pass only the shard folders of one `tenancy-audit run --shard i/n` matrix, one whole run of each kind (an HTTP run and a db run) to combine them into one assessment, or a single run folder alone.',
      });
    }
  }
  const first = shards[0] as ShardManifest;
  const differs = (what: string, get: (m: RunManifest) => unknown): void => {
    const other = shards.find((s) => JSON.stringify(get(s.manifest)) !== JSON.stringify(get(first.manifest)));
    if (other) {
      throw new TenancyAuditError(
        'TA_USAGE',
        `Cannot merge shards of different runs: ${what} differs (${first.dir}: ${JSON.stringify(get(first.manifest))}, ${other.dir}: ${JSON.stringify(get(other.manifest))})`,
        { hint: 'Shards of one run share the config hash, seed and shard total; re-run the matrix with one configuration.' },
      );
    }
  };
  differs('configHash', (m) => m.configHash);
  differs('seed', (m) => m.seed);
  differs('kind', (m) => m.kind);
  differs('shard total', (m) => m.shard?.total);
  const ordered = [...shards].sort((a, b) => (a.manifest.shard?.index ?? 0) - (b.manifest.shard?.index ?? 0));
  ordered.forEach((s, i) => {
    const prev = ordered[i - 1];
    if (prev && prev.manifest.shard?.index === s.manifest.shard?.index) {
      throw new TenancyAuditError('TA_USAGE', `Cannot merge: ${prev.dir} and ${s.dir} are both shard ${s.manifest.shard?.index}/${s.manifest.shard?.total}`);
    }
  });

  const m0 = (ordered[0] as ShardManifest).manifest;
  const total = m0.shard?.total ?? ordered.length;
  const runIds = [...new Set(ordered.map((s) => s.manifest.runId))];
  const runId = runIds.length === 1 ? (runIds[0] as string) : `merged-${sha256Hex(runIds.sort().join('\n')).slice(0, 16)}`;
  const incomplete: string[] = [];
  if (ordered.length < total) {
    const have = new Set(ordered.map((s) => s.manifest.shard?.index));
    const base = Math.min(...ordered.map((s) => s.manifest.shard?.index ?? 0)) === 0 ? 0 : 1;
    const missing = Array.from({ length: total }, (_, i) => i + base).filter((i) => !have.has(i));
    incomplete.push(`${total - ordered.length} of ${total} shards missing (${missing.map((i) => `${i}/${total}`).join(', ')})`);
  }
  for (const s of ordered) {
    if (!s.manifest.complete) incomplete.push(`shard ${s.manifest.shard?.index}/${total} incomplete${s.manifest.incompleteReason ? `: ${s.manifest.incompleteReason}` : ''}`);
  }
  const times = (pick: (m: RunManifest) => string) => ordered.map((s) => pick(s.manifest)).filter((t) => !Number.isNaN(Date.parse(t)));
  const starts = times((m) => m.startedAt).sort((a, b) => Date.parse(a) - Date.parse(b));
  const ends = times((m) => m.endedAt).sort((a, b) => Date.parse(a) - Date.parse(b));
  const unionBy = <T>(pick: (m: RunManifest) => readonly T[] | undefined, key: (t: T) => string): T[] => {
    const seen = new Map<string, T>();
    for (const s of ordered) for (const item of pick(s.manifest) ?? []) if (!seen.has(key(item))) seen.set(key(item), item);
    return [...seen.values()];
  };
  const { shard: _shard, signature: _sig, counts: _c, headHash: _h, evidenceSha256: _e, exitCode: _x, sources: _s, command: _cmd, incompleteReason: _r, genesisHash: _g, politeness: _p, ...rest } = m0;
  const combined: CombinedManifest = {
    ...rest,
    runId,
    startedAt: starts[0] ?? m0.startedAt,
    endedAt: ends[ends.length - 1] ?? m0.endedAt,
    complete: incomplete.length === 0,
    suites: unionBy((m) => m.suites, (s) => s.id),
    mutations: unionBy((m) => m.mutations, (x) => x.id),
    operations: unionBy((m) => m.operations, (o) => o.id),
    tenants: unionBy((m) => m.tenants, (t) => t),
  };
  if (incomplete.length > 0) combined.incompleteReason = incomplete.join('; ');
  const politeness = combinedPoliteness(ordered.map((s) => s.manifest.politeness));
  if (politeness) combined.politeness = politeness;
  const contract = combinedContract(ordered.map((s) => s.manifest.contract));
  if (contract) combined.contract = contract;
  return { ordered, combined };
}

/** Shards' politeness added up (the lowest rate is the lowest any shard reached); none when no shard recorded it. */
function combinedPoliteness(list: readonly (PolitenessSummary | undefined)[]): PolitenessSummary | undefined {
  const present = list.filter((p): p is PolitenessSummary => p !== undefined);
  if (present.length === 0) return undefined;
  const total = (pick: (p: PolitenessSummary) => number) => present.reduce((n, p) => n + pick(p), 0);
  return { backoffs: total((p) => p.backoffs), refused: total((p) => p.refused), retried: total((p) => p.retried), waitedMs: total((p) => p.waitedMs), minRate: Math.min(...present.map((p) => p.minRate)) };
}

/**
 * Whole runs of different kinds as one assessment: the HTTP run first, then the data-layer run; suites, mutations,
 * operations and tenants are the union, the target names both, the time span covers both, and the configuration
 * hash covers each run's. Each run's seed stays in its records (the manifest keeps the HTTP run's).
 */
function combineKinds(runs: readonly ShardManifest[]): { ordered: ShardManifest[]; combined: CombinedManifest } {
  const ordered = [...runs].sort((a, b) => Number(a.manifest.kind === 'db') - Number(b.manifest.kind === 'db'));
  const m0 = (ordered[0] as ShardManifest).manifest;
  const all = ordered.map((s) => s.manifest);
  const union = <T>(pick: (m: RunManifest) => readonly T[] | undefined, key: (t: T) => string): T[] => [...new Map(all.flatMap((m) => [...(pick(m) ?? [])]).map((t) => [key(t), t])).values()];
  const sorted = (pick: (m: RunManifest) => string) => all.map(pick).filter((t) => !Number.isNaN(Date.parse(t))).sort((a, b) => Date.parse(a) - Date.parse(b));
  const incomplete = all.filter((m) => !m.complete).map((m) => `${m.kind} run ${m.runId} incomplete${m.incompleteReason ? `: ${m.incompleteReason}` : ''}`);
  const { shard: _shard, signature: _sig, counts: _c, headHash: _h, evidenceSha256: _e, exitCode: _x, sources: _s, command: _cmd, incompleteReason: _r, genesisHash: _g, previous: _p, ...rest } = m0;
  const combined: CombinedManifest = {
    ...rest,
    runId: `assessment-${sha256Hex(all.map((m) => m.runId).join('\n')).slice(0, 16)}`,
    target: Object.assign({}, ...all.map((m) => m.target)) as RunManifest['target'],
    configHash: sha256Hex(all.map((m) => `${m.kind}:${m.configHash}`).join('\n')),
    config: Object.fromEntries(all.map((m) => [m.kind, m.config])),
    startedAt: sorted((m) => m.startedAt)[0] ?? m0.startedAt,
    endedAt: sorted((m) => m.endedAt).at(-1) ?? m0.endedAt,
    complete: incomplete.length === 0,
    suites: union((m) => m.suites, (x) => x.id),
    mutations: union((m) => m.mutations, (x) => x.id),
    operations: union((m) => m.operations, (x) => x.id),
    tenants: union((m) => m.tenants, (t) => t),
  };
  if (incomplete.length > 0) combined.incompleteReason = incomplete.join('; ');
  return { ordered, combined };
}

/**
 * Shards' declared contract: the same rules (one config), their matches added up; a waiver is stale only when no
 * shard matched it, and expired when a shard that matched it found it expired.
 */
function combinedContract(list: readonly (ContractFacts | undefined)[]): ContractFacts | undefined {
  const present = list.filter((c): c is ContractFacts => c !== undefined);
  if (present.length === 0) return undefined;
  const [first] = present as [ContractFacts];
  return {
    notApplicable: first.notApplicable,
    accepted: first.accepted.map((rule) => ({ ...rule, matched: present.reduce((n, c) => n + (c.accepted[rule.rule]?.matched ?? 0), 0) })),
    waivers: first.waivers.map((w) => {
      const matches = present.map((c) => c.waivers[w.rule]).filter((x) => x !== undefined && x.matched > 0);
      const matched = matches.reduce((n, x) => n + x!.matched, 0);
      return { ...w, matched, status: matched === 0 ? 'stale' : matches.some((x) => x!.status === 'expired') ? 'expired' : 'active' };
    }),
  };
}
