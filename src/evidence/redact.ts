import { sha256Hex } from './hash.ts';

/** Header input accepted by {@link Redactor.headers}: a plain record (Node/undici style) or `[name, value]` pairs (`Headers`). */
export type HeaderInput =
  | Readonly<Record<string, string | number | boolean | readonly string[] | null | undefined>>
  | Iterable<readonly [string, string]>
  | null
  | undefined;

/**
 * Removes credentials from everything written as evidence. Every method is total: it never throws,
 * and when it cannot process an input it replaces it rather than letting it through.
 */
export interface Redactor {
  /** Registers one more secret (ignored when shorter than {@link MIN_SECRET_LENGTH}). */
  add(secret: string): void;
  /** Redacts registered secrets (plain, URL-encoded, JSON-escaped, base64/base64url embedded), JWT-shaped strings, credential header lines, sensitive JSON keys and query parameters. */
  text(s: string): string;
  /** Redacts header values: credential headers keep only their scheme (`Bearer [redacted]`), cookies keep only their names. */
  headers(h: HeaderInput): Record<string, string>;
  /** Deep copy with every string redacted; values under sensitive keys are replaced whole. */
  value<T>(v: T): T;
}

/** Secrets shorter than this are not registered: redacting 1–3 character strings would shred the evidence. */
export const MIN_SECRET_LENGTH = 4;

/** Object keys and header names whose values are always replaced. */
export const SENSITIVE_KEY = /secret|passw(?:or)?d|token|api[-_]?key|signature|private[-_]?key|credential/i;
const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization']);
const COOKIE = 'cookie';
const SET_COOKIE = 'set-cookie';
const ALWAYS_HEADERS = new Set(['x-api-key', 'x-auth-token', 'x-csrf-token']);

const KNOWN_SCHEMES = new Set(['bearer', 'basic', 'digest', 'token', 'dpop', 'negotiate', 'apikey', 'hoba', 'mutual']);
const REDACTED = '[redacted]';
const UNPROCESSABLE = '[redacted: unprocessable value]';

const JWT_RE =
  /(?<![A-Za-z0-9_\-.])([A-Za-z0-9_-]{4,})\.([A-Za-z0-9_-]{2,})\.([A-Za-z0-9_-]*)(?:\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*))?(?![A-Za-z0-9_-])/g;
