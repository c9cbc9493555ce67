#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step), so `npm ci` is the only setup.
import { register } from 'tsx/esm/api';

// A closed pipe (`tenancy-audit suites | head`) ends the output quietly, not with a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

register();
const { boundHeapGrowth } = await import('../src/cli/heap.ts');
boundHeapGrowth();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
