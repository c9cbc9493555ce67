import type { SuiteMeta } from '../core/types.ts';
import type { Verdict } from '../core/verdict.ts';
import type { EvidenceStep } from '../core/types.ts';

/** What a run tells its reporters as it goes (the CLI's terminal output is one such reporter). */
export type AuditEvent =
  | { type: 'run-start'; runId: string; dir: string; target: string; seed: number; suites: SuiteMeta[] }
  | { type: 'phase'; name: 'fixtures' | 'controls' | 'probes' | 'teardown' | 'report'; detail?: string }
  | { type: 'control'; operation: string; tenant: string; verdict: Verdict; detail: string }
  | { type: 'probe'; suite: string; verdict: Verdict; requests: number }
  | {
      type: 'finding';
      suite: string;
      /** sync, retry or callback: where the probe travelled. */
      path: string;
      operation: string;
      verdict: Verdict;
      reason: string;
      mutation: string;
      detail: string;
      steps: EvidenceStep[];
      shrinks: number;
      replay: string;
    }
  | { type: 'suite-end'; suite: string; paths: readonly string[]; counts: Partial<Record<Verdict, number>>; verdict: Verdict }
  | { type: 'run-end'; exitCode: number; complete: boolean; incompleteReason?: string };

export type AuditEventHandler = (event: AuditEvent) => void;
