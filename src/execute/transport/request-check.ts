const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** Framing and connection management belong to the transport: a caller setting them could smuggle a second request. */
const CLIENT_OWNED = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);

/**
 * Why a request must not leave, or `undefined` when it may. A `host` header is allowed (it replaces the URL's
 * authority: the harness probes host-based tenant routing that way), and so are cookies and any other field; a
 * header or method that is not valid HTTP, or a framing header, is refused before anything is sent. The reason
 * names the header, never its value.
 */
export function refusalOf(method: string, headers: Record<string, string>): string | undefined {
  if (!TOKEN.test(method)) return notSent(`the method ${JSON.stringify(method.slice(0, 20))} is not an HTTP token`);
  for (const name in headers) {
    const value = headers[name]!;
    if (!TOKEN.test(name)) return notSent(`the header name ${JSON.stringify(name.slice(0, 40))} is not an HTTP token`);
    if (BAD_VALUE.test(value)) return notSent(`the ${name} header holds a character a header cannot carry`);
    if (CLIENT_OWNED.has(name.toLowerCase())) return notSent(`the ${name} header is set by the client itself`);
  }
  return undefined;
}

const notSent = (why: string) => `not sent: ${why}`;
