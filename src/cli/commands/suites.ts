import { Command } from 'commander';
import { api, streams, type CommandIO } from '../io.ts';

/** `tenancy-audit suites [--dir FOLDER…] [--json]`: the built-in suites, and those of the folders given. */
export function suitesCommand(io: CommandIO = {}): Command {
  return new Command('suites')
    .description('list the built-in suites (and those in --dir folders) with their target, families, paths and controls')
    .option('--dir <folder...>', "also list the suites in these folders (a config's suites.dirs)")
    .option('--json', 'print JSON')
    .action(async (flags: { dir?: string[]; json?: boolean }) => {
      const { out, c } = streams(io);
      const listed = await (await api()).listSuites(flags.dir ?? []);
      if (flags.json) {
        const rows = listed.map(({ suite: { id, title, target, families, paths, severity, controls }, file, builtIn }) => ({ id, title, target, families, paths, severity, controls, builtIn, file }));
        out(JSON.stringify(rows, null, 2));
        return;
      }
      for (const { suite: s, file, builtIn } of listed) {
        out(`${c.bold(s.id)}  ${s.title}${builtIn ? '' : c.dim(`  (${file})`)}`);
        out(c.dim(`  ${s.target} · families ${s.families.join(', ')} · paths ${s.paths.join(', ')} · severity ${s.severity}`));
        out(c.dim(`  SOC 2 ${s.controls.soc2.join(', ')} · ISO/IEC 27001:2022 ${s.controls.iso27001.join(', ')}`));
      }
    });
}
