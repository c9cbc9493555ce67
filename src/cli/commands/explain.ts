import { Command } from 'commander';
import { api, streams, type CommandIO } from '../io.ts';

/** `tenancy-audit explain <suite|mutation id> [--dir FOLDER…] [--json]`: what is sent, what must hold, how to accept it. */
export function explainCommand(io: CommandIO = {}): Command {
  return new Command('explain')
    .description('explain a suite or mutation id: what is sent, what must hold, and how to accept it if the service\'s contract differs')
    .argument('<id>', 'a suite id (identity.spoofed) or a mutation id (wrong-issuer, claim-whitespace, body-other-tenant)')
    .option('--dir <folder...>', 'also look in these suite folders (a config\'s suites.dirs)')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { dir?: string[]; json?: boolean }) => {
      const { out, c } = streams(io);
      const explanation = await (await api()).explain(id, { dirs: flags.dir ?? [] });
      if (flags.json) {
        out(JSON.stringify(explanation, null, 2));
        return;
      }
      out(`${c.bold(explanation.id)}  ${explanation.title} ${c.dim(`(${explanation.kind})`)}`);
      out('');
      out(c.bold('What is sent'));
      out(`  ${explanation.sent}`);
      out('');
      out(c.bold('What must hold'));
      out(`  ${explanation.mustHold}`);
      out('');
      out(c.bold('If the service\'s contract differs'));
      for (const block of explanation.accept) out(`${block.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
    });
}
