import { malformed, TransportError } from './transport-error.ts';

export interface ResponseHead {
  status: number;
  /** Lower-case names; repeated fields joined with ", ". */
  headers: Record<string, string>;
  /** Whether the connection may carry another request once this response is complete. */
  keepAlive: boolean;
}

export interface ResponseSink {
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  onComplete(): void;
}

/** Bounds on what a target can make the parser hold before it has a body to hand over. */
export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE_BYTES = 4 * 1024;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
  Done,
  Stopped,
}

const CRLF = 0x0a0d; // "\r\n" read as a little-endian uint16
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [\t\x20-\x7e\x80-\xff]*)?$/;
const CHUNK_SIZE = /^([0-9a-fA-F]{1,12})(?:[ \t]*;.*)?$/;
const DIGITS = /^\d{1,15}$/;

/**
 * An incremental, strict HTTP/1.1 response parser: one response at a time, for a request whose method it is
 * told (`expect`). Framing follows RFC 9112 §6.3; whatever it cannot frame unambiguously (Content-Length and
 * Transfer-Encoding together, conflicting lengths, obsolete line folding, bare CR, oversized heads, bad chunk
 * sizes) is an error: a target's response that two parsers could read differently is never judged.
 * Interim 1xx responses (but 101) are skipped. Bytes arriving after a complete response set `excess`.
 */
export class ResponseParser {
  private state = State.Done;
  private headOnly = false;
  private pending: Buffer | undefined;
  private remaining = 0;
  private lineBytes = 0;
  excess = false;

  constructor(private readonly sink: ResponseSink) {}

  /** Starts on the response to a request with this method. */
  expect(method: string): void {
    this.state = State.Head;
    this.headOnly = method === 'HEAD';
    this.pending = undefined;
    this.excess = false;
  }

  /** Stops reading: later input is ignored (the caller is dropping the connection). */
  stop(): void {
    this.state = State.Stopped;
  }

  get complete(): boolean {
    return this.state === State.Done;
  }

  /** Whether a byte of the current response has arrived. */
  get started(): boolean {
    return this.state !== State.Head || this.pending !== undefined;
  }

  /** Feeds bytes from the connection. Throws `TransportError` for a malformed response. */
  execute(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      switch (this.state) {
        case State.Head:
          at = this.readHead(chunk, at);
          break;
        case State.Length:
        case State.ChunkData:
          at = this.readCounted(chunk, at);
          break;
        case State.ChunkSize:
        case State.ChunkEnd:
        case State.Trailers:
          at = this.readLine(chunk, at);
          break;
        case State.UntilClose:
          this.body(chunk, at, chunk.length);
          at = chunk.length;
          break;
        case State.Done:
          this.excess = true;
          return;
        case State.Stopped:
          return;
      }
    }
  }

  /** The connection ended. Completes a body delimited by the close; anything else unfinished is an error. */
  end(): void {
    if (this.state === State.UntilClose) this.done();
    else if (this.state !== State.Done && this.state !== State.Stopped) {
      throw new TransportError('reset', this.started ? 'the connection closed before the response was complete' : 'the connection closed before any response');
    }
  }

  /** Body bytes of a known count: a Content-Length body, or one chunk's data. */
  private readCounted(chunk: Buffer, at: number): number {
    const state = this.state;
    const take = Math.min(this.remaining, chunk.length - at);
    this.remaining -= take;
    this.body(chunk, at, at + take);
    if (this.remaining === 0 && this.state === state) {
      if (state === State.Length) this.done();
      else this.state = State.ChunkEnd;
    }
    return at + take;
  }

  private body(chunk: Buffer, from: number, to: number): void {
    if (to > from) this.sink.onBody(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to));
  }

  private done(): void {
    this.state = State.Done;
    this.sink.onComplete();
  }

  private readHead(chunk: Buffer, at: number): number {
    const held = this.pending?.length ?? 0;
    const buffer = held ? Buffer.concat([this.pending!, chunk.subarray(at)]) : chunk;
    const from = held ? 0 : at;
    const end = buffer.indexOf('\r\n\r\n', held ? Math.max(0, held - 3) : at, 'latin1');
    if ((end < 0 ? buffer.length : end) - from > MAX_HEAD_BYTES) throw malformed(`response head larger than ${MAX_HEAD_BYTES / 1024} KB`);
    if (end < 0) {
      this.pending = buffer.subarray(from);
      return chunk.length;
    }
    this.pending = undefined;
    this.onHead(buffer.toString('latin1', from, end));
    return at + end + 4 - held - from;
  }

  private onHead(text: string): void {
    const firstEnd = text.indexOf('\r\n');
    const statusLine = firstEnd < 0 ? text : text.slice(0, firstEnd);
    const status = STATUS_LINE.exec(statusLine);
    if (!status) throw malformed(`bad status line ${JSON.stringify(statusLine.slice(0, 80))}`);
    const code = Number(status[2]);
    const headers = parseFields(text, firstEnd < 0 ? text.length : firstEnd + 2);
    if (code < 200 && code !== 101) return; // interim response: the final one follows on the same connection

    const http11 = status[1] === '1';
    const closing = code === 101 || !http11 || hasToken(headers['connection'], 'close');
    const transferEncoding = headers['transfer-encoding'];
    const contentLength = headers['content-length'];
    if (transferEncoding !== undefined && contentLength !== undefined) throw malformed('both Transfer-Encoding and Content-Length');

    if (this.headOnly || code === 101 || code === 204 || code === 304) {
      this.sink.onHead({ status: code, headers, keepAlive: !closing });
      if (this.state === State.Head) this.done();
      return;
    }
    if (transferEncoding !== undefined) {
      const codings = transferEncoding.split(',').map((c) => trimOws(c).toLowerCase());
      const chunked = codings[codings.length - 1] === 'chunked';
      if (codings.slice(0, -1).includes('chunked')) throw malformed('chunked applied twice');
      this.state = chunked ? State.ChunkSize : State.UntilClose;
      this.lineBytes = 0;
      this.sink.onHead({ status: code, headers, keepAlive: chunked && !closing });
      return;
    }
    if (contentLength !== undefined) {
      this.remaining = lengthOf(contentLength);
      this.state = State.Length;
      this.sink.onHead({ status: code, headers, keepAlive: !closing });
      if (this.remaining === 0 && this.state === State.Length) this.done();
      return;
    }
    this.state = State.UntilClose;
    this.sink.onHead({ status: code, headers, keepAlive: false });
  }

  /** Chunk-size lines, the CRLF after chunk data, and trailer lines. */
  private readLine(chunk: Buffer, at: number): number {
    const lf = chunk.indexOf(0x0a, at);
    const stop = lf < 0 ? chunk.length : lf + 1;
    this.lineBytes += stop - at;
    const limit = this.state === State.Trailers ? MAX_HEAD_BYTES : MAX_CHUNK_LINE_BYTES;
    if (this.lineBytes > limit) throw malformed(this.state === State.Trailers ? 'trailers too large' : 'chunk line too long');
    const piece = chunk.subarray(at, stop);
    this.pending = this.pending ? Buffer.concat([this.pending, piece]) : piece;
    if (lf < 0) return stop;
    const line = this.pending;
    this.pending = undefined;
    if (line.length < 2 || line.readUInt16LE(line.length - 2) !== CRLF) throw malformed('line not ended by CRLF in a chunked body');
    const text = line.toString('latin1', 0, line.length - 2);
    if (this.state === State.ChunkEnd) {
      if (text !== '') throw malformed('chunk data longer than its size');
      this.lineBytes = 0;
      this.state = State.ChunkSize;
    } else if (this.state === State.ChunkSize) {
      const size = CHUNK_SIZE.exec(text);
      if (!size) throw malformed(`bad chunk size ${JSON.stringify(text.slice(0, 40))}`);
      this.remaining = parseInt(size[1]!, 16);
      this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
      if (this.remaining !== 0) this.lineBytes = 0;
    } else if (text === '') {
      this.done();
    } else {
      parseFields(text, 0); // trailers are read and checked, not kept
    }
    return stop;
  }
}

