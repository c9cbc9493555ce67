import fc from 'fast-check';
import { verdictRank, type Verdict } from '../core/verdict.ts';
import type { Probe } from '../generate/probe.ts';
import type { ProbeCell } from '../generate/space.ts';
import type { ProbeResult } from './execute-probe.ts';

export interface CellRunOptions {
  seed: number;
  /** Random runs after the cell's examples. */
  runs: number;
  /** Verdicts at or above this rank make the property fail (and get shrunk into a finding). */
  findingRank: number;
  execute(probe: Probe): Promise<ProbeResult>;
  /** Called for every probe fired, including those tried while shrinking. */
  onProbe(result: ProbeResult, phase: 'explore' | 'shrink'): Promise<void>;
  /** True when the run must stop (budget, interrupt): remaining runs are skipped. */
  stopped(): boolean;
}

export interface CellOutcome {
  cell: ProbeCell;
  seed: number;
  probes: number;
  /** The minimal counterexample, when the property failed. */
  finding?: { result: ProbeResult; replayPath: string; shrinks: number; firstVerdict: Verdict };
  interrupted: boolean;
}

/**
 * Runs one cell as a fast-check property. The shrinker keeps a smaller counterexample only while it
 * fails the same way (same verdict and reason), so a leak never shrinks into an unrelated soft-fail.
 */
export async function runCell(cell: ProbeCell, options: CellRunOptions): Promise<CellOutcome> {
  let failureKey: string | undefined;
  let lastFailing: ProbeResult | undefined;
  let firstVerdict: Verdict | undefined;
  let probes = 0;
  const property = fc.asyncProperty(cell.arbitrary, async (probe) => {
    if (options.stopped()) return true;
    const result = await options.execute(probe);
    probes++;
    await options.onProbe(result, failureKey === undefined ? 'explore' : 'shrink');
    const { verdict, reason } = result.judgement;
    if (verdictRank(verdict) < options.findingRank || verdict === 'inconclusive') return true;
    const key = `${verdict}/${reason}`;
    if (failureKey !== undefined && key !== failureKey) return true;
    failureKey ??= key;
    firstVerdict ??= verdict;
    lastFailing = result;
    return false;
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: cell.examples.length + options.runs,
    examples: cell.examples.map((probe) => [probe] as [Probe]),
    maxSkipsPerRun: 0,
  });
  const outcome: CellOutcome = { cell, seed: options.seed, probes, interrupted: options.stopped() };
  if (details.failed && lastFailing && firstVerdict) {
    outcome.finding = { result: lastFailing, replayPath: details.counterexamplePath ?? '', shrinks: details.numShrinks, firstVerdict };
  }
  return outcome;
}

/** A cell's seed: the run seed mixed with the cell key, so `--suite X --seed S` replays X's probes exactly. */
export function cellSeed(runSeed: number, key: string): number {
  let hash = 2166136261;
  for (const ch of key) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619);
  return (runSeed ^ hash) | 0;
}
