/**
 * `npm run demo`: starts the reference target (fail-closed by default) on an embedded PostgreSQL,
 * audits it with its config, writes the run folder under reports/, stops everything, and exits
 * with the audit's exit code. `--mode NAME` seeds one of the target's bugs instead.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportError } from '../src/cli/errors.ts';
import { createTerminalReporter } from '../src/cli/terminal.ts';
import { renderRunReports } from '../src/cli/shared.ts';
import { run } from '../src/index.ts';
import { isMode, MODES, startReferenceTarget } from './reference-target/src/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

async function demo(argv: string[]): Promise<number> {
  const modeIndex = argv.indexOf('--mode');
  const mode = modeIndex >= 0 ? argv[modeIndex + 1] : (process.env['REFERENCE_TARGET_MODE'] ?? 'fail-closed');
  if (!mode || !isMode(mode)) {
    process.stderr.write(`unknown mode "${mode}"; one of: ${MODES.join(', ')}\n`);
    return 2;
  }
  const seedIndex = argv.indexOf('--seed');
  const seed = seedIndex >= 0 ? Number(argv[seedIndex + 1]) : undefined;
  process.stdout.write(`starting the reference target (mode ${mode}) on its embedded database…\n`);
  // The first attempt of every job fails, so the retry path is exercised too.
  const target = await startReferenceTarget({ mode, failFirstAttempt: true });
  try {
    const result = await run({
      config: path.join(here, 'reference-target', 'tenancy-audit.config.yaml'),
      target: target.url,
      ...(seed !== undefined && Number.isSafeInteger(seed) ? { seed } : {}),
      command: `npm run demo${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      onEvent: createTerminalReporter({ live: Boolean(process.stdout.isTTY) && !process.env['CI'] }),
    });
    await renderRunReports(result.dir, undefined);
    process.stdout.write(`evidence and reports: ${result.dir}\n`);
    return result.exitCode;
  } finally {
    await target.stop();
  }
}

try {
  process.exitCode = await demo(process.argv.slice(2));
} catch (error) {
  process.exitCode = reportError(error);
}
