import { InvalidArgumentError } from 'commander';

/** A commander parser for whole numbers, with a clear message naming the flag. */
export function int(flag: string, min = Number.MIN_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${flag} takes a whole number${min > 0 ? ` ≥ ${min}` : ''}, got "${value}"`);
    return n;
  };
}

/** The command line for the manifest, with values of secret-bearing flags hidden. */
export function redactedArgv(argv: readonly string[] = process.argv.slice(2)): string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (/^--(sign-key|key|database-url)(=|$)/.test(arg)) {
      out.push(arg.includes('=') ? `${arg.split('=')[0]}=[redacted]` : arg, ...(arg.includes('=') ? [] : ['[redacted]']));
      if (!arg.includes('=')) i++;
      continue;
    }
    out.push(/\s/.test(arg) ? JSON.stringify(arg) : arg);
  }
  return ['tenancy-audit', ...out].join(' ');
}

/** Renders the run folder's reports (from evidence files only). */
export async function renderRunReports(dir: string, formats: string | undefined): Promise<void> {
  const { renderReport } = await import('../report/index.ts');
  const list = (formats ?? 'html,md,junit,json').split(',').map((f) => f.trim()).filter(Boolean) as ('html' | 'md' | 'junit' | 'json')[];
  await renderReport(dir, { formats: list });
}
