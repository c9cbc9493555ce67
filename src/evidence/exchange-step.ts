import { sha256Hex } from '../core/canonical.ts';
import type { Exchange, OutgoingRequest } from '../core/exchange.ts';
import type { EvidenceStep, RecordedRequest, RecordedResponse } from '../core/types.ts';

const EXCERPT_CHARS = 2048;

/** The request as evidence: the writer's redactor removes credentials before anything reaches disk. */
export function recordRequest(request: OutgoingRequest): RecordedRequest {
  const recorded: RecordedRequest = { method: request.method, url: request.url, headers: { ...request.headers } };
  if (request.body !== undefined) recorded.body = request.body.slice(0, EXCERPT_CHARS);
  return recorded;
}

export function recordResponse(exchange: Exchange): RecordedResponse | undefined {
  if (exchange.outcome.kind !== 'response') return undefined;
  const { status, headers, bodyText, bodyBytes, truncated } = exchange.outcome.response;
  return {
    status,
    headers,
    excerpt: bodyText.slice(0, EXCERPT_CHARS),
    bodySha256: sha256Hex(bodyText),
    bodyBytes: bodyBytes ?? Buffer.byteLength(bodyText),
    truncated: Boolean(truncated) || bodyText.length > EXCERPT_CHARS,
  };
}

/**
 * A `curl` line reproducing the request. The credential is a shell variable, never the token itself:
 * `credentialNote` says what to put in it (e.g. "a legit token of acme").
 */
export function curlLine(request: OutgoingRequest, credentialNote: string | undefined): string {
  const parts = ['curl -sS -i', `-X ${request.method}`, shellQuote(request.url)];
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'user-agent' || name === 'accept') continue;
    if (name === 'authorization') {
      parts.push(`-H "authorization: Bearer $TOKEN"`);
      continue;
    }
    parts.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  }
  if (request.body !== undefined) parts.push(`--data-raw ${shellQuote(request.body)}`);
  const line = parts.join(' ');
  if (!('authorization' in request.headers)) return line;
  return `# $TOKEN: ${credentialNote ?? 'the credential described in this step'}\n${line}`;
}

export function exchangeStep(n: number, title: string, exchange: Exchange, credentialNote?: string): EvidenceStep {
  const step: EvidenceStep = { n, title, request: recordRequest(exchange.request), curl: curlLine(exchange.request, credentialNote) };
  const response = recordResponse(exchange);
  if (response) step.response = response;
  else if (exchange.outcome.kind === 'failure') step.note = `${exchange.outcome.failure.kind}: ${exchange.outcome.failure.message}`;
  return step;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
