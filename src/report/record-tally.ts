import type { EvidenceRecord, Family, PathKind } from '../core/types.ts';
import type { FailLevel, Verdict } from '../core/verdict.ts';
import { VERDICTS } from '../core/verdict.ts';
import { displayRank, isFailing } from '../judge/suite-status.ts';
import { emptyCounts } from './verdict-counts.ts';

/** What one suite's records add up to. */
export interface SuiteRecordTally {
  verdicts: Partial<Record<Verdict, number>>;
  findingVerdicts: Partial<Record<Verdict, number>>;
  controlsPassed: number;
  controlsFailed: number;
  /** Records of accepted deviations, and records under an active waiver: counted apart from the verdicts. */
  accepted: number;
  waived: number;
}

/** One coverage cell (suite × operation × family × path): its judged verdicts, its findings and a record to show. */
export interface CoverageCell {
  suite: string;
  operation: string;
  family: Family;
  path: PathKind;
  counts: Record<Verdict, number>;
  findingHashes: string[];
  findingVerdicts: Verdict[];
  example?: EvidenceRecord;
}

/** Everything the report model keeps from one pass over the records. */
export interface RecordTally {
  /** Per suite: the declared suites first (their order), then any only seen in records. */
  suites: Map<string, SuiteRecordTally>;
  cells: Map<string, CoverageCell>;
  findingRecords: EvidenceRecord[];
  /** Per suite, its first probe with a failing verdict. */
  firstFailingProbe: Map<string, EvidenceRecord>;
  /** Positive-control records kept for display: every failed one, and passed ones up to the limit per suite. */
  controlRecords: EvidenceRecord[];
  controlsTotal: number;
  controlsFailed: number;
  /** Every record, an unknown verdict replaced by `inconclusive`. */
  all: EvidenceRecord[];
  /** Verdicts of judged records (probe, db-check). */
  totalsByVerdict: Record<Verdict, number>;
  /** Verdicts of finding records. */
  findingTotals: Record<Verdict, number>;
  probedOps: Set<string>;
  /** Records of accepted deviations (`record.accepted`). */
  acceptedRecords: EvidenceRecord[];
  /** Records carrying a waiver mark, active or expired (`record.waiver`). */
  waivedRecords: EvidenceRecord[];
}

/**
 * Iterates the records once, counting per suite and per coverage cell. A verdict outside the vocabulary is counted
 * as `inconclusive` and reported in `problems`.
 */
export function tallyRecords(
  records: Iterable<EvidenceRecord>,
  declaredSuites: Iterable<string>,
  failOn: FailLevel,
  positiveControlsLimit: number,
  problems: string[],
): RecordTally {
  const tallies = new Map<string, SuiteRecordTally>();
  const tally = (suite: string): SuiteRecordTally => {
    let t = tallies.get(suite);
    if (!t) tallies.set(suite, (t = { verdicts: {}, findingVerdicts: {}, controlsPassed: 0, controlsFailed: 0, accepted: 0, waived: 0 }));
    return t;
  };
  for (const id of declaredSuites) tally(id);

  const cells = new Map<string, CoverageCell>();
  const findingRecords: EvidenceRecord[] = [];
  const firstFailingProbe = new Map<string, EvidenceRecord>();
  const controlRecords: EvidenceRecord[] = [];
  let controlsTotal = 0;
  let controlsFailed = 0;
  const all: EvidenceRecord[] = [];
  const totalsByVerdict = emptyCounts();
  const findingTotals = emptyCounts();
  const probedOps = new Set<string>();
  const acceptedRecords: EvidenceRecord[] = [];
  const waivedRecords: EvidenceRecord[] = [];

  for (const raw of records) {
    // Defensive: a verdict outside the vocabulary never counts as judged-and-passed (readers already refuse it).
    const r = (VERDICTS as readonly string[]).includes(raw.verdict) ? raw : { ...raw, verdict: 'inconclusive' as const };
    if (r !== raw) problems.push(`record seq ${raw.seq} has unknown verdict ${JSON.stringify(raw.verdict)}: counted as inconclusive`);
    all.push(r);
    const t = tally(r.suite);
    if (r.kind === 'control') {
      controlsTotal += 1;
      const live = r.verdict === 'pass';
      if (live) t.controlsPassed += 1;
      else {
        t.controlsFailed += 1;
        controlsFailed += 1;
      }
      if (!live || t.controlsPassed <= positiveControlsLimit) controlRecords.push(r);
      continue;
    }
    if (r.waiver) waivedRecords.push(r);
    // Accepted deviations and findings under an active waiver are listed in their own sections, never counted as
    // a pass or a failure (the run counted them the same way: see `RunTally.count`).
    if (r.accepted || r.waiver?.status === 'active') {
      if (r.accepted) {
        t.accepted += 1;
        acceptedRecords.push(r);
      } else t.waived += 1;
      continue;
    }
    if (r.kind === 'finding') {
      t.findingVerdicts[r.verdict] = (t.findingVerdicts[r.verdict] ?? 0) + 1;
      findingTotals[r.verdict] += 1;
      findingRecords.push(r);
    } else {
      t.verdicts[r.verdict] = (t.verdicts[r.verdict] ?? 0) + 1;
      totalsByVerdict[r.verdict] += 1;
      if (isFailing(r.verdict, failOn) && !firstFailingProbe.has(r.suite)) firstFailingProbe.set(r.suite, r);
    }
    const op = r.operation ?? '(none)';
    probedOps.add(op);
    const key = `${r.suite}\u0000${op}\u0000${r.family}\u0000${r.path}`;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { suite: r.suite, operation: op, family: r.family, path: r.path, counts: emptyCounts(), findingHashes: [], findingVerdicts: [] }));
    if (r.kind === 'finding') {
      cell.findingHashes.push(r.hash);
      cell.findingVerdicts.push(r.verdict);
      continue;
    }
    cell.counts[r.verdict] += 1;
    if ((isFailing(r.verdict, failOn) || r.verdict === 'inconclusive') && (!cell.example || displayRank(r.verdict) > displayRank(cell.example.verdict))) cell.example = r;
  }

  return { suites: tallies, cells, findingRecords, firstFailingProbe, controlRecords, controlsTotal, controlsFailed, all, totalsByVerdict, findingTotals, probedOps, acceptedRecords, waivedRecords };
}
