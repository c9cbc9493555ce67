/** An HTTP request the engine is about to send (credentials in clear: never written anywhere as is). */
export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ResponseView {
  status: number;
  headers: Record<string, string>;
  bodyText: string;
  /** Bytes received before the cap; `truncated` when the body was longer. */
  bodyBytes?: number;
  truncated?: boolean;
}

export type TransportFailureKind = 'timeout' | 'reset' | 'refused' | 'out-of-scope' | 'budget' | 'error';

export type Outcome =
  | { kind: 'response'; response: ResponseView }
  | { kind: 'failure'; failure: { kind: TransportFailureKind; message: string } };

export interface Exchange {
  request: OutgoingRequest;
  outcome: Outcome;
  startedAt: string;
  durationMs: number;
}

/** A request the target made to the harness (an outbound callback), as received. */
export interface ReceivedCallback {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: string;
}
