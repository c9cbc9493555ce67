import fc from 'fast-check';
import { verdictRank } from '../core/verdict.ts';
import type { Cell } from '../generate/space.ts';
import type { CaseResult } from './execute-probe.ts';

export interface CellRunOptions<T> {
  seed: number;
  /** Random runs after the cell's examples. */
  runs: number;
  /** Verdicts at or above this rank make the property fail (and get shrunk into a finding). */
  findingRank: number;
  /** Distinct failures (verdict, reason) reported per cell at most. */
  maxFindings?: number;
  execute(value: T): Promise<CaseResult>;
  /** Identity of a value for the result cache; undefined: always execute (stateful scenarios). */
  cacheKey?: (value: T) => string | undefined;
  /** True for a case the declared contract accepts: it never fails the property (no finding is shrunk from it). */
  accepted?: (result: CaseResult) => boolean;
  /** Called once for every case fired, including those tried while shrinking. */
  onProbe(result: CaseResult): Promise<void>;
  /** True when the run must stop (budget, interrupt): remaining runs are skipped. */
  stopped(): boolean;
}

export interface CellFinding {
  result: CaseResult;
  replayPath: string;
  shrinks: number;
}

export interface CellOutcome {
  cell: Cell<unknown>;
  seed: number;
  probes: number;
  /** One minimal counterexample per distinct way the cell failed (verdict and reason), worst first. */
  findings: CellFinding[];
  interrupted: boolean;
}

/**
 * Runs one cell as a fast-check property until it passes. Each failure is shrunk only while it fails the
 * same way (verdict and reason), so a leak never shrinks into an unrelated soft-fail; then the property is
 * checked again with that failure known, so one failure cannot hide a worse one in the same cell. Re-checking
 * costs no requests: the repeated runs are answered from the previous check, probes tried while shrinking from
 * a cache.
 */
export async function runCell<T>(cell: Cell<T>, options: CellRunOptions<T>): Promise<CellOutcome> {
  const cache = new Map<string, CaseResult>();
  let fired = 0;
  const known = new Set<string>();
  const findings: CellFinding[] = [];
  const maxFindings = options.maxFindings ?? 6;

  const fire = async (value: T): Promise<CaseResult> => {
    const key = options.cacheKey?.(value);
    const cached = key === undefined ? undefined : cache.get(key);
    if (cached) return cached;
    const result = await options.execute(value);
    fired++;
    if (key !== undefined) cache.set(key, result);
    await options.onProbe(result);
    return result;
  };
  const failureKey = (result: CaseResult): string | undefined => {
    const { verdict, reason } = result.judgement;
    if (verdict === 'inconclusive' || verdictRank(verdict) < options.findingRank || options.accepted?.(result)) return undefined;
    return `${verdict}/${reason}`;
  };

  // Each check repeats the previous one's runs (same seed, same values) up to where it failed: those are answered
  // from its results in order, so a scenario (which has no cache key) is not fired, recorded and counted again.
  let replay: CaseResult[] = [];
  while (findings.length < maxFindings && !options.stopped()) {
    let target: string | undefined;
    let lastFailing: CaseResult | undefined;
    const history: CaseResult[] = [];
    const property = fc.asyncProperty(cell.arbitrary, async (value) => {
      if (options.stopped()) return true;
      const inRuns = target === undefined; // before the first failure: the runs; after it, shrinking
      const result = inRuns && history.length < replay.length ? replay[history.length]! : await fire(value);
      if (inRuns) history.push(result);
      const key = failureKey(result);
      if (key === undefined || known.has(key) || (target !== undefined && key !== target)) return true;
      target ??= key;
      lastFailing = result;
      return false;
    });
    const details = await fc.check(property, {
      seed: options.seed,
      numRuns: cell.examples.length + options.runs,
      examples: cell.examples.map((value) => [value] as [T]),
    });
    if (details.failed && !lastFailing && details.errorInstance !== undefined && details.errorInstance !== null) {
      // The executor itself threw (a harness bug or a broken scenario): never let that pass silently.
      throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
    }
    if (!details.failed || !lastFailing || target === undefined) break;
    known.add(target);
    replay = history;
    findings.push({ result: lastFailing, replayPath: details.counterexamplePath ?? '', shrinks: details.numShrinks });
  }
  findings.sort((a, b) => verdictRank(b.result.judgement.verdict) - verdictRank(a.result.judgement.verdict));
  return { cell: cell as Cell<unknown>, seed: options.seed, probes: fired, findings, interrupted: options.stopped() };
}

/** A cell's seed: the run seed mixed with the cell key, so `--suite X --seed S` replays X's probes exactly. */
export function cellSeed(runSeed: number, key: string): number {
  let hash = 2166136261;
  for (const ch of key) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619);
  return (runSeed ^ hash) | 0;
}

