import fs from 'node:fs';
import path from 'node:path';
import { canonicalJson, sha256Hex } from '../core/canonical.ts';
import { ConfigError, type ConfigIssue } from '../core/errors.ts';
import { redactedDatabaseUrl } from './database.ts';
import { resolveTransport } from './resolve-transport.ts';
import type { ParsedConfig, WaiverRule } from './schema.ts';

/** The validated configuration with every `env:`/`file:` secret resolved. Never print it: print `redacted`. */
export interface ResolvedConfig extends Omit<ParsedConfig, 'waivers'> {
  /** The waivers, inline or read from the file `waivers:` named. */
  waivers: WaiverRule[];
  file: string | undefined;
  dir: string;
  /** Every resolved secret value, for the evidence redactor. */
  secrets: string[];
  /** The configuration as written, with secret values replaced by their reference (`env:NAME`) or `[secret]`. */
  redacted: ParsedConfig;
  /** sha256 of the canonical redacted configuration. */
  hash: string;
}

interface ResolveContext {
  dir: string;
  env: NodeJS.ProcessEnv;
  file: string | undefined;
}

export function resolveSecrets(parsed: ParsedConfig, ctx: ResolveContext): ResolvedConfig {
  const issues: ConfigIssue[] = [];
  const secrets: string[] = [];
  const config = structuredClone(parsed) as ParsedConfig;
  const redacted = structuredClone(parsed) as ParsedConfig;

  const resolve = (value: string, at: string, raw = false): string => {
    const resolved = resolveReference(value, at, ctx, issues, raw);
    if (resolved !== undefined && resolved.length >= 4) secrets.push(resolved);
    return resolved ?? '';
  };
  const shown = (value: string): string => (/^(env|file):/.test(value) ? value : '[secret]');

  const tokens = config.identity.tokens;
  const redactedTokens = redacted.identity.tokens;
  if (tokens.kind === 'mint' && redactedTokens.kind === 'mint') {
    if (typeof tokens.key.jwk === 'string') {
      const text = resolve(tokens.key.jwk, 'identity.tokens.key.jwk');
      redactedTokens.key.jwk = shown(tokens.key.jwk);
      tokens.key.jwk = parseJwk(text, 'identity.tokens.key.jwk', issues);
    } else if (tokens.key.jwk) {
      redactedTokens.key.jwk = '[secret]';
    }
    if (tokens.key.jwk && typeof tokens.key.jwk === 'object') secrets.push(...privateJwkParts(tokens.key.jwk));
    if (tokens.key.pem) {
      const original = tokens.key.pem;
      tokens.key.pem = resolve(original, 'identity.tokens.key.pem');
      redactedTokens.key.pem = shown(original);
    }
  }
  if (tokens.kind === 'static' && redactedTokens.kind === 'static') {
    for (const [tenant, ref] of Object.entries(tokens.tokens)) {
      tokens.tokens[tenant] = resolve(ref, `identity.tokens.tokens.${tenant}`);
      redactedTokens.tokens[tenant] = shown(ref);
    }
  }
  if (tokens.kind === 'oauth2' && redactedTokens.kind === 'oauth2') {
    for (const [tenant, client] of Object.entries(tokens.clients)) {
      const ref = client.clientSecret;
      client.clientSecret = resolve(ref, `identity.tokens.clients.${tenant}.clientSecret`);
      redactedTokens.clients[tenant]!.clientSecret = shown(ref);
    }
  }
  if (tokens.kind === 'login' && redactedTokens.kind === 'login') {
    // Values and headers may be secrets (`env:`/`file:`); literal ones (a user name) are written as given.
    for (const [tenant, values] of Object.entries(tokens.values)) {
      for (const [name, value] of Object.entries(values)) {
        if (/^(env|file):/.test(value)) values[name] = resolve(value, `identity.tokens.values.${tenant}.${name}`);
      }
    }
    for (const [name, value] of Object.entries(tokens.headers ?? {})) {
      if (/^(env|file):/.test(value)) tokens.headers![name] = resolve(value, `identity.tokens.headers.${name}`);
      else if (/authorization|cookie|token|key|secret/i.test(name)) {
        secrets.push(value);
        redactedTokens.headers![name] = '[secret]';
      }
    }
  }
  const callbackSecrets = config.async?.callbacks?.signature?.secrets;
  for (const [tenant, ref] of Object.entries(callbackSecrets ?? {})) {
    callbackSecrets![tenant] = resolve(ref, `async.callbacks.signature.secrets.${tenant}`, config.async?.callbacks?.signature?.raw === true);
    redacted.async!.callbacks!.signature!.secrets![tenant] = shown(ref);
  }
  config.webhooks.forEach((hook, i) => {
    const ref = hook.signature.secret;
    if (ref === undefined) return;
    hook.signature.secret = resolve(ref, `webhooks[${i}].signature.secret`, hook.signature.raw === true);
    redacted.webhooks[i]!.signature.secret = shown(ref);
  });
  if (config.run.signKey) {
    const original = config.run.signKey;
    config.run.signKey = resolve(original, 'run.signKey');
    redacted.run.signKey = shown(original);
  }
  for (const [name, value] of Object.entries(config.target.headers ?? {})) {
    if (/^(env|file):/.test(value)) {
      config.target.headers![name] = resolve(value, `target.headers.${name}`);
    } else if (/authorization|cookie|token|key|secret/i.test(name)) {
      secrets.push(value);
      redacted.target.headers![name] = '[secret]';
    }
  }
  resolveTransport(config, redacted, { reference: (value, at) => resolveReference(value, at, ctx, issues), secret: resolve, shown, issues, secrets });
  if (config.database && redacted.database) {
    const db = config.database;
    if (db.url) {
      const ref = db.url;
      db.url = (resolveReference(ref, 'database.url', ctx, issues) ?? '').trim();
      const password = passwordOf(db.url);
      if (password) secrets.push(password);
      redacted.database.url = redactedDatabaseUrl(ref);
    }
    if (db.migrations) db.migrations = path.resolve(ctx.dir, db.migrations);
    if (db.suiteDirs) db.suiteDirs = db.suiteDirs.map((d) => path.resolve(ctx.dir, d));
  }
  if (issues.length > 0) throw new ConfigError(issues, ctx.file);
  if (typeof config.waivers === 'string') issues.push({ path: 'waivers', message: 'the waivers file was not read (load the config with loadConfig or resolveConfig)' });
  if (issues.length > 0) throw new ConfigError(issues, ctx.file);
  const waivers = config.waivers as WaiverRule[];
  return { ...config, waivers, file: ctx.file, dir: ctx.dir, secrets, redacted, hash: sha256Hex(canonicalJson(redacted)) };
}

