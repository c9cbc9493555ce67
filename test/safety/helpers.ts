import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { main } from '../../src/cli/main.ts';

export const BIN = path.resolve('bin/tenancy-audit.js');
export const REFERENCE_CONFIG = path.resolve('examples/reference-target/tenancy-audit.config.yaml');

export async function tempDir(prefix: string): Promise<{ path: string; cleanup(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { path: dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

/** A stack frame line as Node prints it. */
export const STACK_LINE = /^\s+at .+/m;

export interface CapturedRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Calls the CLI's `main(argv)` in this process with stdout/stderr captured (ANSI stripped), and restores
 * `process.exitCode` afterwards so a test's exit code never leaks into the worker's.
 */
export async function captureMain(argv: readonly string[]): Promise<CapturedRun> {
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const exitCode = process.exitCode;
  const sink = (into: string[]) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = sink(out);
  process.stderr.write = sink(err);
  try {
    const code = await main(argv);
    return { code, out: stripAnsi(out.join('')), err: stripAnsi(err.join('')) };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    process.exitCode = exitCode;
  }
}

export interface SpawnedCli {
  code: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  out(): string;
  err(): string;
  kill(signal: NodeJS.Signals): void;
  pid: number;
}

/** Runs the real binary as a child (no TTY, no colour). Killed after `timeoutMs` so it can never outlive the test. */
export function spawnCli(args: readonly string[], options: { timeoutMs?: number; cwd?: string } = {}): SpawnedCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const guard = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const code = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (c, signal) => {
      clearTimeout(guard);
      resolve({ code: c, signal });
    }),
  );
  return { code, out: () => stripAnsi(out), err: () => stripAnsi(err), kill: (s) => child.kill(s), pid: child.pid ?? -1 };
}

/** Polls `check` every `everyMs` until it returns a value, at most `tries` times (a bounded loop). */
export async function pollUntil<T>(check: () => Promise<T | undefined>, options: { tries?: number; everyMs?: number } = {}): Promise<T | undefined> {
  const tries = options.tries ?? 600;
  for (let i = 0; i < tries; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 50));
  }
  return undefined;
}

/** The single run folder written under `reportDir`, once its evidence.jsonl exists. */
export async function runFolderIn(reportDir: string): Promise<string | undefined> {
  const entries = await fs.readdir(reportDir).catch(() => [] as string[]);
  for (const entry of entries) {
    const dir = path.join(reportDir, entry);
    if (await fs.stat(path.join(dir, 'evidence.jsonl')).then(() => true, () => false)) return dir;
  }
  return undefined;
}

/** Complete (newline-terminated) lines of a file; the unterminated tail apart. */
export async function evidenceLines(dir: string): Promise<{ complete: string[]; tail: string }> {
  const text = await fs.readFile(path.join(dir, 'evidence.jsonl'), 'utf8').catch(() => '');
  const parts = text.split('\n');
  const tail = parts.pop() ?? '';
  return { complete: parts, tail };
}

/** Every file below `dir` (recursively) with its text. */
export async function filesBelow(dir: string): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesBelow(full)));
    else out.push({ file: full, text: await fs.readFile(full, 'utf8') });
  }
  return out;
}

export async function writeYaml(file: string, value: unknown): Promise<string> {
  await fs.writeFile(file, YAML.stringify(value), 'utf8');
  return file;
}
