import { describe, expect, it } from 'vitest';
import { requestBytes } from './request-head.ts';
import { TransportError } from './transport-error.ts';

const text = (bytes: Buffer | string) => (typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error('not refused');
};

describe('requestBytes', () => {
  const url = new URL('http://127.0.0.1:8080/projects/p1?tenant=acme&x=%20');

  it('a GET: request line with path and query, host first, the caller headers, no body framing', () => {
    expect(text(requestBytes('GET', url, { authorization: 'Bearer t', 'X-Tenant-Id': 'acme' }, undefined))).toBe(
      'GET /projects/p1?tenant=acme&x=%20 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nauthorization: Bearer t\r\nX-Tenant-Id: acme\r\n\r\n',
    );
  });

  it('a POST without a body says Content-Length: 0; a body is framed by its UTF-8 byte length', () => {
    expect(text(requestBytes('POST', url, {}, undefined))).toMatch(/\r\ncontent-length: 0\r\n\r\n$/);
    const bytes = requestBytes('PUT', url, { 'content-type': 'application/json' }, '{"name":"é"}');
    expect(text(bytes)).toMatch(/\r\ncontent-length: 13\r\n\r\n\{"name":"é"\}$/);
  });

  it('a host header given by the caller replaces the authority (host-based tenant routing is probed that way)', () => {
    const out = text(requestBytes('GET', url, { Host: 'acme.example.test' }, undefined));
    expect(out).toContain('\r\nhost: acme.example.test\r\n');
    expect(out).not.toContain('127.0.0.1');
  });

  it('a header value that could end the header or smuggle a request is refused, naming the header, never its value', () => {
    for (const value of ['a\r\nX-Evil: 1', 'a\nb', 'a\u0000b', 'ü\u0100']) {
      const error = refusal(() => requestBytes('GET', url, { 'x-tenant-id': value }, undefined));
      expect(error.kind).toBe('error');
      expect(error.message).toMatch(/^not sent: the x-tenant-id header/);
      expect(error.message).not.toContain(value);
    }
  });

  it('bad header names and methods are refused', () => {
    expect(refusal(() => requestBytes('GET', url, { 'x tenant': 'a' }, undefined)).message).toMatch(/header name/);
    expect(refusal(() => requestBytes('GET /x HTTP/1.1\r\n', url, {}, undefined)).message).toMatch(/method/);
  });

  it('framing and connection headers belong to the client', () => {
    for (const name of ['Content-Length', 'transfer-encoding', 'Connection', 'upgrade', 'expect']) {
      expect(refusal(() => requestBytes('POST', url, { [name]: '1' }, 'x')).message).toBe(`not sent: the ${name} header is set by the client itself`);
    }
  });
});
