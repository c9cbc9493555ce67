import { describe, expect, it } from 'vitest';
import { refusalOf } from './request-check.ts';

describe('refusalOf: what must never leave', () => {
  it('ordinary requests, a host header and cookies may leave', () => {
    expect(refusalOf('GET', { authorization: 'Bearer t', 'X-Tenant-Id': 'acme' })).toBeUndefined();
    expect(refusalOf('POST', { Host: 'acme.example.test', cookie: 'tenant=acme; a=b', 'x-tenant-id': 'ü' })).toBeUndefined();
  });

  it('a header value that could end the header or smuggle a request is refused, naming the header, never its value', () => {
    for (const value of ['a\r\nX-Evil: 1', 'a\nb', 'a\rb', 'a\u0000b', 'ü\u0100']) {
      const refusal = refusalOf('GET', { 'x-tenant-id': value });
      expect(refusal).toMatch(/^not sent: the x-tenant-id header/);
      expect(refusal).not.toContain(value);
    }
  });

  it('bad header names and methods are refused', () => {
    expect(refusalOf('GET', { 'x tenant': 'a' })).toMatch(/header name/);
    expect(refusalOf('GET /x HTTP/1.1\r\n', {})).toMatch(/method/);
  });

  it('framing and connection headers belong to the client', () => {
    for (const name of ['Content-Length', 'transfer-encoding', 'Connection', 'upgrade', 'expect']) {
      expect(refusalOf('POST', { [name]: '1' })).toBe(`not sent: the ${name} header is set by the client itself`);
    }
  });
});
