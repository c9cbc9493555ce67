import { Command, CommanderError } from 'commander';
import { EXIT } from '../core/exit-codes.ts';
import { TOOL_VERSION } from '../core/package-root.ts';
import { dbCommand } from './commands/db.ts';
import { explainCommand } from './commands/explain.ts';
import { initCommand } from './commands/init.ts';
import { reportCommand } from './commands/report.ts';
import { runCommand } from './commands/run.ts';
import { schemaCommand } from './commands/schema.ts';
import { suitesCommand } from './commands/suites.ts';
import { tokenCommand } from './commands/token.ts';
import { verifyCommand } from './commands/verify.ts';
import { reportError } from './errors.ts';
import type { CommandIO } from './io.ts';

/** Parses argv and dispatches; every failure becomes an exit code and a message, never a raw stack. */
export async function main(argv: readonly string[], io: CommandIO = {}): Promise<number> {
  const program = new Command('tenancy-audit')
    .description('Prove a multi-tenant service fails closed: identity mutations, data-layer audit, SOC 2 / ISO 27001 evidence.')
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  for (const command of [initCommand(io), runCommand(io), reportCommand(io), verifyCommand(io), dbCommand(io), suitesCommand(io), explainCommand(io), schemaCommand(io), tokenCommand(io)]) {
    program.addCommand(command.exitOverride());
  }
  try {
    process.exitCode = undefined;
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    return reportError(error, io.err);
  }
}
