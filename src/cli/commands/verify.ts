import chalk, { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import { Command } from 'commander';
import { TenancyAuditError } from '../../core/errors.ts';
import { resolveKeySpec } from '../shared.ts';
import { verifyRun } from '../../evidence/verify.ts';
import { formatVerifyResult } from '../../report/renderers/console.ts';
import { reportError } from '../errors.ts';

/** Where a command prints; defaults to the process streams (tests pass their own). */
export interface CommandIO {
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Colour on or off; default: on when stdout is a TTY. */
  color?: boolean;
}


/** @internal Chalk for a stream: plain unless it is a TTY. */
export function paint(io: CommandIO): ChalkInstance {
  const on = io.color ?? process.stdout.isTTY === true;
  return on ? chalk : new Chalk({ level: 0 });
}

/**
 * `tenancy-audit verify <run-folder> [--key PUBLIC]`: recomputes the evidence chain, counts and hashes, and checks
 * the manifest signature against the public key given. Exit 0 when everything holds; 1 naming the first bad record
 * or the signature failure; 2 for usage errors (missing folder, unreadable key). Without `--key` a signature is
 * reported as present but not checked: a key shipped inside the run folder would prove nothing.
 */
export function verifyCommand(io: CommandIO = {}): Command {
  const out = io.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = io.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  return new Command('verify')
    .description('recompute a run folder\'s evidence hash chain, counts and manifest signature')
    .argument('<run-folder>', 'folder holding evidence.jsonl and manifest.json')
    .option('--key <public>', "signer's public key: JWK or PEM file, literal JWK/PEM, or env:NAME")
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 chain, counts and (with --key) signature hold; 1 a record or the signature does not verify',
        '(the first bad record is named by seq and line); 2 usage error (missing folder, unreadable key).',
        '',
        'Without --key a signed manifest is reported as "present, not checked" and does not fail: a public key',
        'shipped inside the run folder would prove nothing. Obtain the signer\'s public key independently and',
        'compare its RFC 7638 thumbprint with the one the report prints. With --key, an unsigned manifest fails.',
      ].join('\n'),
    )
    .action(async (folder: string, flags: { key?: string; json?: boolean }) => {
      try {
        const key = flags.key === undefined ? undefined : resolveKeySpec('--key', flags.key);
        const result = await verifyRun(folder, key === undefined ? {} : { publicKey: key });
        if (flags.json) out(JSON.stringify(result, null, 2));
        else for (const line of formatVerifyResult(result, paint(io))) out(line);
        process.exitCode = result.ok ? 0 : 1;
      } catch (error) {
        process.exitCode = commandErrorCode(error, err);
      }
    });
}

/** @internal Prints an error; tampered or unverifiable evidence exits 1, usage errors 2, the rest as the CLI maps them. */
export function commandErrorCode(error: unknown, err: (line: string) => void): number {
  const code = reportError(error, err);
  if (error instanceof TenancyAuditError && (error.code === 'TA_EVIDENCE_INVALID' || error.code === 'TA_SIGNATURE_INVALID')) return 1;
  return code;
}
