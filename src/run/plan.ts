import { TenancyAuditError } from '../core/errors.ts';
import type { ScenarioCell } from '../generate/scenario.ts';
import type { ProbeCell, ProbeSpace } from '../generate/space.ts';
import type { HttpSuiteDefinition } from '../suite/http.ts';

export interface PlannedCell {
  suite: HttpSuiteDefinition;
  cell: ProbeCell | ScenarioCell<unknown>;
  /** Cells that change data run after the read-only ones, one at a time. */
  writes: boolean;
}

/**
 * One shard of a run split across CI jobs: shard `index` (1-based) of `total`. Every shard must use the same seed;
 * `tenancy-audit report` merges the shard runs back into one.
 */
export interface Shard {
  index: number;
  total: number;
}

/** Every cell of the selected suites, in a stable order (`shardOf` picks a shard's share of it). */
export function planCells(suites: readonly HttpSuiteDefinition[], space: ProbeSpace): PlannedCell[] {
  const writeOps = new Set(space.operations.filter((op) => op.kind !== 'list' && op.kind !== 'read').map((op) => op.id));
  return suites.flatMap((suite) =>
    suite
      .cells(space)
      .filter((cell): cell is ProbeCell | ScenarioCell<unknown> => cell !== undefined)
      .map((cell) => ({ suite, cell, writes: cell.kind === 'scenario' || writeOps.has(cell.operation) })),
  );
}

/** The cells one shard owns: every `total`-th cell of the stable order, starting at `index`. */
export function shardOf<T>(cells: readonly T[], shard: Shard): T[] {
  return cells.filter((_, i) => i % shard.total === shard.index - 1);
}

/** Whether a (suite, operation) pair belongs to this shard, so per-operation records are written once across shards. */
export function ownsKey(key: string, shard?: Shard): boolean {
  if (!shard) return true;
  let hash = 0;
  for (const ch of key) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % shard.total === shard.index - 1;
}

/** `--shard i/n` (1 ≤ i ≤ n); anything else is a usage error. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const [index, total] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (index < 1 || total < 1 || index > total) {
    throw new TenancyAuditError('TA_USAGE', `--shard "${text}" is not of the form i/n`, { hint: 'For example --shard 2/3.' });
  }
  return { index, total };
}
