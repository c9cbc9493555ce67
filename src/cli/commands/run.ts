import { Command, Option } from 'commander';
import { resolveEnvSpec } from '../../core/env-spec.ts';
import { TenancyAuditError } from '../../core/errors.ts';
import { FAIL_LEVELS, type FailLevel } from '../../core/verdict.ts';
import { api, consoleReporter, streams, type CommandIO } from '../io.ts';
import { defined, int, redactedArgv } from '../shared.ts';
import { hasSpec, specOptions, withSpecFlags, type SpecFlags } from './spec-flags.ts';

interface RunFlags extends SpecFlags {
  config?: string; target?: string; suite?: string[]; seed?: number; runs?: number; concurrency?: number; rate?: number;
  maxRequests?: number; maxDuration?: number; reportDir?: string; failOn?: FailLevel; shard?: string; signKey?: string; format: string;
  proxy?: string; ca?: string; cert?: string; key?: string; insecure?: boolean; previous?: string; pdf?: boolean; baseline?: string; failOnNew?: boolean;
}

/** `tenancy-audit run`: flags → {@link run}, then the reports rendered from the run folder. */
export function runCommand(io: CommandIO = {}): Command {
  return withSpecFlags(new Command('run')
    .description('fire identity mutations at the target, judge them, and write evidence and reports')
    .option('-c, --config <file>', 'config file (default: tenancy-audit.config.{ts,yaml,yml,json} in the current folder); or no config: --openapi/--graphql/--har with --tenant'))
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
    .option('--format <list>', 'report formats to render: html,md,junit,json,sarif,oscal', 'html,md,junit,json')
    .option('--previous <run-folder>', 'the previous run, recorded in the manifest (default: the latest run in the report folder)')
    .option('--baseline <run-folder>', 'compare with an earlier run: root causes marked new / still open, fixed ones listed')
    .option('--fail-on-new', 'with --baseline: exit 1 only for new root causes (still-open ones do not fail)')
    .option('--pdf', 'also print report.html to report.pdf with headless Chromium')
    .option('--proxy <url>', 'forward proxy for the target (default: HTTPS_PROXY/HTTP_PROXY, NO_PROXY honoured)')
    .option('--ca <file>', 'CA certificate (PEM) to trust for the target')
    .option('--cert <file>', 'client certificate (PEM) for mutual TLS; needs --key')
    .option('--key <file>', 'client private key (PEM) for mutual TLS; never printed')
    .option('--insecure', 'skip TLS certificate verification (recorded in the manifest and on the report)')
    .action(async (flags: RunFlags) => {
      const { run, parseReportFormats, parseShard, renderReport } = await api();
      const { out } = streams(io);
      const formats = parseReportFormats(flags.format);
      if (flags.failOnNew && !flags.baseline) throw new TenancyAuditError('TA_USAGE', '--fail-on-new needs --baseline <run-folder>', { hint: 'Pass the run folder of the run to compare with, e.g. the last run on the main branch.' });
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const { config, target, suite, seed, runs, concurrency, rate, maxRequests, maxDuration, reportDir, failOn } = flags;
        if (config !== undefined && hasSpec(flags)) {
          throw new TenancyAuditError('TA_USAGE', 'give --config or a description (--openapi, --graphql, --har), not both', { hint: 'A description generates the config; `tenancy-audit init` writes it to a file you can edit.' });
        }
        const result = await run({
          ...(hasSpec(flags) ? { spec: specOptions(flags) } : { config: config ?? '' }),
          ...defined({ target, suites: suite, seed, runs, concurrency, rate, maxRequests, maxDurationSeconds: maxDuration, reportDir, failOn }),
          ...defined({ shard: flags.shard === undefined ? undefined : parseShard(flags.shard), signKey: flags.signKey && resolveEnvSpec('--sign-key', flags.signKey) }),
          ...defined({ proxy: flags.proxy, tls: tlsFlags(flags), previous: flags.previous }),
          signal: controller.signal,
          command: redactedArgv(),
          onEvent: await consoleReporter(io),
        });
        if (result.thumbprint) out(`manifest signed; public key thumbprint ${result.thumbprint}`);
        const { model } = await renderReport(result.dir, { formats, ...(flags.pdf ? { pdf: true } : {}), ...(flags.baseline ? { baseline: flags.baseline } : {}) });
        if (model.trend) out(`since ${model.trend.baselineRunId}: ${model.trend.new} new, ${model.trend.open} still open, ${model.trend.fixed} fixed`);
        out(`evidence and reports: ${result.dir}`);
        process.exitCode = flags.failOnNew && model.trend ? model.trend.exitCodeOnNew : result.exitCode;
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}

function tlsFlags(flags: RunFlags): { ca?: string; cert?: string; key?: string; insecure?: boolean } | undefined {
  const tls = defined({ ca: flags.ca, cert: flags.cert, key: flags.key, insecure: flags.insecure });
  return Object.keys(tls).length > 0 ? tls : undefined;
}
