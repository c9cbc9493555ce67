import { InvalidArgumentError } from 'commander';

/** A commander parser for whole numbers, with a clear message naming the flag. */
export function int(flag: string, min = Number.MIN_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${flag} takes a whole number${min > 0 ? ` ≥ ${min}` : ''}, got "${value}"`);
    return n;
  };
}

/** A comma-separated flag value as a list (undefined when empty). */
export function list(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((s) => s.trim()).filter(Boolean);
  return items && items.length > 0 ? items : undefined;
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
    // `--tenant id=credential`, `--callback-secret t=secret`, `--webhook-secret id=secret`: a reference (env:, file:) is shown, anything else hidden.
    if (/^--(tenant|callback-secret|webhook-secret)$/.test(argv[i - 1] ?? '') && arg.includes('=') && !/=(env|file):/.test(arg)) {
      out.push(`${arg.slice(0, arg.indexOf('='))}=[redacted]`);
      continue;
    }
    const shown = /^--proxy(=|$)/.test(arg) || /^--proxy$/.test(argv[i - 1] ?? '') ? arg.replace(/\/\/[^@/]*@/, '//[redacted]@') : arg;
    out.push(/\s/.test(shown) ? JSON.stringify(shown) : shown);
  }
  return ['tenancy-audit', ...out].join(' ');
}

/** Drops the keys whose value is undefined (API options are exact: an absent flag is an absent option). */
export function defined<T extends object>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
