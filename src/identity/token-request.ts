import { TenancyAuditError } from '../core/errors.ts';

/**
 * Token requests (`oauth2`, `login`) use Node's global `fetch`: the project's own HTTP client lives in the execute
 * stage, to the right of identity. These requests are legit-only, go to the configured identity provider (not the
 * audited target's scope), are bounded by a timeout and a body size, and never follow redirects.
 */
export interface TokenHttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface TokenHttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

const MAX_BODY = 256 * 1024;

/** The URL, parsed, when it is absolute http(s); otherwise `undefined`. */
export function httpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Where to say a request went, without userinfo or query (a query may carry a secret). */
export function shownUrl(value: string): string {
  const url = httpUrl(value);
  return url ? `${url.origin}${url.pathname}` : '(not an http(s) URL)';
}

export async function sendTokenRequest(
  request: TokenHttpRequest,
  opts: { timeoutMs: number; fetch?: typeof fetch; fail: (why: string, cause?: unknown) => TenancyAuditError },
): Promise<TokenHttpResponse> {
  const { fail } = opts;
  if (!httpUrl(request.url)) throw fail(`refusing a non-http(s) URL ${JSON.stringify(shownUrl(request.url))}`);
  const doFetch = opts.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw fail(`no answer within ${opts.timeoutMs} ms`, err);
    const code = (err as { cause?: { code?: string } }).cause?.code ?? name ?? 'error';
    throw fail(`request failed (${code})`, err);
  }
  let text: string;
  try {
    text = await readCapped(response);
  } catch (err) {
    throw fail(err instanceof TenancyAuditError ? err.message : `reading the answer failed (${(err as { name?: string }).name ?? 'error'})`, err);
  }
  return { status: response.status, headers: response.headers, text };
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new TenancyAuditError('TA_IDENTITY', `the answer is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * What an error answer says, safe to print: the OAuth `error` code (RFC 6749 §5.2) when the body has one, never the
 * body itself (it may echo credentials).
 */
export function errorSummary(res: TokenHttpResponse): string {
  let code: unknown;
  try {
    code = (JSON.parse(res.text) as { error?: unknown }).error;
  } catch {
    code = undefined;
  }
  const safe = typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? `, error "${code}"` : '';
  return `HTTP ${res.status}${safe}`;
}

/** Seconds as a positive finite number (`expires_in` may be a numeric string), else undefined. */
export function positiveSeconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}
