import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_HEAD_BYTES, ResponseParser, type ResponseHead } from './response-parser.ts';
import { TransportError } from './transport-error.ts';

interface Parsed {
  heads: ResponseHead[];
  body: string;
  complete: number;
}

/** Feeds `pieces` to a parser expecting the answer to `method`; `eof` ends the connection afterwards. */
function parse(pieces: (string | Buffer)[], options: { method?: string; eof?: boolean } = {}): Parsed & { parser: ResponseParser } {
  const out: Parsed = { heads: [], body: '', complete: 0 };
  const chunks: Buffer[] = [];
  const parser = new ResponseParser({
    onHead: (head) => out.heads.push(head),
    onBody: (chunk) => chunks.push(Buffer.from(chunk)),
    onComplete: () => out.complete++,
  });
  parser.expect(options.method ?? 'GET');
  for (const piece of pieces) parser.execute(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece);
  if (options.eof) parser.end();
  out.body = Buffer.concat(chunks).toString('latin1');
  return { ...out, parser };
}

function failure(pieces: string[], options: { method?: string; eof?: boolean } = {}): TransportError {
  try {
    parse(pieces, options);
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error(`parsed without error: ${JSON.stringify(pieces)}`);
}

describe('ResponseParser: framing', () => {
  it('a Content-Length body; names lower-cased, repeated fields joined, keep-alive on HTTP/1.1', () => {
    const r = parse(['HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 7\r\n\r\n{"a":1}']);
    expect(r.heads).toEqual([{ status: 200, headers: { 'content-type': 'application/json', 'set-cookie': 'a=1, b=2', 'content-length': '7' }, keepAlive: true }]);
    expect(r.body).toBe('{"a":1}');
    expect(r.complete).toBe(1);
    expect(r.parser.excess).toBe(false);
  });

  it('keep-alive is off for Connection: close, for HTTP/1.0, and for a body delimited by the close', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n']).heads[0]!.keepAlive).toBe(false);
    expect(parse(['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']).heads[0]!.keepAlive).toBe(false);
    const untilClose = parse(['HTTP/1.1 200 OK\r\n\r\nab', 'cd'], { eof: true });
    expect(untilClose.heads[0]!.keepAlive).toBe(false);
    expect(untilClose.body).toBe('abcd');
    expect(untilClose.complete).toBe(1);
  });

  it('a chunked body with extensions and trailers', () => {
    const r = parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3;name=value\r\nabc\r\n', '10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n']);
    expect(r.body).toBe('abc0123456789abcdef');
    expect(r.complete).toBe(1);
    expect(r.heads[0]!.keepAlive).toBe(true);
  });

  it('a Transfer-Encoding whose last coding is not chunked is read until the close', () => {
    const r = parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz'], { eof: true });
    expect(r.body).toBe('zz');
    expect(r.heads[0]!.keepAlive).toBe(false);
  });

  it('no body for HEAD, 204 and 304, whatever their Content-Length says', () => {
    const head = parse(['HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n'], { method: 'HEAD' });
    expect([head.complete, head.body, head.heads[0]!.keepAlive]).toEqual([1, '', true]);
    expect(parse(['HTTP/1.1 204 No Content\r\n\r\n']).complete).toBe(1);
    expect(parse(['HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n']).complete).toBe(1);
  });

  it('interim 1xx answers are skipped; the final answer is reported', () => {
    const r = parse(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok']);
    expect(r.heads.map((h) => h.status)).toEqual([201]);
    expect(r.body).toBe('ok');
  });

  it('101 ends the exchange and the connection', () => {
    const r = parse(['HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n']);
    expect([r.heads[0]!.status, r.heads[0]!.keepAlive, r.complete]).toEqual([101, false, 1]);
  });

  it('a repeated identical Content-Length is one length', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok']).body).toBe('ok');
  });

  it('bytes after a complete response are flagged (the connection must not be reused)', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n']).parser.excess).toBe(true);
  });

  it('OWS around values is trimmed; an empty value is kept', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nX-A: \t spaced \t\r\nX-B:\r\nContent-Length: 0\r\n\r\n']).heads[0]!.headers).toEqual({ 'x-a': 'spaced', 'x-b': '', 'content-length': '0' });
  });
});

