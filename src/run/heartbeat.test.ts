import { describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../core/events.ts';
import { startHeartbeat } from './heartbeat.ts';

describe('heartbeat', () => {
  it('beats every interval with probes, findings and what the run waits for, and stops', () => {
    vi.useFakeTimers();
    try {
      const events: AuditEvent[] = [];
      let waiting: string | undefined = 'callbacks of 3 scenarios';
      const beat = startHeartbeat((e) => void events.push(e), () => waiting, 10_000);
      beat.emit({ type: 'probe', suite: 's', verdict: 'pass', requests: 1 });
      beat.emit({ type: 'probe', suite: 's', verdict: 'leak', requests: 2 });
      vi.advanceTimersByTime(9_999);
      expect(events.filter((e) => e.type === 'heartbeat')).toEqual([]);
      vi.advanceTimersByTime(1);
      waiting = undefined;
      vi.advanceTimersByTime(10_000);
      beat.stop();
      vi.advanceTimersByTime(30_000);
      expect(events.filter((e) => e.type === 'heartbeat')).toEqual([
        { type: 'heartbeat', probes: 2, findings: 0, waitingFor: 'callbacks of 3 scenarios' },
        { type: 'heartbeat', probes: 2, findings: 0 },
      ]);
      expect(events.filter((e) => e.type === 'probe')).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
