import { Command, Option } from 'commander';
import { FAIL_LEVELS, type FailLevel } from '../../core/verdict.ts';
import { TenancyAuditError } from '../../core/errors.ts';
import { run } from '../../run/run.ts';
import { parseShard } from '../../run/plan.ts';
import { createTerminalReporter } from '../terminal.ts';
import { int, parseFormats, redactedArgv, renderRunReports, resolveKeySpec } from '../shared.ts';

export interface RunFlags {
  config?: string;
  target?: string;
  suite?: string[];
  seed?: number;
  runs?: number;
  concurrency?: number;
  rate?: number;
  maxRequests?: number;
  maxDuration?: number;
  reportDir?: string;
  failOn?: FailLevel;
  shard?: string;
  signKey?: string;
  format?: string;
}

export function runCommand(): Command {
  return new Command('run')
    .description('fire identity mutations at the target, judge them, and write evidence and reports')
    .option('-c, --config <file>', 'config file (default: tenancy-audit.config.{ts,yaml,yml,json} in the current folder)')
    .option('--target <url>', 'override target.baseUrl')
    .option('--suite <id...>', 'run only these suites (ids or prefixes such as "identity")')
    .option('--seed <n>', 'seed for reproducible generation', int('--seed'))
    .option('--runs <n>', 'random runs per property cell, after its catalogue examples', int('--runs', 1))
    .option('--concurrency <n>', 'requests in flight at most', int('--concurrency', 1))
    .option('--rate <n>', 'requests per second at most', int('--rate', 1))
    .option('--max-requests <n>', 'stop after this many requests', int('--max-requests', 1))
    .option('--max-duration <seconds>', 'stop after this many seconds', int('--max-duration', 1))
    .option('--report-dir <dir>', 'folder for run folders (default: reports)')
    .addOption(new Option('--fail-on <level>', 'lowest verdict that fails the run').choices([...FAIL_LEVELS, 'never']))
    .option('--shard <i/n>', 'run only shard i of n (CI matrix); merge with `tenancy-audit report`')
    .option('--sign-key <key>', 'private key (file, PEM/JWK, or env:NAME) to sign the manifest')
    .option('--format <list>', 'report formats to render', 'html,md,junit,json')
    .action(async (flags: RunFlags) => {
      process.exitCode = await runFromFlags(flags);
    });
}

export async function runFromFlags(flags: RunFlags, overrides: { config?: Parameters<typeof run>[0]['config'] } = {}): Promise<number> {
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  if (flags.shard !== undefined && !shard) {
    throw new TenancyAuditError('TA_USAGE', `--shard "${flags.shard}" is not of the form i/n`, { hint: 'For example --shard 2/3.' });
  }
  const formats = parseFormats(flags.format);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const signKey = flags.signKey === undefined ? undefined : resolveKeySpec('--sign-key', flags.signKey);
    const result = await run({
      config: overrides.config ?? flags.config ?? '',
      ...(flags.target ? { target: flags.target } : {}),
      ...(flags.suite ? { suites: flags.suite } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.runs ? { runs: flags.runs } : {}),
      ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
      ...(flags.rate ? { rate: flags.rate } : {}),
      ...(flags.maxRequests ? { maxRequests: flags.maxRequests } : {}),
      ...(flags.maxDuration ? { maxDurationSeconds: flags.maxDuration } : {}),
      ...(flags.reportDir ? { reportDir: flags.reportDir } : {}),
      ...(flags.failOn ? { failOn: flags.failOn } : {}),
      ...(shard ? { shard } : {}),
      ...(signKey ? { signKey } : {}),
      signal: controller.signal,
      command: redactedArgv(),
      onEvent: createTerminalReporter({ live: Boolean(process.stdout.isTTY) && !process.env['CI'] }),
    });
    if (result.thumbprint) process.stdout.write(`manifest signed; public key thumbprint ${result.thumbprint}\n`);
    await renderRunReports(result.dir, formats);
    process.stdout.write(`evidence and reports: ${result.dir}\n`);
    return result.exitCode;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
