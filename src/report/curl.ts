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