/** Header fields from `from` to the end of the head: one pass, characters checked against RFC 9110's grammar. */
function parseFields(text: string, from: number): Record<string, string> {
  const headers: Record<string, string> = {};
  let at = from;
  while (at < text.length) {
    let lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0) lineEnd = text.length;
    let nameEnd = at;
    while (nameEnd < lineEnd && TOKEN_CHAR[text.charCodeAt(nameEnd)] === 1) nameEnd++;
    if (nameEnd === at || text.charCodeAt(nameEnd) !== 0x3a) throw malformed(`bad header line ${JSON.stringify(text.slice(at, Math.min(lineEnd, at + 80)))}`);
    let start = nameEnd + 1;
    let end = lineEnd;
    while (start < end && isOws(text.charCodeAt(start))) start++;
    while (end > start && isOws(text.charCodeAt(end - 1))) end--;
    for (let i = start; i < end; i++) {
      if (VALUE_CHAR[text.charCodeAt(i)] !== 1) throw malformed(`control character in header ${JSON.stringify(text.slice(at, nameEnd))}`);
    }
    const key = text.slice(at, nameEnd).toLowerCase();
    const value = text.slice(start, end);
    const previous = headers[key];
    headers[key] = previous === undefined ? value : `${previous}, ${value}`;
    at = lineEnd + 2;
  }
  return headers;
}

/** tchar (RFC 9110 §5.6.2) and field-value characters (VCHAR, SP, HTAB, obs-text), by latin1 code. */
const TOKEN_CHAR = charTable((c) => /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(String.fromCharCode(c)));
const VALUE_CHAR = charTable((c) => c === 0x09 || (c >= 0x20 && c !== 0x7f));

function charTable(allowed: (code: number) => boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let c = 0; c < 256; c++) table[c] = allowed(c) ? 1 : 0;
  return table;
}

const isOws = (code: number) => code === 0x20 || code === 0x09;

function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 0x20 || value.charCodeAt(start) === 0x09)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function hasToken(list: string | undefined, token: string): boolean {
  if (list === undefined) return false;
  if (list.length === token.length) return list.toLowerCase() === token;
  return list.includes(',') && list.split(',').some((item) => trimOws(item).toLowerCase() === token);
}

/** A Content-Length: digits, or the same digits repeated in a list (RFC 9110 §8.6); anything else is an error. */
function lengthOf(field: string): number {
  const values = DIGITS.test(field) ? [field] : [...new Set(field.split(',').map(trimOws))];
  if (values.length !== 1 || !DIGITS.test(values[0]!)) throw malformed(`bad Content-Length ${JSON.stringify(field.slice(0, 40))}`);
  return Number(values[0]);
}
