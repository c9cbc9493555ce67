import { boundHeapGrowth } from './heap.ts';
import { main } from './main.ts';

// A closed pipe (`tenancy-audit suites | head`) ends the output quietly, not with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

boundHeapGrowth();
process.exitCode = await main(process.argv.slice(2));
