import type { PolitenessSummary, SuiteMeta } from './types.ts';
import type { Verdict } from './verdict.ts';
import type { EvidenceStep } from './types.ts';

/** What a run tells its reporters as it goes (the CLI's terminal output is one such reporter). */
export type AuditEvent =
  | { type: 'run-start'; kind?: 'http' | 'db'; runId: string; dir: string; target: string; seed: number; suites: SuiteMeta[] }
  | { type: 'phase'; name: 'fixtures' | 'controls' | 'probes' | 'teardown' | 'database' | 'report'; detail?: string }
  /** A progress line (no secrets), e.g. what the data-layer audit is connecting to. */
  | { type: 'log'; line: string }
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
      /** Where the mutation asserted a tenant (`header:X-Tenant-ID`); with `mutation`, the finding's root cause. */
      channel?: string;
      mutationTitle?: string;
      /** The suite's remediation, printed once per root cause. */
      remediation?: string;
    }
  /** Every 10 s of a run: how far it is and what it is waiting for (e.g. "callbacks of 3 scenarios"); printed when there is no live line. */
  | { type: 'heartbeat'; probes: number; findings: number; waitingFor?: string }
  | { type: 'suite-end'; suite: string; paths: readonly string[]; counts: Partial<Record<Verdict, number>>; verdict: Verdict; reason?: string }
  /** A selected suite the config declares not applicable (`scope`): not run; `reason` is the declared one. */
  | { type: 'suite-not-applicable'; suite: string; paths: readonly string[]; reason: string }
  /**
   * `hint`: what to do next when the run could not finish (e.g. the database was unreachable); `politeness`
   * (HTTP runs): how often the run backed off from a target answering 429/503.
   */
  | { type: 'run-end'; exitCode: number; complete: boolean; incompleteReason?: string; hint?: string; politeness?: PolitenessSummary };

/** Receives each {@link AuditEvent} as the run goes (the `onEvent` option of `run` and `runDatabaseAudit`); it is called synchronously and not awaited. */
export type AuditEventHandler = (event: AuditEvent) => void;
