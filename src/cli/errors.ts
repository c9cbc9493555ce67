import chalk from 'chalk';
import { ConfigError, TenancyAuditError } from '../core/errors.ts';
import { EXIT } from '../core/exit-codes.ts';

/** Maps an error to its exit code and prints it for a person: code, message, what to do next; no stack for user mistakes. */
export function reportError(error: unknown, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): number {
  if (error instanceof TenancyAuditError) {
    write(chalk.red(`error ${error.code}: ${bounded(error.message)}`));
    if (error.hint) write(chalk.dim(`hint: ${bounded(error.hint)}`));
    return exitCodeForError(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  write(chalk.red(`error: ${bounded(message)}`));
  if (process.env['TENANCY_AUDIT_DEBUG'] && error instanceof Error && error.stack) write(error.stack);
  else write(chalk.dim('hint: this looks like a bug in tenancy-audit; rerun with TENANCY_AUDIT_DEBUG=1 for a stack trace and report it.'));
  return EXIT.inconclusive;
}

/** Prints an error; tampered or unverifiable evidence exits 1, usage errors 2, the rest as {@link reportError} maps them. */
export function commandErrorCode(error: unknown, err: (line: string) => void): number {
  const code = reportError(error, err);
  if (error instanceof TenancyAuditError && (error.code === 'TA_EVIDENCE_INVALID' || error.code === 'TA_SIGNATURE_INVALID')) return 1;
  return code;
}

export function exitCodeForError(error: TenancyAuditError): number {
  if (error instanceof ConfigError) return EXIT.usage;
  switch (error.code) {
    case 'TA_CONFIG_INVALID':
    case 'TA_CONFIG_NOT_FOUND':
    case 'TA_USAGE':
    case 'TA_SPEC_INVALID':
    case 'TA_SUITE_INVALID':
    case 'TA_IDENTITY':
      return EXIT.usage;
    case 'TA_INTERRUPTED':
      return EXIT.interrupted;
    default:
      return EXIT.inconclusive;
  }
}

const MAX_LINE = 500;
const MAX_LINES = 100;

/**
 * A message as a person can read it: messages may quote user input (an unknown key, a value), which can be
 * megabytes in a hostile config, so each line is cut at MAX_LINE characters and the list at MAX_LINES lines.
 */
function bounded(message: string): string {
  const lines = message.split('\n');
  const shown = lines.slice(0, MAX_LINES).map((line) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}… (${line.length - MAX_LINE} more characters)` : line));
  if (lines.length > MAX_LINES) shown.push(`… and ${lines.length - MAX_LINES} more lines`);
  return shown.join('\n');
}
