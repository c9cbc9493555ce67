import { Command } from 'commander';
import { resolveEnvSpec } from '../../core/env-spec.ts';
import { commandErrorCode } from '../errors.ts';
import { api, streams, type CommandIO } from '../io.ts';

const AFTER_HELP = `
Exit codes: 0 chain, counts and (with --key) signature hold; 1 a record or the signature does not verify
(the first bad record is named by seq and line); 2 usage error (missing folder, unreadable key).

Without --key a signed manifest is reported as "present, not checked" and does not fail: a public key
shipped inside the run folder would prove nothing. Obtain the signer's public key independently and
compare its RFC 7638 thumbprint with the one the report prints. With --key, an unsigned manifest fails.`;

/** `tenancy-audit verify <run-folder> [--key PUBLIC]`: recomputes the evidence chain, counts, hashes and signature. */
export function verifyCommand(io: CommandIO = {}): Command {
  return new Command('verify')
    .description("recompute a run folder's evidence hash chain, counts and manifest signature")
    .argument('<run-folder>', 'folder holding evidence.jsonl and manifest.json')
    .option('--key <public>', "signer's public key: JWK or PEM file, literal JWK/PEM, or env:NAME")
    .option('--json', 'print the result as JSON')
    .addHelpText('after', AFTER_HELP)
    .action(async (folder: string, flags: { key?: string; json?: boolean }) => {
      const { out, err, c } = streams(io);
      try {
        const { verifyRun, formatVerifyResult } = await api();
        const key = flags.key === undefined ? undefined : resolveEnvSpec('--key', flags.key);
        const result = await verifyRun(folder, key === undefined ? {} : { publicKey: key });
        if (flags.json) out(JSON.stringify(result, null, 2));
        else for (const line of formatVerifyResult(result, c)) out(line);
        process.exitCode = result.ok ? 0 : 1;
      } catch (error) {
        process.exitCode = commandErrorCode(error, err);
      }
    });
}
