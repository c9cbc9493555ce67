import chalk, { Chalk, type ChalkInstance } from 'chalk';

/** The API, loaded on first use: `--version` and `--help` never pay for loading the whole engine. */
export const api = () => import('../index.ts');

/** Where a command prints; defaults to the process streams (tests pass their own). */
export interface CommandIO {
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Colour on or off; default: on when stdout is a TTY. */
  color?: boolean;
}

export function streams(io: CommandIO): { out: (line: string) => void; err: (line: string) => void; c: ChalkInstance } {
  return {
    out: io.out ?? ((l) => process.stdout.write(`${l}\n`)),
    err: io.err ?? ((l) => process.stderr.write(`${l}\n`)),
    c: (io.color ?? process.stdout.isTTY === true) ? chalk : new Chalk({ level: 0 }),
  };
}

/** The console reporter for a run: live progress on a TTY, plain lines under CI, to `out` when given. */
export async function consoleReporter(io: CommandIO) {
  const { createTerminalReporter } = await api();
  const write = io.out ? (text: string) => text.split('\n').slice(0, -1).forEach((l) => io.out!(l)) : undefined;
  const live = !io.out && Boolean(process.stdout.isTTY) && !process.env['CI'];
  return createTerminalReporter({ live, ...(write ? { write } : {}) });
}
