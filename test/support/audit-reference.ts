import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { readEvidence } from '../../src/evidence/index.ts';
import { run, type RunResult } from '../../src/index.ts';
import type { EvidenceRecord } from '../../src/core/types.ts';
import { startReferenceTarget, type Mode, type RunningTarget } from '../../examples/reference-target/src/index.ts';

export const REFERENCE_CONFIG = path.resolve('examples/reference-target/tenancy-audit.config.yaml');

export interface AuditOutcome {
  result: RunResult;
  records: EvidenceRecord[];
  findings: EvidenceRecord[];
  /** Worst verdict per suite over probes, findings and controls. */
  verdicts: Record<string, string[]>;
}

/** Starts the reference target in `mode`, audits it through the public API, and reads back the evidence. */
export async function auditReference(
  mode: Mode,
  options: { suites?: string[]; seed?: number; runs?: number; target?: RunningTarget } = {},
): Promise<AuditOutcome> {
  const target = options.target ?? (await startReferenceTarget({ mode, failFirstAttempt: true }));
  const reportDir = await fs.mkdtemp(path.join(os.tmpdir(), `ta-audit-${mode}-`));
  try {
    const result = await run({
      config: REFERENCE_CONFIG,
      target: target.url,
      reportDir,
      seed: options.seed ?? 1234,
      runs: options.runs ?? 5,
      ...(options.suites ? { suites: options.suites } : {}),
    });
    const { records } = await readEvidence(result.dir);
    const verdicts: Record<string, string[]> = {};
    for (const r of records) (verdicts[r.suite] ??= []).includes(r.verdict) || verdicts[r.suite]!.push(r.verdict);
    return { result, records, findings: records.filter((r) => r.kind === 'finding'), verdicts };
  } finally {
    if (!options.target) await target.stop();
  }
}

export async function cleanup(outcome: AuditOutcome | undefined): Promise<void> {
  if (outcome) await fs.rm(path.dirname(outcome.result.dir), { recursive: true, force: true });
}

/** An `audit(mode)` for one test file: same options for every mode, run folders removed after the file. */
export function auditedModes(defaults: { suites?: string[]; runs?: number } = {}) {
  const outcomes: AuditOutcome[] = [];
  afterAll(() => Promise.all(outcomes.map(cleanup)));
  return async (mode: Mode, options: { suites?: string[]; runs?: number; seed?: number } = {}): Promise<AuditOutcome> => {
    const outcome = await auditReference(mode, { ...defaults, ...options });
    outcomes.push(outcome);
    return outcome;
  };
}
