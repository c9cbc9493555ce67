import { TransportError } from './transport-error.ts';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** Framing and connection management belong to the client: a caller setting them could smuggle a second request. */
const CLIENT_OWNED = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);
const BODY_EXPECTED = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The bytes of an HTTP/1.1 request: request line, headers (a `host` header given by the caller replaces the URL's
 * authority; the harness probes host-based tenant routing that way), a Content-Length for any body. A header or
 * method that is not valid HTTP is refused before anything is sent; the message names the header, never its value.
 */
export function requestBytes(method: string, url: URL, headers: Record<string, string>, body: string | undefined): Buffer | string {
  if (!TOKEN.test(method)) throw notSent(`the method ${JSON.stringify(method.slice(0, 20))} is not an HTTP token`);
  let fields = '';
  let host = url.host;
  for (const name in headers) {
    const value = headers[name]!;
    if (!TOKEN.test(name)) throw notSent(`the header name ${JSON.stringify(name.slice(0, 40))} is not an HTTP token`);
    if (BAD_VALUE.test(value)) throw notSent(`the ${name} header holds a character a header cannot carry`);
    const lower = name.toLowerCase();
    if (lower === 'host') host = value;
    else if (CLIENT_OWNED.has(lower)) throw notSent(`the ${name} header is set by the client itself`);
    else fields += `${name}: ${value}\r\n`;
  }
  const head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${host}\r\n${fields}`;
  if (body === undefined) return BODY_EXPECTED.has(method) ? `${head}content-length: 0\r\n\r\n` : `${head}\r\n`;
  const payload = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`${head}content-length: ${payload.length}\r\n\r\n`, 'latin1'), payload]);
}

const notSent = (why: string) => new TransportError('error', `not sent: ${why}`);
