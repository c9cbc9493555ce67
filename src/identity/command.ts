import { spawn } from 'node:child_process';
import { TenancyAuditError } from '../core/errors.ts';
import { createTokenCache, type Obtained } from './token-cache.ts';
import type { TokenProvider, TokenProviderOptions, TokenSource } from './types.ts';

type CommandSource = Extract<TokenSource, { kind: 'command' }>;

const MAX_OUTPUT = 64 * 1024;

/** POSIX single-quote quoting: safe for any string inside `/bin/sh -c`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** First stderr line, shortened, with anything token-like (and the command's stdout) blanked out. */
function stderrSummary(stderr: string, stdout: string): string {
  let line = stderr.split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0) ?? '';
  const out = stdout.trim();
  if (out.length >= 4) line = line.split(out).join('[redacted]');
  line = line.replace(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]*/g, '[redacted-jwt]');
  line = line.replace(/\b(Bearer|Basic)\s+\S+/gi, '$1 [redacted]');
  if (line.length > 200) line = `${line.slice(0, 200)}…`;
  return line;
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runShell(command: string, env: Record<string, string | undefined>, timeoutMs: number, fail: (why: string, cause?: unknown) => TenancyAuditError): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    let child;
    try {
      // detached: the shell leads its own process group, so a timeout kills the whole pipeline.
      child = spawn('/bin/sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      reject(fail(`could not start /bin/sh (${(err as { code?: string }).code ?? 'error'})`, err));
      return;
    }
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let settled = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      killGroup();
      settle(() => reject(fail(`timed out after ${timeoutMs} ms`)));
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > MAX_OUTPUT) {
        killGroup();
        settle(() => reject(fail(`printed more than ${MAX_OUTPUT} bytes on stdout`)));
        return;
      }
      out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (errBytes < MAX_OUTPUT) errs.push(b);
      errBytes += b.length;
    });
    child.on('error', (err) => settle(() => reject(fail(`could not start /bin/sh (${(err as { code?: string }).code ?? 'error'})`, err))));
    child.on('close', (code, signal) =>
      settle(() => resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8') })),
    );
  });
}

/**
 * A provider that runs a shell command per tenant (`/bin/sh -c`, `{{tenant}}` replaced by the
 * shell-quoted tenant, env `TENANCY_AUDIT_TENANT` set). stdout, trimmed, is the token (a leading
 * `Bearer ` is dropped); it must be a single line. Cached for `cacheSeconds` (default 300), or until
 * shortly before its `exp` when the token is a JWT expiring sooner. Failures are never cached.
 */
export function createCommandProvider(source: CommandSource, opts: TokenProviderOptions = {}): TokenProvider {
  const now = opts.now ?? Date.now;
  const cacheSeconds = source.cacheSeconds ?? 300;
  if (!Number.isFinite(source.timeoutMs) || source.timeoutMs <= 0) {
    throw new TenancyAuditError('TA_IDENTITY', `token command timeoutMs must be a positive number, got ${String(source.timeoutMs)}`);
  }
  const baseEnv = opts.env ?? process.env;
  const run = async (tenant: string): Promise<Obtained> => {
    const fail = (why: string, cause?: unknown): TenancyAuditError =>
      new TenancyAuditError('TA_IDENTITY', `token command for tenant "${tenant}" failed: ${why}`, {
        hint: `Run the command by hand with TENANCY_AUDIT_TENANT=${shellQuote(tenant)} and check it exits 0 within ${source.timeoutMs} ms, printing only the token on stdout.`,
        cause,
      });
    const command = source.command.replaceAll('{{tenant}}', shellQuote(tenant));
    const startedAt = now();
    const r = await runShell(command, { ...baseEnv, TENANCY_AUDIT_TENANT: tenant }, source.timeoutMs, fail);
    if (r.code !== 0) {
      const status = r.code === null ? `killed by ${r.signal ?? 'signal'}` : `exit ${r.code}`;
      const first = stderrSummary(r.stderr, r.stdout);
      throw fail(first.length > 0 ? `${status} (${first})` : status);
    }
    let token = r.stdout.trim();
    if (/^bearer\s+/i.test(token)) token = token.replace(/^bearer\s+/i, '');
    if (token.length === 0) throw fail('exit 0 but printed no token on stdout');
    if (/\s/.test(token)) throw fail('printed more than one word/line on stdout (expected only the token)');
    // The JWT `exp` (when the token is one) also bounds it: the cache refreshes shortly before it.
    return { token, cacheUntil: startedAt + cacheSeconds * 1000 };
  };
  const cache = createTokenCache('command', run, opts);
  return { issued: cache.issued, tokenFor: cache.tokenFor, refresh: cache.refresh, stats: cache.stats };
}
