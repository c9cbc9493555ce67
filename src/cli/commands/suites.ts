import { Command } from 'commander';
import chalk from 'chalk';
import { BUILTIN_SUITES_DIR, loadSuites } from '../../suite/load.ts';

export function suitesCommand(): Command {
  return new Command('suites')
    .description('list the built-in suites with their families, paths and controls')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const suites = (await loadSuites([BUILTIN_SUITES_DIR])).map((l) => l.suite);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(suites.map(({ id, title, target, families, paths, severity, controls }) => ({ id, title, target, families, paths, severity, controls })), null, 2)}\n`);
        return;
      }
      for (const s of suites) {
        process.stdout.write(`${chalk.bold(s.id)}  ${s.title}\n`);
        process.stdout.write(chalk.dim(`  ${s.target} · families ${s.families.join(', ')} · paths ${s.paths.join(', ')} · severity ${s.severity}\n`));
        process.stdout.write(chalk.dim(`  SOC 2 ${s.controls.soc2.join(', ')} · ISO/IEC 27001:2022 ${s.controls.iso27001.join(', ')}\n`));
      }
    });
}
