import { Command } from 'commander';
import { api, streams, type CommandIO } from '../io.ts';
import { int } from '../shared.ts';
import { specOptions, withSpecFlags, type SpecFlags } from './spec-flags.ts';

interface InitFlags extends SpecFlags {
  baseUrl?: string;
  out: string;
  stdout?: boolean;
  force?: boolean;
  seed?: number;
}

/** `tenancy-audit init`: a description and two tenants' credentials → a commented config file. */
export function initCommand(io: CommandIO = {}): Command {
  return withSpecFlags(
    new Command('init').description('write a commented config from an OpenAPI, GraphQL or HAR description and two tenants\' credentials'),
  )
    .option('--base-url <url>', 'the deployment to audit (default: the description\'s server URL)')
    .option('-o, --out <file>', 'where to write the config', 'tenancy-audit.config.yaml')
    .option('--stdout', 'print the config instead of writing it')
    .option('--force', 'overwrite --out when it exists')
    .option('--seed <n>', 'seed of the generated request bodies', int('--seed'))
    .action(async (flags: InitFlags) => {
      const { initConfig } = await api();
      const { out } = streams(io);
      const result = await initConfig({
        ...specOptions(flags),
        ...(flags.baseUrl !== undefined ? { baseUrl: flags.baseUrl } : {}),
        ...(flags.stdout ? {} : { out: flags.out }),
        ...(flags.force ? { force: true } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      });
      if (flags.stdout) {
        out(result.yaml.trimEnd());
        return;
      }
      const { operations, fixtures, skipped, tenantClaim } = result.summary;
      out(`wrote ${result.file}: ${operations} operations, ${fixtures} fixtures, tenant claim ${tenantClaim}${skipped > 0 ? ` (${skipped} operations of the description left out: see the comment above operations)` : ''}`);
      out('review the comments (each is an inference), fill in any secret placeholders, then: tenancy-audit run --config ' + flags.out);
    });
}