/**
 * The value of a secret reference. A `file:` secret loses one trailing newline (`\n` or `\r\n`, what editors and
 * `echo` add) unless `raw`: an HMAC over a secret with a stray newline would make every signature wrong.
 */
function resolveReference(value: string, at: string, ctx: ResolveContext, issues: ConfigIssue[], raw = false): string | undefined {
  if (value.startsWith('env:')) {
    const name = value.slice(4);
    const resolved = ctx.env[name];
    if (resolved === undefined || resolved === '') {
      issues.push({ path: at, message: `environment variable ${name} is not set` });
      return undefined;
    }
    return resolved;
  }
  if (value.startsWith('file:')) {
    const file = path.resolve(ctx.dir, value.slice(5));
    try {
      const text = fs.readFileSync(file, 'utf8');
      return raw ? text : text.replace(/\r?\n$/, '');
    } catch {
      issues.push({ path: at, message: `cannot read ${file}` });
      return undefined;
    }
  }
  return value;
}

function privateJwkParts(jwk: Record<string, unknown>): string[] {
  return ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].map((part) => jwk[part]).filter((v): v is string => typeof v === 'string');
}

function parseJwk(text: string, at: string, issues: ConfigIssue[]): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const jwk = JSON.parse(text) as unknown;
    if (jwk && typeof jwk === 'object' && !Array.isArray(jwk) && 'kty' in jwk) return jwk as Record<string, unknown>;
  } catch {
    // reported below
  }
  issues.push({ path: at, message: 'expected a JSON Web Key (a JSON object with "kty")' });
  return undefined;
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
