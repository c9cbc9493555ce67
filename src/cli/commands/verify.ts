import { Command } from 'commander';
import { resolveEnvSpec } from '../../core/env-spec.ts';
import { commandErrorCode } from '../errors.ts';
import { api, streams, type CommandIO } from '../io.ts';

const AFTER_HELP = `
Exit codes: 0 chain, counts, rendered files and (with --key) signature hold; 1 a record, a rendered file
(report.html, … listed in delivered.json: named) or the signature does not verify (the first bad record is
named by seq and line); 2 usage error (missing folder, unreadable key).

--chain DIR verifies every run in the report folder DIR and that each run's manifest names the run before it
with its head hash: a run removed from the middle, or changed after a later run recorded it, exits 1.

Without --key a signed manifest is reported as "present, not checked" and does not fail: a public key
shipped inside the run folder would prove nothing. Obtain the signer's public key independently and
compare its RFC 7638 thumbprint with the one the report prints. With --key, an unsigned manifest fails.`;

/** `tenancy-audit verify <run-folder> [--key PUBLIC]`: recomputes the evidence chain, counts, hashes and signature. */
export function verifyCommand(io: CommandIO = {}): Command {
  return new Command('verify')
    .description("recompute a run folder's evidence hash chain, counts and manifest signature")
    .argument('<folder>', 'run folder holding evidence.jsonl and manifest.json (with --chain: the report folder holding the runs)')
    .option('--chain', 'verify every run of a report folder and the chain of previous-run links between them')
    .option('--key <public>', "signer's public key: JWK or PEM file, literal JWK/PEM, or env:NAME")
    .option('--json', 'print the result as JSON')
    .addHelpText('after', AFTER_HELP)
    .action(async (folder: string, flags: { key?: string; json?: boolean; chain?: boolean }) => {
      const { out, err, c } = streams(io);
      try {
        const { verifyRun, verifyChain, formatVerifyResult, formatChainResult } = await api();
        const key = flags.key === undefined ? undefined : resolveEnvSpec('--key', flags.key);
        if (flags.chain) {
          const chain = await verifyChain(folder, key === undefined ? {} : { publicKey: key });
          if (flags.json) out(JSON.stringify(chain, null, 2));
          else for (const line of formatChainResult(chain, c)) out(line);
          process.exitCode = chain.ok ? 0 : 1;
          return;
        }
        const result = await verifyRun(folder, key === undefined ? {} : { publicKey: key });
        if (flags.json) out(JSON.stringify(result, null, 2));
        else for (const line of formatVerifyResult(result, c)) out(line);
        process.exitCode = result.ok ? 0 : 1;
      } catch (error) {
        process.exitCode = commandErrorCode(error, err);
      }
    });
}
