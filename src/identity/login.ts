import { TenancyAuditError } from '../core/errors.ts';
import { parseJsonSafe, readJsonPath } from '../core/json-path.ts';
import { createTokenCache, type Obtained } from './token-cache.ts';
import { errorSummary, httpUrl, positiveSeconds, sendTokenRequest, shownUrl, type TokenHttpResponse } from './token-request.ts';
import type { LoginSource, TokenProvider, TokenProviderOptions } from './types.ts';

/** Replaces `{{name}}` with the tenant's value; an unknown name is an error (never sent as literal braces). */
function fill(text: string, values: Record<string, string>, fail: (why: string) => TenancyAuditError): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw fail(`the template uses {{${name}}}, which has no value for this tenant`);
    return value;
  });
}

function fillDeep(value: unknown, values: Record<string, string>, fail: (why: string) => TenancyAuditError): unknown {
  if (typeof value === 'string') return fill(value, values, fail);
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, values, fail));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, values, fail)]));
  }
  return value;
}

/** The value of cookie `name` from the response's Set-Cookie headers; undefined when absent or empty. */
export function setCookieValue(headers: Headers, name: string): string | undefined {
  for (const line of headers.getSetCookie()) {
    const first = line.split(';', 1)[0] ?? '';
    const eq = first.indexOf('=');
    if (eq < 0 || first.slice(0, eq).trim() !== name) continue;
    let value = first.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return value.length > 0 ? value : undefined;
  }
  return undefined;
}

function tokenOf(source: LoginSource, res: TokenHttpResponse, json: unknown): unknown {
  if ('cookie' in source.token) return setCookieValue(res.headers, source.token.cookie);
  return readJsonPath(json, source.token.jsonPath);
}

/**
 * A provider that logs in over HTTP per tenant: `{{name}}` in the URL, headers and body is the tenant's value
 * (`{{tenant}}` its id), and the token is read from the 2xx answer by JSON path or from a named Set-Cookie cookie.
 * Lifetime: the earlier of the JSON `expiresInPath` and the JWT `exp`, else `cacheSeconds`.
 */
export function createLoginProvider(source: LoginSource, opts: TokenProviderOptions = {}): TokenProvider {
  const now = opts.now ?? Date.now;
  if (!Number.isFinite(source.timeoutMs) || source.timeoutMs <= 0) {
    throw new TenancyAuditError('TA_IDENTITY', `login timeoutMs must be a positive number, got ${String(source.timeoutMs)}`);
  }
  if (source.body !== undefined && source.form !== undefined) {
    throw new TenancyAuditError('TA_IDENTITY', 'the login request has both `body` and `form`', { hint: 'Give the body as JSON (`body`) or as form fields (`form`), not both.' });
  }
  const where = 'cookie' in source.token ? `Set-Cookie "${source.token.cookie}"` : `JSON path "${source.token.jsonPath}"`;

  const obtain = async (tenant: string): Promise<Obtained> => {
    const fail = (why: string, cause?: unknown): TenancyAuditError =>
      new TenancyAuditError('TA_IDENTITY', `login for tenant "${tenant}" to ${shownUrl(source.url)} failed: ${why}`, {
        hint: `Check identity.tokens (login): the request, the tenant's values, and that a 2xx answer carries the token at ${where}.`,
        cause,
      });
    const tenantValues = source.values[tenant];
    if (tenantValues === undefined) throw fail('no values configured for this tenant (identity.tokens.values)');
    const values = { ...tenantValues, tenant };
    const url = fill(source.url, values, fail);
    if (!httpUrl(url)) throw fail('the URL is not an absolute http(s) URL');
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(source.headers ?? {})) headers[name.toLowerCase()] = fill(value, values, fail);
    let body: string | undefined;
    if (source.form !== undefined) {
      body = new URLSearchParams(fillDeep(source.form, values, fail) as Record<string, string>).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (source.body !== undefined) {
      body = JSON.stringify(fillDeep(source.body, values, fail));
      headers['content-type'] ??= 'application/json';
    }
    const startedAt = now();
    const res = await sendTokenRequest({ method: source.method, url, headers, ...(body !== undefined ? { body } : {}) }, { timeoutMs: source.timeoutMs, fail, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
    if (res.status < 200 || res.status >= 300) throw fail(errorSummary(res));
    const json = parseJsonSafe(res.text);
    let token = tokenOf(source, res, json);
    if (typeof token === 'string' && /^bearer\s+/i.test(token)) token = token.replace(/^bearer\s+/i, '');
    if (typeof token !== 'string' || token.length === 0 || /\s/.test(token)) throw fail(`HTTP ${res.status} but no token (a single word) at ${where}`);
    const expiresIn = source.expiresInPath !== undefined ? positiveSeconds(readJsonPath(json, source.expiresInPath)) : undefined;
    return {
      token,
      ...(expiresIn !== undefined ? { expiresAt: startedAt + expiresIn * 1000 } : {}),
      cacheUntil: startedAt + source.cacheSeconds * 1000,
    };
  };

  const cache = createTokenCache('login', obtain, opts);
  return { issued: cache.issued, tokenFor: cache.tokenFor, refresh: cache.refresh, stats: cache.stats };
}
