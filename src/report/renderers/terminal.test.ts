import { describe, expect, it } from 'vitest';
import { createTerminalReporter } from './terminal.ts';

describe('terminal reporter heartbeat', () => {
  it('prints a heartbeat line without a TTY: probes, findings so far and what the run waits for', () => {
    let out = '';
    const report = createTerminalReporter({ live: false, write: (t) => void (out += t) });
    report({ type: 'heartbeat', probes: 711, findings: 1, waitingFor: 'callbacks of 3 scenarios' });
    report({ type: 'heartbeat', probes: 800, findings: 2 });
    expect(out.replace(/\x1b\[[0-9;]*m/g, '')).toBe('  … 711 probes, 1 finding so far; waiting for callbacks of 3 scenarios\n  … 800 probes, 2 findings so far\n');
  });
  it('prints nothing for a heartbeat on a TTY (the live line shows progress)', () => {
    let out = '';
    const report = createTerminalReporter({ live: true, write: (t) => void (out += t) });
    report({ type: 'heartbeat', probes: 1, findings: 0, waitingFor: 'callbacks of 1 scenario' });
    expect(out).toBe('');
  });
});
