import { Command } from 'commander';
import { configJsonSchema } from '../../config/schema.ts';

export function schemaCommand(): Command {
  return new Command('schema')
    .description('print the JSON Schema of the configuration file (for editor autocompletion)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
}
