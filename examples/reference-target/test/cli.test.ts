// The CLI: bin/start.js validates its arguments (exit 2 with the valid modes), prints the URL, serves,
// and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODES } from '../src/index.ts';

const START = fileURLToPath(new URL('../bin/start.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [START, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('bin/start.js', () => {
  it('exits 2 listing the valid modes for an invalid mode (flag, --flag=value, environment)', async () => {
    const procs = [run(['--mode', 'fail-open']), run(['--mode=nope']), run([], { REFERENCE_TARGET_MODE: 'typo' })];
    for (const proc of procs) {
      expect(await proc.exited).toBe(2);
      expect(proc.err()).toMatch(/invalid mode/);
      for (const mode of MODES) expect(proc.err()).toContain(mode);
    }
  });

  it('exits 2 for an unknown flag', async () => {
    const proc = run(['--frobnicate']);
    expect(await proc.exited).toBe(2);
    expect(proc.err()).toContain('unknown argument');
  });

  it('prints its URL, serves, and stops on SIGTERM', async () => {
    const proc = run(['--mode', 'header-override', '--quiet']);
    try {
      const deadline = Date.now() + 60_000;
      while (!/^http:\/\/127\.0\.0\.1:\d+$/m.test(proc.out())) {
        if (Date.now() > deadline) throw new Error(`no URL printed; stderr: ${proc.err()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const url = proc.out().trim().split('\n')[0]!;
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true, mode: 'header-override' });
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  }, 90_000);
});
