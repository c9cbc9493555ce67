import { Command } from 'commander';
import { commandErrorCode } from '../errors.ts';
import { api, streams, type CommandIO } from '../io.ts';

/** `tenancy-audit token --tenant ID`: prints a legit token of a configured tenant (for the report's curl lines). */
export function tokenCommand(io: CommandIO = {}): Command {
  return new Command('token')
    .description("print a legit token of one configured tenant from the config's token source, e.g. TOKEN=$(tenancy-audit token --tenant acme)")
    .option('-c, --config <file>', 'config file (default: tenancy-audit.config.{ts,yaml,yml,json} in the current folder)')
    .requiredOption('--tenant <id>', 'a tenant id of the config')
    .action(async (flags: { config?: string; tenant: string }) => {
      const { out, err } = streams(io);
      try {
        const { legitToken } = await api();
        out(await legitToken({ config: flags.config ?? '', tenant: flags.tenant }));
      } catch (error) {
        process.exitCode = commandErrorCode(error, err);
      }
    });
}
