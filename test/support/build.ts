import { execFileSync } from 'node:child_process';

/**
 * Builds `dist/` once before the tests (incremental: seconds when nothing changed). Tests that spawn the CLI run
 * the compiled binary a user gets, so a stale build must never be what they measure.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