const HEADER_LINE_RE = /\b(proxy-authorization|authorization|set-cookie|cookie|x-api-key)([ \t]*:[ \t]*)([^\r\n'"]*)/gi;
const JSON_PAIR_RE = /"((?:[^"\\]|\\.){1,120})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
const URL_PASSWORD_RE = /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@'"]*:)([^@\s/'"]+)@/gi;
const PARAM_RE =
  /(^|[?&;\s])([A-Za-z0-9_.[\]-]*(?:secret|passw(?:or)?d|token|api[-_]?key|signature|private[-_]?key|credential)[A-Za-z0-9_.[\]-]*)=([^&\s#'"]*)/gi;

/** True when a key or header name names a credential. */
export function isSensitiveKey(name: string): boolean {
  const lower = name.toLowerCase();
  return AUTH_HEADERS.has(lower) || lower === COOKIE || lower === SET_COOKIE || ALWAYS_HEADERS.has(lower) || SENSITIVE_KEY.test(lower);
}

/**
 * Creates a redactor seeded with known secrets (tenant tokens, signing keys, webhook secrets…).
 *
 * @example
 * const r = createRedactor([process.env.TOKEN_A!]);
 * r.headers({ Authorization: `Bearer ${token}` }); // { Authorization: 'Bearer [redacted-jwt alg=RS256 sha256:…]' }
 */
export function createRedactor(secrets: Iterable<string> = []): Redactor {
  const variants = new Set<string>();
  let secretRe: RegExp | null = null;

  const add = (secret: string): void => {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
    const before = variants.size;
    for (const v of secretVariants(secret)) if (v.length >= MIN_SECRET_LENGTH) variants.add(v);
    if (variants.size !== before) {
      const sorted = [...variants].sort((a, b) => b.length - a.length).map(escapeRegExp);
      secretRe = new RegExp(sorted.join('|'), 'g');
    }
  };
  for (const s of secrets) add(s);

  const text = (input: string): string => {
    try {
      let s = typeof input === 'string' ? input : String(input);
      if (s.length === 0) return s;
      // Each pattern needs a character the cheap `includes` checks first (this runs on every evidence string).
      if (s.includes('.')) s = s.replace(JWT_RE, (m: string) => jwtLabel(m) ?? m);
      if (secretRe) s = s.replace(secretRe, REDACTED);
      if (s.includes(':')) s = s.replace(HEADER_LINE_RE, (_m, name: string, sep: string, value: string) => `${name}${sep}${headerValue(name, value)}`);
      if (s.includes('"')) s = s.replace(JSON_PAIR_RE, (m: string, key: string, sep: string, value: string) => {
        if (!isSensitiveKey(key)) return m;
        if (value.startsWith('"')) {
          const inner = safeJsonString(value);
          return `"${key}"${sep}${JSON.stringify(inner === null ? REDACTED : fieldValue(key, inner))}`;
        }
        return `"${key}"${sep}"${REDACTED}"`;
      });
      if (s.includes('@')) s = s.replace(URL_PASSWORD_RE, (m: string, lead: string, pass: string) => (pass.startsWith('[redacted') ? m : `${lead}${REDACTED}@`));
      if (s.includes('=')) s = s.replace(PARAM_RE, (_m, lead: string, key: string, value: string) =>
        `${lead}${key}=${value === '' || value.startsWith('[redacted') || value.startsWith('%5Bredacted') ? value : REDACTED}`,
      );
      return s;
    } catch {
      return UNPROCESSABLE;
    }
  };

  /** Value of a credential header, given its (any-case) name. */
  const headerValue = (name: string, value: string): string => {
    const lower = name.toLowerCase();
    if (AUTH_HEADERS.has(lower)) return authValue(value);
    if (lower === COOKIE) return cookieValue(value);
    if (lower === SET_COOKIE) return setCookieValue(value);
    return value.trim() === '' || value.startsWith('[redacted') ? value : REDACTED;
  };

  const fieldValue = (key: string, value: string): string => (isSensitiveKey(key) ? headerValue(key, value) : text(value));

  const headers = (h: HeaderInput): Record<string, string> => {
    const out: Record<string, string> = {};
    try {
      for (const [name, raw] of headerEntries(h)) {
        const value = Array.isArray(raw) ? raw.map(String).join(name.toLowerCase() === SET_COOKIE ? '\n' : ', ') : raw == null ? '' : String(raw);
        const key = text(String(name));
        try {
          out[key] = isSensitiveKey(name) ? headerValue(name, value) : text(value);
        } catch {
          out[key] = UNPROCESSABLE;
        }
      }
    } catch {
      out['x-tenancy-audit-redaction'] = UNPROCESSABLE;
    }
    return out;
  };

  const walk = (v: unknown, key: string | undefined, sensitive: boolean, seen: WeakSet<object>, depth: number): unknown => {
    if (v === null || v === undefined || typeof v === 'boolean') return v;
    if (typeof v === 'number') return sensitive ? REDACTED : v;
    if (typeof v === 'string') {
      if (key !== undefined && isSensitiveKey(key)) return v === '' ? v : headerValue(key, v);
      return sensitive && v !== '' ? REDACTED : text(v);
    }
    if (typeof v === 'bigint') return sensitive ? REDACTED : String(v);
    if (typeof v !== 'object') return undefined;
    if (depth > 64) return '[redacted: nested too deep]';
    if (seen.has(v)) return '[circular]';
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `[binary ${v.byteLength} bytes]`;
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((item) => walk(item, key, sensitive, seen, depth + 1));
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) {
        const childSensitive = sensitive || (SENSITIVE_KEY.test(k) && !isHeaderish(k));
        out[text(k)] = walk((v as Record<string, unknown>)[k], k, childSensitive, seen, depth + 1);
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };

  const value = <T>(v: T): T => {
    try {
      return walk(v, undefined, false, new WeakSet(), 0) as T;
    } catch {
      return UNPROCESSABLE as unknown as T;
    }
  };

  return { add, text, headers, value };
}

function isHeaderish(key: string): boolean {
  const lower = key.toLowerCase();
  return AUTH_HEADERS.has(lower) || lower === COOKIE || lower === SET_COOKIE;
}

function headerEntries(h: HeaderInput): Iterable<readonly [string, unknown]> {
  if (h === null || h === undefined || typeof h !== 'object') return [];
  if (typeof (h as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function') return h as Iterable<readonly [string, string]>;
  return Object.entries(h);
}

/** `Bearer <jwt>` → `Bearer [redacted-jwt …]`; `Basic abc` → `Basic [redacted]`; keeps empty values visible. */
function authValue(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '' || KNOWN_SCHEMES.has(trimmed.toLowerCase())) return trimmed;
  const m = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(\s+)([\s\S]*)$/.exec(trimmed);
  const scheme = m ? m[1] : '';
  const cred = m ? (m[3] ?? '') : trimmed;
  if (m && cred === '') return trimmed;
  if (cred.startsWith('[redacted')) return trimmed;
  // A shell variable (`$TOKEN` in a curl reproduction) is a placeholder, not a credential.
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(cred)) return trimmed;
  const label = jwtLabel(cred) ?? REDACTED;
  return scheme ? `${scheme} ${label}` : label;
}

function cookieValue(value: string): string {
  return value
    .split(';')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const v = pair.slice(eq + 1).trim();
      return `${pair.slice(0, eq)}=${v === '' || v.startsWith('[redacted') ? v : REDACTED}`;
    })
    .join(';');
}

