import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve('.');

export interface CliResult {
  code: number | null;
  out: string;
}

/** Runs the real binary (`node bin/tenancy-audit.js …`) and collects its output; bounded by `timeoutMs`. */
export function cli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return runNode(['bin/tenancy-audit.js', ...args], options);
}

/** Runs `node <script> …` from the repository root (e.g. `examples/demo.js`, what `npm run demo` runs). */
export function runNode(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

export function runDirOf(out: string): string {
  const dir = /evidence and reports: (.+)\n/.exec(out)?.[1];
  if (!dir) throw new Error(`no run folder in output:\n${out}`);
  return dir.trim();
}
