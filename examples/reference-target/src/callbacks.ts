import type { AppState } from './app-state.ts';
import type { TenantDal } from './dal.ts';
import type { Bugs } from './modes.ts';
import { hmacSignature } from './signatures.ts';
import { requireTenant } from './tenant-context.ts';

export const CALLBACK_SIGNATURE_HEADER = 'X-Reference-Signature';
export const CALLBACK_TENANT_HEADER = 'X-Reference-Tenant';
export const CALLBACK_TIMEOUT_MS = 2000;
export const CALLBACK_MAX_ATTEMPTS = 3;

/** The HMAC key of a tenant's outbound callbacks. */
export function callbackSecretFor(tenant: string): string {
  return `callback-secret-${tenant}`;
}

export interface CallbackPayload {
  jobId: string;
  tenantId: string;
  status: 'succeeded';
  output: string;
}

export interface CallbackDispatcherOptions {
  dal: TenantDal;
  bugs: Bugs;
  state: AppState;
  log: (line: string) => void;
  /** Delay before each delivery (a slow provider). */
  delayMs?: number;
}

/**
 * Outbound job callbacks. A delivery runs in the job's async context: tenant, secret and recorded
 * delivery all come from that context. Deliveries run detached from the worker loop and are tracked so
 * `stop()` can abort and await them.
 */
export class CallbackDispatcher {
  private readonly pending = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly options: CallbackDispatcherOptions) {}

  /** Must be called inside the job's tenant context. */
  schedule(job: { id: string; callbackUrl: string }, output: string): void {
    const tenant = requireTenant('callbacks.schedule', this.options.log);
    const url = this.options.bugs.callbackMisrouted
      ? (this.options.state.lastRegisteredCallbackUrl ?? job.callbackUrl) // seeded bug: the last URL anyone registered
      : job.callbackUrl;
    const delivery = this.deliver(url, { jobId: job.id, tenantId: tenant, status: 'succeeded', output }, tenant).catch((error: unknown) => {
      this.options.log(`callback ${job.id}: ${(error as Error).message}`);
    });
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }

  private async deliver(url: string, payload: CallbackPayload, tenant: string): Promise<void> {
    if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    const body = JSON.stringify(payload);
    const headers = {
      'content-type': 'application/json',
      [CALLBACK_SIGNATURE_HEADER]: hmacSignature(body, callbackSecretFor(tenant)),
      [CALLBACK_TENANT_HEADER]: tenant,
    };
    for (let attempt = 1; attempt <= CALLBACK_MAX_ATTEMPTS && !this.stopping.signal.aborted; attempt++) {
      let statusCode: number | null = null;
      let error: string | null = null;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { ...headers, 'X-Reference-Delivery-Attempt': String(attempt) },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(CALLBACK_TIMEOUT_MS), this.stopping.signal]),
        });
        statusCode = response.status;
        await response.body?.cancel().catch(() => {});
      } catch (cause) {
        error = (cause as Error).message;
      }
      if (this.stopping.signal.aborted) return;
      await this.options.dal.recordCallbackDelivery({ jobId: payload.jobId, url, statusCode, attempt, error });
      if (statusCode !== null && statusCode >= 200 && statusCode < 300) return;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.pending]);
  }
}
