import type { AuditEvent, AuditEventHandler } from '../core/events.ts';

/** How often a run says it is alive when nothing else is printed (CI logs without a live line). */
export const HEARTBEAT_MS = 10_000;

export interface Heartbeat {
  /** Passes each event on and counts probes and findings for the next beat. */
  emit: AuditEventHandler;
  stop(): void;
}

/**
 * Emits `{ type: 'heartbeat', probes, findings, waitingFor }` every `intervalMs` (the timer is unref'd: it never
 * keeps the process alive) until `stop()`. `waitingFor` says what the run is blocked on, e.g. "callbacks of 3 scenarios".
 */
export function startHeartbeat(emit: AuditEventHandler, waitingFor: () => string | undefined, intervalMs = HEARTBEAT_MS): Heartbeat {
  let probes = 0;
  let findings = 0;
  const timer = setInterval(() => {
    const waiting = waitingFor();
    emit({ type: 'heartbeat', probes, findings, ...(waiting ? { waitingFor: waiting } : {}) });
  }, intervalMs);
  timer.unref();
  return {
    emit: (event: AuditEvent) => {
      if (event.type === 'probe') probes++;
      else if (event.type === 'finding') findings++;
      emit(event);
    },
    stop: () => clearInterval(timer),
  };
}
