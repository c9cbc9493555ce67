import { Command } from 'commander';
import { api, streams, type CommandIO } from '../io.ts';

/** `tenancy-audit schema`: the config file's JSON Schema, for editor autocompletion. */
export function schemaCommand(io: CommandIO = {}): Command {
  return new Command('schema')
    .description('print the JSON Schema of the configuration file (for editor autocompletion)')
    .action(async () => {
      streams(io).out(JSON.stringify((await api()).configJsonSchema(), null, 2));
    });
}
