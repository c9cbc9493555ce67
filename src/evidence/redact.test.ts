import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRedactor, jwtLabel } from './redact.ts';

const b64u = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const JWT = `${b64u({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${b64u({ sub: 'alice', tid: 'tenant-a' })}.c2lnbmF0dXJlLWJ5dGVzLWhlcmU`;
const UNSIGNED = `${b64u({ alg: 'none' })}.${b64u({ tid: 'tenant-b' })}.`;
const SECRET = 'sk_live_0123456789abcdefXYZ';
const short12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

describe('createRedactor', () => {
  it('labels JWTs with alg and a 12-hex sha256 prefix, including unsigned ones', () => {
    const r = createRedactor([]);
    expect(r.text(`token=${JWT}&x=1`)).not.toContain(JWT);
    expect(r.text(`see ${JWT} here`)).toBe(`see [redacted-jwt alg=RS256 sha256:${short12(JWT)}] here`);
    expect(r.text(`t ${UNSIGNED} end`)).toBe(`t [redacted-jwt alg=none sha256:${short12(UNSIGNED)}] end`);
    expect(jwtLabel('a.b.c')).toBeNull();
  });

  it('leaves dotted strings that are not JWTs alone', () => {
    const r = createRedactor([]);
    expect(r.text('api.example.com/v1.2.3 and file.name.txt')).toBe('api.example.com/v1.2.3 and file.name.txt');
  });

  it('redacts registered secrets verbatim, URL-encoded, JSON-escaped and base64-embedded', () => {
    const secret = 'p@ss w/"rd:Z9!long-enough';
    const r = createRedactor([secret]);
    const basic = Buffer.from(`user:${secret}`).toString('base64');
    const inputs = [
      `x ${secret} y`,
      `?q=${encodeURIComponent(secret)}`,
      JSON.stringify({ note: secret }),
      `blob ${basic} end`,
      `blob ${Buffer.from(`ab${secret}cd`).toString('base64url')} end`,
    ];
    for (const input of inputs) {
      const out = r.text(input);
      expect(out, input).toContain('[redacted');
      expect(out).not.toContain(secret);
      expect(out).not.toContain(encodeURIComponent(secret));
    }
    expect(r.text(`blob ${basic} end`)).not.toContain(Buffer.from(secret).toString('base64').slice(4, 20));
  });

  it('accepts secrets added later and ignores too-short ones', () => {
    const r = createRedactor([]);
    expect(r.text(`a ${SECRET}`)).toContain(SECRET);
    r.add(SECRET);
    r.add('ab');
    expect(r.text(`a ${SECRET}`)).toBe('a [redacted]');
    expect(r.text('ab cd')).toBe('ab cd');
  });

  it('keeps the auth scheme, cookie names and Set-Cookie attributes', () => {
    const r = createRedactor([]);
    const out = r.headers({
      Authorization: `Bearer ${JWT}`,
      'proxy-authorization': 'Basic dXNlcjpwYXNz',
      Cookie: 'session=abc123; tenant=t-b',
      'set-cookie': ['sid=xyz; Path=/; HttpOnly', 'pref=1; Secure'],
      'X-Api-Key': 'key-123',
      'X-Webhook-Signature': 'sha256=deadbeef',
      'X-Tenant-ID': 'tenant-b',
      Empty: undefined,
    });
    expect(out.Authorization).toBe(`Bearer [redacted-jwt alg=RS256 sha256:${short12(JWT)}]`);
    expect(out['proxy-authorization']).toBe('Basic [redacted]');
    expect(out.Cookie).toBe('session=[redacted]; tenant=[redacted]');
    expect(out['set-cookie']).toBe('sid=[redacted]; Path=/; HttpOnly\npref=[redacted]; Secure');
    expect(out['X-Api-Key']).toBe('[redacted]');
    expect(out['X-Webhook-Signature']).toBe('[redacted]');
    expect(out['X-Tenant-ID']).toBe('tenant-b');
    expect(out.Empty).toBe('');
  });

  it('keeps an empty bearer visible (the mutation is the evidence) and accepts Headers objects', () => {
    const r = createRedactor([]);
    expect(r.headers({ authorization: 'Bearer ' }).authorization).toBe('Bearer');
    expect(r.headers(new Headers({ authorization: 'Bearer opaque-token-value' })).authorization).toBe('Bearer [redacted]');
  });

  it('redacts sensitive keys deeply and credential lines inside text', () => {
    const r = createRedactor([SECRET]);
    const input = {
      request: { headers: { authorization: 'Bearer abc', accept: 'json' }, body: JSON.stringify({ password: 'hunter2', tenant_id: 'b' }) },
      nested: [{ apiKey: 'k1', client_secret: { value: 'deep', n: 42 }, ok: SECRET }],
      curl: `curl -H 'Authorization: Bearer opaque' -H "Cookie: a=b" 'https://x/y?access_token=zzz&page=2'`,
      count: 3,
    };
    const out = r.value(input);
    const json = JSON.stringify(out);
    for (const leaked of ['abc', 'hunter2', 'k1', 'deep', SECRET, 'opaque', 'a=b', 'zzz']) expect(json, leaked).not.toContain(leaked);
    expect(out.request.headers.accept).toBe('json');
    expect(out.request.body).toBe('{"password":"[redacted]","tenant_id":"b"}');
    expect(out.curl).toContain('page=2');
    expect(out.count).toBe(3);
    expect(input.nested[0]?.apiKey).toBe('k1');
  });

  it('never throws on odd input', () => {
    const r = createRedactor([SECRET]);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('nope');
      },
    });
    expect(() => r.value(cyclic)).not.toThrow();
    expect(r.value(cyclic)).toEqual({ a: 1, self: '[circular]' });
    expect(r.value(hostile)).toBe('[redacted: unprocessable value]');
    expect(r.value({ b: 10n, s: Symbol('x'), f: () => 1, d: new Date(0), u8: new Uint8Array(3) })).toEqual({
      b: '10',
      d: '1970-01-01T00:00:00.000Z',
      u8: '[binary 3 bytes]',
    });
    expect(r.text(undefined as unknown as string)).toBe('undefined');
    expect(r.headers(42 as never)).toEqual({});
    expect(r.headers(null)).toEqual({});
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 200; i++) deep = (deep.next = {}) as Record<string, unknown>;
    expect(() => r.value(root)).not.toThrow();
  });
});

describe('shell placeholders in reproductions', () => {
  it('keeps `$TOKEN` in a curl line (a placeholder) but still redacts a real bearer token beside it', () => {
    const r = createRedactor();
    const line = `curl -H "authorization: Bearer $TOKEN" -H 'x-tenant-id: globex'`;
    expect(r.text(line)).toBe(line);
    expect(r.text('curl -H "authorization: Bearer abc.def-secret"')).not.toContain('abc.def-secret');
  });
});
