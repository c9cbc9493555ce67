import type { RecordedRequest } from '../core/types.ts';

/**
 * A `curl` line reproducing a recorded request. Redacted credentials become shell variables
 * (`$TOKEN_TENANT_A`) so the line can be replayed with a real token without one ever being written down.
 */
export function curlFor(request: RecordedRequest, actor?: string | null): string {
  const variable = `TOKEN_${(actor ?? 'NONE').toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '') || 'NONE'}`;
  const parts = ['curl', '-sS', '-i', '-X', shellQuote(request.method.toUpperCase()), shellQuote(request.url)];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (/^(content-length|host)$/i.test(name)) continue;
    if (value.includes('[redacted') && /^[A-Za-z0-9_-]+$/.test(name)) {
      const scheme = /^(\w+)\s+\[redacted/.exec(value)?.[1];
      const v = /^(proxy-)?authorization$/i.test(name) ? variable : name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
      parts.push('-H', `"${name}: ${scheme ? `${scheme} ` : ''}$${v}"`);
    } else parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (request.body !== undefined && request.body !== '') parts.push('--data-raw', shellQuote(request.body));
  return parts.join(' ');
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A curl reproduction whose legit credential comes from `tenancy-audit token`: the note line
 * `# $TOKEN: a legit token of acme` becomes `TOKEN=$(tenancy-audit token --config … --tenant acme)`, so the two
 * lines pasted into a shell run as they are. Forged credentials keep their note (no command can mint them).
 */
export function withTokenCommand(curl: string, tokenCommand: string): string {
  return curl.replace(/^# \$TOKEN: a legit token of ([A-Za-z0-9._-]+)\n/, (_, tenant: string) => `TOKEN=$(${tokenCommand} --tenant ${tenant})\n`);
}

/** `tenancy-audit token --config <file>` from a replay line's `--config`. */
export function tokenCommandOf(replay: string): string {
  const config = /--config (\S+)/.exec(replay)?.[1];
  return `tenancy-audit token${config ? ` --config ${config}` : ''}`;
}
