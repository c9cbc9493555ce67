import { TenancyAuditError } from '../core/errors.ts';
import { createTokenCache, type Obtained } from './token-cache.ts';
import { errorSummary, httpUrl, positiveSeconds, sendTokenRequest, shownUrl } from './token-request.ts';
import type { OAuth2Client, OAuth2Source, TokenProvider, TokenProviderOptions } from './types.ts';

/** RFC 6749 Appendix B: client id and secret are form-urlencoded before Basic encoding. */
function basicCredentials(id: string, secret: string): string {
  const enc = (v: string) => new URLSearchParams({ v }).toString().slice(2);
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/** The form body and headers of a client-credentials grant for one client. */
export function clientCredentialsRequest(client: OAuth2Client, clientAuth: OAuth2Source['clientAuth']): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams({ ...(client.params ?? {}) });
  form.set('grant_type', 'client_credentials');
  if (client.scope !== undefined) form.set('scope', client.scope);
  if (client.audience !== undefined) form.set('audience', client.audience);
  if (client.resource !== undefined) form.set('resource', client.resource);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (clientAuth === 'client_secret_post') {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  } else {
    headers['authorization'] = basicCredentials(client.clientId, client.clientSecret);
  }
  return { headers, body: form.toString() };
}

/**
 * A provider over the OAuth 2.0 client-credentials grant (RFC 6749 §4.4), one client per tenant. The access
 * token's lifetime is the earlier of `expires_in` and its JWT `exp`; it is re-obtained before then (see
 * `createTokenCache`). The client secret and the tokens never appear in an error message.
 */
export function createOAuth2Provider(source: OAuth2Source, opts: TokenProviderOptions = {}): TokenProvider {
  const now = opts.now ?? Date.now;
  if (!Number.isFinite(source.timeoutMs) || source.timeoutMs <= 0) {
    throw new TenancyAuditError('TA_IDENTITY', `oauth2 timeoutMs must be a positive number, got ${String(source.timeoutMs)}`);
  }
  for (const [tenant, client] of Object.entries(source.clients)) {
    if (!httpUrl(client.tokenUrl)) {
      throw new TenancyAuditError('TA_IDENTITY', `the oauth2 token URL of tenant "${tenant}" is not an absolute http(s) URL`, {
        hint: 'Set identity.tokens.tokenUrl (or clients.<tenant>.tokenUrl) to the token endpoint, e.g. https://idp.example.com/oauth/token.',
      });
    }
  }

  const obtain = async (tenant: string): Promise<Obtained> => {
    const client = source.clients[tenant];
    if (client === undefined) {
      const known = Object.keys(source.clients).map((t) => `"${t}"`).join(', ') || 'none';
      throw new TenancyAuditError('TA_IDENTITY', `no oauth2 client configured for tenant "${tenant}" (configured: ${known})`, {
        hint: 'Add the tenant under identity.tokens.clients with its clientId and clientSecret.',
      });
    }
    const where = shownUrl(client.tokenUrl);
    const fail = (why: string, cause?: unknown): TenancyAuditError =>
      new TenancyAuditError('TA_IDENTITY', `oauth2 token request for tenant "${tenant}" to ${where} failed: ${why}`, {
        hint: `Check the token URL, client id "${client.clientId}" and its secret, and that the client may use the client_credentials grant (client auth ${source.clientAuth}).`,
        cause,
      });
    const startedAt = now();
    const { headers, body } = clientCredentialsRequest(client, source.clientAuth);
    const res = await sendTokenRequest({ method: 'POST', url: client.tokenUrl, headers, body }, { timeoutMs: source.timeoutMs, fail, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
    if (res.status !== 200) throw fail(errorSummary(res));
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      throw fail('HTTP 200 but the body is not JSON');
    }
    const token = json?.['access_token'];
    if (typeof token !== 'string' || token.length === 0 || /\s/.test(token)) throw fail('HTTP 200 but no usable "access_token" in the answer');
    const tokenType = json['token_type'];
    if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') throw fail(`token_type "${tokenType.slice(0, 20)}" is not Bearer`);
    const expiresIn = positiveSeconds(json['expires_in']);
    return { token, ...(expiresIn !== undefined ? { expiresAt: startedAt + expiresIn * 1000 } : {}) };
  };

  const cache = createTokenCache('oauth2', obtain, opts);
  return { issued: cache.issued, tokenFor: cache.tokenFor, refresh: cache.refresh, stats: cache.stats };
}
