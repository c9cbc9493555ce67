import type { Outcome, TransportFailureKind } from '../../core/exchange.ts';

export function failure(kind: TransportFailureKind, message: string): Outcome {
  return { kind: 'failure', failure: { kind, message } };
}

const TIMEOUT = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
/** The answer's bytes are not a response that can be framed one way only. */
const MALFORMED = new Set(['UND_ERR_HEADERS_OVERFLOW', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

/**
 * What a transport error means for the judge (`kind`) and for people (`message`). Anything the response parser
 * (llhttp) refuses, such as Content-Length with Transfer-Encoding, conflicting lengths, bad chunks or garbage, is
 * an `error`, never a response: the answer cannot be framed unambiguously. `answered`: bytes of this answer had
 * arrived when it ended.
 */
export function failureOf(error: unknown, answered: boolean): Outcome {
  const cause = firstCause(error);
  const code = cause.code ?? '';
  const text = cause.message || String(error);
  if (code === 'ECONNREFUSED') return failure('refused', `${code}: ${text}`);
  if (TIMEOUT.has(code)) return failure('timeout', `${code}: ${text}`);
  if (cause.name === 'HTTPParserError' || code.startsWith('HPE_') || MALFORMED.has(code) || /^bad (response|upgrade)$/.test(text)) {
    return failure('error', `invalid HTTP response: ${code ? `${code} ` : ''}${text}`);
  }
  if (RESET.has(code)) {
    const when = answered ? 'the connection closed before the response was complete' : 'the connection closed before any response';
    return failure('reset', `${when} (${code}: ${text})`);
  }
  return failure('error', code ? `${code}: ${text}` : text);
}

interface ErrorLike {
  name?: string;
  code?: string;
  message: string;
}

/** The first error of an AggregateError (a host with several addresses), else the error itself. */
function firstCause(error: unknown): ErrorLike {
  const e = (error ?? {}) as ErrorLike & { errors?: unknown[] };
  if (!e.code && Array.isArray(e.errors) && e.errors.length > 0) return firstCause(e.errors[0]);
  return { name: e.name, message: typeof e.message === 'string' ? e.message : String(error), ...(typeof e.code === 'string' ? { code: e.code } : {}) };
}
