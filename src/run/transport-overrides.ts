import fs from 'node:fs';
import path from 'node:path';
import { withoutCredentials } from '../config/resolve-transport.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { TenancyAuditError } from '../core/errors.ts';

interface TransportOverrides {
  proxy?: string;
  tls?: { ca?: string; cert?: string; key?: string; insecure?: boolean };
}

const FLAG = { ca: '--ca', cert: '--cert', key: '--key' } as const;

/**
 * `--proxy`, `--ca`, `--cert`, `--key` and `--insecure` over the config's `target.proxy` and `target.tls`. Files
 * are read here; the key (and a proxy's password) join the redactor's secrets, and the redacted config shows
 * `file:<path>` and the proxy without credentials.
 */
export function withTransportOverrides(config: ResolvedConfig, options: TransportOverrides): ResolvedConfig {
  const { proxy, tls } = options;
  if (!proxy && !tls) return config;
  const target = { ...config.target };
  const redactedTarget = { ...config.redacted.target };
  const secrets = [...config.secrets];
  if (proxy) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(proxy);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) {
      throw new TenancyAuditError('TA_USAGE', '--proxy must be an http:// or https:// URL', { hint: 'e.g. --proxy http://proxy.internal:3128 (credentials as http://user:password@host:port are never printed).' });
    }
    if (parsed.password) secrets.push(proxy, decodeURIComponent(parsed.password));
    target.proxy = proxy;
    redactedTarget.proxy = withoutCredentials(proxy);
  }
  if (tls) {
    const merged = { ...target.tls };
    const shown = { ...redactedTarget.tls };
    for (const part of ['ca', 'cert', 'key'] as const) {
      const file = tls[part];
      if (!file) continue;
      merged[part] = readFlagFile(FLAG[part], file);
      shown[part] = `file:${file}`;
      if (part === 'key') secrets.push(merged.key!);
    }
    if (tls.insecure) merged.insecure = shown.insecure = true;
    if (Boolean(merged.cert) !== Boolean(merged.key)) {
      throw new TenancyAuditError('TA_USAGE', '--cert and --key go together', { hint: 'Mutual TLS needs both the client certificate and its private key.' });
    }
    target.tls = merged;
    redactedTarget.tls = shown;
  }
  return { ...config, target, secrets, redacted: { ...config.redacted, target: redactedTarget } };
}

function readFlagFile(flag: string, file: string): string {
  try {
    return fs.readFileSync(path.resolve(file), 'utf8');
  } catch {
    throw new TenancyAuditError('TA_USAGE', `${flag}: cannot read ${file}`, { hint: `Pass a readable PEM file to ${flag}.` });
  }
}
