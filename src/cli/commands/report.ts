import { Command } from 'commander';
import { resolveEnvSpec } from '../../core/env-spec.ts';
import { commandErrorCode } from '../errors.ts';
import { api, streams, type CommandIO } from '../io.ts';
import { defined } from '../shared.ts';

interface ReportFlags { format: string; out?: string; template?: string; pdf?: boolean; signKey?: string; key?: string; exitCode?: boolean; preparedBy?: string; reviewedBy?: string; date?: string; baseline?: string; failOnNew?: boolean }

/**
 * `tenancy-audit report <run-folder...>`: re-renders a run's reports from its evidence files; several folders are
 * shards of one run, merged (re-chained) into `--out`. Exits 0 once written (with `--exit-code`: the run's own
 * result, 0/1/3), 2 for usage errors, 1 when a shard's evidence does not verify.
 */
export function reportCommand(io: CommandIO = {}): Command {
  return new Command('report')
    .description('render (or merge shards and render) evidence reports from run folders')
    .argument('<run-folder...>', 'a run folder, or the shard folders of one run')
    .option('--format <list>', 'comma-separated formats: html,md,junit,json,sarif,oscal', 'html,md,junit,json')
    .option('--out <dir>', 'output folder (required when merging shards; default: the run folder)')
    .option('--template <file>', 'also render this Handlebars template to <out>/report.custom.<ext>')
    .option('--pdf', 'also print report.html to report.pdf with headless Chromium (playwright-core)')
    .option('--sign-key <key>', 'private key (file, PEM/JWK, or env:NAME) to sign the merged manifest')
    .option('--key <public>', "signer's public key to check the run's (or each shard's) manifest signature")
    .option('--prepared-by <name>', 'sign-off block on the cover: who prepared the assessment (default: config report.preparedBy)')
    .option('--reviewed-by <name>', 'sign-off block: who reviewed it (default: config report.reviewedBy)')
    .option('--date <date>', 'sign-off block: the date of sign-off')
    .option('--baseline <run-folder>', 'compare with an earlier run: root causes marked new / still open, fixed ones listed')
    .option('--fail-on-new', 'with --baseline and --exit-code: exit 1 only for new root causes')
    .option('--exit-code', "exit with the run's result (0 pass, 1 fail, 3 inconclusive) instead of 0")
    .action(async (folders: string[], flags: ReportFlags) => {
      const { out, err, c } = streams(io);
      try {
        const { renderReport, parseReportFormats, formatReportSummary } = await api();
        const result = await renderReport(folders, {
          formats: parseReportFormats(flags.format),
          ...defined({ out: flags.out, template: flags.template, pdf: flags.pdf || undefined }),
          ...defined({ baseline: flags.baseline }),
          ...(flags.preparedBy || flags.reviewedBy || flags.date ? { signOff: defined({ preparedBy: flags.preparedBy, reviewedBy: flags.reviewedBy, date: flags.date }) } : {}),
          ...defined({ signKey: flags.signKey && resolveEnvSpec('--sign-key', flags.signKey), publicKey: flags.key && resolveEnvSpec('--key', flags.key) }),
        });
        if (result.merged) {
          out(`merged ${folders.length} run folders into ${result.dir} (${result.merged.manifest.counts.records} records, head ${result.merged.manifest.headHash})`);
          if (result.merged.thumbprint) out(`signed merged manifest; signer key thumbprint (RFC 7638) ${result.merged.thumbprint}`);
        }
        for (const line of formatReportSummary(result.model, c)) out(line);
        for (const file of result.files) out(c.dim(`wrote ${file}`));
        if (result.pdf && 'skipped' in result.pdf) err(c.yellow(result.pdf.skipped));
        if (result.model.trend) out(`since ${result.model.trend.baselineRunId}: ${result.model.trend.new} new, ${result.model.trend.open} still open, ${result.model.trend.fixed} fixed`);
        process.exitCode = !flags.exitCode ? 0 : flags.failOnNew && result.model.trend ? result.model.trend.exitCodeOnNew : result.model.overall.exitCode;
      } catch (error) {
        process.exitCode = commandErrorCode(error, err);
      }
    });
}
