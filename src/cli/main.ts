import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../run/context-info.ts';
import { reportError } from './errors.ts';
import { runCommand } from './commands/run.ts';
import { suitesCommand } from './commands/suites.ts';
import { schemaCommand } from './commands/schema.ts';
import { EXIT } from '../run/exit-code.ts';

/** Parses argv and dispatches; every failure becomes an exit code and a message, never a raw stack. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('tenancy-audit')
    .description('Prove a multi-tenant service fails closed: identity mutations, data-layer audit, SOC 2 / ISO 27001 evidence.')
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  for (const command of await commands()) program.addCommand(command.exitOverride());
  try {
    process.exitCode = undefined;
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    return reportError(error);
  }
}

async function commands(): Promise<Command[]> {
  const list = [runCommand(), suitesCommand(), schemaCommand()];
  const optional = [
    ['./commands/report.ts', 'reportCommand'],
    ['./commands/verify.ts', 'verifyCommand'],
    ['./commands/db.ts', 'dbCommand'],
  ] as const;
  for (const [file, name] of optional) {
    const mod = await importOptional(file);
    if (mod) list.push(mod[name]!());
  }
  return list;
}

/** A command module that may not be part of this build: only the absence of its file is tolerated, never a broken import inside it. */
async function importOptional(file: string): Promise<Record<string, () => Command> | undefined> {
  const present = await stat(fileURLToPath(new URL(file, import.meta.url))).then((s) => s.isFile(), () => false);
  return present ? ((await import(file)) as Record<string, () => Command>) : undefined;
}