describe('ResponseParser: what it refuses to guess', () => {
  const refusals: [string, string[], RegExp][] = [
    ['Content-Length and Transfer-Encoding together', ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'], /both Transfer-Encoding and Content-Length/],
    ['conflicting Content-Lengths', ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n'], /bad Content-Length/],
    ['a signed Content-Length', ['HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\n'], /bad Content-Length/],
    ['a non-numeric Content-Length', ['HTTP/1.1 200 OK\r\nContent-Length: 3a\r\n\r\n'], /bad Content-Length/],
    ['an absurd Content-Length', ['HTTP/1.1 200 OK\r\nContent-Length: 12345678901234567890\r\n\r\n'], /bad Content-Length/],
    ['obsolete line folding', ['HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\nContent-Length: 0\r\n\r\n'], /bad header line/],
    ['a space before the colon', ['HTTP/1.1 200 OK\r\nX-A : a\r\n\r\n'], /bad header line/],
    ['a line without a colon', ['HTTP/1.1 200 OK\r\nnot a header\r\n\r\n'], /bad header line/],
    ['a bare LF inside the head', ['HTTP/1.1 200 OK\r\nX-A: a\nX-B: b\r\n\r\n'], /control character/],
    ['a bare CR inside a value', ['HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n'], /control character/],
    ['a NUL inside a value', ['HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\n\r\n'], /control character/],
    ['a bad status line', ['HTTP/2 200 OK\r\n\r\n'], /bad status line/],
    ['a two-digit status', ['HTTP/1.1 20 OK\r\n\r\n'], /bad status line/],
    ['not HTTP at all', ['\u0000\u00ff garbage\r\n\r\n'], /bad status line/],
    ['a bad chunk size', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'], /bad chunk size/],
    ['a negative chunk size', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n'], /bad chunk size/],
    ['chunk data longer than announced', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n'], /chunk data longer/],
    ['a chunk line ended by a bare LF', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\n'], /not ended by CRLF/],
    ['chunked applied twice', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n'], /chunked applied twice/],
    ['a malformed trailer', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n'], /bad header line/],
  ];
  it.each(refusals)('%s → an error, never a response', (_name, pieces, message) => {
    const error = failure(pieces);
    expect(error.kind).toBe('error');
    expect(error.message).toMatch(message);
  });

  it('a head larger than the bound is refused without waiting for its end', () => {
    const pieces = ['HTTP/1.1 200 OK\r\n', ...Array.from({ length: 70 }, () => `X-Pad: ${'p'.repeat(1000)}\r\n`)];
    expect(failure(pieces).message).toMatch(`larger than ${MAX_HEAD_BYTES / 1024} KB`);
  });

  it('an endless chunk-size line is refused', () => {
    expect(failure(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;', 'x'.repeat(5000)]).message).toMatch(/chunk line too long/);
  });

  it('the connection closing mid-response is a reset, saying whether anything had arrived', () => {
    expect(failure([], { eof: true })).toMatchObject({ kind: 'reset', message: 'the connection closed before any response' });
    expect(failure(['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'], { eof: true })).toMatchObject({ kind: 'reset', message: 'the connection closed before the response was complete' });
    expect(failure(['HTTP/1.1 200 OK\r\nContent-Le'], { eof: true }).kind).toBe('reset');
  });

  it('stop() makes it ignore the rest', () => {
    const chunks: Buffer[] = [];
    const parser = new ResponseParser({ onHead: () => {}, onBody: (c) => (chunks.push(c), parser.stop()), onComplete: () => expect.unreachable() });
    parser.expect('GET');
    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab'));
    parser.execute(Buffer.from('cd'));
    parser.end();
    expect(Buffer.concat(chunks).toString()).toBe('ab');
  });
});

describe('ResponseParser: properties', () => {
  const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/).filter((n) => !/^(content-length|transfer-encoding|connection)$/i.test(n));
  const value = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);
  const response = fc.record({
    status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
    headers: fc.array(fc.tuple(token, value), { maxLength: 8 }),
    body: fc.uint8Array({ maxLength: 3000 }),
    chunked: fc.boolean(),
    chunkSizes: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 10 }),
  });

  function bytesOf(r: { status: number; headers: [string, string][]; body: Uint8Array; chunked: boolean; chunkSizes: number[] }): Buffer {
    const fields = r.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('');
    const framing = r.chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${r.body.length}\r\n`;
    const head = Buffer.from(`HTTP/1.1 ${r.status} Reason\r\n${fields}${framing}\r\n`, 'latin1');
    if (!r.chunked) return Buffer.concat([head, r.body]);
    const parts: Buffer[] = [head];
    let at = 0;
    for (let i = 0; at < r.body.length; i++) {
      const size = Math.min(r.chunkSizes[i % r.chunkSizes.length]!, r.body.length - at);
      parts.push(Buffer.from(`${size.toString(16)}\r\n`), Buffer.from(r.body.subarray(at, at + size)), Buffer.from('\r\n'));
      at += size;
    }
    parts.push(Buffer.from('0\r\n\r\n'));
    return Buffer.concat(parts);
  }

  it('however the bytes are split, the same status, headers and body come out', () => {
    fc.assert(
      fc.property(response, fc.array(fc.nat(), { maxLength: 12 }), (r, cuts) => {
        const bytes = bytesOf(r);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...points].map((from, i) => bytes.subarray(from, points[i] ?? bytes.length)).filter((p) => p.length > 0);
        const whole = parse([bytes]);
        const split = parse(pieces);
        expect(split.heads).toEqual(whole.heads);
        expect(split.body).toBe(whole.body);
        expect(whole.body).toBe(Buffer.from(r.body).toString('latin1'));
        expect([whole.complete, split.complete]).toEqual([1, 1]);
        expect(whole.heads[0]!.status).toBe(r.status);
        for (const [name] of r.headers) expect(whole.heads[0]!.headers).toHaveProperty(name.toLowerCase());
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes end in a response, a wait for more, or a TransportError; never another exception', () => {
    const prefix = fc.constantFrom('', 'HTTP/1.1 200 OK\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n');
    fc.assert(
      fc.property(prefix, fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 5 }), fc.boolean(), (start, pieces, eof) => {
        try {
          parse([start, ...pieces.map((p) => Buffer.from(p))], { eof });
        } catch (error) {
          expect(error).toBeInstanceOf(TransportError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