function setCookieValue(value: string): string {
  return value
    .split('\n')
    .map((line) => {
      const semi = line.indexOf(';');
      const first = semi < 0 ? line : line.slice(0, semi);
      return cookieValue(first) + (semi < 0 ? '' : line.slice(semi));
    })
    .join('\n');
}

/** `[redacted-jwt alg=<alg> sha256:<12 hex>]` when `token` is JWT-shaped with a JSON header, else null. */
export function jwtLabel(token: string): string | null {
  const parts = token.split('.');
  if (parts.length !== 3 && parts.length !== 5) return null;
  const header = decodeJsonSegment(parts[0] ?? '');
  if (header === null) return null;
  const alg = typeof header.alg === 'string' ? header.alg.replace(/[^A-Za-z0-9_+-]/g, '').slice(0, 24) || '?' : '?';
  return `[redacted-jwt alg=${alg} sha256:${sha256Hex(token).slice(0, 12)}]`;
}

function decodeJsonSegment(segment: string): Record<string, unknown> | null {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return null;
  try {
    const json = Buffer.from(segment, 'base64url').toString('utf8');
    if (!json.trimStart().startsWith('{')) return null;
    const parsed: unknown = JSON.parse(json);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function safeJsonString(literal: string): string | null {
  try {
    const v: unknown = JSON.parse(literal);
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** The forms a secret takes inside requests, URLs, JSON and base64 blobs (Basic auth, cookies). */
function secretVariants(secret: string): string[] {
  const out = [secret];
  const uri = encodeURIComponent(secret);
  out.push(uri, uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), uri.replace(/%20/g, '+'));
  out.push(JSON.stringify(secret).slice(1, -1));
  const bytes = Buffer.from(secret, 'utf8');
  out.push(bytes.toString('base64'), bytes.toString('base64url'));
  if (bytes.length >= 12) {
    // The secret embedded at any byte offset of a larger base64 blob: keep the characters made only of secret bits.
    for (let offset = 0; offset < 3; offset++) {
      const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
      const start = Math.ceil((offset * 8) / 6);
      const end = Math.floor(((offset + bytes.length) * 8) / 6);
      for (const enc of ['base64', 'base64url'] as const) out.push(padded.toString(enc).slice(start, end));
    }
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
