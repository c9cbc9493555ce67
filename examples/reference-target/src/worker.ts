import type { AppState } from './app-state.ts';
import type { CallbackDispatcher } from './callbacks.ts';
import type { TenantDal } from './dal.ts';
import type { Bugs } from './modes.ts';
import type { ClaimedJob, SystemDb } from './system-db.ts';
import { runWithContext } from './tenant-context.ts';
import { DEFAULT_TENANT } from './tenants.ts';

export interface WorkerOptions {
  system: SystemDb;
  dal: TenantDal;
  callbacks: CallbackDispatcher;
  bugs: Bugs;
  state: AppState;
  pollMs: number;
  /** Makes attempt 1 of every job fail after reading its context (exercises the retry path). */
  failFirstAttempt: boolean;
  log: (line: string) => void;
}

export const RETRY_BACKOFF_MS = 100;

class SimulatedFailure extends Error {}

/** The generation output: the prompt plus the names of the projects visible in the job's tenant. */
export function renderOutput(prompt: string, projectNames: readonly string[]): string {
  return `Generated for prompt "${prompt}" with project context: [${projectNames.join(', ')}]`;
}

/**
 * In-process queue worker. Claims jobs of any tenant through the system connection, then processes
 * each inside the job's own tenant context (ALS + transaction-local `app.tenant_id`).
 */
export class Worker {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: WorkerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let worked = false;
      try {
        worked = await this.processNext();
      } catch (error) {
        if (!this.stopped) this.options.log(`worker: ${(error as Error).message}`);
      }
      if (!worked && !this.stopped) await this.sleep(this.options.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** The tenant a claimed job runs as: its own. The two seeded queue bugs live here. */
  private executionTenant(job: ClaimedJob): string {
    const { bugs, state } = this.options;
    if (bugs.queueContextLost) return state.lastSeenTenant ?? DEFAULT_TENANT; // seeded bug: context not carried over the queue
    if (bugs.retryContextLost && job.attempts > 1) return DEFAULT_TENANT; // seeded bug: the retry path rebuilds context without the tenant
    return job.tenantId;
  }

  private async processNext(): Promise<boolean> {
    const job = await this.options.system.claimNextJob();
    if (!job) return false;
    const context = { requestId: `job:${job.id}:attempt-${job.attempts}`, tenantId: this.executionTenant(job) };
    await runWithContext(context, () => this.process(job));
    return true;
  }

  private async process(job: ClaimedJob): Promise<void> {
    const { dal, system, callbacks, log } = this.options;
    try {
      const names = await dal.projectNamesForJobContext();
      if (this.options.failFirstAttempt && job.attempts === 1) throw new SimulatedFailure('simulated failure of attempt 1');
      const output = renderOutput(job.prompt, names);
      await system.completeJob(job.id, output);
      if (job.callbackUrl) callbacks.schedule({ id: job.id, callbackUrl: job.callbackUrl }, output);
    } catch (error) {
      const message = (error as Error).message;
      if (!(error instanceof SimulatedFailure)) log(`worker: job ${job.id} attempt ${job.attempts} failed: ${(error as Error).stack ?? message}`);
      if (job.attempts < job.maxAttempts) await system.requeueJob(job.id, message, RETRY_BACKOFF_MS);
      else await system.failJob(job.id, message);
    }
  }
}
