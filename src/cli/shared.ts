import { InvalidArgumentError } from 'commander';
import { TenancyAuditError } from '../core/errors.ts';
import { REPORT_FORMATS, type ReportFormat } from '../report/render.ts';

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

/** `--format`: comma-separated report formats, all known; checked before any work starts. */
export function parseFormats(list: string | undefined): ReportFormat[] {
  if (list === undefined) return [...REPORT_FORMATS];
  const formats = list.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0 || formats.length === 0) {
    throw new TenancyAuditError('TA_USAGE', `--format ${list}: unknown format ${unknown.join(', ') || '(none)'}`, { hint: `Use any of ${REPORT_FORMATS.join(',')}.` });
  }
  return formats as ReportFormat[];
}

/** Renders the run folder's reports (from evidence files only). */
export async function renderRunReports(dir: string, formats: readonly ReportFormat[] = REPORT_FORMATS): Promise<void> {
  const { renderReport } = await import('../report/index.ts');
  await renderReport(dir, { formats });
}

/** Flag values that may name an environment variable (`env:NAME`, for keys and URLs): its value, else the value as given. */
export function resolveKeySpec(flag: string, spec: string): string {
  if (!spec.startsWith('env:')) return spec;
  const value = process.env[spec.slice(4)];
  if (!value) throw new TenancyAuditError('TA_USAGE', `${flag} ${spec}: the environment variable is not set`);
  return value;
}
