import type { ConfigIssue } from '../core/errors.ts';
import type { ParsedConfig } from './schema.ts';

interface TransportResolver {
  /** Resolves an `env:`/`file:` reference (or a literal) to its value; `undefined` when it failed (an issue is recorded). */
  reference(value: string, at: string): string | undefined;
  /** Resolves a secret: its value joins the redactor's list. */
  secret(value: string, at: string): string;
  /** How a secret reference is shown in the redacted config. */
  shown(value: string): string;
  issues: ConfigIssue[];
  secrets: string[];
}

/**
 * Resolves `target.proxy` and `target.tls`: the CA and certificate are public (read, not redacted), the key is a
 * secret; a proxy URL's credentials are secrets and never appear in the redacted config.
 */
export function resolveTransport(config: ParsedConfig, redacted: ParsedConfig, r: TransportResolver): void {
  const target = config.target;
  if (target.proxy) {
    const ref = target.proxy;
    const url = r.reference(ref, 'target.proxy') ?? '';
    target.proxy = url;
    const parsed = parseUrl(url);
    if (url && (!parsed || !/^https?:$/.test(parsed.protocol))) r.issues.push({ path: 'target.proxy', message: 'must be an http:// or https:// URL' });
    if (parsed?.password) r.secrets.push(url, decodeURIComponent(parsed.password));
    redacted.target.proxy = /^(env|file):/.test(ref) ? ref : withoutCredentials(url);
  }
  const tls = target.tls;
  if (!tls) return;
  for (const part of ['ca', 'cert'] as const) {
    if (tls[part]) tls[part] = r.reference(tls[part], `target.tls.${part}`) ?? '';
  }
  if (tls.key) {
    const ref = tls.key;
    tls.key = r.secret(ref, 'target.tls.key');
    redacted.target.tls!.key = r.shown(ref);
  }
  if (Boolean(tls.cert) !== Boolean(tls.key)) r.issues.push({ path: 'target.tls', message: 'cert and key go together: mutual TLS needs both' });
}

/** A URL without user name or password (a proxy URL as shown in manifests and reports). */
export function withoutCredentials(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed) return '[unparsable URL]';
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
